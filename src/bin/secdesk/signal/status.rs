//! `secdesk signal status [SIGNAL] [--json]`.

use crate::App;
use secdesk::app::signal;

/// Show a Bat-Signal, or every active one and those of the last 30 days.
///
/// Per role: who acked and after how long, or who is paged now and when
/// the next page goes out; per member: acked, declined, paged,
/// superseded or waiting (once resolved: unanswered or not-paged), and
/// how many private contacts they have (when
/// this run may read the contacts; never the addresses). --json:
/// `{signals: [{signal, issue, title, raised_by, reason, raised_at,
/// baton, resolved_at, summary, roles: [{role, acked_by, acked_at,
/// ack_seconds, unanswered_at, next_page_at, members: [{member, state,
/// paged_at, awake, private_contacts}]}]}]}`.
#[derive(clap::Args, Debug)]
pub struct SignalStatusCommand {
    /// One signal's number.
    #[arg(value_name = "SIGNAL")]
    signal: Option<i64>,
}

impl SignalStatusCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let v = signal::status(&mut app.ctx.desk(), self.signal)?;
        app.emit(&v)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn status_takes_an_optional_signal() {
        assert!(Cli::try_parse_from(["secdesk", "signal", "status"]).is_ok());
        assert!(Cli::try_parse_from(["secdesk", "signal", "status", "3", "--json"]).is_ok());
    }
}
