//! `--generate`: a binary's man pages and shell completions, made from its
//! clap definition, as ripgrep's `--generate` makes its own. Packages run it
//! on the built binaries (the Nix package's `postInstall`), so the pages
//! and completions can never disagree with `--help`.
//!
//! Every binary flattens [`GenerateArgs`] into its top-level arguments (so
//! `--help` lists the flags) and calls [`intercept`] first thing in `main`,
//! before its own parsing. Generating reads no configuration, opens no
//! database and reads no clock: a build sandbox has none of them. It is
//! handled before the binary's own parsing because `secdesk` requires a
//! subcommand, which `secdesk --generate man` does not give.

use clap::{Command, ValueEnum};
use clap_complete::Shell;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `--generate` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// The man page (roff, section 1).
    Man,
    /// Completions for bash.
    CompleteBash,
    /// Completions for zsh.
    CompleteZsh,
    /// Completions for fish.
    CompleteFish,
}

/// The flags every binary takes to print its own documentation.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct GenerateArgs {
    /// Print this program's man page or shell completions, then exit.
    ///
    /// KIND is `man` (roff, section 1), `complete-bash`, `complete-zsh` or
    /// `complete-fish`. Reads no configuration, opens no database and needs
    /// no secret, so a package build can run it; the other flags on the
    /// line have no effect. Exit codes: 0 written; 1 it could not be
    /// written (a closed pipe is not an error).
    #[arg(long, value_name = "KIND")]
    pub generate: Option<Kind>,

    /// With --generate: write files into DIR instead of printing.
    ///
    /// `man` writes one page per command: PROGRAM.1 and, for a program with
    /// subcommands, a page for each of them (`secdesk-rota.1`,
    /// `secdesk-rota-swap.1`, …), which the top page names under
    /// SUBCOMMANDS; without --out-dir only the top page is printed.
    /// `complete-*` writes the file under the name its shell looks for:
    /// PROGRAM.bash, _PROGRAM, PROGRAM.fish. DIR must exist. Prints the path
    /// of every file written, one a line.
    #[arg(long, value_name = "DIR", requires = "generate")]
    pub out_dir: Option<PathBuf>,
}

/// Handles `--generate` for the binary whose clap definition is `cmd`
/// (`Args::command()`): `Some(exit code)` when it was given (the output is
/// written), `None` when it was not, and the binary parses as usual. An
/// invalid line also gives `None`, so the binary's own parsing reports it
/// with clap's usual message and exit 2.
pub fn intercept(cmd: Command) -> Option<ExitCode> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let (kind, out_dir) = requested(cmd.clone(), &args)?;
    let program = cmd.get_name().to_string();
    let result = match out_dir {
        None => generate(kind, cmd).and_then(|bytes| print(&bytes)),
        Some(dir) => write_to(kind, cmd, &dir).and_then(|files| {
            let lines: String = files
                .iter()
                .map(|file| format!("{}\n", file.display()))
                .collect();
            print(lines.as_bytes())
        }),
    };
    Some(super::finish(&program, result.map(|()| ExitCode::SUCCESS)))
}

/// Whether `args` (argv, program name first) ask for `--generate`, and
/// what. The line is parsed with `cmd` once a subcommand is no longer
/// required, and only when it holds a `--generate` word before `--`, so an
/// ordinary run is parsed once.
fn requested(cmd: Command, args: &[OsString]) -> Option<(Kind, Option<PathBuf>)> {
    let asked = args
        .iter()
        .skip(1)
        .take_while(|arg| *arg != "--")
        .any(|arg| {
            arg.to_str()
                .is_some_and(|a| a == "--generate" || a.starts_with("--generate="))
        });
    if !asked {
        return None;
    }
    let matches = cmd
        .subcommand_required(false)
        .try_get_matches_from(args)
        .ok()?;
    let kind = *matches.get_one::<Kind>("generate")?;
    Some((kind, matches.get_one::<PathBuf>("out_dir").cloned()))
}

/// The text `kind` prints for `cmd`: the top man page, or a completion
/// script for the program named as `cmd` is.
pub fn generate(kind: Kind, cmd: Command) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    match shell(kind) {
        None => clap_mangen::Man::new(without_help_command(cmd)).render(&mut out)?,
        Some(shell) => {
            let mut cmd = cmd;
            let name = cmd.get_name().to_string();
            clap_complete::generate(shell, &mut cmd, name, &mut out);
        }
    }
    Ok(out)
}

