//! `secdesk signal resolve SIGNAL --summary TEXT`.

use crate::App;
use secdesk::app::signal;

/// End a Bat-Signal: nothing more is paged, and everyone paged gets the
/// summary.
#[derive(clap::Args, Debug)]
pub struct SignalResolveCommand {
    /// The signal's number.
    #[arg(value_name = "SIGNAL")]
    signal: i64,
    /// What happened, for everyone paged and the history.
    #[arg(long, value_name = "TEXT")]
    summary: String,
}

impl SignalResolveCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let by = app.actor()?;
        let v = signal::resolve(&mut app.ctx.desk(), &by, self.signal, &self.summary)?;
        app.emit(&v)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn resolve_needs_a_summary() {
        assert!(
            Cli::try_parse_from(["secdesk", "signal", "resolve", "3", "--summary", "fixed"])
                .is_ok()
        );
        assert!(Cli::try_parse_from(["secdesk", "signal", "resolve", "3"]).is_err());
    }
}
