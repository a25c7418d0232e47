//! Public verification: what the QR code's page and `GET /api/v1/verify/{token}` say
//! about a certificate — valid or not and exactly why — with the holder masked, and a
//! holder match that confirms a name and ID number without ever displaying them.

use chrono::NaiveDate;
use entities::{certificates as certificate, organisations as organisation, people as person};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    certificates::{
        Services,
        lifecycle::status_label,
        read::{self, effective_status, title_of},
    },
    error::AppError,
    people::{CitizenId, mask_name},
    standards::reference,
};

/// A certificate in the holder's chain, as a verifier sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainEntry {
    pub title: String,
    pub number: String,
    pub status: String,
    pub status_label: String,
    pub issuer_name: String,
    pub verify_url: String,
}

/// What a verifier learns from a token.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    /// `valid`, `suspended`, `revoked`, `expired` or `superseded`.
    pub status: String,
    pub status_label: String,
    /// Why the certificate is not valid, as recorded (revocation or suspension reason).
    pub reason: Option<String>,
    /// When the current status began (revoked on, suspended since, expired on, superseded on).
    pub status_since: Option<NaiveDate>,
    /// The certificate that replaced this one.
    pub superseded_by: Option<ChainEntry>,
    pub kind: String,
    pub title: String,
    pub number: String,
    /// Masked, e.g. 张*三.
    pub holder_name: String,
    /// Masked, e.g. 150784********123X.
    pub holder_id: String,
    pub occupation: Option<String>,
    pub standard: Option<String>,
    pub level: Option<String>,
    pub issuer_name: String,
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

/// Looks a token up; an unknown token is "not found" (not issued by this registry).
pub async fn lookup(
    conn: &impl ConnectionTrait,
    services: &Services,
    token: &str,
) -> Result<Verification, AppError> {
    let row = by_token(conn, token).await?;
    let today = chrono::Utc::now().date_naive();
    let status = effective_status(&row, today).to_owned();
    let holder = person::Entity::find_by_id(row.person_id.clone())
        .one(conn)
        .await?;
    let issuer = organisation::Entity::find_by_id(row.issuer_org_id.clone())
        .one(conn)
        .await?;
    let standard = match &row.standard_id {
        Some(id) => services.pinned_standard(conn, id).await?,
        None => None,
    };
    let occupation = match &row.occupation_code {
        Some(code) => reference::occupation(conn, code)
            .await?
            .map(|o| format!("{}（{}）", o.name, o.code)),
        None => None,
    };
    let level = match &row.level_code {
        Some(code) => reference::skill_level(conn, code).await?.map(|l| l.label),
        None => None,
    };
    let bundle = read::bundle_of(conn, &row.person_id).await?;
    let tokens: Vec<(String, String)> = certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(&row.person_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.token))
        .collect();
    let token_of = |id: &str| {
        tokens
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let entry = |c: &read::CertificateSummary| ChainEntry {
        title: c.title.clone(),
        number: c.number.clone(),
        status_label: status_label(&c.status).to_owned(),
        status: c.status.clone(),
        issuer_name: c.issuer_name.clone(),
        verify_url: services.verify_url(&token_of(&c.id)),
    };
    let chain = read::chain_of(&row.id, &bundle)
        .iter()
        .filter(|c| c.id != row.id)
        .map(entry)
        .collect();
    let superseded_by = row
        .superseded_by_id
        .as_ref()
        .and_then(|id| bundle.iter().find(|c| &c.id == id))
        .map(entry);
    let (reason, status_since) = match status.as_str() {
        "revoked" => (
            row.revoke_reason.clone(),
            row.revoked_at.map(|t| t.date_naive()),
        ),
        "suspended" => (
            row.suspend_reason.clone(),
            row.suspended_at.map(|t| t.date_naive()),
        ),
        "superseded" => (None, row.superseded_at.map(|t| t.date_naive())),
        "expired" => (None, row.valid_until),
        _ => (None, None),
    };
    Ok(Verification {
        status_label: status_label(&status).to_owned(),
        status,
        reason,
        status_since,
        superseded_by,
        title: title_of(&row.kind).to_owned(),
        kind: row.kind,
        number: row.number,
        holder_name: holder
            .as_ref()
            .map(|p| mask_name(&p.name))
            .unwrap_or_default(),
        holder_id: holder.map(|p| p.citizen_id_masked).unwrap_or_default(),
        occupation,
        standard: standard.map(|s| format!("{}（{} 第{}版）", s.spec.name, s.spec.code, s.version)),
        level,
        issuer_name: issuer.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
        issuer_credit_code: issuer.map(|o| o.credit_code).unwrap_or_default(),
        valid_from: row.valid_from,
        valid_until: row.valid_until,
        credential_sha256: row.credential_sha256,
        pdf_sha256: row.pdf_sha256,
        chain,
    })
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

pub mod document;
pub mod offline;
