//! Reading holders, issuers and labels from the database into index snapshots.

use std::{collections::HashMap, sync::Arc};

use chrono::{DateTime, FixedOffset, NaiveDate};
use entities::{
    certificate_parents as parent, certificates as certificate, organisations as organisation,
    people as person,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::{
    FILL_BATCH, Index,
    paper::Sources,
    snapshot::{Cert, Holder, Issuer},
};
use crate::{
    certificates::{CertificateStatus, read},
    error::AppError,
    people::mask_name,
    programs::CertificateKind,
    standards::reference,
    stored::{CorruptRow, Stored},
};

/// The columns of a certificate verification needs (never the credential itself).
#[derive(FromQueryResult)]
struct CertRow {
    id: String,
    token: String,
    number: String,
    kind: String,
    status: String,
    person_id: String,
    issuer_org_id: String,
    issuer_name: String,
    program_id: Option<String>,
    enrolment_id: Option<String>,
    apprentice_id: Option<String>,
    standard_id: Option<String>,
    occupation_code: Option<String>,
    level_code: Option<String>,
    valid_from: NaiveDate,
    valid_until: Option<NaiveDate>,
    credential_sha256: String,
    pdf_sha256: String,
    suspended_at: Option<DateTime<FixedOffset>>,
    suspend_reason: Option<String>,
    revoked_at: Option<DateTime<FixedOffset>>,
    revoke_reason: Option<String>,
    supersedes_id: Option<String>,
    superseded_by_id: Option<String>,
    superseded_at: Option<DateTime<FixedOffset>>,
}

/// What one read of holders found.
pub(super) struct Loaded {
    pub(super) holders: Vec<Holder>,
    /// Holders with a certificate whose kind or status does not read: their tokens, and
    /// why. They stay out of the index, so a look-up asks the database and answers an
    /// internal error, and the other holders of the read are not held up by them.
    pub(super) corrupt: Vec<(Vec<String>, CorruptRow)>,
}

impl Index {
    /// Reads the holders `people` with all their certificates.
    pub(super) async fn load(
        &self,
        conn: &impl ConnectionTrait,
        people: &[String],
    ) -> Result<Loaded, AppError> {
        let ids = || people.iter().map(String::as_str);
        let persons: Vec<(String, String, String)> = person::Entity::find()
            .select_only()
            .columns([
                person::Column::Id,
                person::Column::Name,
                person::Column::CitizenIdMasked,
            ])
            .filter(person::Column::Id.is_in(ids()))
            .into_tuple()
            .all(conn)
            .await?;
        let rows = certificate::Entity::find()
            .select_only()
            .columns([
                certificate::Column::Id,
                certificate::Column::Token,
                certificate::Column::Number,
                certificate::Column::Kind,
                certificate::Column::Status,
                certificate::Column::PersonId,
                certificate::Column::IssuerOrgId,
                certificate::Column::IssuerName,
                certificate::Column::ProgramId,
                certificate::Column::EnrolmentId,
                certificate::Column::ApprenticeId,
                certificate::Column::StandardId,
                certificate::Column::OccupationCode,
                certificate::Column::LevelCode,
                certificate::Column::ValidFrom,
                certificate::Column::ValidUntil,
                certificate::Column::CredentialSha256,
                certificate::Column::PdfSha256,
                certificate::Column::SuspendedAt,
                certificate::Column::SuspendReason,
                certificate::Column::RevokedAt,
                certificate::Column::RevokeReason,
                certificate::Column::SupersedesId,
                certificate::Column::SupersededById,
                certificate::Column::SupersededAt,
            ])
            .filter(certificate::Column::PersonId.is_in(ids()))
            .order_by_asc(certificate::Column::PersonId)
            .order_by_asc(certificate::Column::IssuedAt)
            .order_by_asc(certificate::Column::Id)
            .into_model::<CertRow>()
            .all(conn)
            .await?;
        let mut parents: HashMap<String, Vec<String>> = HashMap::new();
        for ids in rows.chunks(FILL_BATCH as usize) {
            let links: Vec<(String, String)> = parent::Entity::find()
                .select_only()
                .columns([parent::Column::CertificateId, parent::Column::ParentId])
                .filter(parent::Column::CertificateId.is_in(ids.iter().map(|r| r.id.as_str())))
                .into_tuple()
                .all(conn)
                .await?;
            for (child, parent) in links {
                parents.entry(child).or_default().push(parent);
            }
        }
        let issuers: Vec<String> = rows.iter().map(|r| r.issuer_org_id.clone()).collect();
        self.load_issuers(conn, &issuers).await?;
        let ids = |of: fn(&CertRow) -> Option<&str>| -> Vec<&str> {
            let mut ids: Vec<&str> = rows.iter().filter_map(of).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let program_ids = ids(|r| r.program_id.as_deref());
        let enrolment_ids = ids(|r| r.enrolment_id.as_deref());
        let apprentice_ids = ids(|r| r.apprentice_id.as_deref());
        let sources = Sources::read(conn, &program_ids, &enrolment_ids, &apprentice_ids).await?;

        let mut by_person: HashMap<&str, Vec<&CertRow>> = HashMap::new();
        for row in &rows {
            by_person.entry(&row.person_id).or_default().push(row);
        }
        let mut holders = Vec::with_capacity(persons.len());
        let mut corrupt = Vec::new();
        for (id, name, citizen_id) in &persons {
            let Some(rows) = by_person.remove(id.as_str()) else {
                continue;
            };
            let words: Vec<_> = match rows.iter().map(|r| kind_and_status(r)).collect() {
                Ok(words) => words,
                Err(e) => {
                    corrupt.push((rows.iter().map(|r| r.token.clone()).collect(), e));
                    continue;
                }
            };
            let links: Vec<(&str, &[String], Option<&str>)> = rows
                .iter()
                .map(|r| {
                    let parents = parents.get(&r.id).map_or(&[][..], Vec::as_slice);
                    (r.id.as_str(), parents, r.supersedes_id.as_deref())
                })
                .collect();
            let mut certificates = Vec::with_capacity(rows.len());
            for (at, row) in rows.iter().enumerate() {
                let chain = read::linked(
                    at,
                    &links,
                    |l| l.0,
                    |l| l.1.iter().map(String::as_str).chain(l.2),
                )
                .into_iter()
                .filter(|&i| i != at)
                .map(|i| i as u32)
                .collect();
                let superseded_by = row
                    .superseded_by_id
                    .as_ref()
                    .and_then(|s| rows.iter().position(|r| &r.id == s))
                    .map(|i| i as u32);
                let facts = sources.facts(
                    words[at].0,
                    row.program_id.as_deref(),
                    row.enrolment_id.as_deref(),
                    row.apprentice_id.as_deref(),
                );
                let mut cert = self
                    .cert(conn, row, words[at], chain, superseded_by)
                    .await?;
                cert.paper = (facts != Default::default()).then(|| Box::new(facts));
                certificates.push(cert);
            }
            holders.push(Holder {
                name: mask_name(name).into(),
                citizen_id: citizen_id.as_str().into(),
                certificates: certificates.into(),
            });
        }
        Ok(Loaded { holders, corrupt })
    }

    async fn cert(
        &self,
        conn: &impl ConnectionTrait,
        row: &CertRow,
        (kind, status): (CertificateKind, CertificateStatus),
        chain: Box<[u32]>,
        superseded_by: Option<u32>,
    ) -> Result<Cert, AppError> {
        let day = |t: &Option<DateTime<FixedOffset>>| t.map(|t| t.date_naive());
        let (reason, since) = match status {
            CertificateStatus::Revoked => (row.revoke_reason.as_deref(), day(&row.revoked_at)),
            CertificateStatus::Suspended => (row.suspend_reason.as_deref(), day(&row.suspended_at)),
            CertificateStatus::Superseded => (None, day(&row.superseded_at)),
            CertificateStatus::Valid | CertificateStatus::Expired => (None, None),
        };
        Ok(Cert {
            token: row.token.as_str().into(),
            number: row.number.as_str().into(),
            kind,
            status,
            reason: reason.map(Into::into),
            since,
            issuer: self.share(&row.issuer_org_id),
            issuer_name: self.share(&row.issuer_name),
            occupation: match &row.occupation_code {
                Some(code) => self.label(conn, Label::Occupation, code).await?,
                None => None,
            },
            standard: match &row.standard_id {
                Some(id) => self.label(conn, Label::Standard, id).await?,
                None => None,
            },
            level: match &row.level_code {
                Some(code) => self.label(conn, Label::Level, code).await?,
                None => None,
            },
            valid_from: row.valid_from,
            valid_until: row.valid_until,
            credential_sha256: digest(&row.credential_sha256)?,
            pdf_sha256: digest(&row.pdf_sha256)?,
            chain,
            superseded_by,
            paper: None,
        })
    }

    /// One shared copy of a short, often repeated string.
    fn share(&self, value: &str) -> Arc<str> {
        let Ok(mut shared) = self.shared.lock() else {
            return value.into();
        };
        if let Some(found) = shared.get(value) {
            return Arc::clone(found);
        }
        let new: Arc<str> = value.into();
        shared.insert(value.to_owned(), Arc::clone(&new));
        new
    }

    /// The printed label of an occupation, level or pinned standard version; these never
    /// change, so each is read once.
    async fn label(
        &self,
        conn: &impl ConnectionTrait,
        kind: Label,
        key: &str,
    ) -> Result<Option<Arc<str>>, AppError> {
        let cache_key = format!("{kind:?}:{key}");
        if let Some(found) = self
            .labels
            .lock()
            .ok()
            .and_then(|l| l.get(&cache_key).cloned())
        {
            return Ok(found);
        }
        let label = match kind {
            Label::Occupation => reference::occupation(conn, key)
                .await?
                .map(|o| format!("{}（{}）", o.name, o.code)),
            Label::Level => reference::skill_level(conn, key).await?.map(|l| l.label),
            Label::Standard => self
                .services
                .pinned_standard(conn, key)
                .await?
                .map(|s| format!("{}（{} 第{}版）", s.spec.name, s.spec.code, s.version)),
        }
        .map(Arc::<str>::from);
        if let Ok(mut labels) = self.labels.lock() {
            labels.insert(cache_key, label.clone());
        }
        Ok(label)
    }

    /// Makes sure the named organisations are in the issuer table.
    async fn load_issuers(
        &self,
        conn: &impl ConnectionTrait,
        ids: &[String],
    ) -> Result<(), AppError> {
        let missing: Vec<&str> = {
            let known = self.issuers.read().map_err(poisoned)?;
            let mut missing: Vec<&str> = ids
                .iter()
                .map(String::as_str)
                .filter(|id| !known.contains_key(*id))
                .collect();
            missing.sort_unstable();
            missing.dedup();
            missing
        };
        if missing.is_empty() {
            return Ok(());
        }
        let owned: Vec<String> = missing.iter().map(|s| (*s).to_owned()).collect();
        self.reload_issuers(conn, &owned).await
    }

    pub(super) async fn reload_issuers(
        &self,
        conn: &impl ConnectionTrait,
        ids: &[String],
    ) -> Result<(), AppError> {
        let rows: Vec<(String, String, String)> = organisation::Entity::find()
            .select_only()
            .columns([
                organisation::Column::Id,
                organisation::Column::Name,
                organisation::Column::CreditCode,
            ])
            .filter(organisation::Column::Id.is_in(ids.iter().map(String::as_str)))
            .into_tuple()
            .all(conn)
            .await?;
        let rows: Vec<(Arc<str>, Arc<Issuer>)> = rows
            .into_iter()
            .map(|(id, name, credit_code)| {
                (self.share(&id), Arc::new(Issuer { name, credit_code }))
            })
            .collect();
        self.issuers.write().map_err(poisoned)?.extend(rows);
        Ok(())
    }
}

/// A certificate row's kind and stored status, read strictly.
fn kind_and_status(row: &CertRow) -> Result<(CertificateKind, CertificateStatus), CorruptRow> {
    Ok((
        CertificateKind::read("certificates", &row.id, &row.kind)?,
        CertificateStatus::read("certificates", &row.id, &row.status)?,
    ))
}

#[derive(Debug, Clone, Copy)]
enum Label {
    Occupation,
    Level,
    Standard,
}

fn digest(hex_text: &str) -> Result<[u8; 32], AppError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_text, &mut out).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "a stored SHA-256 is not 64 hex digits: {e}"
        ))
    })?;
    Ok(out)
}

fn poisoned<T>(_: std::sync::PoisonError<T>) -> AppError {
    AppError::Internal(anyhow::anyhow!("the verification index lock is poisoned"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_digests_are_kept_as_bytes_and_refused_when_malformed() {
        let hex_text = "ab".repeat(32);
        assert_eq!(
            hex::encode(digest(&hex_text).expect("64 hex digits")),
            hex_text
        );
        assert!(digest("abc").is_err());
    }
}
