//! `secdesk signal ack SIGNAL [--role ROLE]`.

use crate::App;
use secdesk::app::signal;

/// Take a role on a Bat-Signal: that role stops escalating.
///
/// Without --role: every role you are paged for now. The first
/// coordination ack takes the incident lead's baton.
#[derive(clap::Args, Debug)]
pub struct SignalAckCommand {
    /// The signal's number.
    #[arg(value_name = "SIGNAL")]
    signal: i64,
    /// The role to take.
    #[arg(long, value_name = "ROLE")]
    role: Option<String>,
}

impl SignalAckCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let by = app.actor()?;
        let v = signal::ack(&mut app.ctx.desk(), &by, self.signal, self.role.as_deref())?;
        app.emit(&v)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn ack_takes_a_signal_and_an_optional_role() {
        assert!(Cli::try_parse_from(["secdesk", "signal", "ack", "3"]).is_ok());
        assert!(Cli::try_parse_from(["secdesk", "signal", "ack", "3", "--role", "qa"]).is_ok());
        assert!(Cli::try_parse_from(["secdesk", "signal", "ack", "x"]).is_err());
    }
}
