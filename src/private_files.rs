//! Owner-only files: the keys and data files only the registry's own user may read (the
//! PII keys, the signing keys, the demo passwords).
//!
//! Every file is written complete under a temporary name beside its final one (mode 0600
//! on Unix, flushed to disk) and only then given its final name, so a reader sees the
//! whole old file or the whole new one, never part of one. Directories made on the way
//! are mode 0700. Two ways to give the final name:
//! - [`create_once`] never replaces an existing file: a key that another process already
//!   uses stays in place;
//! - [`replace`] swaps the file atomically (rename), for files that are rewritten.

use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
};

use rand::{RngCore, rngs::OsRng};
use secrecy::zeroize::Zeroizing;

/// A file-system operation on a private file that failed, naming what was done to which
/// path.
#[derive(Debug, thiserror::Error)]
#[error("{action} {}: {source}", path.display())]
pub struct Error {
    /// What was being done: `creating`, `writing`, `publishing`, `replacing`, `syncing`
    /// or `reading`.
    pub action: &'static str,
    /// The file or directory it was done to.
    pub path: PathBuf,
    /// Why it failed.
    #[source]
    pub source: io::Error,
}

impl Error {
    fn at(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Self {
        let path = path.to_path_buf();
        move |source| Self {
            action,
            path,
            source,
        }
    }
}

/// The contents of `path`, or `None` if there is no such file. The text is wiped from
/// memory when dropped, since it may be a key.
pub fn read(path: &Path) -> Result<Option<Zeroizing<String>>, Error> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(Zeroizing::new(text))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::at("reading", path)(e)),
    }
}

/// Creates `dir` and any missing parents, each new one readable by the owner only
/// (mode 0700 on Unix). Existing directories are left as they are.
pub fn create_dir(dir: &Path) -> Result<(), Error> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(Error::at("creating", dir))
}

/// Creates `path` with `contents` unless a file of that name exists, and returns whether
/// this call created it. The complete file is hard-linked into place, which (unlike a
/// rename) fails rather than replace an existing file, so a key that another process
/// already uses is never swapped out from under it. On a file system without hard links
/// the final name is created exclusively instead: still never replaced, though a reader
/// racing the writer could see it incomplete.
pub fn create_once(path: &Path, contents: &[u8]) -> Result<bool, Error> {
    let dir = parent_of(path)?;
    let tmp = write_temporary(dir, path, contents)?;
    let linked = fs::hard_link(&tmp, path);
    // Best effort: after a successful link the temporary name is just a second link.
    let _ = fs::remove_file(&tmp);
    let created = match linked {
        Ok(()) => true,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => false,
        Err(_) => match write_new(path, contents) {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => false,
            Err(e) => return Err(Error::at("publishing", path)(e)),
        },
    };
    if created {
        sync_dir(dir)?;
    }
    Ok(created)
}

/// Writes `contents` to `path`, replacing any file there atomically (temporary file, then
/// rename): after a crash `path` holds the old contents or the new, never a mix.
pub fn replace(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let dir = parent_of(path)?;
    let tmp = write_temporary(dir, path, contents)?;
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(Error::at("replacing", path)(e));
    }
    sync_dir(dir)
}

/// The directory `path` lives in, created if missing (`.` for a bare file name).
fn parent_of(path: &Path) -> Result<&Path, Error> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    create_dir(dir)?;
    Ok(dir)
}

/// Writes `contents` to a fresh `.<name>.<random>.tmp` in `dir` and returns its path.
fn write_temporary(dir: &Path, path: &Path, contents: &[u8]) -> Result<PathBuf, Error> {
    let name = path.file_name().ok_or_else(|| {
        Error::at("writing", path)(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file name",
        ))
    })?;
    let tmp = dir.join(format!(
        ".{}.{:016x}.tmp",
        name.to_string_lossy(),
        OsRng.next_u64()
    ));
    write_new(&tmp, contents).map_err(Error::at("writing", &tmp))?;
    Ok(tmp)
}

/// Creates `path` (failing if it exists) readable by the owner only, writes `contents`
/// and flushes them to disk. A file this call created but could not fill is removed.
fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    let written = file.write_all(contents).and_then(|()| file.sync_all());
    if written.is_err() {
        let _ = fs::remove_file(path);
    }
    written
}

