//! The demo accounts' passwords, kept in `<data_dir>/demo/credentials.json` (mode 0600)
//! so a rerun can hand out the passwords of accounts it created before: the database
//! holds only their hashes.

use std::{
    collections::BTreeMap,
    fs, io,
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::Context;
use rand::{Rng, RngCore, rngs::OsRng};
use serde::{Deserialize, Serialize};

/// Characters of generated passwords: letters and digits without look-alikes (0/O,
/// 1/l/I), so they can be read off a screen and typed.
const PASSWORD_CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
const PASSWORD_LEN: usize = 20;

#[derive(Default, Serialize, Deserialize)]
struct File {
    /// Login → password.
    passwords: BTreeMap<String, String>,
}

/// The stored passwords, and where they live.
pub struct Credentials {
    path: PathBuf,
    file: File,
    dirty: bool,
}

impl Credentials {
    /// Reads the store, or starts an empty one if there is none yet.
    pub fn load(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join("demo").join("credentials.json");
        let file = match fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .with_context(|| format!("reading demo credentials {}", path.display()))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => File::default(),
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("reading demo credentials {}", path.display()));
            }
        };
        Ok(Self {
            path,
            file,
            dirty: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored password of `login`, if any.
    pub fn get(&self, login: &str) -> Option<String> {
        self.file.passwords.get(login).cloned()
    }

    /// The stored password of `login`, or a fresh random one that is remembered (and
    /// must be [`saved`](Self::save) before the account is created).
    pub fn get_or_generate(&mut self, login: &str) -> String {
        if let Some(password) = self.get(login) {
            return password;
        }
        let password: String = (0..PASSWORD_LEN)
            .map(|_| char::from(PASSWORD_CHARS[OsRng.gen_range(0..PASSWORD_CHARS.len())]))
            .collect();
        self.file
            .passwords
            .insert(login.to_owned(), password.clone());
        self.dirty = true;
        password
    }

    /// Writes the store if it changed: a private temporary file renamed over the old one,
    /// so a crash leaves either the old or the new store, never half of one.
    pub fn save(&mut self) -> anyhow::Result<()> {
        if !self.dirty {
            return Ok(());
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        create_private_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
        let tmp = dir.join(format!(".credentials.{:016x}.tmp", OsRng.next_u64()));
        let text = serde_json::to_string_pretty(&self.file)?;
        write_private_file(&tmp, text.as_bytes())
            .with_context(|| format!("writing {}", tmp.display()))?;
        fs::rename(&tmp, &self.path)
            .with_context(|| format!("replacing {}", self.path.display()))?;
        self.dirty = false;
        Ok(())
    }
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates `path` readable by the owner only and flushes it.
pub fn write_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_survive_a_reload_and_are_long_and_random() {
        let dir = std::env::temp_dir().join(format!("demo-cred-{}", uuid::Uuid::new_v4().simple()));
        let mut store = Credentials::load(&dir).unwrap();
        let first = store.get_or_generate("a.login");
        let other = store.get_or_generate("b.login");
        assert_eq!(first.chars().count(), PASSWORD_LEN);
        assert_ne!(first, other);
        store.save().unwrap();
        let mut again = Credentials::load(&dir).unwrap();
        assert_eq!(again.get_or_generate("a.login"), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(again.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
