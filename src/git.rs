//! The git shell for fix tracking: runs `git` with `std::process::Command`
//! (never through a shell), fixed arguments, `--end-of-options` before
//! every revision, no terminal prompt, and a time limit on `fetch`. The
//! walk streams `git log`'s output a line at a time into `fix::log`, so
//! memory stays flat in history length. Errors name the repository and
//! what was being done; nothing here decides anything.

use crate::fix::{Commit, log};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant as Clock};

/// Why a git command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository is not there or not a git repository.
    #[error("repository {repo}: not a git repository (branch {branch}): {detail}")]
    Missing {
        /// The path.
        repo: PathBuf,
        /// The branch that was to be scanned.
        branch: String,
        /// What git said.
        detail: String,
    },
    /// git could not be started.
    #[error("cannot run git for {repo}: {error} (install the Debian package `git`)")]
    Spawn {
        /// The repository.
        repo: PathBuf,
        /// Why.
        error: String,
    },
    /// A git command failed.
    #[error("repository {repo}: git {doing} failed: {detail}")]
    Failed {
        /// The repository.
        repo: PathBuf,
        /// What was being done (`fetch`, `log release-26.05`).
        doing: String,
        /// What git said on stderr, made one line.
        detail: String,
    },
    /// `git fetch` took longer than its limit and was stopped.
    #[error(
        "repository {repo}: git fetch from {remote} took longer than {limit:?} and was stopped"
    )]
    Timeout {
        /// The repository.
        repo: PathBuf,
        /// The remote URL.
        remote: String,
        /// The limit.
        limit: Duration,
    },
}

/// A local repository that git commands run in.
#[derive(Debug, Clone)]
pub struct Repo {
    /// Its path (a bare clone, or a work tree's top).
    pub path: PathBuf,
}

impl Repo {
    /// The repository at `path` (not checked until used).
    pub fn new(path: &Path) -> Repo {
        Repo {
            path: path.to_path_buf(),
        }
    }

