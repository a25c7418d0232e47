//! Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite (W3C, 2025): Ed25519 over
//! SHA-256(JCS(proof options)) ‖ SHA-256(JCS(document without proof)). [`add_proof`]
//! signs a document, [`verify_proof`] checks one against a key resolver.

use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::jcs::canonicalize;
use super::keys::SigningKey;

const PROOF_TYPE: &str = "DataIntegrityProof";
const CRYPTOSUITE: &str = "eddsa-jcs-2022";
const PROOF_PURPOSE: &str = "assertionMethod";

/// Why a proof cannot be made or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The document carries no `proof`.
    #[error("the document has no proof")]
    Missing,
    /// The document or its proof is not shaped as `eddsa-jcs-2022` requires; the reason
    /// names what is wrong.
    #[error("malformed document or proof: {0}")]
    Malformed(&'static str),
    /// The proof is not a `DataIntegrityProof` of the `eddsa-jcs-2022` cryptosuite.
    #[error("the proof is not a DataIntegrityProof with cryptosuite eddsa-jcs-2022")]
    WrongCryptosuite,
    /// The document's `@context` does not start with the proof's `@context`.
    #[error("the proof's @context is not a prefix of the document's @context")]
    ContextMismatch,
    /// The resolver knows no key for this verification method.
    #[error("unknown verification method {0}")]
    UnknownKey(String),
    /// The signature does not match: the document or its proof has been altered, or it
    /// was signed by another key.
    #[error("the signature does not match the document")]
    BadSignature,
}

impl ProofError {
    /// Stable reason code for API errors.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Malformed(_) => "malformed",
            Self::WrongCryptosuite => "wrong_cryptosuite",
            Self::ContextMismatch => "context_mismatch",
            Self::UnknownKey(_) => "unknown_key",
            Self::BadSignature => "bad_signature",
        }
    }

    /// The explanation shown to users.
    pub fn message(&self) -> String {
        match self {
            Self::Missing => "凭证没有数字签名".into(),
            Self::Malformed(_) => "凭证或其数字签名的格式不正确".into(),
            Self::WrongCryptosuite => {
                "凭证的签名方式不受支持（应为 DataIntegrityProof / eddsa-jcs-2022）".into()
            }
            Self::ContextMismatch => "数字签名的 @context 与凭证不一致，凭证可能被改动".into(),
            Self::UnknownKey(method) => format!("签名密钥 {method} 不是本系统发布的密钥"),
            Self::BadSignature => "数字签名校验失败：凭证内容已被改动，或并非由本系统签发".into(),
        }
    }
}

/// What a valid proof says about who signed and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// The verification method (`<did>#<key id>`) whose key made the signature.
    pub verification_method: String,
    /// When the proof was created.
    pub created: DateTime<Utc>,
}

/// An XML Schema `dateTime` in UTC without fractional seconds: `2023-02-24T23:36:38Z`.
pub fn xml_datetime(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Lower-case hex of the SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The document with an `eddsa-jcs-2022` proof by `key` under `verification_method`,
/// created at `created` (whole seconds). The proof's `@context` is the document's. A
/// document that already has a proof is refused rather than signed over it.
pub fn add_proof(
    document: &Value,
    key: &SigningKey,
    verification_method: &str,
    created: DateTime<Utc>,
) -> Result<Value, ProofError> {
    let unsecured = document
        .as_object()
        .ok_or(ProofError::Malformed("the document is not a JSON object"))?;
    if unsecured.contains_key("proof") {
        return Err(ProofError::Malformed("the document already has a proof"));
    }
    let mut proof = Map::new();
    proof.insert("type".into(), PROOF_TYPE.into());
    proof.insert("cryptosuite".into(), CRYPTOSUITE.into());
    proof.insert("created".into(), xml_datetime(created).into());
    proof.insert("verificationMethod".into(), verification_method.into());
    proof.insert("proofPurpose".into(), PROOF_PURPOSE.into());
    if let Some(context) = unsecured.get("@context") {
        proof.insert("@context".into(), context.clone());
    }
    let hash_data = hash_data(&proof, unsecured)?;
    let signature = key.sign(&hash_data);
    proof.insert(
        "proofValue".into(),
        format!("z{}", bs58::encode(signature).into_string()).into(),
    );
    let mut secured = unsecured.clone();
    secured.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(secured))
}

