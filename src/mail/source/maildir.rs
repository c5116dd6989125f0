//! Maildir folders: `new/` and `cur/`, and any Maildir nested below.
//!
//! A directory given with `--maildir` may be one Maildir or a tree of them
//! (Maildir++ `.Folder`s, or one folder per list). Files are read in sorted
//! order, one at a time, so memory stays flat however many there are.
//! A folder named after a source (`full-disclosure/`) hints that source for
//! messages that carry no list header of their own.

use super::{Incoming, ReadError};
use crate::mail::Source;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// The message files under a root, in a stable order, packed tightly:
/// about 12 bytes plus the file name per message, so that listing a
/// 100,000-message Maildir costs a few megabytes, not a PathBuf each.
#[derive(Debug, Default)]
pub struct Listing {
    dirs: Vec<(PathBuf, Option<Source>)>,
    names: Vec<u8>,
    entries: Vec<(u32, u32, u32)>,
}

impl Listing {
    /// Each file's path and its folder's source hint, in order.
    pub fn iter(&self) -> impl Iterator<Item = (PathBuf, Option<Source>)> + '_ {
        self.entries.iter().map(|&(dir, start, len)| {
            let (path, hint) = &self.dirs[dir as usize];
            let name = &self.names[start as usize..(start + len) as usize];
            (path.join(std::ffi::OsStr::from_bytes(name)), *hint)
        })
    }

    fn push_dir(&mut self, dir: PathBuf, hint: Option<Source>, mut names: Vec<std::ffi::OsString>) {
        names.sort();
        let index = self.dirs.len() as u32;
        self.dirs.push((dir, hint));
        for name in names {
            let bytes = name.as_bytes();
            let start = self.names.len() as u32;
            self.names.extend_from_slice(bytes);
            self.entries.push((index, start, bytes.len() as u32));
        }
    }
}

/// The message files under `root`, in a stable order, each with the source
/// hint of its folder. Unreadable directories are returned as errors.
pub fn files(root: &Path) -> (Listing, Vec<ReadError>) {
    let mut out = Listing::default();
    let mut errors = Vec::new();
    walk(root, None, &mut out, &mut errors, 0);
    (out, errors)
}

/// Deeper trees than this are not Maildirs but mistakes (or loops).
const MAX_DEPTH: usize = 16;

fn walk(
    dir: &Path,
    hint: Option<Source>,
    out: &mut Listing,
    errors: &mut Vec<ReadError>,
    depth: usize,
) {
    let hint = dir
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(Source::from_folder_name)
        .or(hint);
    // A Maildir's own messages first, then nested folders.
    for leaf in ["new", "cur"] {
        let sub = dir.join(leaf);
        if !sub.is_dir() {
            continue;
        }
        match file_names(&sub) {
            Ok(names) => out.push_dir(sub, hint, names),
            Err(source) => errors.push(ReadError { path: sub, source }),
        }
    }
    if depth >= MAX_DEPTH {
        return;
    }
    let mut subdirs = match subdirectories(dir) {
        Ok(d) => d,
        Err(source) => {
            errors.push(ReadError {
                path: dir.to_path_buf(),
                source,
            });
            return;
        }
    };
    subdirs.sort();
    for sub in subdirs {
        walk(&sub, hint, out, errors, depth + 1);
    }
}

fn file_names(dir: &Path) -> std::io::Result<Vec<std::ffi::OsString>> {
    let mut v = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        // file_type() comes from the directory entry itself on Linux: no
        // extra stat per message.
        let ft = entry.file_type()?;
        let is_file = ft.is_file() || (ft.is_symlink() && entry.path().is_file());
        if is_file {
            v.push(entry.file_name());
        }
    }
    Ok(v)
}

fn subdirectories(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut v = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if matches!(name.to_str(), Some("new" | "cur" | "tmp")) {
            continue;
        }
        if entry.file_type()?.is_dir() {
            v.push(entry.path());
        }
    }
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
        location: None,
    })
}
