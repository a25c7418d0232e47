//! The Open Badges 3.0 `OpenBadgeCredential` (a W3C VC 2.0) of one certificate, built
//! from plain data. Only terms defined by the VC 2.0 and OB 3.0 (`context-3.0.3.json`)
//! contexts are used, no number appears anywhere, and the holder is identified by a
//! salted SHA-256 of the citizen ID (an OB `IdentityObject`), never by the ID or the
//! full name.
//!
//! Where things go: the certificate number in the credential `description` (and in
//! `credentialSubject.licenseNumber` for licences); the occupation and the pinned
//! standard version as `achievement.alignment`; a level as an
//! `achievement.resultDescription` with a rubric level, asserted by
//! `credentialSubject.result`; an assessing body other than the issuer as
//! `credentialSubject.source`; revocation and suspension as `credentialStatus`; a medal
//! naming the kind and the issuer as `achievement.image` ([`super::badge_image`]).

use chrono::{DateTime, Utc};
use rand::{RngCore, rngs::OsRng};
use serde_json::{Value, json};

use super::badge_image;
use super::proof::{sha256_hex, xml_datetime};
use crate::programs::CertificateKind;

const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// Extension term for what the registry hashes: not the citizen ID itself (18 digits
/// with little entropy, which anyone holding the salt could brute-force) but its keyed
/// blind index (HMAC-SHA-256 under the registry's secret key). Only the registry can
/// therefore confirm a holder match, which it does on the verification page.
const NATIONAL_ID_TYPE: &str = "ext:nationalIdentityNumberHmac";
/// Extension term (OB 3.0 extensions start with `ext:`) for the GB 32100 code.
const CREDIT_CODE_TYPE: &str = "ext:unifiedSocialCreditCode";
const OCCUPATION_FRAMEWORK: &str = "中华人民共和国职业分类大典（2022年版）";
/// The occupation classification publishes no per-occupation URL, so the required
/// `targetUrl` is this URN plus the code.
const OCCUPATION_URN: &str = "urn:cn:occupation:2022:";

/// An organisation as an OB `Profile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerProfile {
    /// Its URI; for the registry, the `did:web` DID.
    pub id: String,
    pub name: String,
    /// The unified social credit code, as an `otherIdentifier`.
    pub credit_code: Option<String>,
    pub url: Option<String>,
}

/// A standard version the certificate was assessed against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardRef {
    pub code: String,
    pub name: String,
    pub version: i32,
    /// SHA-256 (hex) of the published version's text.
    pub sha256: String,
    /// Where that version can be read.
    pub url: String,
}

/// What was achieved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AchievementInput {
    pub id: String,
    /// Fixes the OB `achievementType` (and, for a licence, `licenseNumber`).
    pub kind: CertificateKind,
    /// E.g. `职业技能等级证书 · 中式面点师`.
    pub name: String,
    /// The paper's title, set on the achievement image: the kind's label, or a licence's
    /// own name (`民宿经营接待从业资格证`).
    pub title: String,
    pub description: String,
    /// How it is earned (Markdown allowed).
    pub criteria: String,
    /// (code, name) in the 2022 occupation classification, e.g. (`4-03-02-02`, `中式面点师`).
    pub occupation: Option<(String, String)>,
    pub standard: Option<StandardRef>,
    /// (code, label), e.g. (`level4`, `四级/中级工`).
    pub level: Option<(String, String)>,
}

/// The holder as the credential shows them: a salted hash of the citizen ID and the
/// masked name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderIdentity {
    /// `sha256$` + hex(SHA-256(citizen ID ‖ salt)), an OB `IdentityHash`.
    pub identity_hash: String,
    pub salt: String,
    /// E.g. `张*三`.
    pub name_masked: String,
}

impl HolderIdentity {
    /// Whether `citizen_id` is the ID this identity was made from (as a verifier who
    /// knows the holder's ID checks it).
    pub fn matches(&self, citizen_id: &str) -> bool {
        identity_hash(&normalised_id(citizen_id), &self.salt) == self.identity_hash
    }
}

/// One `BitstringStatusListEntry`: entry `index` of the list credential at `list_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// `revocation` or `suspension`.
    pub purpose: String,
    pub index: u64,
    pub list_url: String,
}

/// Everything the credential states, frozen at issue time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialInput {
    /// `urn:uuid:…`.
    pub id: String,
    pub issuer: IssuerProfile,
    /// The assessing body, when it differs from the issuer.
    pub source: Option<IssuerProfile>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    pub achievement: AchievementInput,
    pub holder: HolderIdentity,
    pub certificate_number: String,
    pub statuses: Vec<StatusEntry>,
}

/// The holder identity for `citizen_id` (upper-cased, trimmed) under a fresh random
/// 16-byte salt.
pub fn holder_identity(citizen_id: &str, name_masked: &str) -> HolderIdentity {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let salt = hex::encode(salt);
    HolderIdentity {
        identity_hash: identity_hash(&normalised_id(citizen_id), &salt),
        salt,
        name_masked: name_masked.to_owned(),
    }
}

