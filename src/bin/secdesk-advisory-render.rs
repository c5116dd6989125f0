//! `secdesk-advisory-render`: render approved advisories, hourly.

use clap::{CommandFactory, Parser};
use secdesk::cli::generate::{self, GenerateArgs};
use secdesk::cli::{self, CommonArgs, Ctx};
use secdesk::job::advisory_render;
use std::path::PathBuf;
use std::process::ExitCode;

const NAME: &str = "secdesk-advisory-render";

/// Render every approved advisory revision not rendered yet, and mail its
/// text to the member who sends it to the announce list.
///
/// Each revision becomes ID.txt (the announcement), ID.osv.json and
/// ID.csaf.json in --out (default `advisory.out_dir`, else `advisories`
/// beside the database), each written whole or not at all; the text is
/// queued to `advisory.sender` under the key advisory:ID:REV, then the
/// outbox is delivered. A second run renders and sends nothing new.
///
/// Exit codes: 0 done; 1 a file could not be written, mail could not be
/// delivered (it stays queued), or the database failed; 2 the invocation
/// or configuration is wrong (no `advisory` section).
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,

    // Read by `generate::intercept` before this struct is parsed; here so
    // that --help lists --generate and --out-dir.
    #[command(flatten)]
    _generate: GenerateArgs,

    /// Where to write the files (default: `advisory.out_dir`).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
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
    let settings = config.advisory_settings(&ctx.origin)?;
    let ran = advisory_render::run(
        &mut ctx.store,
        config,
        settings,
        ctx.now,
        args.out.as_deref(),
        &mut |l| cli::log(NAME, l),
    )?;
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
