//! `secdesk-ingest`: the timer job that turns mail into issues.

use clap::Parser;
use secdesk::cli::{self, CommonArgs, Ctx};
use secdesk::job::ingest;
use secdesk::mail::ingest::Local;
use std::path::PathBuf;
use std::process::ExitCode;

const NAME: &str = "secdesk-ingest";

/// Fetch new mail, store it, classify it and correlate it into issues.
///
/// With --maildir or --mbox, reads those (import and backfill) and nothing
/// else. Without them, fetches every mailbox of every `imap` account in the
/// configuration. Every message is stored once (by Message-ID, or a hash of
/// its bytes when it has none), in batches of one transaction each, so a
/// killed run is finished by the next one without duplicates.
///
/// Prints one summary line. Exit codes: 0 done (also when nothing was new,
/// and when messages were stored with parse problems); 1 something could not
/// be read or the database failed (what could be stored was stored; the
/// next run retries); 2 the invocation or configuration is wrong.
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,

    /// Read a Maildir, or a tree of Maildirs, instead of IMAP. Repeatable.
    ///
    /// A folder named after a source (oss-security, full-disclosure, debian,
    /// redhat, suse, gentoo) marks its messages as that source when they
    /// carry no list header of their own.
    #[arg(long, value_name = "DIR")]
    maildir: Vec<PathBuf>,

    /// Read an mbox file instead of IMAP. Repeatable.
    #[arg(long, value_name = "FILE")]
    mbox: Vec<PathBuf>,
}

fn main() -> ExitCode {
    cli::finish(NAME, run(Args::parse()))
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut ctx = Ctx::open(&args.common)?;
    let mut local: Vec<Local> = args.maildir.into_iter().map(Local::Maildir).collect();
    local.extend(args.mbox.into_iter().map(Local::Mbox));
    let ran = ingest::run(&mut ctx.store, &ctx.config, &local, ctx.now, &mut |line| {
        cli::log(NAME, line)
    })?;
    if let ingest::Ran::Read(summary) = &ran {
        for line in summary.notices.iter().chain(&summary.errors) {
            cli::log(NAME, line);
        }
    }
    cli::print(&ran.to_string())?;
    Ok(cli::exit_for(ran.failed()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn args_are_well_formed() {
        use clap::CommandFactory;
        super::Args::command().debug_assert();
    }
}
