//! Maildir folders: `new/` and `cur/`, and any Maildir nested below.
//!
//! A directory given with `--maildir` may be one Maildir or a tree of them
//! (Maildir++ `.Folder`s, or one folder per list). Files are read in sorted
//! order, one at a time, so memory stays flat however many there are.
//! A folder named after a source (`full-disclosure/`) hints that source for
//! messages that carry no list header of their own.

use super::{Incoming, ReadError};
use crate::mail::Source;
use std::path::{Path, PathBuf};

/// The message files under `root`, in a stable order, each with the source
/// hint of its folder. Unreadable directories are returned as errors.
pub fn files(root: &Path) -> (Vec<(PathBuf, Option<Source>)>, Vec<ReadError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    walk(root, None, &mut out, &mut errors, 0);
    (out, errors)
}

/// Deeper trees than this are not Maildirs but mistakes (or loops).
const MAX_DEPTH: usize = 16;

fn walk(
    dir: &Path,
    hint: Option<Source>,
    out: &mut Vec<(PathBuf, Option<Source>)>,
    errors: &mut Vec<ReadError>,
    depth: usize,
) {
    let hint = dir
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(Source::from_folder_name)
        .or(hint);
    let mut entries = match sorted_entries(dir) {
        Ok(e) => e,
        Err(source) => {
            errors.push(ReadError {
                path: dir.to_path_buf(),
                source,
            });
            return;
        }
    };
    // A Maildir's own messages first, then nested folders.
    for leaf in ["new", "cur"] {
        let sub = dir.join(leaf);
        if !sub.is_dir() {
            continue;
        }
        match sorted_entries(&sub) {
            Ok(files) => {
                for f in files {
                    if f.is_file() {
                        out.push((f, hint));
                    }
                }
            }
            Err(source) => errors.push(ReadError { path: sub, source }),
        }
    }
    if depth >= MAX_DEPTH {
        return;
    }
    entries.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        !matches!(name, "new" | "cur" | "tmp") && p.is_dir() && !p.is_symlink()
    });
    for sub in entries {
        walk(&sub, hint, out, errors, depth + 1);
    }
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut v = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        v.push(entry?.path());
    }
    v.sort();
    Ok(v)
}

/// Reads one message file.
pub fn read(path: &Path, hint: Option<Source>) -> Result<Incoming, ReadError> {
    let raw = std::fs::read(path).map_err(|source| ReadError {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(Incoming {
        raw,
        origin: format!("maildir:{}", path.display()),
        hint,
    })
}
