//! Maildir folders: `new/` and `cur/`, and any Maildir nested below; or a
//! plain folder of message files.
//!
//! A directory given with `--maildir` may be one Maildir or a tree of them
//! (Maildir++ `.Folder`s, or one folder per list), at any depth. Symbolic
//! links to directories are followed; a directory reached a second time (a
//! link back up the tree, or two links to one folder) is read once and
//! reported as a notice. `--maildir` needs a Maildir somewhere in the
//! tree ([`holds_maildir`], checked before anything is read or the
//! database is opened); a folder of message files (`.eml` files, a mail
//! test corpus) is said as such, with `--eml` ([`holds_file`]): there,
//! when the tree holds no Maildir at all, every regular file in it and
//! below is one message. In a tree that does hold Maildirs, files outside
//! them (a README, an index) are not messages. Files are read in sorted order, one at a time, so memory stays
//! flat however many there are.
//! A folder named after a source (`full-disclosure/`) hints that source for
//! messages that carry no list header of their own.

use super::{Incoming, ReadError};
use crate::mail::Source;
use std::collections::HashMap;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
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
        self.entries.iter().filter_map(|&(dir, start, len)| {
            let (path, hint) = self.dirs.get(dir as usize)?;
            let name = self.names.get(start as usize..(start + len) as usize)?;
            Some((path.join(std::ffi::OsStr::from_bytes(name)), *hint))
        })
    }

    /// How many files it lists.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it lists no file.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
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

/// What walking a `--maildir` tree found.
#[derive(Debug, Default)]
pub struct Walk {
    /// The message files, in order.
    pub files: Listing,
    /// Directories that could not be read.
    pub errors: Vec<ReadError>,
    /// Things worth a log line: directories reached twice (symlink loops).
    pub notices: Vec<String>,
    /// Maildirs found (directories with `cur/` or `new/`); none means the
    /// tree was read as a folder of message files.
    pub maildirs: usize,
}

/// The message files under `root`, in a stable order, each with the source
/// hint of its folder. Unreadable directories are returned as errors.
pub fn files(root: &Path) -> Walk {
    let mut walk = Walk::default();
    let mut loose = Listing::default();
    // Every directory read, by device and inode, with the path it was
    // first reached by: a directory reached again is not read again.
    let mut visited: HashMap<(u64, u64), PathBuf> = HashMap::new();
    // Depth-first, sorted, without recursion: no depth limit and no stack
    // to overflow, however deep the tree.
    let mut stack: Vec<(PathBuf, Option<Source>)> = vec![(root.to_path_buf(), None)];
    while let Some((dir, hint)) = stack.pop() {
        let meta = match std::fs::metadata(&dir) {
            Ok(m) => m,
            Err(error) => {
                walk.errors.push(ReadError { path: dir, error });
                continue;
            }
        };
        if let Some(first) = visited.get(&(meta.dev(), meta.ino())) {
            walk.notices.push(revisit(&dir, first));
            continue;
        }
        visited.insert((meta.dev(), meta.ino()), dir.clone());
        let hint = dir
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(Source::from_folder_name)
            .or(hint);
        let entries = match entries(&dir) {
            Ok(e) => e,
            Err(error) => {
                walk.errors.push(ReadError { path: dir, error });
                continue;
            }
        };
        let is_maildir = entries
            .dirs
            .iter()
            .any(|d| matches!(d.to_str(), Some("new" | "cur")));
        if is_maildir {
            walk.maildirs += 1;
            // A Maildir's own messages first, then nested folders.
            for leaf in ["new", "cur"] {
                if !entries.dirs.iter().any(|d| d.to_str() == Some(leaf)) {
                    continue;
                }
                let sub = dir.join(leaf);
                match entries_of_leaf(&sub) {
                    Ok(names) => walk.files.push_dir(sub, hint, names),
                    Err(error) => walk.errors.push(ReadError { path: sub, error }),
                }
            }
        } else {
            loose.push_dir(dir.clone(), hint, entries.files);
        }
        let mut subdirs: Vec<_> = entries
            .dirs
            .into_iter()
            .filter(|d| !matches!(d.to_str(), Some("new" | "cur" | "tmp")))
            .collect();
        subdirs.sort();
        for sub in subdirs.into_iter().rev() {
            stack.push((dir.join(sub), hint));
        }
    }
    if walk.maildirs == 0 {
        walk.files = loose;
    }
    walk
}

