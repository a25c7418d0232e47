//! Signing end to end: the published `eddsa-jcs-2022` test vector byte for byte, tamper
//! detection over every field, verification with retired keys, and a Chinese Open Badges
//! credential signed and verified.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use super::super::*;
use super::open_badges::sample_input;

const SEED_HEX: &str = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6";
const PUBLIC_HEX: &str = "b00d8d938e7f773d51565aad36a623f5344f7f5d1960f9cf3e8e12620ea2810f";
const PUBLIC_MULTIBASE: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
const SECRET_MULTIBASE: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";
const VERIFICATION_METHOD: &str = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
const CANONICAL_DOCUMENT: &str = r#"{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"credentialSubject":{"alumniOf":"The School of Examples","id":"did:example:abcdefgh"},"description":"A minimum viable example of an Alumni Credential.","id":"urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33","issuer":"https://vc.example/issuers/5678","name":"Alumni Credential","type":["VerifiableCredential","AlumniCredential"],"validFrom":"2023-01-01T00:00:00Z"}"#;

fn vector_key() -> SigningKey {
    let seed: [u8; 32] = hex::decode(SEED_HEX).unwrap().try_into().unwrap();
    SigningKey::from_seed("vector", &seed).unwrap()
}

pub(super) fn vector_document() -> Value {
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2"
        ],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "name": "Alumni Credential",
        "description": "A minimum viable example of an Alumni Credential.",
        "issuer": "https://vc.example/issuers/5678",
        "validFrom": "2023-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}
    })
}

fn vector_created() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2023, 2, 24, 23, 36, 38).unwrap()
}

fn vector_resolver(method: &str) -> Option<[u8; 32]> {
    (method == VERIFICATION_METHOD).then(|| hex::decode(PUBLIC_HEX).unwrap().try_into().unwrap())
}

#[test]
fn the_test_vector_key_has_the_published_multikey_encodings() {
    let key = vector_key();
    assert_eq!(hex::encode(key.public_key()), PUBLIC_HEX);
    assert_eq!(key.public_key_multibase(), PUBLIC_MULTIBASE);
    use secrecy::ExposeSecret;
    assert_eq!(key.secret_key_multibase().expose_secret(), SECRET_MULTIBASE);
    let again = SigningKey::from_secret_multibase("vector", SECRET_MULTIBASE).unwrap();
    assert_eq!(again.public_key(), key.public_key());
}

#[test]
fn the_test_vector_is_reproduced_byte_for_byte() {
    let document = vector_document();
    let canonical = canonicalize(&document).unwrap();
    assert_eq!(
        String::from_utf8(canonical.clone()).unwrap(),
        CANONICAL_DOCUMENT
    );
    assert_eq!(
        sha256_hex(&canonical),
        "59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19"
    );

    let signed = add_proof(
        &document,
        &vector_key(),
        VERIFICATION_METHOD,
        vector_created(),
    )
    .unwrap();
    let mut options = signed["proof"].clone();
    let proof_value = options["proofValue"].as_str().unwrap().to_owned();
    options.as_object_mut().unwrap().remove("proofValue");
    assert_eq!(
        options,
        json!({
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-jcs-2022",
            "created": "2023-02-24T23:36:38Z",
            "verificationMethod": VERIFICATION_METHOD,
            "proofPurpose": "assertionMethod",
            "@context": document["@context"]
        })
    );
    assert_eq!(
        sha256_hex(&canonicalize(&options).unwrap()),
        "66ab154f5c2890a140cb8388a22a160454f80575f6eae09e5a097cabe539a1db"
    );
    let signature = bs58::decode(&proof_value[1..]).into_vec().unwrap();
    assert_eq!(
        hex::encode(signature),
        "407cd12654b33d718ecbb99179a1506daaa849450bf3fc523cce3e1c96f8b80351da3f253d725c6f00b07c9e5448d50b3ef78012b9ab54255116d069c6dd2808"
    );
    assert_eq!(
        proof_value,
        "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"
    );
    let verified = verify_proof(&signed, vector_resolver).unwrap();
    assert_eq!(verified.verification_method, VERIFICATION_METHOD);
    assert_eq!(verified.created, vector_created());
}

/// JSON pointers of every leaf (string, number, boolean, null, empty container).
fn leaves(value: &Value, pointer: String, out: &mut Vec<String>) {
    let escape = |key: &str| key.replace('~', "~0").replace('/', "~1");
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                leaves(child, format!("{pointer}/{}", escape(key)), out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (index, child) in items.iter().enumerate() {
                leaves(child, format!("{pointer}/{index}"), out);
            }
        }
        _ => out.push(pointer),
    }
}

fn mutated(value: &Value) -> Value {
    match value {
        Value::String(text) => Value::String(format!("{text}x")),
        Value::Bool(flag) => Value::Bool(!flag),
        Value::Number(n) => json!(n.as_i64().unwrap_or(0) + 1),
        _ => json!("x"),
    }
}

