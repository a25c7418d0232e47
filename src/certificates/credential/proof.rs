//! Data Integrity proofs (W3C, 2025) with two EdDSA cryptosuites over Ed25519:
//! `eddsa-jcs-2022` signs SHA-256(JCS(proof options)) ‖ SHA-256(JCS(document)), and
//! `eddsa-rdfc-2022` signs SHA-256(RDFC(proof options)) ‖ SHA-256(RDFC(document)), the
//! canonical N-Quads of each read as JSON-LD ([`super::rdfc`]). [`add_proofs`] signs a
//! document with a proof set (one proof per cryptosuite, each over the document without
//! proofs), [`verify_proof`] checks every proof a document carries against a key
//! resolver.

use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::jcs::canonicalize;
use super::keys::SigningKey;
use super::rdfc::{RdfcError, canonical_nquads};

const PROOF_TYPE: &str = "DataIntegrityProof";
const PROOF_PURPOSE: &str = "assertionMethod";
/// A proof set longer than this is refused unread (the registry makes two).
const MAX_PROOFS: usize = 4;

/// The cryptosuites the registry signs and verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cryptosuite {
    /// JSON Canonicalization (RFC 8785): simple, and checkable without JSON-LD.
    EddsaJcs2022,
    /// RDF Dataset Canonicalization: what 1EdTech's conformance and the DCC wallet take.
    EddsaRdfc2022,
}

impl Cryptosuite {
    /// Both, in the order the proof set lists them.
    pub const ALL: [Self; 2] = [Self::EddsaJcs2022, Self::EddsaRdfc2022];

    /// The suite's registered name.
    pub fn name(self) -> &'static str {
        match self {
            Self::EddsaJcs2022 => "eddsa-jcs-2022",
            Self::EddsaRdfc2022 => "eddsa-rdfc-2022",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|suite| suite.name() == name)
    }
}

/// Why a proof cannot be made or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The document carries no `proof`.
    #[error("the document has no proof")]
    Missing,
    /// The document or its proof is not shaped as the cryptosuite requires; the reason
    /// names what is wrong.
    #[error("malformed document or proof: {0}")]
    Malformed(&'static str),
    /// A proof is not a `DataIntegrityProof` of `eddsa-jcs-2022` or `eddsa-rdfc-2022`.
    #[error(
        "the proof is not a DataIntegrityProof with cryptosuite eddsa-jcs-2022 or eddsa-rdfc-2022"
    )]
    WrongCryptosuite,
    /// The document has no RDF canonical form here: it names a context the registry
    /// does not ship, or cannot be read as JSON-LD.
    #[error("no canonical RDF form: {0}")]
    Rdfc(RdfcError),
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
            Self::Rdfc(RdfcError::UnknownContext(_) | RdfcError::ContextShape) => "unknown_context",
            Self::Rdfc(_) => "not_canonicalizable",
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
                "凭证的签名方式不受支持（应为 DataIntegrityProof / eddsa-jcs-2022 或 eddsa-rdfc-2022）"
                    .into()
            }
            Self::Rdfc(RdfcError::UnknownContext(url)) => {
                format!("凭证引用了本系统不认可的 JSON-LD 上下文 {url}，无法校验")
            }
            Self::Rdfc(RdfcError::ContextShape) => {
                "凭证的 @context 应为本系统认可的上下文地址列表".into()
            }
            Self::Rdfc(_) => "凭证无法按 JSON-LD 规范化为 RDF，无法校验其签名".into(),
            Self::ContextMismatch => "数字签名的 @context 与凭证不一致，凭证可能被改动".into(),
            Self::UnknownKey(method) => format!("签名密钥 {method} 不是本系统发布的密钥"),
            Self::BadSignature => "数字签名校验失败：凭证内容已被改动，或并非由本系统签发".into(),
        }
    }
}

