//! `secdesk-triage-report`: the daily report, once a day.

use clap::{CommandFactory, Parser};
use secdesk::cli::generate::{self, GenerateArgs};
use secdesk::cli::{self, CommonArgs, Ctx};
use secdesk::job::triage_report;
use std::process::ExitCode;

const NAME: &str = "secdesk-triage-report";

/// Build the day's triage report and mail it, once a day.
///
/// The report (plain text and HTML) says, in order: whether the machinery
/// is healthy (loud when a mailbox has not been fetched for
/// report.stale_ingest_after, default 1h, or mail is stuck), who is on
/// call, what came in during the last 24 hours, unclaimed issues, claims
/// not triaged after 24 hours, the release matrix of open issues, fixed
/// issues not yet announced, and the last 30 days (times to claim, triage
/// and fix; load per member).
///
/// It is queued under the key report:YYYY-MM-DD (the UTC date of --now),
/// then the outbox is delivered: a second run the same day sends nothing
/// new, and a report queued while the SMTP server was down goes out with
/// the next run that reaches it.
///
/// Exit codes: 0 done (also when today's report was sent already); 1 mail
/// could not be delivered (it stays queued) or was refused, or the database
/// failed; 2 the invocation or configuration is wrong (report.to empty).
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,

    // Read by `generate::intercept` before this struct is parsed; here so
    // that --help lists --generate and --out-dir.
    #[command(flatten)]
    _generate: GenerateArgs,

    /// Print the text report on stdout and send nothing.
    #[arg(long)]
    stdout: bool,

    /// Queue and send another copy even if today's report was sent.
    #[arg(long, conflicts_with = "stdout")]
    force: bool,
}

fn main() -> ExitCode {
    if let Some(code) = generate::intercept(Args::command()) {
        return code;
    }
    cli::finish(NAME, run(Args::parse()))
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut ctx = Ctx::open(&args.common)?;
    if args.stdout {
        let (_, text, _) = triage_report::render(&mut ctx.store, &ctx.config, ctx.now)?;
        cli::print(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    ctx.config.report_recipients(&ctx.origin)?;
    let ran = triage_report::run(&mut ctx.store, &ctx.config, ctx.now, args.force, &mut |l| {
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
