//! Outgoing mail: every mail secdesk sends is composed once, queued under a
//! unique key, then delivered with retries and back-off.
//!
//! [`compose`](mod@compose) builds the message (pure: lettre's message builder, no
//! transport); [`deliver`](mod@deliver) sends queued mail over SMTP, or writes `.eml`
//! files when no `smtp` is configured. Text that came from mail is made safe
//! here, once: CR and LF never reach a header, bare CRs never reach a body,
//! and HTML renderers escape everything they copy.

pub mod compose;
pub mod deliver;
pub mod key;

pub use compose::{Mail, compose};
pub use deliver::{Delivery, deliver};
pub use key::Key;
