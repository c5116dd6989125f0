//! mbox files, read as a stream one message at a time.
//!
//! Messages start at lines beginning `From `; `>From ` lines (any number of
//! `>`) lose one `>` (mboxrd). Bytes before the first separator are a
//! message of their own, so a file that is really a single message is
//! still read. Memory holds one message at a time.

use super::{Incoming, ReadError};
use crate::mail::Source;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Streams the messages of one mbox file.
pub struct Mbox<R> {
    reader: BufReader<R>,
    path: PathBuf,
    hint: Option<Source>,
    line: Vec<u8>,
    pending_separator: bool,
    index: usize,
    done: bool,
}

/// Opens an mbox file; the file stem (`full-disclosure.mbox`) may hint the
/// source.
pub fn open(path: &Path) -> Result<Mbox<std::fs::File>, ReadError> {
    let file = std::fs::File::open(path).map_err(|source| ReadError {
        path: path.to_path_buf(),
        source,
    })?;
    let hint = path
        .file_stem()
        .and_then(|n| n.to_str())
        .and_then(Source::from_folder_name);
    Ok(Mbox::new(file, path, hint))
}

impl<R: Read> Mbox<R> {
    /// Wraps any reader; `path` is for origins and errors.
    pub fn new(reader: R, path: &Path, hint: Option<Source>) -> Mbox<R> {
        Mbox {
            reader: BufReader::with_capacity(1 << 16, reader),
            path: path.to_path_buf(),
            hint,
            line: Vec::new(),
            pending_separator: false,
            index: 0,
            done: false,
        }
    }
}

impl<R: Read> Iterator for Mbox<R> {
    type Item = Result<Incoming, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut raw = Vec::new();
        let mut started = self.pending_separator;
        loop {
            self.line.clear();
            match self.reader.read_until(b'\n', &mut self.line) {
                Ok(0) => {
                    self.done = true;
                    break;
                }
                Ok(_) => {}
                Err(source) => {
                    self.done = true;
                    return Some(Err(ReadError {
                        path: self.path.clone(),
                        source,
                    }));
                }
            }
            if self.line.starts_with(b"From ") {
                if started && !raw.is_empty() {
                    self.pending_separator = true;
                    break;
                }
                // A separator before any content: the message starts here.
                started = true;
                continue;
            }
            started = true;
            let gt = self.line.iter().take_while(|&&b| b == b'>').count();
            if gt > 0 && self.line[gt..].starts_with(b"From ") {
                raw.extend_from_slice(&self.line[1..]);
            } else {
                raw.extend_from_slice(&self.line);
            }
        }
        if raw.is_empty() && self.done && !started {
            return None;
        }
        if raw.is_empty() && self.done {
            return None;
        }
        self.index += 1;
        Some(Ok(Incoming {
            raw,
            origin: format!("mbox:{}#{}", self.path.display(), self.index),
            hint: self.hint,
            location: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<String> {
        Mbox::new(text.as_bytes(), Path::new("t.mbox"), None)
            .map(|m| String::from_utf8(m.unwrap().raw).unwrap())
            .collect()
    }

    #[test]
    fn separators_split_and_quoted_from_is_unescaped() {
        let msgs = split(
            "From a@b Mon Jan 1 00:00:00 2024\nSubject: 1\n\n>From here\n>>From there\n\nFrom c@d Mon Jan 1 00:00:00 2024\nSubject: 2\n\nx\n",
        );
        assert_eq!(
            msgs,
            vec![
                "Subject: 1\n\nFrom here\n>From there\n\n",
                "Subject: 2\n\nx\n"
            ]
        );
    }

    #[test]
    fn file_without_separator_is_one_message() {
        assert_eq!(split("Subject: 1\n\nbody\n"), vec!["Subject: 1\n\nbody\n"]);
        assert!(split("").is_empty());
    }
}
