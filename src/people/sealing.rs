//! PII at rest: the two keys that protect citizen ID numbers, where they live, sealing
//! (AES-256-GCM) and the keyed blind index (HMAC-SHA-256) used for look-up and
//! de-duplication.
//!
//! A sealed value reads `v1:` + base64(nonce ‖ ciphertext ‖ tag) with a fresh random
//! 96-bit nonce each time, so equal values seal differently; the blind index is
//! deterministic, so equal values share one index.

use std::{fmt, path::Path};

use aes_gcm::{Aes256Gcm, KeyInit, aead::Aead};
use anyhow::{Context, bail};
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use rand::{RngCore, rngs::OsRng};
use secrecy::zeroize::{Zeroize, Zeroizing};
use sha2::Sha256;

use crate::private_files;

type HmacSha256 = Hmac<Sha256>;

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// How every sealed value begins; no clear value the registry seals does.
pub const SEALED_PREFIX: &str = "v1:";
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
        let path = data_dir.join(KEYS_DIR).join(KEY_FILE);
        if let Some(text) = private_files::read(&path)? {
            return parse_key_file(&text, &path);
        }
        private_files::create_once(&path, Self::generate().to_key_line().as_bytes())
            .with_context(|| format!("creating PII key file {}", path.display()))?;
        let text = private_files::read(&path)?
            .with_context(|| format!("PII key file {} vanished after creation", path.display()))?;
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
        let blob = self.seal_bytes(plaintext.as_bytes())?;
        Ok(format!("{SEALED_PREFIX}{}", STANDARD.encode(blob)))
    }

    /// Seals bytes (a photo, say) the same way, without the text envelope: nonce ‖
    /// ciphertext ‖ tag under a fresh random nonce.
    pub fn seal_bytes(&self, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher()
            .encrypt(&nonce.into(), plaintext)
            .map_err(|_| SealError::TooLong)?;
        let mut blob = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ciphertext);
        Ok(blob)
    }

    /// Opens a value produced by [`PiiKeys::seal`] with the same keys. Other keys, an
    /// altered byte or a malformed string give an error, never a panic.
    pub fn open(&self, sealed: &str) -> Result<String, SealError> {
        let encoded = sealed
            .strip_prefix(SEALED_PREFIX)
            .ok_or(SealError::Format)?;
        let blob = STANDARD.decode(encoded).map_err(|_| SealError::Format)?;
        String::from_utf8(self.open_bytes(&blob)?).map_err(|_| SealError::Open)
    }

    /// Opens bytes produced by [`PiiKeys::seal_bytes`] with the same keys.
    pub fn open_bytes(&self, blob: &[u8]) -> Result<Vec<u8>, SealError> {
        let (nonce, ciphertext) = blob
            .split_first_chunk::<NONCE_LEN>()
            .filter(|(_, rest)| rest.len() >= TAG_LEN)
            .ok_or(SealError::Format)?;
        self.cipher()
            .decrypt(&(*nonce).into(), ciphertext)
            .map_err(|_| SealError::Open)
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

#[cfg(test)]
#[path = "sealing_tests.rs"]
mod tests;
