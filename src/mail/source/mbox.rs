//! mbox files, read as a stream one message at a time.
//!
//! A message starts at a `From ` line that looks like a separator: `From `,
//! an address (or `MAILER-DAEMON`, `-`), then a date with a time and a
//! year (`From alice@example.org Mon Jan  1 00:00:00 2024`). A body line
//! such as `From here on, …` that the writer did not escape is part of the
//! message, not a split. Where the header section has a `Content-Length`
//! and the bytes after that many body bytes are the end of the file or a
//! separator (after at most one blank line), the body is exactly that many
//! bytes, taken as they are (mboxcl2); otherwise the header is ignored.
//! `>From ` lines (any number of `>`) lose one `>` (mboxrd). A file must
//! start with `From ` ([`looks_like_mbox`], checked before ingest starts);
//! bytes before the first line that passes as a separator are still a
//! message of their own.
//!
//! Memory holds one message at a time, at most the limit given: bytes past
//! it are read and dropped up to the next separator, and the message is
//! marked as cut ([`Incoming::cut`]). Lines are read in pieces of at most
//! [`PIECE`] bytes, so a file without line breaks cannot fill memory either.

use super::{Incoming, ReadError};
use crate::mail::Source;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// The most bytes of one line read at a time.
pub const PIECE: usize = 64 << 10;

/// Streams the messages of one mbox file.
pub struct Mbox<R> {
    reader: BufReader<R>,
    /// Bytes read ahead and given back (a `Content-Length` that did not
    /// hold): read before the reader.
    carry: Vec<u8>,
    carry_pos: usize,
    path: PathBuf,
    hint: Option<Source>,
    limit: usize,
    line: Vec<u8>,
    /// Whether the next piece starts a line.
    at_line_start: bool,
    pending_separator: bool,
    index: usize,
    done: bool,
}

/// Opens an mbox file; the file stem (`full-disclosure.mbox`) may hint the
/// source. At most `limit` bytes of each message are kept.
pub fn open(path: &Path, limit: u64) -> Result<Mbox<std::fs::File>, ReadError> {
    let file = std::fs::File::open(path).map_err(|error| ReadError {
        path: path.to_path_buf(),
        error,
    })?;
    let hint = path
        .file_stem()
        .and_then(|n| n.to_str())
        .and_then(Source::from_folder_name);
    Ok(Mbox::new(file, path, hint, limit))
}

/// Whether a file is an mbox, by its first bytes: empty (an empty mbox),
/// or a first line starting with `From `. What `--mbox` requires before
/// anything is read or the database is opened, so a PNG or a lone message
/// given by mistake is refused instead of becoming an issue.
pub fn looks_like_mbox(path: &Path) -> std::io::Result<bool> {
    let mut head = Vec::with_capacity(5);
    std::fs::File::open(path)?.take(5).read_to_end(&mut head)?;
    Ok(head.is_empty() || head == b"From ")
}

/// Whether a line is an mbox separator: `From `, an address, and a date
/// with a time (`hh:mm`) and a four-digit year, named by a weekday or a
/// month. Pure.
pub fn is_separator(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let text = String::from_utf8_lossy(rest);
    let mut words = text.split_ascii_whitespace();
    let Some(address) = words.next() else {
        return false;
    };
    if address.ends_with(',') || address.ends_with(':') {
        return false;
    }
    let (mut time, mut year, mut named) = (false, false, false);
    for w in words {
        let w = w.trim_end_matches(',');
        time |= is_time(w);
        year |= w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) && w > "1899" && w < "3000";
        named |= NAMES.iter().any(|n| w.eq_ignore_ascii_case(n));
    }
    time && year && named
}

