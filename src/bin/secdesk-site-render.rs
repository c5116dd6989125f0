//! `secdesk-site-render`: render the public static site, hourly.

use clap::{CommandFactory, Parser};
use secdesk::cli::generate::{self, GenerateArgs};
use secdesk::cli::{self, CommonArgs, Ctx};
use secdesk::job::site_render;
use secdesk::mail::Source;
use std::path::PathBuf;
use std::process::ExitCode;

const NAME: &str = "secdesk-site-render";

/// Render the public static site: an index of open issues, a page per
/// issue, CVE, package and published advisory, the rota, trends, an Atom
/// feed and a JSON export. Public information only.
///
/// Writes into --out (default `site.out_dir`, else `site` beside the
/// database): index.html, issue/N.html, cve/CVE-YYYY-NNNN.html,
/// package/NAME.html, advisory/ID.html, rota.html, trends.html,
/// feed.atom and issues.json. Left out: private notes, members'
/// addresses, contacts, the Bat-Signal, and every issue dismissed as
/// embargoed. The render is incremental: only the pages of issues that
/// changed since the last render are rendered again (the first run,
/// --full and a run after a killed one render every page), pages are
/// written only when their bytes change, each through a temporary file and
/// a rename, and pages that are no longer public are removed. A second
/// run on the same directory waits for the first. Prints what it wrote,
/// left and removed.
///
/// Exit codes: 0 done; 1 a page could not be written or the database
/// failed; 2 the invocation or configuration is wrong (a `site` key, a
/// template in `site.template_dir`).
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,

    // Read by `generate::intercept` before this struct is parsed; here so
    // that --help lists --generate and --out-dir.
    #[command(flatten)]
    _generate: GenerateArgs,

    /// Where to write the site (default: `site.out_dir`, else `site`
    /// beside the database).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Render every page again instead of only those of changed issues
    /// (pages are still written only when their bytes differ), and remove
    /// files in the page directories that no page claims.
    #[arg(long)]
    full: bool,
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
    let sources = Source::ALL.map(Source::as_str);
    let settings = config.site_settings(&ctx.origin, &sources)?;
    let ran = site_render::run(
        &mut ctx.store,
        config,
        settings,
        ctx.now,
        args.out.as_deref(),
        args.full,
        &mut |l| cli::log(NAME, l),
    )?;
    cli::job_done(NAME, &mut ctx, false, Default::default(), &ran)
}

#[cfg(test)]
mod tests {
    #[test]
    fn args_are_well_formed() {
        use clap::CommandFactory;
        super::Args::command().debug_assert();
    }
}
