//! The proof functions on their own: what is written, and each kind of failure reported
//! as such with a Chinese message.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::super::rdfc::RdfcError;
use super::super::*;

const METHOD: &str = "did:web:reg.example.cn#k1";

fn key() -> SigningKey {
    SigningKey::from_seed("k1", &[3; 32]).unwrap()
}

fn signed() -> Value {
    let document = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://example.cn/v1"],
        "id": "urn:uuid:1",
        "name": "结业证书"
    });
    let created = Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap();
    add_proof(&document, &key(), METHOD, created).unwrap()
}

fn resolve(method: &str) -> Option<[u8; 32]> {
    (method == METHOD).then(|| key().public_key())
}

fn verify_with(edit: impl FnOnce(&mut Value)) -> Result<VerifiedProof, ProofError> {
    let mut document = signed();
    edit(&mut document);
    verify_proof(&document, resolve)
}

#[test]
fn created_is_written_without_fractional_seconds() {
    let at =
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap() + chrono::Duration::milliseconds(678);
    assert_eq!(xml_datetime(at), "2026-01-02T03:04:05Z");
    let document = add_proof(&json!({"a": 1}), &key(), METHOD, at).unwrap();
    assert_eq!(document["proof"]["created"], "2026-01-02T03:04:05Z");
    assert!(
        document["proof"].get("@context").is_none(),
        "no @context to copy"
    );
    assert!(verify_proof(&document, resolve).is_ok());
}

#[test]
fn each_kind_of_failure_is_reported_as_such() {
    assert_eq!(
        verify_with(|d| drop(d.as_object_mut().unwrap().remove("proof"))),
        Err(ProofError::Missing)
    );
    assert_eq!(
        verify_with(|d| d["proof"]["cryptosuite"] = json!("eddsa-2022")),
        Err(ProofError::WrongCryptosuite)
    );
    assert_eq!(
        verify_with(|d| d["proof"]["cryptosuite"] = json!("eddsa-rdfc-2022")),
        Err(ProofError::Rdfc(RdfcError::UnknownContext(
            "https://example.cn/v1".into()
        )))
    );
    assert_eq!(
        verify_with(|d| d["proof"]["type"] = json!("Ed25519Signature2020")),
        Err(ProofError::WrongCryptosuite)
    );
    assert_eq!(
        verify_with(|d| d["@context"] = json!(["https://www.w3.org/ns/credentials/v2"])),
        Err(ProofError::ContextMismatch)
    );
    assert_eq!(
        verify_with(|d| d["proof"]["verificationMethod"] = json!("did:web:x.cn#k1")),
        Err(ProofError::UnknownKey("did:web:x.cn#k1".into()))
    );
    assert!(matches!(
        verify_with(|d| d["proof"]["proofValue"] = json!("u2HnFSSPP")),
        Err(ProofError::Malformed(_))
    ));
    assert!(matches!(
        verify_with(|d| d["proof"]["proofPurpose"] = json!("authentication")),
        Err(ProofError::Malformed(_))
    ));
    assert!(matches!(
        verify_with(|d| d["proof"]["created"] = json!("yesterday")),
        Err(ProofError::Malformed(_))
    ));
    assert_eq!(
        verify_with(|d| d["name"] = json!("结业证书 ")),
        Err(ProofError::BadSignature)
    );
    assert!(matches!(
        verify_proof(&json!([1]), resolve),
        Err(ProofError::Malformed(_))
    ));
}

#[test]
fn a_single_proof_in_a_list_is_accepted_and_a_second_signature_is_refused() {
    let mut document = signed();
    let proof = document["proof"].take();
    document["proof"] = json!([proof]);
    assert!(verify_proof(&document, resolve).is_ok());
    let created = Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap();
    assert!(matches!(
        add_proof(&signed(), &key(), METHOD, created),
        Err(ProofError::Malformed(_))
    ));
}

#[test]
fn every_error_has_a_chinese_message_and_a_reason_code() {
    let errors = [
        ProofError::Missing,
        ProofError::Malformed("x"),
        ProofError::WrongCryptosuite,
        ProofError::ContextMismatch,
        ProofError::UnknownKey(METHOD.into()),
        ProofError::BadSignature,
        ProofError::Rdfc(RdfcError::UnknownContext("https://example.cn/v1".into())),
        ProofError::Rdfc(RdfcError::ContextShape),
        ProofError::Rdfc(RdfcError::TooComplex("x".into())),
    ];
    for error in &errors {
        assert!(
            error
                .message()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        );
        assert!(!error.reason().is_empty());
    }
    assert!(
        ProofError::UnknownKey(METHOD.into())
            .message()
            .contains(METHOD)
    );
}