const NAMES: [&str; 19] = [
    "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `h:mm`, `hh:mm` or `hh:mm:ss`.
fn is_time(w: &str) -> bool {
    let parts: Vec<&str> = w.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().enumerate().all(|(i, p)| {
            let len_ok = if i == 0 {
                (1..=2).contains(&p.len())
            } else {
                p.len() == 2
            };
            len_ok && p.bytes().all(|b| b.is_ascii_digit())
        })
}

fn is_blank(line: &[u8]) -> bool {
    line == b"\n" || line == b"\r\n"
}

/// The value of a `Content-Length:` header line, if this is one.
fn content_length(line: &[u8]) -> Option<usize> {
    let name = b"content-length:";
    let head = line.get(..name.len())?;
    if !head.eq_ignore_ascii_case(name) {
        return None;
    }
    std::str::from_utf8(line.get(name.len()..)?)
        .ok()?
        .trim()
        .parse()
        .ok()
}

impl<R: Read> Mbox<R> {
    /// Wraps any reader; `path` is for origins and errors.
    pub fn new(reader: R, path: &Path, hint: Option<Source>, limit: u64) -> Mbox<R> {
        Mbox {
            reader: BufReader::with_capacity(1 << 16, reader),
            carry: Vec::new(),
            carry_pos: 0,
            path: path.to_path_buf(),
            hint,
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
            line: Vec::new(),
            at_line_start: true,
            pending_separator: false,
            index: 0,
            done: false,
        }
    }

    /// Reads the next piece of a line (up to and including `\n`, at most
    /// [`PIECE`] bytes) into `self.line`; returns whether it started a
    /// line, or `None` at the end of the file.
    fn piece(&mut self) -> std::io::Result<Option<bool>> {
        self.line.clear();
        let started = self.at_line_start;
        if let Some(rest) = self.carry.get(self.carry_pos..)
            && !rest.is_empty()
        {
            let window = rest.get(..PIECE.min(rest.len())).unwrap_or(rest);
            let n = window
                .iter()
                .position(|&b| b == b'\n')
                .map_or(window.len(), |i| i + 1);
            self.line
                .extend_from_slice(window.get(..n).unwrap_or(window));
            self.carry_pos += n;
            if self.carry_pos >= self.carry.len() {
                self.carry.clear();
                self.carry_pos = 0;
            }
        } else {
            let n = (&mut self.reader)
                .take(PIECE as u64)
                .read_until(b'\n', &mut self.line)?;
            if n == 0 {
                return Ok(None);
            }
        }
        self.at_line_start = self.line.ends_with(b"\n");
        Ok(Some(started))
    }

    /// Puts bytes back in front of what is left to read.
    fn give_back(&mut self, mut bytes: Vec<u8>) {
        if let Some(rest) = self.carry.get(self.carry_pos..) {
            bytes.extend_from_slice(rest);
        }
        self.carry = bytes;
        self.carry_pos = 0;
    }

    /// Reads up to `n` bytes as they are.
    fn bytes(&mut self, n: usize) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(n.min(PIECE));
        if let Some(rest) = self.carry.get(self.carry_pos..) {
            let take = rest.len().min(n);
            out.extend_from_slice(rest.get(..take).unwrap_or(rest));
            self.carry_pos += take;
            if self.carry_pos >= self.carry.len() {
                self.carry.clear();
                self.carry_pos = 0;
            }
        }
        let missing = (n - out.len()) as u64;
        (&mut self.reader).take(missing).read_to_end(&mut out)?;
        Ok(out)
    }

    /// Tries a body of exactly `n` bytes: returns it when what follows is
    /// the end of the file or a separator (after at most one blank line),
    /// consuming that separator; otherwise gives everything back.
    fn body_of_length(&mut self, n: usize) -> std::io::Result<Option<Vec<u8>>> {
        let body = self.bytes(n)?;
        let mut ahead = Vec::new();
        let mut fits = body.len() == n;
        if fits {
            self.at_line_start = true;
            fits = false;
            for _ in 0..2 {
                match self.piece()? {
                    None => {
                        fits = true;
                        break;
                    }
                    Some(_) if is_separator(&self.line) => {
                        self.pending_separator = true;
                        fits = true;
                        break;
                    }
                    Some(_) if ahead.is_empty() && is_blank(&self.line) => {
                        ahead.extend_from_slice(&self.line);
                    }
                    Some(_) => {
                        ahead.extend_from_slice(&self.line);
                        break;
                    }
                }
            }
        }
        if fits {
            return Ok(Some(body));
        }
        let mut back = body;
        back.extend_from_slice(&ahead);
        self.give_back(back);
        self.at_line_start = true;
        Ok(None)
    }

    fn error(&mut self, error: std::io::Error) -> Option<Result<Incoming, ReadError>> {
        self.done = true;
        Some(Err(ReadError {
            path: self.path.clone(),
            error,
        }))
    }
}