/// Whether a Maildir (a directory with `cur/` or `new/`) lies at `root` or
/// anywhere below it, symbolic links followed once: what `--maildir`
/// requires before anything is read. Stops at the first one found; reads
/// only directory entries, never a message. An unreadable directory below
/// the root is passed over here (the walk reports it); the root itself
/// failing is the error.
pub fn holds_maildir(root: &Path) -> std::io::Result<bool> {
    search(root, |e| {
        e.dirs
            .iter()
            .any(|d| matches!(d.to_str(), Some("new" | "cur")))
    })
}

/// Whether any regular file lies at `root` or below it: what `--eml`
/// requires. Stops at the first one found.
pub fn holds_file(root: &Path) -> std::io::Result<bool> {
    search(root, |e| !e.files.is_empty())
}

/// Walks the directories under `root` (each once, by device and inode)
/// until `found` holds for one.
fn search(root: &Path, found: impl Fn(&Entries) -> bool) -> std::io::Result<bool> {
    let mut visited = std::collections::HashSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let first = dir == root;
        let listed = std::fs::metadata(&dir).and_then(|m| {
            if !visited.insert((m.dev(), m.ino())) {
                return Ok(None);
            }
            entries(&dir).map(Some)
        });
        let entries = match listed {
            Ok(Some(e)) => e,
            Ok(None) => continue,
            Err(e) if first => return Err(e),
            Err(_) => continue,
        };
        if found(&entries) {
            return Ok(true);
        }
        stack.extend(entries.dirs.iter().map(|d| dir.join(d)));
    }
    Ok(false)
}

/// The notice for a directory reached a second time.
fn revisit(dir: &Path, first: &Path) -> String {
    let inside = match (std::fs::canonicalize(dir), dir.parent()) {
        (Ok(target), Some(parent)) => std::fs::canonicalize(parent)
            .map(|p| p.starts_with(&target))
            .unwrap_or(false),
        _ => false,
    };
    if inside {
        format!(
            "{}: symlink loop back to {}, not followed",
            dir.display(),
            first.display()
        )
    } else {
        format!(
            "{}: same directory as {}, read once",
            dir.display(),
            first.display()
        )
    }
}

/// A directory's regular files and subdirectories (symbolic links
/// followed), by name.
struct Entries {
    files: Vec<std::ffi::OsString>,
    dirs: Vec<std::ffi::OsString>,
}

fn entries(dir: &Path) -> std::io::Result<Entries> {
    let mut out = Entries {
        files: Vec::new(),
        dirs: Vec::new(),
    };
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let ft = entry.file_type()?;
        let (is_file, is_dir) = if ft.is_symlink() {
            let path = entry.path();
            (path.is_file(), path.is_dir())
        } else {
            (ft.is_file(), ft.is_dir())
        };
        if is_file {
            out.files.push(entry.file_name());
        } else if is_dir {
            out.dirs.push(entry.file_name());
        }
    }
    Ok(out)
}