/// An OB `IdentityHash`: `sha256$` + hex(SHA-256(identifier ‖ salt)), both UTF-8.
pub fn identity_hash(identifier: &str, salt: &str) -> String {
    format!(
        "sha256${}",
        sha256_hex(format!("{identifier}{salt}").as_bytes())
    )
}

fn normalised_id(citizen_id: &str) -> String {
    citizen_id.trim().to_ascii_uppercase()
}

/// The unsigned `OpenBadgeCredential` for `input`.
pub fn build(input: &CredentialInput) -> Value {
    let mut credential = json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": input.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": input.achievement.name,
        "description": format!(
            "证书编号 Certificate No.: {}；持证人 Holder: {}",
            input.certificate_number, input.holder.name_masked
        ),
        "issuer": profile(&input.issuer),
        "validFrom": xml_datetime(input.valid_from),
        "credentialSubject": subject(input),
    });
    if let Some(until) = input.valid_until {
        credential["validUntil"] = xml_datetime(until).into();
    }
    let mut statuses: Vec<Value> = input.statuses.iter().map(status_entry).collect();
    // OB 3.0 allows one credentialStatus; VC 2.0 allows a list when there are more.
    match statuses.len() {
        0 => {}
        1 => credential["credentialStatus"] = statuses.remove(0),
        _ => credential["credentialStatus"] = Value::Array(statuses),
    }
    credential
}

fn profile(org: &IssuerProfile) -> Value {
    let mut profile = json!({"id": org.id, "type": ["Profile"], "name": org.name});
    if let Some(url) = &org.url {
        profile["url"] = url.as_str().into();
    }
    if let Some(code) = &org.credit_code {
        profile["otherIdentifier"] = json!([{
            "type": "IdentifierEntry",
            "identifier": code,
            "identifierType": CREDIT_CODE_TYPE,
        }]);
    }
    profile
}

fn subject(input: &CredentialInput) -> Value {
    let holder = &input.holder;
    let mut subject = json!({
        "type": ["AchievementSubject"],
        "identifier": [{
            "type": "IdentityObject",
            "hashed": true,
            "identityHash": holder.identity_hash,
            "identityType": NATIONAL_ID_TYPE,
            "salt": holder.salt,
        }],
        "achievement": achievement(&input.achievement, &input.issuer),
    });
    if let Some((code, label)) = &input.achievement.level {
        let ids = LevelIds::new(&input.achievement.id, code);
        subject["result"] = json!([{
            "type": ["Result"],
            "resultDescription": ids.description,
            "achievedLevel": ids.level,
            "value": label,
        }]);
    }
    if input.achievement.kind == CertificateKind::Licence {
        subject["licenseNumber"] = input.certificate_number.as_str().into();
    }
    if let Some(source) = &input.source {
        subject["source"] = profile(source);
    }
    subject
}

fn achievement(input: &AchievementInput, issuer: &IssuerProfile) -> Value {
    let mut achievement = json!({
        "id": input.id,
        "type": ["Achievement"],
        "achievementType": input.kind.achievement_type(),
        "name": input.name,
        "description": input.description,
        "criteria": {"narrative": input.criteria},
        "image": badge_image::image(input.kind, &input.title, &issuer.name),
    });
    let mut alignment = Vec::new();
    if let Some((code, name)) = &input.occupation {
        alignment.push(json!({
            "type": ["Alignment"],
            "targetName": name,
            "targetCode": code,
            "targetFramework": OCCUPATION_FRAMEWORK,
            "targetType": "ext:Occupation",
            "targetUrl": format!("{OCCUPATION_URN}{code}"),
        }));
    }
    if let Some(standard) = &input.standard {
        alignment.push(json!({
            "type": ["Alignment"],
            "targetName": standard.name,
            "targetCode": standard.code,
            "targetDescription": format!("v{} sha256:{}", standard.version, standard.sha256),
            "targetType": "ext:SkillStandard",
            "targetUrl": standard.url,
        }));
    }
    if !alignment.is_empty() {
        achievement["alignment"] = Value::Array(alignment);
    }
    if let Some((code, label)) = &input.level {
        let ids = LevelIds::new(&input.id, code);
        achievement["resultDescription"] = json!([{
            "id": ids.description,
            "type": ["ResultDescription"],
            "name": "等级 Level",
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [{
                "id": ids.level,
                "type": ["RubricCriterionLevel"],
                "name": label,
                "level": code,
            }],
        }]);
    }
    achievement
}

/// The ids linking a result to its description and rubric level inside the achievement.
struct LevelIds {
    description: String,
    level: String,
}

impl LevelIds {
    fn new(achievement_id: &str, level_code: &str) -> Self {
        let safe: String = level_code
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        Self {
            description: format!("{achievement_id}#level"),
            level: format!("{achievement_id}#level-{safe}"),
        }
    }
}

fn status_entry(entry: &StatusEntry) -> Value {
    json!({
        "id": format!("{}#{}", entry.list_url, entry.index),
        "type": "BitstringStatusListEntry",
        "statusPurpose": entry.purpose,
        "statusListIndex": entry.index.to_string(),
        "statusListCredential": entry.list_url,
    })
}