/// Writes what `kind` makes for `cmd` into `dir`: every man page, or the
/// completion script under its shell's file name. Returns the files
/// written, in the order written.
pub fn write_to(kind: Kind, cmd: Command, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    use anyhow::Context as _;
    let files = match shell(kind) {
        None => man_pages(cmd),
        Some(shell) => {
            let name = cmd.get_name().to_string();
            let bytes = generate(kind, cmd)?;
            vec![(clap_complete::Generator::file_name(&shell, &name), bytes)]
        }
    };
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Every man page of `cmd`: its own first, then each visible subcommand's
/// at any depth, named as clap_mangen names them (`secdesk-rota-swap.1`).
fn man_pages(cmd: Command) -> Vec<(String, Vec<u8>)> {
    let mut cmd = without_help_command(cmd);
    // Building gives every subcommand its display name, `secdesk-rota`.
    cmd.build();
    let mut pages = Vec::new();
    let mut todo = vec![cmd];
    while let Some(cmd) = todo.pop() {
        let man = clap_mangen::Man::new(cmd.clone());
        let mut bytes = Vec::new();
        // Rendering into memory cannot fail.
        if man.render(&mut bytes).is_ok() {
            pages.push((man.get_filename(), bytes));
        }
        let mut subs: Vec<Command> = cmd
            .get_subcommands()
            .filter(|sub| !sub.is_hide_set())
            .cloned()
            .collect();
        subs.reverse();
        todo.extend(subs);
    }
    pages
}

/// `cmd` without clap's `help` subcommand, which has no page of its own
/// (`--help` is there on every command).
fn without_help_command(cmd: Command) -> Command {
    cmd.disable_help_subcommand(true)
}

fn shell(kind: Kind) -> Option<Shell> {
    match kind {
        Kind::Man => None,
        Kind::CompleteBash => Some(Shell::Bash),
        Kind::CompleteZsh => Some(Shell::Zsh),
        Kind::CompleteFish => Some(Shell::Fish),
    }
}

fn print(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, Command};

    fn demo() -> Command {
        Command::new("demo")
            .version("1.0")
            .about("A demo")
            .subcommand_required(true)
            .arg(
                Arg::new("generate")
                    .long("generate")
                    .value_parser(clap::value_parser!(Kind)),
            )
            .arg(
                Arg::new("out_dir")
                    .long("out-dir")
                    .value_parser(clap::value_parser!(PathBuf)),
            )
            .subcommand(
                Command::new("rota")
                    .about("The rota")
                    .subcommand(Command::new("swap").about("Swap two shifts")),
            )
            .subcommand(Command::new("hidden").hide(true))
    }

    fn argv(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn generate_is_found_without_the_required_subcommand() {
        let found = requested(demo(), &argv(&["demo", "--generate", "man"]));
        assert_eq!(found, Some((Kind::Man, None)));
        let found = requested(
            demo(),
            &argv(&["demo", "--generate=complete-zsh", "--out-dir", "d"]),
        );
        assert_eq!(found, Some((Kind::CompleteZsh, Some(PathBuf::from("d")))));
    }

    #[test]
    fn an_ordinary_line_or_a_bad_kind_is_left_to_the_binary() {
        assert_eq!(requested(demo(), &argv(&["demo", "rota"])), None);
        assert_eq!(
            requested(demo(), &argv(&["demo", "--generate", "pdf"])),
            None
        );
        // After `--` the word is an operand, not the flag.
        assert_eq!(
            requested(demo(), &argv(&["demo", "rota", "--", "--generate"])),
            None
        );
    }

    #[test]
    fn man_pages_cover_every_visible_subcommand_at_any_depth() {
        let names: Vec<String> = man_pages(demo()).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["demo.1", "demo-rota.1", "demo-rota-swap.1"]);
    }

    #[test]
    fn top_page_names_the_subcommand_pages_and_no_help_page() {
        let page = String::from_utf8(generate(Kind::Man, demo()).unwrap()).unwrap();
        assert!(page.contains(".TH demo 1"), "{page}");
        assert!(page.contains("demo\\-rota(1)"), "{page}");
        assert!(!page.contains("help(1)"), "{page}");
        assert!(!page.contains("hidden"), "{page}");
    }

    #[test]
    fn completions_name_the_program() {
        let bash = String::from_utf8(generate(Kind::CompleteBash, demo()).unwrap()).unwrap();
        assert!(bash.contains("complete -F _demo"), "{bash}");
        let fish = String::from_utf8(generate(Kind::CompleteFish, demo()).unwrap()).unwrap();
        assert!(fish.contains("complete -c demo"), "{fish}");
        let zsh = String::from_utf8(generate(Kind::CompleteZsh, demo()).unwrap()).unwrap();
        assert!(zsh.starts_with("#compdef demo"), "{zsh}");
    }
}
