//! `secdesk signal baton SIGNAL --to MEMBER`.

use crate::App;
use secdesk::app::signal;

/// Pass the incident lead's baton; the new holder is told, and every mail
/// after that says who holds it.
#[derive(clap::Args, Debug)]
pub struct SignalBatonCommand {
    /// The signal's number.
    #[arg(value_name = "SIGNAL")]
    signal: i64,
    /// The new incident lead (a member id).
    #[arg(long, value_name = "MEMBER")]
    to: String,
}

impl SignalBatonCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let by = app.actor()?;
        let v = signal::baton(&mut app.ctx.desk(), &by, self.signal, &self.to)?;
        app.emit(&v)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn baton_needs_a_member() {
        assert!(Cli::try_parse_from(["secdesk", "signal", "baton", "3", "--to", "bob"]).is_ok());
        assert!(Cli::try_parse_from(["secdesk", "signal", "baton", "3"]).is_err());
    }
}