/// Changes each leaf in turn, then removes each object member in turn, and checks that
/// every such copy fails verification while the original passes.
fn assert_every_change_is_detected(signed: &Value, resolve: &dyn Fn(&str) -> Option<[u8; 32]>) {
    verify_proof(signed, resolve).unwrap();
    let mut pointers = Vec::new();
    leaves(signed, String::new(), &mut pointers);
    assert!(pointers.contains(&"/proof/created".to_owned()));
    assert!(pointers.contains(&"/proof/verificationMethod".to_owned()));
    for pointer in &pointers {
        let mut copy = signed.clone();
        let leaf = copy.pointer_mut(pointer).unwrap();
        *leaf = mutated(leaf);
        assert!(
            verify_proof(&copy, resolve).is_err(),
            "change at {pointer} not detected"
        );
    }
    for pointer in pointers
        .iter()
        .filter(|p| !p.ends_with(|c: char| c.is_ascii_digit()))
    {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let mut copy = signed.clone();
        copy.pointer_mut(parent)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove(key);
        assert!(
            verify_proof(&copy, resolve).is_err(),
            "removal of {pointer} not detected"
        );
    }
    let mut extended = signed.clone();
    extended["extra"] = json!("added");
    assert!(
        verify_proof(&extended, resolve).is_err(),
        "added member not detected"
    );
}

#[test]
fn changing_any_field_of_the_test_vector_breaks_the_signature() {
    let signed = add_proof(
        &vector_document(),
        &vector_key(),
        VERIFICATION_METHOD,
        vector_created(),
    )
    .unwrap();
    assert_every_change_is_detected(&signed, &vector_resolver);
}

#[test]
fn credentials_signed_by_a_retired_key_still_verify() {
    let did = "did:web:reg.example.cn";
    let old = SigningKey::from_seed("key-2025-06-01-0a0b", &[7; 32]).unwrap();
    let signed = add_proof(
        &vector_document(),
        &old,
        &format!("{did}#{}", old.id),
        vector_created(),
    )
    .unwrap();
    let retired = PublicKeyEntry {
        id: old.id.clone(),
        public_key_multibase: old.public_key_multibase(),
        retired_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    };
    let ring = KeyRing::new(
        SigningKey::from_seed("key-2026-01-01-0c0d", &[8; 32]).unwrap(),
        vec![retired],
    );
    let verified = verify_proof(&signed, |m| ring.resolve(did, m)).unwrap();
    assert_eq!(
        verified.verification_method,
        format!("{did}#key-2025-06-01-0a0b")
    );

    // Offline, against the published DID document, the same holds.
    let published = keys_from_did_document(&ring.did_document(did)).unwrap();
    let offline = |m: &str| {
        published
            .iter()
            .find(|(id, _)| id == m)
            .map(|(_, key)| *key)
    };
    assert!(verify_proof(&signed, offline).is_ok());

    // A ring that never knew the key reports it as unknown.
    let stranger = KeyRing::new(
        SigningKey::from_seed("other", &[9; 32]).unwrap(),
        Vec::new(),
    );
    assert_eq!(
        verify_proof(&signed, |m| stranger.resolve(did, m)),
        Err(ProofError::UnknownKey(format!("{did}#key-2025-06-01-0a0b")))
    );
}

#[test]
fn a_signature_by_another_key_under_a_known_method_is_bad() {
    let impostor = SigningKey::from_seed("vector", &[5; 32]).unwrap();
    let signed = add_proof(
        &vector_document(),
        &impostor,
        VERIFICATION_METHOD,
        vector_created(),
    )
    .unwrap();
    assert_eq!(
        verify_proof(&signed, vector_resolver),
        Err(ProofError::BadSignature)
    );
}

#[test]
fn a_chinese_open_badges_credential_round_trips_and_detects_every_change() {
    let input = sample_input();
    let ring = KeyRing::new(
        SigningKey::from_seed("key-2026-11-26-1a2b", &[4; 32]).unwrap(),
        Vec::new(),
    );
    let did = &input.issuer.id;
    let document = build(&input);
    let signed = add_proof(
        &document,
        ring.current(),
        &ring.verification_method(did),
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0).unwrap(),
    )
    .unwrap();
    let canonical = String::from_utf8(canonicalize(&signed).unwrap()).unwrap();
    assert!(
        canonical.contains("职业技能等级证书 · 中式面点师"),
        "Chinese stays raw UTF-8"
    );
    let verified = verify_proof(&signed, |m| ring.resolve(did, m)).unwrap();
    assert_eq!(
        verified.verification_method,
        "did:web:reg.example.cn#key-2026-11-26-1a2b"
    );
    assert_every_change_is_detected(&signed, &|m| ring.resolve(did, m));
}
