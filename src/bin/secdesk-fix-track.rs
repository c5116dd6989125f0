//! `secdesk-fix-track`: follow fixes in the package repository, hourly.

use clap::{CommandFactory, Parser};
use secdesk::cli::generate::{self, GenerateArgs};
use secdesk::cli::{self, CommonArgs, Ctx};
use secdesk::job::fix_track;
use std::process::ExitCode;

const NAME: &str = "secdesk-fix-track";

/// Fetch the package repository, find the commits that fix each issue's
/// CVEs on each release branch, and follow recorded fixes into their
/// channel branches.
///
/// Fetches `fixes.branches` and `fixes.channels` from `fixes.remote` into
/// the clone `fixes.repo` (created as a blob-less partial clone on the
/// first run), then walks each release branch from the head scanned last
/// time (back to `fixes.since` on the first run), keeping commits that
/// name a CVE in their message or in an added file's name, and
/// cherry-picks (`cherry picked from commit …`) of them. `secdesk fix
/// list ISSUE` shows what that proposes; nothing here changes a status.
/// For every release recorded `fixed` with a commit, it checks whether the
/// release's channel branch contains that commit, and since which run.
///
/// Exit codes: 0 done; 1 a branch was force-pushed (it is rescanned from
/// `fixes.since` on the next run), the repository or a branch is missing,
/// the fetch failed, or the database failed; 2 the invocation or
/// configuration is wrong (no `fixes` section).
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,

    // Read by `generate::intercept` before this struct is parsed; here so
    // that --help lists --generate and --out-dir.
    #[command(flatten)]
    _generate: GenerateArgs,

    /// Do not fetch: scan the repository as it is (for tests, and hosts
    /// that update the clone by other means).
    #[arg(long)]
    no_fetch: bool,
}

fn main() -> ExitCode {
    if let Some(code) = generate::intercept(Args::command()) {
        return code;
    }
    cli::finish(NAME, run(Args::parse()))
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut ctx = Ctx::open(&args.common)?;
    let config = &ctx.config;
    let fixes = config.fixes_settings(&ctx.origin)?;
    let ran = fix_track::run(
        &mut ctx.store,
        config,
        fixes,
        ctx.now,
        !args.no_fetch,
        &mut |l| cli::log(NAME, l),
    )?;
    cli::job_done(NAME, &mut ctx, ran.failed(), Default::default(), &ran)
}

#[cfg(test)]
mod tests {
    #[test]
    fn args_are_well_formed() {
        use clap::CommandFactory;
        super::Args::command().debug_assert();
    }
}
