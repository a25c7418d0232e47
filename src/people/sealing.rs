//! PII at rest: the two keys that protect citizen ID numbers, where they live, sealing
//! (AES-256-GCM) and the keyed blind index (HMAC-SHA-256) used for look-up and
//! de-duplication.
//!
//! A sealed value reads `v1:` + base64(nonce ‖ ciphertext ‖ tag) with a fresh random
//! 96-bit nonce each time, so equal values seal differently; the blind index is
//! deterministic, so equal values share one index.

use std::{
    fmt, fs,
    io::{self, Write},
    path::Path,
};

use aes_gcm::{Aes256Gcm, KeyInit, aead::Aead};
use anyhow::{Context, bail};
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use rand::{RngCore, rngs::OsRng};
use secrecy::zeroize::{Zeroize, Zeroizing};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const SEALED_PREFIX: &str = "v1:";
const KEYS_DIR: &str = "keys";
const KEY_FILE: &str = "pii.key";

/// The seal key (AES-256-GCM) and the index key (HMAC-SHA-256). `Debug` never prints
/// them and they are wiped from memory on drop.
#[derive(Clone)]
pub struct PiiKeys {
    seal: [u8; KEY_LEN],
    index: [u8; KEY_LEN],
}

/// Why a sealed value cannot be produced or opened. Internal: never shown to users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The stored text is not `v1:` followed by base64 of nonce, ciphertext and tag.
    #[error("sealed value is not in the v1 format")]
    Format,
    /// Authentication failed: the value was sealed with other keys or has been altered.
    #[error("sealed value does not open with these keys (wrong key or tampered)")]
    Open,
    /// The plaintext exceeds what AES-GCM can encrypt under one nonce (64 GiB).
    #[error("value too long to seal")]
    TooLong,
}

