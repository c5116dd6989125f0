//! `secdesk-rotate-notify`: the on-call rota's mail, every few minutes.

use clap::{CommandFactory, Parser};
use secdesk::cli::generate::{self, GenerateArgs};
use secdesk::cli::{self, CommonArgs, Ctx};
use secdesk::job::rotate_notify;
use std::process::ExitCode;

const NAME: &str = "secdesk-rotate-notify";

/// Send the on-call rota's mail that is due, then deliver the outbox.
///
/// Due at any instant: a reminder to the next person rotation.remind_before
/// (default 12h) ahead of their shift, in their local time; at shift start,
/// the handoff to the incoming person (open issues from the previous shift,
/// unclaimed issues, what the outgoing person still holds, what was
/// dismissed); at shift end, a note to the outgoing person of what they
/// leave open; a notice to each member whose future shifts a schedule
/// change moved; and, when a mailbox has not been fetched successfully for
/// report.stale_ingest_after, a warning to whoever is on call, once per
/// outage. Each mail is queued once under its own key, so this is safe to
/// run at any time, as often as one likes.
///
/// Exit codes: 0 done (also nothing to do); 1 mail could not be delivered
/// (it stays queued) or was refused, or the database failed; 2 the
/// invocation or configuration is wrong.
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,

    // Read by `generate::intercept` before this struct is parsed; here so
    // that --help lists --generate and --out-dir.
    #[command(flatten)]
    _generate: GenerateArgs,
}

fn main() -> ExitCode {
    if let Some(code) = generate::intercept(Args::command()) {
        return code;
    }
    cli::finish(NAME, run(Args::parse()))
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut ctx = Ctx::open(&args.common)?;
    let ran = rotate_notify::run(&mut ctx.store, &ctx.config, ctx.now, &mut |l| {
        cli::log(NAME, l)
    })?;
    for e in &ran.delivery.errors {
        cli::log(NAME, e);
    }
    let failed = ran.delivery.has_failures();
    cli::job_done(NAME, &mut ctx, failed, Default::default(), &ran)
}

#[cfg(test)]
mod tests {
    #[test]
    fn args_are_well_formed() {
        use clap::CommandFactory;
        super::Args::command().debug_assert();
    }
}