/// Makes new directory entries durable, so a crash cannot lose a key already in use.
fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(Error::at("syncing", dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A fresh directory for tests, removed on drop.
#[cfg(test)]
pub(crate) struct TempDir(pub PathBuf);

#[cfg(test)]
impl TempDir {
    /// A new empty directory under the system's temporary directory; `label` names the
    /// test area, so a leftover says where it came from.
    pub(crate) fn new(label: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "{label}-{}-{:016x}",
            std::process::id(),
            OsRng.next_u64()
        ));
        fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

#[cfg(test)]
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use std::thread;

    use super::*;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_created_file_reads_back_and_leaves_no_temporary_file() {
        let tmp = TempDir::new("private-files");
        let path = tmp.0.join("keys/nested/secret.key");
        assert_eq!(read(&path).unwrap(), None);
        assert!(create_once(&path, b"seed\n").unwrap());
        assert_eq!(
            read(&path).unwrap().as_deref().map(String::as_str),
            Some("seed\n")
        );
        assert_eq!(names_in(path.parent().unwrap()), ["secret.key"]);
    }

    #[cfg(unix)]
    #[test]
    fn files_are_readable_by_the_owner_only_and_new_directories_too() {
        let tmp = TempDir::new("private-files");
        let once = tmp.0.join("a/b/once.key");
        create_once(&once, b"1").unwrap();
        assert_eq!(mode(&once), 0o600);
        assert_eq!(mode(&tmp.0.join("a")), 0o700);
        assert_eq!(mode(&tmp.0.join("a/b")), 0o700);

        // A file that was world-readable is replaced by an owner-only one.
        let replaced = tmp.0.join("data.json");
        fs::write(&replaced, "{}").unwrap();
        fs::set_permissions(
            &replaced,
            std::os::unix::fs::PermissionsExt::from_mode(0o644),
        )
        .unwrap();
        replace(&replaced, b"{\"a\":1}").unwrap();
        assert_eq!(mode(&replaced), 0o600);

        // A directory that exists keeps its own mode.
        let shared = tmp.0.join("shared");
        fs::create_dir(&shared).unwrap();
        fs::set_permissions(&shared, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        create_once(&shared.join("inner.key"), b"2").unwrap();
        assert_eq!(mode(&shared), 0o755);
    }

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let tmp = TempDir::new("private-files");
        let path = tmp.0.join("pii.key");
        fs::write(&path, "in use\n").unwrap();
        assert!(!create_once(&path, b"fresh\n").unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), "in use\n");
        assert_eq!(names_in(&tmp.0), ["pii.key"], "temporary file left behind");
    }

    #[test]
    fn of_processes_creating_together_exactly_one_wins_and_its_file_is_whole() {
        let tmp = TempDir::new("private-files");
        let path = tmp.0.join("current");
        let contents: Vec<Vec<u8>> = (0..8u8).map(|i| vec![b'a' + i; 256 * 1024]).collect();
        let created: Vec<bool> = thread::scope(|s| {
            let writers: Vec<_> = contents
                .iter()
                .map(|c| s.spawn(|| create_once(&path, c).unwrap()))
                .collect();
            writers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        assert_eq!(created.iter().filter(|c| **c).count(), 1, "{created:?}");
        let winner = created.iter().position(|c| *c).unwrap();
        assert_eq!(fs::read(&path).unwrap(), contents[winner]);
        assert_eq!(names_in(&tmp.0), ["current"]);
    }

    #[test]
    fn a_reader_sees_the_old_or_the_new_file_never_a_mix() {
        let tmp = TempDir::new("private-files");
        let path = tmp.0.join("credentials.json");
        let old = "o".repeat(512 * 1024);
        let new = "n".repeat(512 * 1024);
        replace(&path, old.as_bytes()).unwrap();
        thread::scope(|s| {
            let reader = s.spawn(|| {
                for _ in 0..200 {
                    let seen = read(&path).unwrap().unwrap();
                    assert!(*seen == old || *seen == new, "a partial file was read");
                }
            });
            for i in 0..50 {
                let next = if i % 2 == 0 { &new } else { &old };
                replace(&path, next.as_bytes()).unwrap();
            }
            reader.join().unwrap();
        });
        assert_eq!(names_in(&tmp.0), ["credentials.json"]);
    }

    #[test]
    fn a_bare_file_name_lives_in_the_current_directory() {
        assert_eq!(parent_of(Path::new("demo.json")).unwrap(), Path::new("."));
    }
}
