//! `secdesk signal raise ISSUE --reason TEXT`.

use crate::App;
use secdesk::app::signal;

/// Raise a Bat-Signal on an issue: page one responder per role.
///
/// Prints `signal N raised for #ISSUE`; N is the SIGNAL the other
/// commands take. Refused without --reason, and on an issue whose
/// severity is not critical unless --force is given.
#[derive(clap::Args, Debug)]
pub struct SignalRaiseCommand {
    /// The issue.
    #[arg(value_name = "ISSUE")]
    issue: i64,
    /// Why the internet is on fire (shown in every page).
    #[arg(long, value_name = "TEXT")]
    reason: String,
    /// Raise it on an issue that is not critical.
    #[arg(long)]
    force: bool,
}

impl SignalRaiseCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let by = app.actor()?;
        let v = signal::raise(
            &mut app.ctx.desk(),
            &by,
            self.issue,
            &self.reason,
            self.force,
        )?;
        app.emit(&v)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn raise_needs_a_reason() {
        assert!(Cli::try_parse_from(["secdesk", "signal", "raise", "12", "--reason", "x"]).is_ok());
        assert!(Cli::try_parse_from(["secdesk", "signal", "raise", "12"]).is_err());
    }
}
