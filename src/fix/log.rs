//! Reads the output of one `git log` walk ([`FORMAT`], `--name-status
//! --no-renames`) a line at a time into [`Commit`]s, keeping only the
//! commits that matter (a CVE named, or a cherry-pick trailer), so memory
//! stays flat in the length of history. Any bytes are accepted: a line that
//! does not read is skipped, never a panic. Pure: lines in, commits out.

use super::{Commit, cves_in, picked_from};
use crate::time::Instant;
use std::collections::BTreeSet;

/// The `--format` the walk uses: a record separator and `HASH CTIME` on
/// the first line, the raw message, a unit separator alone on its line;
/// then git prints each changed file as `STATUS<TAB>NAME`, one a line
/// (only `A`, added, counts). Not `--diff-filter=A`: that would drop the
/// commits that add no file, whose messages still name CVEs.
pub const FORMAT: &str = "--format=%x1e%H %ct%n%B%n%x1f";

/// The commit being read.
struct Open {
    id: String,
    committed_at: Instant,
    subject: Option<String>,
    message: String,
    in_files: bool,
    cves: BTreeSet<String>,
}

/// The parser's state between lines.
#[derive(Default)]
pub struct Reader {
    open: Option<Open>,
    /// How many commits were walked (kept or not).
    pub walked: u64,
}

impl Reader {
    /// A reader at the start of the output.
    pub fn new() -> Reader {
        Reader::default()
    }

    /// Reads one line (without its newline); returns the previous commit
    /// when this line starts the next one and that commit matters.
    pub fn line(&mut self, line: &[u8]) -> Option<Commit> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(head) = line.strip_prefix(b"\x1e") {
            let done = self.finish();
            self.open = start(head);
            self.walked += 1;
            return done;
        }
        let open = self.open.as_mut()?;
        if open.in_files {
            if let Some(path) = line.strip_prefix(b"A\t") {
                // Only the file's own name, as nixpkgs names its patches.
                let name = path.rsplit(|c| *c == b'/').next().unwrap_or(path);
                cves_in(&String::from_utf8_lossy(name), &mut open.cves);
            }
        } else if line == b"\x1f" {
            open.in_files = true;
        } else {
            let text = String::from_utf8_lossy(line);
            if open.subject.is_none() {
                open.subject = Some(crate::text::one_line(&text));
            }
            // Bounded: a hostile message cannot grow one commit's memory
            // without limit (trailers sit at the end, so keep the tail).
            if open.message.len() > 64 << 10 {
                let cut = open.message.len() - (32 << 10);
                let cut = (cut..open.message.len())
                    .find(|i| open.message.is_char_boundary(*i))
                    .unwrap_or(open.message.len());
                cves_in(&open.message[..cut], &mut open.cves);
                open.message.drain(..cut);
            }
            open.message.push_str(&text);
            open.message.push('\n');
        }
        None
    }

    /// Ends the output: the last commit, if it matters.
    pub fn finish(&mut self) -> Option<Commit> {
        let mut open = self.open.take()?;
        cves_in(&open.message, &mut open.cves);
        let picked = picked_from(&open.message);
        if open.cves.is_empty() && picked.is_none() {
            return None;
        }
        Some(Commit {
            id: open.id,
            committed_at: open.committed_at,
            subject: open.subject.unwrap_or_default(),
            cves: open.cves,
            picked_from: picked,
        })
    }
}

fn start(head: &[u8]) -> Option<Open> {
    let head = std::str::from_utf8(head).ok()?;
    let (id, ct) = head.split_once(' ')?;
    if id.len() != 40 || !id.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let committed_at = chrono::DateTime::from_timestamp(ct.trim().parse().ok()?, 0)?;
    Some(Open {
        id: id.to_ascii_lowercase(),
        committed_at,
        subject: None,
        message: String::new(),
        in_files: false,
        cves: BTreeSet::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(output: &[u8], expect: Expect) {
        let mut r = Reader::new();
        let mut got = Vec::new();
        for line in output.split(|c| *c == b'\n') {
            got.extend(r.line(line));
        }
        got.extend(r.finish());
        let shown: Vec<String> = got
            .iter()
            .map(|c| {
                format!(
                    "{} {} {:?} {:?} {:?}",
                    &c.id[..4],
                    crate::time::format(c.committed_at),
                    c.subject,
                    c.cves,
                    c.picked_from.as_deref().map(|p| &p[..4])
                )
            })
            .collect();
        expect.assert_eq(&format!("walked {}\n{}", r.walked, shown.join("\n")));
    }

    const A: &str = "aaaa000000000000000000000000000000000000";
    const B: &str = "bbbb000000000000000000000000000000000000";
    const C: &str = "cccc000000000000000000000000000000000000";

    #[test]
    fn commits_with_cves_or_trailers_are_kept() {
        let out = format!(
            "\x1e{A} 1763596800\nlibfoo: 1.2 -> 1.3\n\nFixes CVE-2026-1111.\n\n\x1f\n\nA\tpkgs/libfoo/CVE-2026-2222.patch\nM\tpkgs/libfoo/CVE-2026-3333.patch\n\
             \x1e{B} 1763596801\nhello: 2.0\n\n\x1f\n\
             \x1e{C} 1763596802\n[26.05] libfoo: patch\n\n(cherry picked from commit {A})\n\n\x1f\n"
        );
        check(
            out.as_bytes(),
            expect![[r#"
                walked 3
                aaaa 2025-11-20T00:00:00Z "libfoo: 1.2 -> 1.3" {"CVE-2026-1111", "CVE-2026-2222"} None
                cccc 2025-11-20T00:00:02Z "[26.05] libfoo: patch" {} Some("aaaa")"#]],
        );
    }

    #[test]
    fn garbage_is_skipped_not_a_panic() {
        check(
            b"\x1e\xff\xfe 12\nCVE-2026-1234\n\x1f\nx\n\x1enot-a-hash 1\n\x1f\n\xff",
            expect![[r#"
                walked 2
            "#]],
        );
    }
}