/// Checks the document's `eddsa-jcs-2022` proof; `resolve` maps its verification method
/// to an Ed25519 public key (current and retired keys alike). Any change to the document
/// or to the proof options after signing makes this fail.
pub fn verify_proof(
    document: &Value,
    resolve: impl Fn(&str) -> Option<[u8; 32]>,
) -> Result<VerifiedProof, ProofError> {
    let mut unsecured = document
        .as_object()
        .ok_or(ProofError::Malformed("the document is not a JSON object"))?
        .clone();
    let mut proof = match unsecured.remove("proof") {
        None => return Err(ProofError::Missing),
        Some(Value::Object(proof)) => proof,
        Some(Value::Array(mut proofs)) if proofs.len() == 1 => match proofs.pop() {
            Some(Value::Object(proof)) => proof,
            _ => return Err(ProofError::Malformed("the proof is not a JSON object")),
        },
        Some(_) => return Err(ProofError::Malformed("expected exactly one proof object")),
    };
    if text(&proof, "type") != Some(PROOF_TYPE) || text(&proof, "cryptosuite") != Some(CRYPTOSUITE)
    {
        return Err(ProofError::WrongCryptosuite);
    }
    if text(&proof, "proofPurpose") != Some(PROOF_PURPOSE) {
        return Err(ProofError::Malformed(
            "the proof purpose is not assertionMethod",
        ));
    }
    let signature = match proof.remove("proofValue") {
        Some(Value::String(value)) => decode_signature(&value)?,
        _ => return Err(ProofError::Malformed("the proof has no proofValue")),
    };
    let created = text(&proof, "created")
        .and_then(|created| DateTime::parse_from_rfc3339(created).ok())
        .ok_or(ProofError::Malformed("the proof has no valid created time"))?
        .with_timezone(&Utc);
    if let Some(proof_context) = proof.get("@context") {
        check_context(proof_context, unsecured.get("@context"))?;
    }
    let verification_method = text(&proof, "verificationMethod")
        .ok_or(ProofError::Malformed("the proof has no verificationMethod"))?
        .to_owned();
    let public_key = resolve(&verification_method)
        .ok_or_else(|| ProofError::UnknownKey(verification_method.clone()))?;
    let key = VerifyingKey::from_bytes(&public_key).map_err(|_| ProofError::BadSignature)?;
    let hash_data = hash_data(&proof, &unsecured)?;
    key.verify_strict(&hash_data, &signature)
        .map_err(|_| ProofError::BadSignature)?;
    Ok(VerifiedProof {
        verification_method,
        created,
    })
}

/// SHA-256(JCS(proof options)) ‖ SHA-256(JCS(unsecured document)): the signed bytes.
fn hash_data(
    proof: &Map<String, Value>,
    unsecured: &Map<String, Value>,
) -> Result<[u8; 64], ProofError> {
    let jcs = |map: &Map<String, Value>| {
        canonicalize(&Value::Object(map.clone()))
            .map_err(|_| ProofError::Malformed("a value has no canonical JSON form"))
    };
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&Sha256::digest(jcs(proof)?));
    out[32..].copy_from_slice(&Sha256::digest(jcs(unsecured)?));
    Ok(out)
}

fn text<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

fn decode_signature(proof_value: &str) -> Result<Signature, ProofError> {
    let malformed = ProofError::Malformed("the proofValue is not z + base58btc of 64 bytes");
    let encoded = proof_value.strip_prefix('z').ok_or(malformed.clone())?;
    let mut bytes = [0u8; 64];
    match bs58::decode(encoded).onto(&mut bytes[..]) {
        Ok(64) => Ok(Signature::from_bytes(&bytes)),
        _ => Err(malformed),
    }
}

/// The document's `@context` must start with the proof's (each taken as a list).
fn check_context(
    proof_context: &Value,
    document_context: Option<&Value>,
) -> Result<(), ProofError> {
    let as_list = |value: &Value| match value {
        Value::Array(items) => items.clone(),
        single => vec![single.clone()],
    };
    let proof_list = as_list(proof_context);
    let document_list = document_context.map(as_list).unwrap_or_default();
    if document_list.starts_with(&proof_list) {
        Ok(())
    } else {
        Err(ProofError::ContextMismatch)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

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
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
            + chrono::Duration::milliseconds(678);
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
            verify_with(|d| d["proof"]["cryptosuite"] = json!("eddsa-rdfc-2022")),
            Err(ProofError::WrongCryptosuite)
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
}