    fn command(&self) -> Command {
        let mut c = Command::new("git");
        c.arg("-C")
            .arg(&self.path)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_ASKPASS", "/bin/false")
            .env("SSH_ASKPASS", "/bin/false")
            .env("LC_ALL", "C")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .stdin(Stdio::null());
        // A directory that is not a repository must not be taken for the
        // repository around it.
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            c.env("GIT_CEILING_DIRECTORIES", parent);
        }
        c
    }

    fn run(&self, doing: &str, args: &[&str]) -> Result<std::process::Output, Error> {
        self.command()
            .args(args)
            .output()
            .map_err(|e| Error::Spawn {
                repo: self.path.clone(),
                error: format!("{doing}: {e}"),
            })
    }

    fn failed(&self, doing: &str, out: &std::process::Output) -> Error {
        Error::Failed {
            repo: self.path.clone(),
            doing: doing.to_string(),
            detail: crate::text::one_line(String::from_utf8_lossy(&out.stderr).trim()),
        }
    }

    /// Checks that the repository exists, naming `branch` in the error.
    pub fn check(&self, branch: &str) -> Result<(), Error> {
        let out = self.run("rev-parse", &["rev-parse", "--git-dir"])?;
        if out.status.success() && self.path.exists() {
            return Ok(());
        }
        Err(Error::Missing {
            repo: self.path.clone(),
            branch: branch.to_string(),
            detail: crate::text::one_line(String::from_utf8_lossy(&out.stderr).trim()),
        })
    }

    /// The commit a branch (`refs/heads/NAME`) points at, or `None` when
    /// the branch does not exist.
    pub fn head(&self, branch: &str) -> Result<Option<String>, Error> {
        let rev = format!("refs/heads/{branch}^{{commit}}");
        let out = self.run(
            "rev-parse",
            &["rev-parse", "--verify", "--quiet", "--end-of-options", &rev],
        )?;
        if out.status.success() {
            Ok(Some(
                String::from_utf8_lossy(&out.stdout).trim().to_string(),
            ))
        } else if out.status.code() == Some(1) {
            Ok(None)
        } else {
            Err(self.failed(&format!("rev-parse {branch}"), &out))
        }
    }

    /// The full id and committer date of a commit a reference names (a
    /// full or abbreviated id), or `None` when it names no commit here.
    pub fn resolve(
        &self,
        reference: &str,
    ) -> Result<Option<(String, crate::time::Instant)>, Error> {
        let rev = format!("{reference}^{{commit}}");
        let out = self.run(
            "show",
            &[
                "show",
                "-s",
                "--no-patch",
                "--format=%H %ct",
                "--end-of-options",
                &rev,
                "--",
            ],
        )?;
        if !out.status.success() {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let Some((id, ct)) = text.trim().split_once(' ') else {
            return Ok(None);
        };
        let at = ct
            .parse()
            .ok()
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0));
        Ok(at.map(|at| (id.to_string(), at)))
    }

    /// Whether `ancestor` is an ancestor of (or equal to) `of`.
    pub fn is_ancestor(&self, ancestor: &str, of: &str) -> Result<bool, Error> {
        let out = self.run(
            "merge-base",
            &[
                "merge-base",
                "--is-ancestor",
                "--end-of-options",
                ancestor,
                of,
            ],
        )?;
        match out.status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(self.failed("merge-base --is-ancestor", &out)),
        }
    }

    /// Walks the commits reachable from any of `heads` and from none of
    /// `nots`, with one streaming `git log --name-status` (added files'
    /// names count) per entry of `spans` (UNIX times `(oldest, newest)`,
    /// a `None` newest meaning no bound), the spans' walks running at once
    /// on their own threads; gives each commit that names a CVE or carries
    /// a cherry-pick trailer to `each`, on the calling thread, in no
    /// particular order. Returns how many commits were walked.
    pub fn walk(
        &self,
        heads: &[&str],
        nots: &[&str],
        spans: &[(i64, Option<i64>)],
        each: &mut dyn FnMut(Commit) -> Result<(), Error>,
    ) -> Result<u64, Error> {
        let doing = format!("log {}", heads.join(" "));
        let arguments = |(oldest, newest): (i64, Option<i64>)| {
            let mut args: Vec<String> = [
                "log",
                "--no-renames",
                "--name-status",
                "--no-color",
                "--no-show-signature",
                log::FORMAT,
            ]
            .map(String::from)
            .to_vec();
            args.push(format!("--max-age={oldest}"));
            if let Some(n) = newest {
                args.push(format!("--min-age={n}"));
            }
            args.push("--end-of-options".into());
            args.extend(heads.iter().map(|h| h.to_string()));
            args.extend(nots.iter().map(|n| format!("^{n}")));
            args.push("--".into());
            args
        };
        std::thread::scope(|scope| {
            // Bounded: a slow database holds git back instead of memory
            // filling up.
            let (send, receive) = std::sync::mpsc::sync_channel::<Commit>(1024);
            let walkers: Vec<_> = spans
                .iter()
                .map(|span| {
                    let send = send.clone();
                    let args = arguments(*span);
                    let doing = doing.clone();
                    scope.spawn(move || {
                        let mut reader = log::Reader::new();
                        let gone = || Error::Failed {
                            repo: self.path.clone(),
                            doing: doing.clone(),
                            detail: "stopped".into(),
                        };
                        self.stream(&doing, &args, &mut |line| match reader.line(line) {
                            Some(c) => send.send(c).map_err(|_| gone()),
                            None => Ok(()),
                        })?;
                        if let Some(c) = reader.finish() {
                            send.send(c).map_err(|_| gone())?;
                        }
                        Ok::<u64, Error>(reader.walked)
                    })
                })
                .collect();
            drop(send);
            let mut failure = None;
            for c in receive.iter() {
                if let Err(e) = each(c) {
                    failure = Some(e);
                    break;
                }
            }
            // Stops the walkers still sending.
            drop(receive);
            let mut walked = 0;
            for w in walkers {
                match w.join() {
                    Ok(Ok(n)) => walked += n,
                    Ok(Err(e)) => {
                        failure.get_or_insert(e);
                    }
                    Err(_) => {
                        failure.get_or_insert(Error::Failed {
                            repo: self.path.clone(),
                            doing: doing.clone(),
                            detail: "the reader thread failed".into(),
                        });
                    }
                }
            }
            match failure {
                Some(e) => Err(e),
                None => Ok(walked),
            }
        })
    }

    /// Writes the commit-graph file (after a fetch), which makes walks and
    /// `rev-list` several times faster on a large history.
    pub fn write_commit_graph(&self) -> Result<(), Error> {
        let out = self.run(
            "commit-graph",
            &["commit-graph", "write", "--reachable", "--no-progress"],
        )?;
        if out.status.success() {
            Ok(())
        } else {
            Err(self.failed("commit-graph write", &out))
        }
    }

    /// Lists the commits reachable from `head` but not from `from` (when
    /// given), back to `since`, with one streaming `git rev-list` (no
    /// diffs: cheap), giving each id to `each`.
    pub fn rev_list(
        &self,
        head: &str,
        from: Option<&str>,
        since: i64,
        each: &mut dyn FnMut(&str) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut args: Vec<String> = vec![
            "rev-list".into(),
            format!("--since={since}"),
            "--end-of-options".into(),
            head.into(),
        ];
        if let Some(f) = from {
            args.push(format!("^{f}"));
        }
        args.push("--".into());
        self.stream(&format!("rev-list {head}"), &args, &mut |line| {
            each(&String::from_utf8_lossy(line))
        })
    }

    /// Runs git with `args`, giving each line of its output (without the
    /// newline) to `each` as it comes; stderr is read on the side so a
    /// chatty git never blocks on a full pipe.
    fn stream(
        &self,
        doing: &str,
        args: &[String],
        each: &mut dyn FnMut(&[u8]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut child = self
            .command()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Error::Spawn {
                repo: self.path.clone(),
                error: e.to_string(),
            })?;
        let errs = drain_stderr(&mut child);
        let mut line = Vec::with_capacity(256);
        let mut failure = None;
        if let Some(out) = child.stdout.take() {
            let mut out = BufReader::with_capacity(1 << 16, out);
            loop {
                line.clear();
                match out.read_until(b'\n', &mut line) {
                    Ok(0) => break,
                    Ok(_) => {
                        let l = line.strip_suffix(b"\n").unwrap_or(&line);
                        if let Err(e) = each(l) {
                            failure = Some(e);
                            break;
                        }
                    }
                    Err(e) => {
                        failure = Some(Error::Failed {
                            repo: self.path.clone(),
                            doing: doing.to_string(),
                            detail: e.to_string(),
                        });
                        break;
                    }
                }
            }
        }
        if failure.is_some() {
            let _ = child.kill();
        }
        let status = child.wait().map_err(|e| Error::Spawn {
            repo: self.path.clone(),
            error: e.to_string(),
        })?;
        let stderr = errs.join().unwrap_or_default();
        if let Some(e) = failure {
            return Err(e);
        }
        if !status.success() {
            return Err(Error::Failed {
                repo: self.path.clone(),
                doing: doing.to_string(),
                detail: crate::text::one_line(stderr.trim()),
            });
        }
        Ok(())
    }

    /// Fetches `branches` (each to `refs/heads/NAME`, forced, so a
    /// force-pushed branch is seen as such) from `remote`, creating the
    /// repository first as a blob-less partial clone (file names and
    /// messages, no file contents) when it does not exist. Stopped after
    /// `limit`.
    pub fn fetch(&self, remote: &str, branches: &[&str], limit: Duration) -> Result<(), Error> {
        if !self.path.join("HEAD").exists() && !self.path.join(".git").exists() {
            std::fs::create_dir_all(&self.path).map_err(|e| Error::Failed {
                repo: self.path.clone(),
                doing: "create the repository directory".into(),
                detail: e.to_string(),
            })?;
            for args in [
                &["init", "--bare", "--quiet"][..],
                &["config", "core.repositoryformatversion", "1"],
                &["config", "extensions.partialClone", "origin"],
                &["remote", "add", "origin", "--end-of-options", remote],
                &["config", "remote.origin.promisor", "true"],
                &["config", "remote.origin.partialclonefilter", "blob:none"],
                &["config", "gc.auto", "0"],
            ] {
                let out = self.run("init", args)?;
                if !out.status.success() {
                    return Err(self.failed(&args.join(" "), &out));
                }
            }
        } else {
            let out = self.run(
                "remote",
                &["remote", "set-url", "--end-of-options", "origin", remote],
            )?;
            if !out.status.success() {
                return Err(self.failed("remote set-url origin", &out));
            }
        }
        let refspecs: Vec<String> = branches
            .iter()
            .map(|b| format!("+refs/heads/{b}:refs/heads/{b}"))
            .collect();
        let mut cmd = self.command();
        cmd.args([
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            "--filter=blob:none",
            "--end-of-options",
            "origin",
        ])
        .args(&refspecs)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| Error::Spawn {
            repo: self.path.clone(),
            error: e.to_string(),
        })?;
        let errs = drain_stderr(&mut child);
        let started = Clock::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > limit => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(Error::Timeout {
                        repo: self.path.clone(),
                        remote: redact(remote),
                        limit,
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => {
                    return Err(Error::Spawn {
                        repo: self.path.clone(),
                        error: e.to_string(),
                    });
                }
            }
        };
        let stderr = errs.join().unwrap_or_default();
        if status.success() {
            Ok(())
        } else {
            Err(Error::Failed {
                repo: self.path.clone(),
                doing: format!("fetch {}", redact(remote)),
                detail: crate::text::one_line(stderr.trim()),
            })
        }
    }
}

/// A remote URL as errors and logs may show it: any user and password
/// part (`https://user:token@host/…`) replaced by `***`.
pub fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let host_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..host_end].rfind('@') {
            return format!("{scheme}://***@{}", &rest[at + 1..]);
        }
    }
    url.to_string()
}

/// Reads a child's stderr to its end on a thread, so a chatty git never
/// blocks on a full pipe while its stdout is read or its exit awaited.
fn drain_stderr(child: &mut std::process::Child) -> std::thread::JoinHandle<String> {
    let stderr = child.stderr.take();
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut e) = stderr {
            let _ = e.read_to_string(&mut text);
        }
        text
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn credentials_in_a_remote_url_are_never_shown() {
        assert_eq!(
            super::redact("https://bot:s3cret@github.com/NixOS/nixpkgs.git"),
            "https://***@github.com/NixOS/nixpkgs.git"
        );
        assert_eq!(super::redact("/srv/nixpkgs.git"), "/srv/nixpkgs.git");
    }
}
