//! Ed25519 signing keys for credentials: one key with its key id, its Multikey encodings,
//! and the [`KeyRing`] of the current key and the retired ones, which stay published so
//! credentials signed before a rotation still verify.
//!
//! On disk the ring lives under `<data_dir>/keys/signing/` (see `key_store`): one
//! `<id>.key` per key (base64 of the seed, mode 0600, written once), `current` naming the
//! key that signs, and one `<id>.retired` per retired key. The DID document and
//! [`keys_from_did_document`] live in [`super::did`].

use std::{
    fmt, io,
    path::{Path, PathBuf},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use ed25519_dalek::Signer;
use rand::{RngCore, rngs::OsRng};
use secrecy::{SecretString, zeroize::Zeroizing};
use serde::{Deserialize, Serialize};

pub use super::did::{did_web, keys_from_did_document};
use super::key_store;
use crate::private_files;

const SEED_LEN: usize = 32;
const PUBLIC_PREFIX: [u8; 2] = [0xed, 0x01];
const SECRET_PREFIX: [u8; 2] = [0x80, 0x26];
const MAX_KEY_ID_LEN: usize = 64;

/// Why a key cannot be loaded, stored or decoded. Internal: logged, never shown to users.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A file-system operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A key id that cannot serve as a file name and DID URL fragment.
    #[error("key id {0:?} must be 1–64 ASCII letters, digits, '-', '_' or '.'")]
    InvalidKeyId(String),
    /// Not `z` + base58btc(0x80 0x26 ‖ 32-byte seed).
    #[error("secret key is not a multibase Ed25519 seed")]
    InvalidSecretKey,
    /// Not `z` + base58btc(0xed 0x01 ‖ 32-byte public key), or not a point on the curve.
    #[error("public key is not a multibase Ed25519 public key")]
    InvalidPublicKey,
    /// A key file whose content cannot be read back.
    #[error("key file {} is malformed: {reason}", path.display())]
    KeyFile { path: PathBuf, reason: &'static str },
    /// A DID document without the parts a verifier needs.
    #[error("DID document is malformed: {0}")]
    DidDocument(String),
}

impl From<private_files::Error> for KeyError {
    fn from(e: private_files::Error) -> Self {
        Self::Io {
            action: e.action,
            path: e.path,
            source: e.source,
        }
    }
}

/// An Ed25519 signing key and its id (e.g. `key-2026-11-26-1a2b`). `Debug` shows the id
/// and public key only; the seed is wiped from memory on drop.
pub struct SigningKey {
    /// The key id: a file name and the fragment of the DID URL `<did>#<id>`.
    pub id: String,
    key: ed25519_dalek::SigningKey,
}

impl SigningKey {
    /// The key with this id and 32-byte seed.
    pub fn from_seed(id: impl Into<String>, seed: &[u8; SEED_LEN]) -> Result<Self, KeyError> {
        Ok(Self {
            id: validated_key_id(id.into())?,
            key: ed25519_dalek::SigningKey::from_bytes(seed),
        })
    }

    /// A key from its Multikey secret `z…` (as given in configuration).
    pub fn from_secret_multibase(id: impl Into<String>, secret: &str) -> Result<Self, KeyError> {
        let mut bytes = Zeroizing::new([0u8; SEED_LEN + 2]);
        decode_multibase(secret, &mut bytes).ok_or(KeyError::InvalidSecretKey)?;
        let (prefix, seed) = bytes.split_at(2);
        let seed: &[u8; SEED_LEN] = seed.try_into().map_err(|_| KeyError::InvalidSecretKey)?;
        if prefix != SECRET_PREFIX {
            return Err(KeyError::InvalidSecretKey);
        }
        Self::from_seed(id, seed)
    }

    /// A fresh random key with an id made of `now`'s date and four random hex digits.
    pub fn generate(now: DateTime<Utc>) -> Self {
        let mut seed = Zeroizing::new([0u8; SEED_LEN]);
        OsRng.fill_bytes(&mut seed[..]);
        let id = format!(
            "key-{}-{:04x}",
            now.format("%Y-%m-%d"),
            OsRng.next_u32() & 0xffff
        );
        Self {
            id,
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
        }
    }

    /// The 32-byte Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// `z` + base58btc(0xed 0x01 ‖ public key): the Multikey `publicKeyMultibase`.
    pub fn public_key_multibase(&self) -> String {
        public_key_multibase(&self.public_key())
    }

    /// `z` + base58btc(0x80 0x26 ‖ seed): the Multikey `secretKeyMultibase`.
    pub fn secret_key_multibase(&self) -> SecretString {
        let mut bytes = Zeroizing::new([0u8; SEED_LEN + 2]);
        bytes[..2].copy_from_slice(&SECRET_PREFIX);
        bytes[2..].copy_from_slice(self.key.as_bytes());
        SecretString::from(format!("z{}", bs58::encode(&bytes[..]).into_string()))
    }

    /// The Ed25519 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }

    /// The key file's one line: base64 of the seed and a newline.
    pub(super) fn key_file_line(&self) -> Zeroizing<String> {
        let mut line = Zeroizing::new(String::with_capacity(4 * SEED_LEN.div_ceil(3) + 1));
        STANDARD.encode_string(self.key.as_bytes(), &mut line);
        line.push('\n');
        line
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("id", &self.id)
            .field("public_key_multibase", &self.public_key_multibase())
            .finish_non_exhaustive()
    }
}

/// `z` + base58btc(0xed 0x01 ‖ public key).
pub fn public_key_multibase(public_key: &[u8; 32]) -> String {
    let mut bytes = [0u8; 34];
    bytes[..2].copy_from_slice(&PUBLIC_PREFIX);
    bytes[2..].copy_from_slice(public_key);
    format!("z{}", bs58::encode(bytes).into_string())
}

/// The Ed25519 public key in a Multikey `publicKeyMultibase`, checked to be a valid point.
pub fn decode_public_key_multibase(multibase: &str) -> Result<[u8; 32], KeyError> {
    let mut bytes = [0u8; 34];
    decode_multibase(multibase, &mut bytes).ok_or(KeyError::InvalidPublicKey)?;
    let (prefix, key) = bytes.split_at(2);
    let key: [u8; 32] = key.try_into().map_err(|_| KeyError::InvalidPublicKey)?;
    if prefix != PUBLIC_PREFIX || ed25519_dalek::VerifyingKey::from_bytes(&key).is_err() {
        return Err(KeyError::InvalidPublicKey);
    }
    Ok(key)
}

/// Decodes `z` + base58btc into exactly `out.len()` bytes.
fn decode_multibase<const N: usize>(multibase: &str, out: &mut [u8; N]) -> Option<()> {
    let encoded = multibase.strip_prefix('z')?;
    let written = bs58::decode(encoded).onto(&mut out[..]).ok()?;
    (written == N).then_some(())
}

pub(super) fn validated_key_id(id: String) -> Result<String, KeyError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if id.is_empty() || id.len() > MAX_KEY_ID_LEN || id.starts_with('.') || !id.chars().all(allowed)
    {
        return Err(KeyError::InvalidKeyId(id));
    }
    Ok(id)
}

