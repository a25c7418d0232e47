//! Tests of PII sealing, blind indexes and key files.

use std::{fs, path::PathBuf};

use super::*;
use crate::private_files::TempDir;

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
    let dir = TempDir::new("pii-keys-test");
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
    let dir = TempDir::new("pii-keys-test");
    PiiKeys::load_or_create(&dir.0).unwrap();
    let mode = |p: PathBuf| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(dir.0.join("keys/pii.key")), 0o600);
    assert_eq!(mode(dir.0.join("keys")), 0o700);
}

#[test]
fn an_existing_key_file_is_used_and_never_replaced() {
    let dir = TempDir::new("pii-keys-test");
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
    let dir = TempDir::new("pii-keys-test");
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
    let dir = TempDir::new("pii-keys-test");
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
