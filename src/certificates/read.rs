//! Reading certificates: one with its chain, a holder's whole bundle, the frozen PDF and
//! credential. Visible to the holder, the issuing organisation and the bureau; to anyone
//! else a certificate does not exist.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entities::{
    certificate_files as file, certificate_parents as parent, certificates as certificate,
    organisations as organisation, people as person,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use super::{CertificateStatus, Services};
use crate::{
    access::{
        Caller,
        rules::{self, Visibility},
    },
    error::AppError,
    people::mask_name,
    programs::CertificateKind,
    stored::Stored,
};

/// A certificate in a chain or bundle.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CertificateSummary {
    pub id: String,
    pub number: String,
    pub kind: CertificateKind,
    /// e.g. 职业技能等级证书.
    pub title: String,
    /// As of today.
    pub status: CertificateStatus,
    pub issuer_id: String,
    /// The issuer's name as the certificate was issued under (frozen in its credential).
    pub issuer_name: String,
    /// The issuer's name now, when it has been renamed since the certificate was issued.
    pub issuer_current_name: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// The certificates this one rests on.
    pub parent_ids: Vec<String>,
    /// The certificate this one replaced (re-issued with corrections).
    pub supersedes_id: Option<String>,
}

/// One certificate with everything about it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Certificate {
    #[serde(flatten)]
    pub summary: CertificateSummary,
    pub person_id: String,
    /// The holder's name; masked unless the viewer is the holder or the issuer.
    pub holder_name: String,
    pub program_id: Option<String>,
    pub enrolment_id: Option<String>,
    pub assessment_id: Option<String>,
    pub standard_id: Option<String>,
    pub occupation_code: Option<String>,
    pub level: Option<String>,
    /// The token in the QR code, and the page it opens.
    pub token: String,
    pub verify_url: String,
    pub credential_sha256: String,
    pub pdf_sha256: String,
    pub issued_at: chrono::DateTime<chrono::FixedOffset>,
    pub revoked_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub revoke_reason: Option<String>,
    pub suspended_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub suspend_reason: Option<String>,
    /// When suspended because a certificate it rests on was revoked or suspended: that
    /// certificate's id (the reason names its number). Reinstating it reinstates this one.
    pub grounds_fell_id: Option<String>,
    pub superseded_by_id: Option<String>,
    /// The holder's whole chain: every certificate linked to this one, this one included.
    pub chain: Vec<CertificateSummary>,
}

/// Whether the caller may see the certificate (see [`rules::may_see_certificate`]).
async fn may_see(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    row: &certificate::Model,
) -> Result<bool, AppError> {
    if rules::may_see_certificate(caller, &row.issuer_org_id, None) {
        return Ok(true);
    }
    let holder = person::Entity::find_by_id(row.person_id.clone())
        .one(conn)
        .await?;
    Ok(rules::may_see_certificate(
        caller,
        &row.issuer_org_id,
        holder.and_then(|p| p.account_id).as_deref(),
    ))
}

/// The certificate row if the caller may see it.
pub async fn find(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<certificate::Model, AppError> {
    let row = certificate::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if may_see(conn, caller, &row).await? {
        Ok(row)
    } else {
        Err(AppError::NotFound)
    }
}

/// Summaries of every certificate of a person, with their parent links.
pub async fn bundle_of(
    conn: &impl ConnectionTrait,
    person_id: &str,
    today: NaiveDate,
) -> Result<Vec<CertificateSummary>, AppError> {
    let rows = certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(person_id))
        .order_by_asc(certificate::Column::IssuedAt)
        .all(conn)
        .await?;
    summaries(conn, rows, today).await
}

pub async fn summaries(
    conn: &impl ConnectionTrait,
    rows: Vec<certificate::Model>,
    today: NaiveDate,
) -> Result<Vec<CertificateSummary>, AppError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let links = parent::Entity::find()
        .filter(parent::Column::CertificateId.is_in(ids))
        .all(conn)
        .await?;
    let mut parents: HashMap<String, Vec<String>> = HashMap::new();
    for link in links {
        parents
            .entry(link.certificate_id)
            .or_default()
            .push(link.parent_id);
    }
    let issuer_ids: HashSet<String> = rows.iter().map(|r| r.issuer_org_id.clone()).collect();
    let issuers: HashMap<String, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(issuer_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let kind = CertificateKind::read("certificates", &r.id, &r.kind)?;
        out.push(CertificateSummary {
            status: CertificateStatus::current(&r, today)?,
            title: kind.label().to_owned(),
            kind,
            issuer_current_name: issuers
                .get(&r.issuer_org_id)
                .filter(|now| **now != r.issuer_name)
                .cloned(),
            issuer_name: r.issuer_name,
            parent_ids: parents.remove(&r.id).unwrap_or_default(),
            supersedes_id: r.supersedes_id,
            id: r.id,
            number: r.number,
            issuer_id: r.issuer_org_id,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
        });
    }
    Ok(out)
}

/// The part of a holder's bundle connected to `id` through parent links and
/// replacements (a re-issued certificate stands where the one it replaced stood).
pub fn chain_of(id: &str, bundle: &[CertificateSummary]) -> Vec<CertificateSummary> {
    let Some(at) = bundle.iter().position(|c| c.id == id) else {
        return Vec::new();
    };
    linked(
        at,
        bundle,
        |c| &c.id,
        |c| {
            c.parent_ids
                .iter()
                .map(String::as_str)
                .chain(c.supersedes_id.as_deref())
        },
    )
    .into_iter()
    .map(|i| bundle[i].clone())
    .collect()
}