/// A retired key's public part, kept so credentials it signed still verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyEntry {
    /// The key id.
    pub id: String,
    /// `z` + base58btc(0xed 0x01 ‖ public key).
    pub public_key_multibase: String,
    /// When the key stopped signing.
    pub retired_at: DateTime<Utc>,
}

/// The key that signs now and the retired keys that still verify.
#[derive(Debug)]
pub struct KeyRing {
    current: SigningKey,
    retired: Vec<PublicKeyEntry>,
}

impl KeyRing {
    /// A ring of `current` and the given retired keys.
    pub fn new(current: SigningKey, retired: Vec<PublicKeyEntry>) -> Self {
        Self { current, retired }
    }

    /// A ring of one key given as configuration: its id and Multikey secret `z…`.
    pub fn from_secret_multibase(id: &str, secret: &str) -> Result<Self, KeyError> {
        Ok(Self::new(
            SigningKey::from_secret_multibase(id, secret)?,
            Vec::new(),
        ))
    }

    /// Loads the ring from `<data_dir>/keys/signing/`, creating a first key on first
    /// start. When several processes start at once, every one of them ends up with the
    /// key whose `current` file was published first. Every other `<id>.key` found there
    /// (say, from a crash during a rotation) is published as retired too: a key that may
    /// have signed something is never dropped.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, KeyError> {
        let (current, retired) = key_store::load_or_create(data_dir)?;
        Ok(Self::new(current, retired))
    }

    /// The key that signs.
    pub fn current(&self) -> &SigningKey {
        &self.current
    }

    /// The retired keys, oldest first.
    pub fn retired(&self) -> &[PublicKeyEntry] {
        &self.retired
    }

    /// Makes a fresh key current and keeps the old one's public part as retired, on disk
    /// under `data_dir` and in this ring. Other processes see the change when they next
    /// load the ring; meanwhile their signatures still verify, as the old key stays
    /// published.
    pub fn rotate(&mut self, data_dir: &Path) -> Result<(), KeyError> {
        let (next, entry) = key_store::rotate(data_dir, &self.current)?;
        self.retired.push(entry);
        self.current = next;
        Ok(())
    }

    /// The public key with this key id, current or retired.
    pub fn public_key(&self, id: &str) -> Option<[u8; 32]> {
        if id == self.current.id {
            return Some(self.current.public_key());
        }
        self.retired
            .iter()
            .find(|entry| entry.id == id)
            .and_then(|entry| decode_public_key_multibase(&entry.public_key_multibase).ok())
    }

    /// The verification method of the current key under `did`: `<did>#<key id>`.
    pub fn verification_method(&self, did: &str) -> String {
        format!("{did}#{}", self.current.id)
    }

    /// The public key behind a verification method `<did>#<key id>` of this ring; `None`
    /// for another DID or an unknown key id. Made to be passed to `verify_proof`.
    pub fn resolve(&self, did: &str, verification_method: &str) -> Option<[u8; 32]> {
        let id = verification_method.strip_prefix(did)?.strip_prefix('#')?;
        self.public_key(id)
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn debug_shows_the_id_and_public_key_but_never_the_seed() {
        let key = SigningKey::from_seed("key-2026-11-26-1a2b", &[0xab; 32]).unwrap();
        let debug = format!("{key:?}");
        assert!(debug.contains("key-2026-11-26-1a2b"));
        assert!(debug.contains(&key.public_key_multibase()));
        assert!(!debug.contains(key.secret_key_multibase().expose_secret()));
        assert!(!debug.contains(&"ab".repeat(32)));
        assert!(!debug.contains(STANDARD.encode([0xab; 32]).as_str()));
        assert!(!debug.contains("171, 171"), "no byte list of the seed");
        let ring = KeyRing::new(key, Vec::new());
        assert!(!format!("{ring:?}").contains("171, 171"));
    }

    #[test]
    fn multibase_keys_round_trip_and_wrong_prefixes_are_refused() {
        let key = SigningKey::generate(Utc::now());
        let public = key.public_key_multibase();
        assert!(public.starts_with("z6Mk"), "Ed25519 Multikeys read z6Mk…");
        assert_eq!(
            decode_public_key_multibase(&public).unwrap(),
            key.public_key()
        );
        let secret = key.secret_key_multibase();
        let again = SigningKey::from_secret_multibase("copy", secret.expose_secret()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        assert_eq!(again.sign(b"same"), key.sign(b"same"));

        // A public key is not a secret key and the other way round.
        assert!(SigningKey::from_secret_multibase("x", &public).is_err());
        assert!(decode_public_key_multibase(secret.expose_secret()).is_err());
        for bad in [
            "",
            "z",
            "6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
            "z0OIl",
        ] {
            assert!(decode_public_key_multibase(bad).is_err(), "{bad:?}");
            assert!(
                SigningKey::from_secret_multibase("x", bad).is_err(),
                "{bad:?}"
            );
        }
        // One byte too long.
        let long = format!(
            "z{}",
            bs58::encode([0xed, 0x01, 1, 2].repeat(9)).into_string()
        );
        assert!(decode_public_key_multibase(&long).is_err());
    }

    #[test]
    fn generated_ids_carry_the_date_and_ids_that_are_unsafe_as_file_names_are_refused() {
        let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 26, 8, 0, 0).unwrap();
        let id = SigningKey::generate(now).id;
        assert!(id.starts_with("key-2026-11-26-"), "{id}");
        assert_eq!(id.len(), "key-2026-11-26-1a2b".len());
        for bad in [
            "",
            "../current",
            "a/b",
            ".hidden",
            "a b",
            "键",
            &"k".repeat(65),
        ] {
            assert!(
                matches!(
                    SigningKey::from_seed(bad, &[1; 32]),
                    Err(KeyError::InvalidKeyId(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_ring_finds_current_and_retired_keys_by_id_and_by_method() {
        let old = SigningKey::from_seed("old", &[1; 32]).unwrap();
        let entry = PublicKeyEntry {
            id: "old".into(),
            public_key_multibase: old.public_key_multibase(),
            retired_at: Utc::now(),
        };
        let ring = KeyRing::new(SigningKey::from_seed("new", &[2; 32]).unwrap(), vec![entry]);
        assert_eq!(ring.public_key("old"), Some(old.public_key()));
        assert_eq!(ring.public_key("new"), Some(ring.current().public_key()));
        assert_eq!(ring.public_key("none"), None);
        let did = "did:web:reg.example.cn";
        assert_eq!(ring.verification_method(did), "did:web:reg.example.cn#new");
        assert_eq!(
            ring.resolve(did, "did:web:reg.example.cn#old"),
            Some(old.public_key())
        );
        assert_eq!(ring.resolve(did, "did:web:elsewhere.cn#old"), None);
        assert_eq!(ring.resolve(did, "did:web:reg.example.cnold"), None);
    }
}
