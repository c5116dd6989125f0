//! `secdesk signal`: raise, ack, decline, pass the baton of, resolve and
//! show a Bat-Signal. Pages and updates are mailed by
//! `secdesk-rotate-notify`; these commands only record.

pub mod ack;
pub mod baton;
pub mod decline;
pub mod raise;
pub mod resolve;
pub mod status;

use crate::App;
use clap::Subcommand;

/// The Bat-Signal: page one responder per role when the internet is on
/// fire.
///
/// `raise` records the signal; within a minute `secdesk-rotate-notify`
/// pages one member per role in `signal.roles` (those for whom it is
/// daytime first), each role escalating on its own every
/// `signal.ack_timeout` until someone acks it. Responders ack with
/// `secdesk signal ack` or by replying to the page. SIGNAL is the number
/// `raise` prints.
#[derive(clap::Args, Debug)]
pub struct SignalCommand {
    #[command(subcommand)]
    action: SignalAction,
}

#[derive(Subcommand, Debug)]
enum SignalAction {
    Raise(raise::SignalRaiseCommand),
    Ack(ack::SignalAckCommand),
    Decline(decline::SignalDeclineCommand),
    Baton(baton::SignalBatonCommand),
    Resolve(resolve::SignalResolveCommand),
    Status(status::SignalStatusCommand),
}

impl SignalCommand {
    /// Runs the command; after a recorded action, writes the trigger.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let records = !matches!(self.action, SignalAction::Status(_));
        match self.action {
            SignalAction::Raise(c) => c.execute(app),
            SignalAction::Ack(c) => c.execute(app),
            SignalAction::Decline(c) => c.execute(app),
            SignalAction::Baton(c) => c.execute(app),
            SignalAction::Resolve(c) => c.execute(app),
            SignalAction::Status(c) => c.execute(app),
        }?;
        if records {
            wake(app);
        }
        Ok(())
    }
}

/// The file beside the database that every recorded action writes, so
/// that a watcher (the NixOS module's `secdesk-rotate-notify.path`) runs
/// `secdesk-rotate-notify` at once: the first pages and each update go
/// out within seconds, not at the next timer run.
pub const TRIGGER: &str = "signal.trigger";

/// Writes [`TRIGGER`] (the run's instant). A failure only warns: the
/// action is recorded, and the next timer run sends its mail.
fn wake(app: &App) {
    let path = secdesk::config::database_dir(app.ctx.store.path()).join(TRIGGER);
    let now = secdesk::time::format(app.ctx.now);
    if let Err(e) = std::fs::write(&path, format!("{now}\n")) {
        eprintln!(
            "secdesk: warning: cannot write {}: {e}; the pages and updates go out at the next \
             secdesk-rotate-notify run",
            path.display()
        );
    }
}