/// What the valid proofs of a document say about who signed and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// The verification method (`<did>#<key id>`) whose key made the (first) signature.
    pub verification_method: String,
    /// When the (first) proof was created.
    pub created: DateTime<Utc>,
    /// The cryptosuite of every proof checked, in the document's order.
    pub cryptosuites: Vec<Cryptosuite>,
}

impl VerifiedProof {
    /// The suites checked, by name, joined for people: `eddsa-jcs-2022 + eddsa-rdfc-2022`.
    pub fn suites_label(&self) -> String {
        self.cryptosuites
            .iter()
            .map(|suite| suite.name())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// The verification method of a document's (first) proof, whether `proof` is one object
/// or a set.
pub fn verification_method_of(document: &Value) -> Option<&str> {
    let proof = match &document["proof"] {
        Value::Array(proofs) => proofs.first()?,
        one => one,
    };
    proof["verificationMethod"].as_str()
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
/// created at `created` (whole seconds). See [`add_proofs`].
pub fn add_proof(
    document: &Value,
    key: &SigningKey,
    verification_method: &str,
    created: DateTime<Utc>,
) -> Result<Value, ProofError> {
    add_proofs(
        document,
        key,
        verification_method,
        created,
        &[Cryptosuite::EddsaJcs2022],
    )
}

/// The document with a proof set: one proof of each of `suites` by `key` under
/// `verification_method`, created at `created` (whole seconds), each over the document
/// without proofs. One suite gives `proof` as an object, more as a list. A JCS proof
/// carries the document's `@context` (as the cryptosuite's test vector does); an RDFC
/// proof does not (its configuration takes the document's when canonicalized). A
/// document that already has a proof is refused rather than signed over it.
pub fn add_proofs(
    document: &Value,
    key: &SigningKey,
    verification_method: &str,
    created: DateTime<Utc>,
    suites: &[Cryptosuite],
) -> Result<Value, ProofError> {
    let unsecured = document
        .as_object()
        .ok_or(ProofError::Malformed("the document is not a JSON object"))?;
    if unsecured.contains_key("proof") {
        return Err(ProofError::Malformed("the document already has a proof"));
    }
    let mut proofs = Vec::with_capacity(suites.len());
    for &suite in suites {
        let mut proof = Map::new();
        proof.insert("type".into(), PROOF_TYPE.into());
        proof.insert("cryptosuite".into(), suite.name().into());
        proof.insert("created".into(), xml_datetime(created).into());
        proof.insert("verificationMethod".into(), verification_method.into());
        proof.insert("proofPurpose".into(), PROOF_PURPOSE.into());
        if let (Cryptosuite::EddsaJcs2022, Some(context)) = (suite, unsecured.get("@context")) {
            proof.insert("@context".into(), context.clone());
        }
        let hash_data = hash_data(suite, &proof, unsecured)?;
        let signature = key.sign(&hash_data);
        proof.insert(
            "proofValue".into(),
            format!("z{}", bs58::encode(signature).into_string()).into(),
        );
        proofs.push(Value::Object(proof));
    }
    let mut secured = unsecured.clone();
    let proof = match proofs.len() {
        1 => proofs.remove(0),
        _ => Value::Array(proofs),
    };
    secured.insert("proof".into(), proof);
    Ok(Value::Object(secured))
}

/// Checks every proof the document carries (one, or a set of at most four), each of
/// `eddsa-jcs-2022` or `eddsa-rdfc-2022`; `resolve` maps a verification method to an
/// Ed25519 public key (current and retired keys alike). Any change to the document or
/// to a proof's options after signing makes this fail, and so does one broken proof
/// beside a valid one: a set is valid only whole.
pub fn verify_proof(
    document: &Value,
    resolve: impl Fn(&str) -> Option<[u8; 32]>,
) -> Result<VerifiedProof, ProofError> {
    let mut unsecured = document
        .as_object()
        .ok_or(ProofError::Malformed("the document is not a JSON object"))?
        .clone();
    let proofs = match unsecured.remove("proof") {
        None => return Err(ProofError::Missing),
        Some(Value::Object(proof)) => vec![proof],
        Some(Value::Array(proofs)) if !proofs.is_empty() && proofs.len() <= MAX_PROOFS => proofs
            .into_iter()
            .map(|proof| match proof {
                Value::Object(proof) => Ok(proof),
                _ => Err(ProofError::Malformed("a proof is not a JSON object")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(ProofError::Malformed(
                "expected a proof object or a list of one to four",
            ));
        }
    };
    let mut verified: Option<VerifiedProof> = None;
    for proof in proofs {
        let (suite, method, created) = verify_one(proof, &unsecured, &resolve)?;
        match &mut verified {
            Some(so_far) => so_far.cryptosuites.push(suite),
            None => {
                verified = Some(VerifiedProof {
                    verification_method: method,
                    created,
                    cryptosuites: vec![suite],
                })
            }
        }
    }
    verified.ok_or(ProofError::Missing)
}

fn verify_one(
    mut proof: Map<String, Value>,
    unsecured: &Map<String, Value>,
    resolve: &impl Fn(&str) -> Option<[u8; 32]>,
) -> Result<(Cryptosuite, String, DateTime<Utc>), ProofError> {
    let suite = match (text(&proof, "type"), text(&proof, "cryptosuite")) {
        (Some(PROOF_TYPE), Some(name)) => {
            Cryptosuite::from_name(name).ok_or(ProofError::WrongCryptosuite)?
        }
        _ => return Err(ProofError::WrongCryptosuite),
    };
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
    let hash_data = hash_data(suite, &proof, unsecured)?;
    key.verify_strict(&hash_data, &signature)
        .map_err(|_| ProofError::BadSignature)?;
    Ok((suite, verification_method, created))
}

/// The signed bytes: SHA-256 of the canonical proof configuration ‖ SHA-256 of the
/// canonical unsecured document, canonical by JCS or by RDFC as the suite says. For RDFC
/// the configuration takes the document's `@context`.
fn hash_data(
    suite: Cryptosuite,
    proof: &Map<String, Value>,
    unsecured: &Map<String, Value>,
) -> Result<[u8; 64], ProofError> {
    let (config, document) = match suite {
        Cryptosuite::EddsaJcs2022 => {
            let jcs = |map: &Map<String, Value>| {
                canonicalize(&Value::Object(map.clone()))
                    .map_err(|_| ProofError::Malformed("a value has no canonical JSON form"))
            };
            (jcs(proof)?, jcs(unsecured)?)
        }
        Cryptosuite::EddsaRdfc2022 => return rdfc_hash_data(proof, unsecured, canonical_nquads),
    };
    Ok(concat_digests(&config, &document))
}

/// The `eddsa-rdfc-2022` signed bytes, canonicalizing with `canon`: the proof
/// configuration takes the document's `@context`.
pub(super) fn rdfc_hash_data(
    proof: &Map<String, Value>,
    unsecured: &Map<String, Value>,
    canon: impl Fn(&Value) -> Result<String, RdfcError>,
) -> Result<[u8; 64], ProofError> {
    let mut config = proof.clone();
    match unsecured.get("@context") {
        Some(context) => config.insert("@context".into(), context.clone()),
        None => return Err(ProofError::Rdfc(RdfcError::ContextShape)),
    };
    let config = canon(&Value::Object(config)).map_err(ProofError::Rdfc)?;
    let document = canon(&Value::Object(unsecured.clone())).map_err(ProofError::Rdfc)?;
    Ok(concat_digests(config.as_bytes(), document.as_bytes()))
}

/// SHA-256(`config`) ‖ SHA-256(`document`).
fn concat_digests(config: &[u8], document: &[u8]) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&Sha256::digest(config));
    out[32..].copy_from_slice(&Sha256::digest(document));
    out
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
