//! `secdesk fix`: what `secdesk-fix-track` found in the package
//! repository for an issue, and the on-call member's answer to it: accept
//! a proposed commit (records `fixed` with its full id) or reject it with a
//! reason (never proposed again).

pub mod accept;
pub mod list;
pub mod reject;

use crate::App;
use clap::Subcommand;

/// Fix tracking: commits proposed as an issue's fix per release, and
/// whether each release's channel has the recorded fix.
///
/// A proposal never changes a status by itself: `accept` records it as
/// `secdesk release-status ID RELEASE fixed --ref COMMIT` would.
#[derive(clap::Args, Debug)]
pub struct FixCommand {
    #[command(subcommand)]
    action: FixAction,
}

#[derive(Subcommand, Debug)]
enum FixAction {
    List(list::FixListCommand),
    Accept(accept::FixAcceptCommand),
    Reject(reject::FixRejectCommand),
}

impl FixCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        match self.action {
            FixAction::List(c) => c.execute(app),
            FixAction::Accept(c) => c.execute(app),
            FixAction::Reject(c) => c.execute(app),
        }
    }
}
