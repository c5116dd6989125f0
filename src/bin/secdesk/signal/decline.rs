//! `secdesk signal decline SIGNAL --role ROLE`.

use crate::App;
use secdesk::app::signal;

/// Cannot take a role now: the next member of it is paged at once, and
/// you are not paged for it again on this signal.
#[derive(clap::Args, Debug)]
pub struct SignalDeclineCommand {
    /// The signal's number.
    #[arg(value_name = "SIGNAL")]
    signal: i64,
    /// The role declined.
    #[arg(long, value_name = "ROLE")]
    role: String,
}

impl SignalDeclineCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let by = app.actor()?;
        let v = signal::decline(&mut app.ctx.desk(), &by, self.signal, &self.role)?;
        app.emit(&v)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn decline_needs_a_role() {
        assert!(Cli::try_parse_from(["secdesk", "signal", "decline", "3", "--role", "qa"]).is_ok());
        assert!(Cli::try_parse_from(["secdesk", "signal", "decline", "3"]).is_err());
    }
}
