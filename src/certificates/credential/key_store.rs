//! Where the signing keys live: `<data_dir>/keys/signing/` with one `<id>.key` per key
//! (base64 of the seed, mode 0600), `current` naming the key that signs and one
//! `<id>.retired` per retired key. Key files are written once
//! ([`private_files::create_once`]), so a reader never sees half a key and a key in use
//! is never replaced; only `current` is ever rewritten ([`private_files::replace`]).

use std::{
    fs, io,
    path::{Path, PathBuf},
    time::SystemTime,
};

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use secrecy::zeroize::Zeroizing;

use super::keys::{
    KeyError, PublicKeyEntry, SigningKey, decode_public_key_multibase, validated_key_id,
};
use crate::private_files;

const CURRENT_FILE: &str = "current";
const KEY_SUFFIX: &str = ".key";
const RETIRED_SUFFIX: &str = ".retired";
const SEED_LEN: usize = 32;

/// The current key and the retired ones (oldest first), creating a first key on first
/// start. When several processes start at once, every one of them ends up with the key
/// whose `current` file was published first. Any other `<id>.key` found (say, from a
/// crash during a rotation) is listed as retired too: a key that may have signed
/// something is never dropped.
pub(super) fn load_or_create(
    data_dir: &Path,
) -> Result<(SigningKey, Vec<PublicKeyEntry>), KeyError> {
    let dir = signing_dir(data_dir);
    private_files::create_dir(&dir)?;
    let current = match read_current(&dir)? {
        Some(id) => load_key(&dir, id)?,
        None => create_first_key(&dir)?,
    };
    let retired = load_retired(&dir, &current.id)?;
    Ok((current, retired))
}

/// Writes a fresh key, records `current` as retired and names the fresh key current, in
/// that order, so a crash at any point leaves a ring that loads and loses no key.
pub(super) fn rotate(
    data_dir: &Path,
    current: &SigningKey,
) -> Result<(SigningKey, PublicKeyEntry), KeyError> {
    // The id names a file here, and `SigningKey::id` is a public field.
    validated_key_id(current.id.clone())?;
    let dir = signing_dir(data_dir);
    private_files::create_dir(&dir)?;
    let next = create_key_file(&dir)?;
    let entry = PublicKeyEntry {
        id: current.id.clone(),
        public_key_multibase: current.public_key_multibase(),
        retired_at: Utc::now(),
    };
    let name = format!("{}{RETIRED_SUFFIX}", entry.id);
    let json = serde_json::to_vec_pretty(&entry).map_err(|_| KeyError::KeyFile {
        path: dir.join(&name),
        reason: "cannot be serialised",
    })?;
    private_files::create_once(&dir.join(name), &json)?;
    private_files::replace(&dir.join(CURRENT_FILE), format!("{}\n", next.id).as_bytes())?;
    Ok((next, entry))
}

fn signing_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("keys").join("signing")
}

fn io_error<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> KeyError + 'a {
    move |source| KeyError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

fn read_current(dir: &Path) -> Result<Option<String>, KeyError> {
    private_files::read(&dir.join(CURRENT_FILE))?
        .map(|text| validated_key_id(text.trim().to_owned()))
        .transpose()
}

fn load_key(dir: &Path, id: String) -> Result<SigningKey, KeyError> {
    let path = dir.join(format!("{id}{KEY_SUFFIX}"));
    let text = Zeroizing::new(fs::read_to_string(&path).map_err(io_error("reading", &path))?);
    let malformed = |reason| KeyError::KeyFile {
        path: path.clone(),
        reason,
    };
    let seed = Zeroizing::new(
        STANDARD
            .decode(text.trim())
            .map_err(|_| malformed("not base64"))?,
    );
    let seed: &[u8; SEED_LEN] = seed
        .as_slice()
        .try_into()
        .map_err(|_| malformed("not a 32-byte seed"))?;
    SigningKey::from_seed(id, seed)
}

