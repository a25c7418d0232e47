//! Public verification: what the QR code's page and `GET /api/v1/verify/{token}` say
//! about a certificate — valid or not and exactly why — with the holder masked, and a
//! holder match that confirms a name and ID number without ever displaying them.

use chrono::NaiveDate;
use entities::{certificates as certificate, people as person};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    certificates::{CertificateStatus, Services},
    error::AppError,
    people::CitizenId,
    programs::CertificateKind,
};

pub use index::Index;

/// A certificate in the holder's chain, as a verifier sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainEntry {
    pub title: String,
    pub number: String,
    pub status: CertificateStatus,
    /// The status in Chinese, as the verification page says it.
    pub status_label: String,
    /// The issuer's name as the certificate was issued under.
    pub issuer_name: String,
    /// The issuer's name now, when it has been renamed since.
    pub issuer_current_name: Option<String>,
    pub verify_url: String,
}

/// What a verifier learns from a token.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    pub status: CertificateStatus,
    /// The status in Chinese, as the verification page says it.
    pub status_label: String,
    /// Why the certificate is not valid, as recorded (revocation or suspension reason).
    pub reason: Option<String>,
    /// When the current status began (revoked on, suspended since, expired on, superseded on).
    pub status_since: Option<NaiveDate>,
    /// The certificate that replaced this one.
    pub superseded_by: Option<ChainEntry>,
    pub kind: CertificateKind,
    /// As the paper is titled: the kind's name, or a licence's own name.
    pub title: String,
    pub number: String,
    /// Masked, e.g. 张*三.
    pub holder_name: String,
    /// Masked, e.g. 150784********123X.
    pub holder_id: String,
    pub occupation: Option<String>,
    pub standard: Option<String>,
    pub level: Option<String>,
    /// Completion (and apprenticeship) certificates: the program trained, as printed.
    pub program: Option<String>,
    /// Completion certificates: the program's hours (学时); apprenticeship certificates:
    /// the plan's.
    pub hours: Option<u32>,
    /// Completion certificates: the training period, first and last day; apprenticeship
    /// certificates: the agreement's.
    pub training_from: Option<NaiveDate>,
    pub training_until: Option<NaiveDate>,
    /// Licences: what the licence admits the holder to (准入事项).
    pub licensed_activity: Option<String>,
    /// Apprenticeship certificates: the enterprise the apprentice trained at (培养企业),
    /// by its name now; the training provider is the issuer.
    pub enterprise: Option<String>,
    /// Apprenticeship certificates: the level the apprenticeship trained toward (目标等级),
    /// as printed; a level attained is what a skill-level certificate attests.
    pub target_level: Option<String>,
    /// The issuer's name as the certificate was issued under (frozen in its credential),
    /// which is what the paper prints.
    pub issuer_name: String,
    /// The issuer's name now, when it has been renamed since the certificate was issued.
    pub issuer_current_name: Option<String>,
    pub issuer_credit_code: String,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub credential_sha256: String,
    pub pdf_sha256: String,
    /// The holder's other certificates of the same chain, with their statuses.
    pub chain: Vec<ChainEntry>,
}

async fn by_token(
    conn: &impl ConnectionTrait,
    token: &str,
) -> Result<certificate::Model, AppError> {
    // Tokens are 22 URL-safe characters; anything else cannot be ours.
    if token.len() > 64
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(AppError::NotFound);
    }
    certificate::Entity::find()
        .filter(certificate::Column::Token.eq(token))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// What a verifier who already knows the holder submits.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct HolderClaim {
    pub name: String,
    pub citizen_id: String,
}

/// Whether the claimed name and ID number are the holder's. Nothing about the holder is
/// revealed either way; an ID that is not even well-formed simply does not match.
pub async fn holder_matches(
    conn: &impl ConnectionTrait,
    services: &Services,
    token: &str,
    claim: &HolderClaim,
) -> Result<bool, AppError> {
    let row = by_token(conn, token).await?;
    let Ok(id) = CitizenId::parse(&claim.citizen_id) else {
        return Ok(false);
    };
    let holder = person::Entity::find_by_id(row.person_id).one(conn).await?;
    Ok(holder.is_some_and(|p| {
        p.citizen_id_index == services.pii.blind_index(id.as_str()) && p.name == claim.name.trim()
    }))
}

pub mod attachment;
pub mod by_number;
pub mod checks;
pub mod document;
pub mod index;
pub mod offline;