/// Positions (in order) of the items of one holder's bundle connected to `items[at]`
/// through `links` (an item's parents and the item it replaced) in either direction,
/// `at` included.
pub fn linked<'a, T, L>(
    at: usize,
    items: &'a [T],
    id: impl Fn(&'a T) -> &'a str,
    links: impl Fn(&'a T) -> L,
) -> Vec<usize>
where
    L: Iterator<Item = &'a str>,
{
    let mut ids: HashSet<&str> = HashSet::from([id(&items[at])]);
    loop {
        let before = ids.len();
        for item in items {
            let linked_to: Vec<&str> = links(item).collect();
            if ids.contains(id(item)) || linked_to.iter().any(|l| ids.contains(l)) {
                ids.insert(id(item));
                ids.extend(linked_to);
            }
        }
        if ids.len() == before {
            break;
        }
    }
    (0..items.len())
        .filter(|&i| ids.contains(id(&items[i])))
        .collect()
}

/// A certificate with its chain, as the caller may see it.
pub async fn get(
    conn: &impl ConnectionTrait,
    services: &Services,
    caller: &Caller,
    id: &str,
    today: NaiveDate,
) -> Result<Certificate, AppError> {
    let row = find(conn, caller, id).await?;
    view(conn, services, caller, row, today).await
}

pub async fn view(
    conn: &impl ConnectionTrait,
    services: &Services,
    caller: &Caller,
    row: certificate::Model,
    today: NaiveDate,
) -> Result<Certificate, AppError> {
    let bundle = bundle_of(conn, &row.person_id, today).await?;
    let summary = bundle
        .iter()
        .find(|c| c.id == row.id)
        .cloned()
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "certificate {} missing from its bundle",
                row.id
            ))
        })?;
    let holder = person::Entity::find_by_id(row.person_id.clone())
        .one(conn)
        .await?;
    let entitled = rules::sees_certificate_holder(
        caller,
        &row.issuer_org_id,
        holder.as_ref().and_then(|p| p.account_id.as_deref()),
    );
    let holder_name = holder
        .map(|p| if entitled { p.name } else { mask_name(&p.name) })
        .unwrap_or_default();
    Ok(Certificate {
        chain: chain_of(&row.id, &bundle),
        summary,
        holder_name,
        verify_url: services.verify_url(&row.token),
        person_id: row.person_id,
        program_id: row.program_id,
        enrolment_id: row.enrolment_id,
        assessment_id: row.assessment_id,
        standard_id: row.standard_id,
        occupation_code: row.occupation_code,
        level: row.level_code,
        token: row.token,
        credential_sha256: row.credential_sha256,
        pdf_sha256: row.pdf_sha256,
        issued_at: row.issued_at,
        revoked_at: row.revoked_at,
        revoke_reason: row.revoke_reason,
        suspended_at: row.suspended_at,
        suspend_reason: row.suspend_reason,
        grounds_fell_id: row.grounds_fell_id,
        superseded_by_id: row.superseded_by_id,
    })
}

/// The PDF bytes frozen at issue.
pub async fn pdf(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let row = find(conn, caller, id).await?;
    let bytes = file::Entity::find_by_id(row.id.clone())
        .one(conn)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("certificate {} has no PDF", row.id)))?;
    Ok((row.number, bytes.pdf))
}

/// The signed credential JSON frozen at issue, exactly as signed.
pub async fn credential(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<String, AppError> {
    Ok(find(conn, caller, id).await?.credential)
}

/// A holder's whole bundle: for the holder, the bureau, and providers that enrolled them.
pub async fn bundle(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    person_id: &str,
    today: NaiveDate,
) -> Result<Vec<CertificateSummary>, AppError> {
    let holder = person::Entity::find_by_id(person_id.to_owned())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if rules::may_see_person(conn, caller, &holder).await? == Visibility::None {
        return Err(AppError::NotFound);
    }
    bundle_of(conn, person_id, today).await
}

/// The completion certificate numbers of many enrolments in one query, keyed by
/// enrolment id: the cohort page's certificate column.
/// How many of the cohort's enrolments have a completion certificate.
pub async fn completion_count(
    conn: &impl ConnectionTrait,
    cohort_id: &str,
) -> Result<u64, AppError> {
    use entities::enrolments as enrolment;
    use sea_orm::{
        QuerySelect,
        sea_query::{Expr, Func, Query},
    };
    let in_cohort = Query::select()
        .column(enrolment::Column::Id)
        .from(enrolment::Entity)
        .and_where(enrolment::Column::CohortId.eq(cohort_id))
        .to_owned();
    let counted: Option<i64> = certificate::Entity::find()
        .select_only()
        .expr_as(
            Func::count_distinct(Expr::col(certificate::Column::EnrolmentId)),
            "n",
        )
        .filter(certificate::Column::Kind.eq(CertificateKind::Completion.as_str()))
        .filter(certificate::Column::EnrolmentId.in_subquery(in_cohort))
        .into_tuple()
        .one(conn)
        .await?;
    Ok(counted.unwrap_or(0).max(0) as u64)
}

pub async fn completion_numbers(
    conn: &impl ConnectionTrait,
    enrolment_ids: &[String],
) -> Result<HashMap<String, String>, AppError> {
    if enrolment_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(certificate::Entity::find()
        .filter(certificate::Column::EnrolmentId.is_in(enrolment_ids.iter().map(String::as_str)))
        .filter(certificate::Column::Kind.eq(CertificateKind::Completion.as_str()))
        .order_by_asc(certificate::Column::IssuedAt)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|c| c.enrolment_id.map(|e| (e, c.number)))
        .collect())
}