/// Publishes a new key and names it current unless another process got there first, in
/// which case its key is used and ours, never used, is removed.
fn create_first_key(dir: &Path) -> Result<SigningKey, KeyError> {
    let key = create_key_file(dir)?;
    if private_files::create_once(&dir.join(CURRENT_FILE), format!("{}\n", key.id).as_bytes())? {
        return Ok(key);
    }
    let ours = dir.join(format!("{}{KEY_SUFFIX}", key.id));
    fs::remove_file(&ours).map_err(io_error("removing", &ours))?;
    let id = read_current(dir)?.ok_or_else(|| KeyError::KeyFile {
        path: dir.join(CURRENT_FILE),
        reason: "vanished while starting",
    })?;
    load_key(dir, id)
}

/// Writes a fresh key under a new `<id>.key`, drawing another id on a clash.
fn create_key_file(dir: &Path) -> Result<SigningKey, KeyError> {
    loop {
        let key = SigningKey::generate(Utc::now());
        let name = format!("{}{KEY_SUFFIX}", key.id);
        if private_files::create_once(&dir.join(name), key.key_file_line().as_bytes())? {
            return Ok(key);
        }
    }
}

/// Retired entries from `<id>.retired` files, plus any `<id>.key` that is neither
/// current nor listed, dated by its file time; oldest first.
fn load_retired(dir: &Path, current_id: &str) -> Result<Vec<PublicKeyEntry>, KeyError> {
    let mut retired: Vec<PublicKeyEntry> = Vec::new();
    let mut unlisted: Vec<String> = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_error("listing", dir))? {
        let entry = entry.map_err(io_error("listing", dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(id) = name.strip_suffix(RETIRED_SUFFIX) {
            // A crash between recording the retirement and switching `current` leaves
            // the current key with a record; it is still current.
            if id != current_id {
                retired.push(read_retired_record(&entry.path(), id)?);
            }
        } else if let Some(id) = name.strip_suffix(KEY_SUFFIX)
            && id != current_id
            && validated_key_id(id.to_owned()).is_ok()
        {
            unlisted.push(id.to_owned());
        }
    }
    for id in unlisted {
        if retired.iter().any(|entry| entry.id == id) {
            continue;
        }
        match unlisted_key(dir, id) {
            Ok(entry) => retired.push(entry),
            // The loser of a first-start race removes the key it never used.
            Err(KeyError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    retired.sort_by(|a, b| (a.retired_at, &a.id).cmp(&(b.retired_at, &b.id)));
    Ok(retired)
}

fn read_retired_record(path: &Path, id: &str) -> Result<PublicKeyEntry, KeyError> {
    let text = fs::read_to_string(path).map_err(io_error("reading", path))?;
    let malformed = |reason| KeyError::KeyFile {
        path: path.to_path_buf(),
        reason,
    };
    let record: PublicKeyEntry =
        serde_json::from_str(&text).map_err(|_| malformed("not a retired-key record"))?;
    if record.id != id {
        return Err(malformed("names another key"));
    }
    decode_public_key_multibase(&record.public_key_multibase)
        .map_err(|_| malformed("holds no valid public key"))?;
    Ok(record)
}

fn unlisted_key(dir: &Path, id: String) -> Result<PublicKeyEntry, KeyError> {
    let path = dir.join(format!("{id}{KEY_SUFFIX}"));
    let modified: SystemTime = fs::metadata(&path)
        .and_then(|m| m.modified())
        .map_err(io_error("reading", &path))?;
    let key = load_key(dir, id)?;
    Ok(PublicKeyEntry {
        public_key_multibase: key.public_key_multibase(),
        id: key.id,
        retired_at: DateTime::<Utc>::from(modified),
    })
}

#[cfg(test)]
mod tests {
    use std::{sync::Arc, thread};

    use super::super::keys::KeyRing;
    use super::*;
    use crate::private_files::TempDir;

    fn key_files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(signing_dir(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(KEY_SUFFIX))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_first_start_creates_a_private_key_that_later_starts_reuse() {
        let data = TempDir::new("signing-keys");
        let ring = KeyRing::load_or_create(&data.0).unwrap();
        let again = KeyRing::load_or_create(&data.0).unwrap();
        assert_eq!(again.current().id, ring.current().id);
        assert_eq!(again.current().public_key(), ring.current().public_key());
        assert!(again.retired().is_empty());
        let dir = signing_dir(&data.0);
        assert_eq!(
            fs::read_to_string(dir.join(CURRENT_FILE)).unwrap(),
            format!("{}\n", ring.current().id)
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let key_file = dir.join(format!("{}{KEY_SUFFIX}", ring.current().id));
            let mode = fs::metadata(key_file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            assert_eq!(
                fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
                0o700
            );
        }
    }

    #[test]
    fn processes_starting_together_all_end_up_with_one_key() {
        let data = Arc::new(TempDir::new("signing-keys"));
        let starts: Vec<_> = (0..8)
            .map(|_| {
                let data = Arc::clone(&data);
                thread::spawn(move || {
                    let ring = KeyRing::load_or_create(&data.0).unwrap();
                    (ring.current().id.clone(), ring.current().public_key())
                })
            })
            .collect();
        let keys: Vec<_> = starts.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
        assert_eq!(key_files(&data.0), [format!("{}{KEY_SUFFIX}", keys[0].0)]);
    }

    #[test]
    fn rotation_keeps_the_old_key_published_across_restarts() {
        let data = TempDir::new("signing-keys");
        let mut ring = KeyRing::load_or_create(&data.0).unwrap();
        let old_id = ring.current().id.clone();
        let old_key = ring.current().public_key();
        let old_seed =
            fs::read(signing_dir(&data.0).join(format!("{old_id}{KEY_SUFFIX}"))).unwrap();
        ring.rotate(&data.0).unwrap();
        assert_ne!(ring.current().id, old_id);
        assert_eq!(ring.retired()[0].id, old_id);
        assert_eq!(ring.public_key(&old_id), Some(old_key));

        let reloaded = KeyRing::load_or_create(&data.0).unwrap();
        assert_eq!(reloaded.current().id, ring.current().id);
        assert_eq!(reloaded.retired(), ring.retired());
        // The old seed file was left alone, never overwritten.
        let dir = signing_dir(&data.0);
        assert_eq!(
            fs::read(dir.join(format!("{old_id}{KEY_SUFFIX}"))).unwrap(),
            old_seed
        );

        // Deleting the old seed keeps its public part published.
        fs::remove_file(dir.join(format!("{old_id}{KEY_SUFFIX}"))).unwrap();
        let without_seed = KeyRing::load_or_create(&data.0).unwrap();
        assert_eq!(without_seed.public_key(&old_id), Some(old_key));
    }

    #[test]
    fn a_crash_in_the_middle_of_a_rotation_loses_no_key() {
        let data = TempDir::new("signing-keys");
        let ring = KeyRing::load_or_create(&data.0).unwrap();
        let dir = signing_dir(&data.0);
        // A new key written, the old one recorded as retired, `current` not yet switched.
        let orphan = create_key_file(&dir).unwrap();
        let entry = PublicKeyEntry {
            id: ring.current().id.clone(),
            public_key_multibase: ring.current().public_key_multibase(),
            retired_at: Utc::now(),
        };
        let name = format!("{}{RETIRED_SUFFIX}", entry.id);
        private_files::create_once(&dir.join(name), &serde_json::to_vec(&entry).unwrap()).unwrap();

        let after = KeyRing::load_or_create(&data.0).unwrap();
        assert_eq!(
            after.current().id,
            ring.current().id,
            "still the current key"
        );
        assert_eq!(after.retired().len(), 1);
        assert_eq!(after.public_key(&orphan.id), Some(orphan.public_key()));
    }

    #[test]
    fn a_tampered_current_file_cannot_point_outside_the_key_directory() {
        let data = TempDir::new("signing-keys");
        KeyRing::load_or_create(&data.0).unwrap();
        fs::write(
            signing_dir(&data.0).join(CURRENT_FILE),
            "../../../etc/passwd\n",
        )
        .unwrap();
        assert!(matches!(
            KeyRing::load_or_create(&data.0),
            Err(KeyError::InvalidKeyId(_))
        ));
    }
}
