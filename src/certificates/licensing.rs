//! The licensing authority's work list: the holders who qualify for a licence — they hold
//! the certificate a program's licence rule requires, valid today, from that program's
//! training, and no licence rests on that training yet — and issuing several licences
//! together with one validity date, each in a savepoint so one refusal holds nobody
//! else up.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entities::{certificates as certificate, people as person, programs as program};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionSession,
    TransactionTrait,
};

use super::{CertificateStatus, IssueRequest, Services, issue};
use crate::clock::Now;
use crate::{
    access::{Caller, Role},
    error::AppError,
    people::mask_name,
    programs::{CertificateKind, CertificateRule},
    stored::Stored,
};

/// A holder who qualifies for a licence.
#[derive(Debug, Clone)]
pub struct Qualifying {
    pub enrolment_id: String,
    /// Masked: the authority is not (yet) the holder's issuer.
    pub holder_name: String,
    pub program_title: String,
    pub licence_title: String,
    pub grounds_number: String,
}

/// Every holder who qualifies today, in four queries (programs, the prerequisite
/// certificates, the licences already issued on them, the holders' names).
pub async fn qualifying(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    today: NaiveDate,
) -> Result<Vec<Qualifying>, AppError> {
    if caller.role != Role::LicensingOfficer {
        return Err(AppError::forbidden_role());
    }
    // Program id → (title, licence title, the kinds the licence requires).
    let mut rules: HashMap<String, (String, String, Vec<CertificateKind>)> = HashMap::new();
    for p in program::Entity::find().all(conn).await? {
        let list: Vec<CertificateRule> = serde_json::from_str(&p.certificates)
            .map_err(|e| anyhow::anyhow!("programs {}: unreadable certificate rules: {e}", p.id))?;
        if let Some(rule) = list
            .into_iter()
            .find(|r| r.kind == CertificateKind::Licence)
        {
            let title = rule.licence_title.unwrap_or_else(|| p.title.clone());
            rules.insert(p.id, (p.title, title, rule.requires));
        }
    }
    let held = certificate::Entity::find()
        .filter(certificate::Column::ProgramId.is_in(rules.keys().map(String::as_str)))
        .filter(certificate::Column::Status.eq(CertificateStatus::Valid.as_str()))
        .order_by_asc(certificate::Column::IssuedAt)
        .all(conn)
        .await?;
    let licensed: HashSet<Option<String>> = certificate::Entity::find()
        .filter(certificate::Column::Kind.eq(CertificateKind::Licence.as_str()))
        .filter(
            certificate::Column::EnrolmentId
                .is_in(held.iter().filter_map(|c| c.enrolment_id.as_deref())),
        )
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.enrolment_id)
        .collect();
    let names: HashMap<String, String> = person::Entity::find()
        .filter(person::Column::Id.is_in(held.iter().map(|c| c.person_id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, mask_name(&p.name)))
        .collect();
    let mut out: Vec<Qualifying> = Vec::new();
    for c in held {
        let kind = CertificateKind::read("certificates", &c.id, &c.kind)?;
        let (Some(program_id), Some(enrolment_id)) = (&c.program_id, &c.enrolment_id) else {
            continue;
        };
        let Some((program_title, licence_title, requires)) = rules.get(program_id) else {
            continue;
        };
        let standing = CertificateStatus::current(&c, today)? == CertificateStatus::Valid;
        if !standing
            || !requires.contains(&kind)
            || licensed.contains(&c.enrolment_id)
            || out.iter().any(|q| &q.enrolment_id == enrolment_id)
        {
            continue;
        }
        out.push(Qualifying {
            enrolment_id: enrolment_id.clone(),
            holder_name: names.get(&c.person_id).cloned().unwrap_or_default(),
            program_title: program_title.clone(),
            licence_title: licence_title.clone(),
            grounds_number: c.number,
        });
    }
    Ok(out)
}

/// What issuing one of a batch came to: the licence's id and number, or why not.
pub type Licensed = Result<(String, String), String>;

/// Issues the licence of each enrolment, valid until `valid_until`, each in a savepoint.
pub async fn issue_many(
    conn: &(impl ConnectionTrait + TransactionTrait),
    services: &Services,
    caller: &Caller,
    enrolment_ids: &[String],
    valid_until: NaiveDate,
    now: Now,
) -> Result<Vec<(String, Licensed)>, AppError> {
    let mut out = Vec::with_capacity(enrolment_ids.len());
    for id in enrolment_ids {
        let req = IssueRequest {
            kind: CertificateKind::Licence,
            enrolment_id: id.clone(),
            assessment_id: None,
            parent_ids: Vec::new(),
            valid_until: Some(valid_until),
        };
        let savepoint = conn.begin().await?;
        match issue::issue(&savepoint, services, caller, &req, now).await {
            Ok(issued) => {
                savepoint.commit().await?;
                let c = issued.certificate;
                out.push((id.clone(), Ok((c.id, c.number))));
            }
            Err(e @ (AppError::Internal(_) | AppError::Forbidden { .. })) => return Err(e),
            Err(refused) => {
                savepoint.rollback().await?;
                out.push((id.clone(), Err(refused.body().message)));
            }
        }
    }
    Ok(out)
}