fn entries_of_leaf(dir: &Path) -> std::io::Result<Vec<std::ffi::OsString>> {
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

/// Reads one message file, keeping at most `limit` bytes of it: the rest is
/// never read, and [`Incoming::cut`] says how large the file was.
pub fn read(path: &Path, hint: Option<Source>, limit: u64) -> Result<Incoming, ReadError> {
    let err = |error| ReadError {
        path: path.to_path_buf(),
        error,
    };
    let file = std::fs::File::open(path).map_err(err)?;
    let size = file.metadata().map_err(err)?.len();
    let mut raw = Vec::with_capacity(size.min(limit) as usize);
    // One byte more than the limit tells a file that grew since its
    // metadata was read.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut raw)
        .map_err(err)?;
    let cut = if raw.len() as u64 > limit {
        raw.truncate(limit as usize);
        Some(size.max(limit + 1))
    } else {
        None
    };
    Ok(Incoming {
        raw,
        cut,
        origin: format!("maildir:{}", path.display()),
        hint,
        location: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system temp dir, removed on drop.
    struct Tmp(PathBuf);

    impl Tmp {
        fn new(name: &str) -> Tmp {
            let dir =
                std::env::temp_dir().join(format!("secdesk-maildir-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Tmp(dir)
        }
    }

    impl Drop for Tmp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn file(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "Subject: x\n\nbody\n").unwrap();
    }

    /// What the walk found, relative to the root, one line each.
    fn check(root: &Path) -> String {
        let walk = files(root);
        let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
        let mut out = format!("maildirs={}\n", walk.maildirs);
        for (path, hint) in walk.files.iter() {
            out.push_str(&format!("file {} {hint:?}\n", rel(&path)));
        }
        for e in &walk.errors {
            out.push_str(&format!("error {}\n", rel(&e.path)));
        }
        for n in &walk.notices {
            out.push_str(&format!(
                "notice {}\n",
                n.replace(&root.display().to_string(), "ROOT")
            ));
        }
        out
    }

    #[test]
    fn maildir_deeper_than_sixteen_levels_is_read_to_the_bottom() {
        let t = Tmp::new("deep");
        let mut dir = t.0.clone();
        for i in 0..40 {
            dir = dir.join(format!("d{i}"));
        }
        file(&dir.join("cur/1"));
        let out = check(&t.0);
        assert!(out.starts_with("maildirs=1\nfile d0/d1/"), "{out}");
        assert!(out.contains("/d39/cur/1 None\n"), "{out}");
    }

    #[test]
    fn symlink_loop_is_followed_once_and_reported() {
        let t = Tmp::new("loop");
        file(&t.0.join("oss-security/cur/1"));
        std::os::unix::fs::symlink(&t.0, t.0.join("oss-security/back")).unwrap();
        let out = check(&t.0);
        assert_eq!(
            out,
            "maildirs=1\nfile oss-security/cur/1 Some(OssSecurity)\n\
             notice ROOT/oss-security/back: symlink loop back to ROOT, not followed\n"
        );
    }

    #[test]
    fn folder_of_eml_files_without_maildir_is_read_as_messages() {
        let t = Tmp::new("eml");
        file(&t.0.join("b.eml"));
        file(&t.0.join("a.eml"));
        file(&t.0.join("full-disclosure/c.eml"));
        let out = check(&t.0);
        assert_eq!(
            out,
            "maildirs=0\nfile a.eml None\nfile b.eml None\nfile full-disclosure/c.eml Some(FullDisclosure)\n"
        );
    }

    #[test]
    fn files_beside_maildirs_are_not_messages() {
        let t = Tmp::new("mixed");
        file(&t.0.join("README"));
        file(&t.0.join("debian/cur/1"));
        let out = check(&t.0);
        assert_eq!(out, "maildirs=1\nfile debian/cur/1 Some(Debian)\n");
    }

    #[test]
    fn a_maildir_is_found_at_any_depth_and_a_tree_without_one_is_not() {
        let t = Tmp::new("probe");
        std::fs::create_dir_all(t.0.join("a/b")).unwrap();
        file(&t.0.join("a/b/loose.eml"));
        assert_eq!(holds_maildir(&t.0).ok(), Some(false));
        assert_eq!(holds_file(&t.0).ok(), Some(true));
        std::fs::create_dir_all(t.0.join("a/b/c/d/list/new")).unwrap();
        assert_eq!(holds_maildir(&t.0).ok(), Some(true));
        let empty = Tmp::new("probe-empty");
        std::os::unix::fs::symlink(&empty.0, empty.0.join("loop")).unwrap();
        assert_eq!(holds_maildir(&empty.0).ok(), Some(false));
        assert_eq!(holds_file(&empty.0).ok(), Some(false));
        assert!(holds_maildir(&empty.0.join("missing")).is_err());
    }

    #[test]
    fn read_keeps_at_most_the_limit_and_says_how_large_the_file_was() {
        let t = Tmp::new("cut");
        let path = t.0.join("big");
        std::fs::write(&path, vec![b'a'; 5000]).unwrap();
        let m = read(&path, None, 1024).unwrap();
        assert_eq!((m.raw.len(), m.cut), (1024, Some(5000)));
        let m = read(&path, None, 5000).unwrap();
        assert_eq!((m.raw.len(), m.cut), (5000, None));
    }
}