impl PiiKeys {
    /// Loads the keys from `<data_dir>/keys/pii.key`, creating the directory and a file
    /// of fresh random keys (mode 0600 on Unix) on first start. An existing key file is
    /// never replaced, even when several instances start at once: each of them ends up
    /// with the keys of whichever file was published first.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<Self> {
        let dir = data_dir.join(KEYS_DIR);
        let path = dir.join(KEY_FILE);
        match fs::read_to_string(&path) {
            Ok(text) => return parse_key_file(&text, &path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("reading PII key file {}", path.display()));
            }
        }
        create_key_file(&dir, &path)?;
        let text = fs::read_to_string(&path)
            .with_context(|| format!("reading PII key file {}", path.display()))?;
        parse_key_file(&text, &path)
    }

    /// Reads keys given as configuration (`REGISTRY_PII_KEY`): standard padded base64 of
    /// 64 bytes, the seal key followed by the index key.
    pub fn from_base64(s: &str) -> anyhow::Result<Self> {
        let decoded = Zeroizing::new(
            STANDARD
                .decode(s.trim())
                .context("the PII key is not valid base64")?,
        );
        let Ok(bytes) = <[u8; 2 * KEY_LEN]>::try_from(decoded.as_slice()) else {
            bail!(
                "the PII key must decode to {} bytes (seal key then index key), not {}",
                2 * KEY_LEN,
                decoded.len()
            );
        };
        let bytes = Zeroizing::new(bytes);
        let mut keys = Self {
            seal: [0; KEY_LEN],
            index: [0; KEY_LEN],
        };
        keys.seal.copy_from_slice(&bytes[..KEY_LEN]);
        keys.index.copy_from_slice(&bytes[KEY_LEN..]);
        Ok(keys)
    }

    /// Fresh random keys. For tests and tools only: values sealed with them can be opened
    /// only with the same keys, so the service itself uses [`PiiKeys::load_or_create`] or
    /// [`PiiKeys::from_base64`].
    pub fn generate() -> Self {
        let mut keys = Self {
            seal: [0; KEY_LEN],
            index: [0; KEY_LEN],
        };
        OsRng.fill_bytes(&mut keys.seal);
        OsRng.fill_bytes(&mut keys.index);
        keys
    }

    /// Seals a value: `v1:` + base64(nonce ‖ ciphertext ‖ tag) under a fresh random nonce.
    pub fn seal(&self, plaintext: &str) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher()
            .encrypt(&nonce.into(), plaintext.as_bytes())
            .map_err(|_| SealError::TooLong)?;
        let mut blob = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ciphertext);
        Ok(format!("{SEALED_PREFIX}{}", STANDARD.encode(blob)))
    }

    /// Opens a value produced by [`PiiKeys::seal`] with the same keys. Other keys, an
    /// altered byte or a malformed string give an error, never a panic.
    pub fn open(&self, sealed: &str) -> Result<String, SealError> {
        let encoded = sealed
            .strip_prefix(SEALED_PREFIX)
            .ok_or(SealError::Format)?;
        let blob = STANDARD.decode(encoded).map_err(|_| SealError::Format)?;
        let (nonce, ciphertext) = blob
            .split_first_chunk::<NONCE_LEN>()
            .filter(|(_, rest)| rest.len() >= TAG_LEN)
            .ok_or(SealError::Format)?;
        let plaintext = self
            .cipher()
            .decrypt(&(*nonce).into(), ciphertext)
            .map_err(|_| SealError::Open)?;
        String::from_utf8(plaintext).map_err(|_| SealError::Open)
    }

    /// The keyed blind index of a value: HMAC-SHA-256 under the index key, as 64
    /// lower-case hex digits. Deterministic, so it serves look-up and de-duplication;
    /// index the normalised form (e.g. `CitizenId::as_str`) so equal IDs match.
    pub fn blind_index(&self, value: &str) -> String {
        // HMAC zero-pads keys shorter than the SHA-256 block, so padding here gives the
        // same MAC as `new_from_slice` through a constructor that cannot fail.
        let mut block = Zeroizing::new([0u8; 64]);
        block[..KEY_LEN].copy_from_slice(&self.index);
        let key = hmac::digest::Key::<HmacSha256>::from_slice(&block[..]);
        let mut mac = <HmacSha256 as KeyInit>::new(key);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.seal.into())
    }

    /// The key file's one line: base64 of seal key ‖ index key, and a newline. Sized up
    /// front so no copy of the key is left behind by a reallocation.
    fn to_key_line(&self) -> Zeroizing<String> {
        let mut bytes = Zeroizing::new([0u8; 2 * KEY_LEN]);
        bytes[..KEY_LEN].copy_from_slice(&self.seal);
        bytes[KEY_LEN..].copy_from_slice(&self.index);
        let mut line = Zeroizing::new(String::with_capacity(4 * (2 * KEY_LEN).div_ceil(3) + 1));
        STANDARD.encode_string(&bytes[..], &mut line);
        line.push('\n');
        line
    }
}

impl fmt::Debug for PiiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PiiKeys").finish_non_exhaustive()
    }
}

impl Drop for PiiKeys {
    fn drop(&mut self) {
        self.seal.zeroize();
        self.index.zeroize();
    }
}

fn parse_key_file(text: &str, path: &Path) -> anyhow::Result<PiiKeys> {
    PiiKeys::from_base64(text).with_context(|| format!("PII key file {}", path.display()))
}

/// Writes fresh keys to a temporary file beside `path`, then publishes it under `path`
/// unless a key file is already there.
fn create_key_file(dir: &Path, path: &Path) -> anyhow::Result<()> {
    create_private_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    let line = PiiKeys::generate().to_key_line();
    let tmp = dir.join(format!(".{KEY_FILE}.{:016x}.tmp", OsRng.next_u64()));
    write_private_file(&tmp, line.as_bytes())
        .with_context(|| format!("writing {}", tmp.display()))?;
    let published = publish_without_overwrite(&tmp, path, line.as_bytes());
    // Best effort: after a successful link the temporary name is just a second link.
    let _ = fs::remove_file(&tmp);
    published.with_context(|| format!("creating PII key file {}", path.display()))?;
    sync_dir(dir).with_context(|| format!("syncing {}", dir.display()))
}

