//! The demo accounts' passwords, kept in `<data_dir>/demo/credentials.json` (mode 0600)
//! so a rerun can hand out the passwords of accounts it created before: the database
//! holds only their hashes.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use anyhow::Context;
use rand::{Rng, rngs::OsRng};
use serde::{Deserialize, Serialize};

use crate::private_files;

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
        let file = match private_files::read(&path)? {
            Some(text) => serde_json::from_str(&text)
                .with_context(|| format!("reading demo credentials {}", path.display()))?,
            None => File::default(),
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
        let text = serde_json::to_string_pretty(&self.file)?;
        private_files::replace(&self.path, text.as_bytes())?;
        self.dirty = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::private_files::TempDir;

    #[test]
    fn passwords_survive_a_reload_and_are_long_and_random() {
        let tmp = TempDir::new("demo-cred");
        let dir = tmp.0.join("data");
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
            let mode = std::fs::metadata(again.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