impl<R: Read> Iterator for Mbox<R> {
    type Item = Result<Incoming, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut raw = Vec::new();
        // Bytes of the message as written, kept or not.
        let mut total: u64 = 0;
        let mut started = self.pending_separator;
        self.pending_separator = false;
        let mut in_headers = true;
        let mut length: Option<usize> = None;
        loop {
            let line_start = match self.piece() {
                Ok(Some(s)) => s,
                Ok(None) => {
                    self.done = true;
                    break;
                }
                Err(e) => return self.error(e),
            };
            if line_start && is_separator(&self.line) {
                if started && total > 0 {
                    self.pending_separator = true;
                    break;
                }
                // A separator before any content: the message starts here.
                started = true;
                continue;
            }
            started = true;
            let gt = self.line.iter().take_while(|&&b| b == b'>').count();
            let unescape = line_start
                && gt > 0
                && self.line.get(gt..).is_some_and(|l| l.starts_with(b"From "));
            let text = if unescape {
                self.line.get(1..).unwrap_or_default()
            } else {
                &self.line[..]
            };
            total += text.len() as u64;
            let room = self.limit.saturating_sub(raw.len());
            raw.extend_from_slice(text.get(..room.min(text.len())).unwrap_or_default());
            if in_headers && line_start {
                if is_blank(&self.line) {
                    in_headers = false;
                    let Some(n) = length else { continue };
                    if n > self.limit.saturating_sub(raw.len()) {
                        continue;
                    }
                    match self.body_of_length(n) {
                        Ok(Some(body)) => {
                            total += body.len() as u64;
                            raw.extend_from_slice(&body);
                            // No separator after the body: the file ended.
                            self.done = !self.pending_separator;
                            break;
                        }
                        Ok(None) => {}
                        Err(e) => return self.error(e),
                    }
                } else if let Some(n) = content_length(&self.line) {
                    length = Some(n);
                }
            }
        }
        if total == 0 {
            return None;
        }
        self.index += 1;
        let cut = (total > raw.len() as u64).then_some(total);
        Some(Ok(Incoming {
            raw,
            cut,
            origin: format!("mbox:{}#{}", self.path.display(), self.index),
            hint: self.hint,
            location: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages an mbox text splits into, with ` [cut N]` after a cut
    /// one, as one string for an `expect!` snapshot.
    fn check(text: &str, limit: u64, expect: expect_test::Expect) {
        let out: Vec<String> = Mbox::new(text.as_bytes(), Path::new("t.mbox"), None, limit)
            .map(|m| match m {
                Ok(m) => {
                    let cut = m.cut.map(|n| format!(" [cut {n}]")).unwrap_or_default();
                    format!("{:?}{cut}", String::from_utf8_lossy(&m.raw))
                }
                Err(e) => format!("error {e}"),
            })
            .collect();
        expect.assert_eq(&out.join("\n"));
    }

    fn separator(line: &str) -> bool {
        is_separator(line.as_bytes())
    }

    #[test]
    fn separators_split_and_quoted_from_is_unescaped() {
        check(
            "From a@b Mon Jan 1 00:00:00 2024\nSubject: 1\n\n>From here\n>>From there\n\nFrom c@d Mon Jan 1 00:00:00 2024\nSubject: 2\n\nx\n",
            1 << 20,
            expect_test::expect![[r#"
                "Subject: 1\n\nFrom here\n>From there\n\n"
                "Subject: 2\n\nx\n""#]],
        );
    }

    #[test]
    fn file_without_separator_is_one_message() {
        check(
            "Subject: 1\n\nbody\n",
            1 << 20,
            expect_test::expect![[r#""Subject: 1\n\nbody\n""#]],
        );
        check("", 1 << 20, expect_test::expect![[""]]);
    }

    #[test]
    fn separator_needs_an_address_and_a_date() {
        assert!(separator(
            "From alice@example.org Mon Jan  1 00:00:00 2024\n"
        ));
        assert!(separator("From MAILER-DAEMON Fri Jul  8 12:08:34 2011\r\n"));
        assert!(separator("From - Tue Mar 05 09:10 1996\n"));
        assert!(separator(
            "From bob@example.net Sat, 2 Mar 2024 10:11:12 +0000\n"
        ));
        assert!(!separator(
            "From here on, the fix lands in 10:30 builds of 2024.\n"
        ));
        assert!(!separator("From what I can tell, this is CVE-2024-1234.\n"));
        assert!(!separator("From: alice@example.org\n"));
        assert!(!separator("From \n"));
        assert!(!separator(
            ">From alice@example.org Mon Jan  1 00:00:00 2024\n"
        ));
    }

    #[test]
    fn unescaped_from_in_a_body_does_not_split_the_message() {
        check(
            "From a@b Mon Jan 1 00:00:00 2024\nSubject: 1\n\nHello,\nFrom here on, CVE-2024-0001 is fixed.\n\nFrom c@d Tue Jan 2 00:00:00 2024\nSubject: 2\n\nx\n",
            1 << 20,
            expect_test::expect![[r#"
                "Subject: 1\n\nHello,\nFrom here on, CVE-2024-0001 is fixed.\n\n"
                "Subject: 2\n\nx\n""#]],
        );
    }

    #[test]
    fn consistent_content_length_keeps_a_separator_like_body_line() {
        // The body's second line looks like a separator, but the
        // Content-Length of 49 bytes spans it and ends at the next one.
        let body = "one\nFrom x@y Mon Jan 1 00:00:00 2024\nthree lines\n";
        assert_eq!(body.len(), 49);
        check(
            &format!(
                "From a@b Mon Jan 1 00:00:00 2024\nSubject: 1\nContent-Length: 49\n\n{body}\nFrom c@d Mon Jan 1 00:00:00 2024\nSubject: 2\n\nx\n"
            ),
            1 << 20,
            expect_test::expect![[r#"
                "Subject: 1\nContent-Length: 49\n\none\nFrom x@y Mon Jan 1 00:00:00 2024\nthree lines\n"
                "Subject: 2\n\nx\n""#]],
        );
    }

    #[test]
    fn inconsistent_content_length_is_ignored() {
        check(
            "From a@b Mon Jan 1 00:00:00 2024\nSubject: 1\nContent-Length: 3\n\nlonger body\nFrom c@d Mon Jan 1 00:00:00 2024\nSubject: 2\nContent-Length: 999\n\nx\n",
            1 << 20,
            expect_test::expect![[r#"
                "Subject: 1\nContent-Length: 3\n\nlonger body\n"
                "Subject: 2\nContent-Length: 999\n\nx\n""#]],
        );
    }

    #[test]
    fn message_over_the_limit_is_cut_and_the_next_one_is_whole() {
        let long = "y".repeat(200);
        check(
            &format!(
                "From a@b Mon Jan 1 00:00:00 2024\nSubject: 1\n\n{long}\n{long}\nFrom c@d Mon Jan 1 00:00:00 2024\nSubject: 2\n\nx\n"
            ),
            20,
            expect_test::expect![[r#"
                "Subject: 1\n\nyyyyyyyy" [cut 414]
                "Subject: 2\n\nx\n""#]],
        );
    }
}