/// Gives the complete temporary file the final name. Unlike `rename`, `hard_link` fails
/// rather than replace an existing file, so a key that another instance already uses is
/// never swapped out from under it. Filesystems without hard links get an exclusive
/// create of the final name instead.
fn publish_without_overwrite(tmp: &Path, path: &Path, contents: &[u8]) -> io::Result<()> {
    match fs::hard_link(tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(_) => match write_private_file(path, contents) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            other => other,
        },
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

/// Creates `path` (failing if it exists) readable by the owner only, and flushes it.
fn write_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
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

/// Makes the new directory entry durable, so a crash cannot lose a key already in use.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> Self {
            let path = std::env::temp_dir().join(format!(
                "pii-keys-test-{}-{:016x}",
                std::process::id(),
                OsRng.next_u64()
            ));
            fs::create_dir_all(&path).unwrap();
            Self(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn same_keys(a: &PiiKeys, b: &PiiKeys) -> bool {
        a.seal == b.seal && a.index == b.index
    }

    #[test]
    fn a_sealed_value_opens_to_the_original() {
        let keys = PiiKeys::generate();
        let sealed = keys.seal("11010519491231002X").unwrap();
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("11010519491231002X"));
        assert_eq!(keys.open(&sealed).unwrap(), "11010519491231002X");
        assert_eq!(keys.open(&keys.seal("").unwrap()).unwrap(), "");
    }

    #[test]
    fn sealing_the_same_value_twice_gives_different_text() {
        let keys = PiiKeys::generate();
        assert_ne!(keys.seal("巴特尔").unwrap(), keys.seal("巴特尔").unwrap());
    }

    #[test]
    fn changing_any_byte_of_a_sealed_value_makes_it_refuse_to_open() {
        let keys = PiiKeys::generate();
        let sealed = keys.seal("11010519491231002X").unwrap();
        let blob = STANDARD.decode(&sealed[3..]).unwrap();
        for i in 0..blob.len() {
            let mut altered = blob.clone();
            altered[i] ^= 0x01;
            let altered = format!("v1:{}", STANDARD.encode(&altered));
            assert_eq!(keys.open(&altered), Err(SealError::Open), "byte {i}");
        }
    }

    #[test]
    fn a_value_sealed_with_other_keys_does_not_open() {
        let sealed = PiiKeys::generate().seal("11010519491231002X").unwrap();
        assert_eq!(PiiKeys::generate().open(&sealed), Err(SealError::Open));
    }

    #[test]
    fn malformed_sealed_text_is_an_error_not_a_panic() {
        let keys = PiiKeys::generate();
        for text in [
            "",
            "v1:",
            "v2:AAAA",
            "v1:not base64!",
            "v1:AAAAAAAAAAAAAAAA",
        ] {
            assert_eq!(keys.open(text), Err(SealError::Format), "{text}");
        }
    }

    #[test]
    fn the_blind_index_is_deterministic_hex_and_differs_between_keys() {
        let keys = PiiKeys::generate();
        let index = keys.blind_index("11010519491231002X");
        assert_eq!(index, keys.blind_index("11010519491231002X"));
        assert_eq!(index.len(), 64);
        assert!(index.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
        assert_ne!(index, keys.blind_index("440524188001010014"));
        assert_ne!(index, PiiKeys::generate().blind_index("11010519491231002X"));
    }

    #[test]
    fn the_blind_index_is_standard_hmac_sha256() {
        // RFC 4231 test case 2: key "Jefe"; HMAC zero-pads the key, so "Jefe" followed by
        // 28 zero bytes is the same key.
        let mut keys = PiiKeys::generate();
        keys.index = [0; KEY_LEN];
        keys.index[..4].copy_from_slice(b"Jefe");
        assert_eq!(
            keys.blind_index("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn debug_output_never_shows_the_keys() {
        let keys = PiiKeys::generate();
        let printed = format!("{keys:?}");
        assert_eq!(printed, "PiiKeys { .. }");
    }

    #[test]
    fn from_base64_reads_seal_key_then_index_key() {
        let mut bytes = [0u8; 64];
        bytes[..32].fill(1);
        bytes[32..].fill(2);
        let keys = PiiKeys::from_base64(&format!(" {}\n", STANDARD.encode(bytes))).unwrap();
        assert_eq!(keys.seal, [1; 32]);
        assert_eq!(keys.index, [2; 32]);
    }

    #[test]
    fn from_base64_refuses_a_key_of_the_wrong_length_or_encoding() {
        for len in [0, 32, 63, 65] {
            let text = STANDARD.encode(vec![7u8; len]);
            let err = PiiKeys::from_base64(&text).unwrap_err().to_string();
            assert!(err.contains(&format!("not {len}")), "{err}");
        }
        assert!(PiiKeys::from_base64("not base64!").is_err());
    }

    #[test]
    fn the_first_start_creates_a_key_file_and_later_starts_reuse_it() {
        let dir = TempDir::new();
        let first = PiiKeys::load_or_create(&dir.0).unwrap();
        let second = PiiKeys::load_or_create(&dir.0).unwrap();
        assert!(same_keys(&first, &second));
        let sealed = first.seal("11010519491231002X").unwrap();
        assert_eq!(second.open(&sealed).unwrap(), "11010519491231002X");

        let text = fs::read_to_string(dir.0.join("keys/pii.key")).unwrap();
        assert!(text.ends_with('\n') && text.lines().count() == 1);
        assert_eq!(STANDARD.decode(text.trim()).unwrap().len(), 64);
        let leftovers: Vec<_> = fs::read_dir(dir.0.join("keys")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary files left behind");
    }

    #[cfg(unix)]
    #[test]
    fn the_key_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new();
        PiiKeys::load_or_create(&dir.0).unwrap();
        let mode = |p: PathBuf| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(dir.0.join("keys/pii.key")), 0o600);
        assert_eq!(mode(dir.0.join("keys")), 0o700);
    }

    #[test]
    fn an_existing_key_file_is_used_and_never_replaced() {
        let dir = TempDir::new();
        let existing = PiiKeys::generate();
        fs::create_dir_all(dir.0.join("keys")).unwrap();
        let line = existing.to_key_line().to_string();
        fs::write(dir.0.join("keys/pii.key"), &line).unwrap();

        let loaded = PiiKeys::load_or_create(&dir.0).unwrap();
        assert!(same_keys(&loaded, &existing));
        assert_eq!(
            fs::read_to_string(dir.0.join("keys/pii.key")).unwrap(),
            line
        );
    }

    #[test]
    fn a_corrupt_key_file_is_an_error_and_left_alone() {
        let dir = TempDir::new();
        fs::create_dir_all(dir.0.join("keys")).unwrap();
        fs::write(dir.0.join("keys/pii.key"), "garbage\n").unwrap();
        assert!(PiiKeys::load_or_create(&dir.0).is_err());
        assert_eq!(
            fs::read_to_string(dir.0.join("keys/pii.key")).unwrap(),
            "garbage\n"
        );
    }

    #[test]
    fn instances_starting_together_agree_on_one_key_file() {
        let dir = TempDir::new();
        let keys: Vec<PiiKeys> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| PiiKeys::load_or_create(&dir.0).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(keys.iter().all(|k| same_keys(k, &keys[0])));
        let on_disk = PiiKeys::load_or_create(&dir.0).unwrap();
        assert!(same_keys(&on_disk, &keys[0]));
    }
}
