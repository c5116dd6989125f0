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
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        match self.action {
            SignalAction::Raise(c) => c.execute(app),
            SignalAction::Ack(c) => c.execute(app),
            SignalAction::Decline(c) => c.execute(app),
            SignalAction::Baton(c) => c.execute(app),
            SignalAction::Resolve(c) => c.execute(app),
            SignalAction::Status(c) => c.execute(app),
        }
    }
}
