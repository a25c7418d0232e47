//! The records each measure counts over a span of days, one by one: what a period's
//! dispatch is counted from, and what a locked period keeps as its baseline. The same
//! rules as the grouped counts of [`super::actuals`] (a test holds them equal): enrolments
//! not withdrawn in cohorts that ended in the span (with at least one key-group tag for the
//! key-group measure), apprentices under filed agreements that started in it, certificates
//! by their issue day, re-issues not counted again — the filters are `actuals::counted_*`
//! themselves. Four queries whatever the span.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use entities::{
    apprentices as apprentice, apprenticeship_agreements as agreement, certificates as certificate,
    cohorts as cohort, enrolments as enrolment, occupations as occupation,
    person_key_groups as tag, programs as program, standards as standard,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait,
    Select,
};

use super::{
    Measure,
    actuals::{self, Who},
};
use crate::{error::AppError, programs::CertificateKind, stored::Stored};

/// One counted record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub measure: Measure,
    /// The enrolment's, certificate's or apprentice's id.
    pub row_id: String,
    /// The day that places it in a period (the cohort's end, the issue day, the start).
    pub day: NaiveDate,
    /// For enrolments: what was trained, as [`Members::standards`] names it.
    pub standard: Option<String>,
    /// For the key-group measure: the person's key groups.
    pub key_groups: Vec<String>,
}

/// The records of a span, and the names of the standards and occupations they name.
#[derive(Debug, Default)]
pub struct Members {
    pub rows: Vec<Member>,
    /// `standard:{id}` / `occupation:{code}` / `none` → how it reads.
    pub standards: BTreeMap<String, String>,
}

/// Where an enrolment's training is filed: its program's standard, else its occupation.
fn standard_key(standard_id: Option<&str>, occupation: Option<&str>) -> String {
    match (standard_id, occupation) {
        (Some(id), _) => format!("standard:{id}"),
        (None, Some(code)) => format!("occupation:{code}"),
        (None, None) => "none".to_owned(),
    }
}

fn enrolments_ended(span: (NaiveDate, NaiveDate)) -> Select<enrolment::Entity> {
    actuals::counted_enrolments(span, Who::Everyone)
        .select_only()
        .column(enrolment::Column::Id)
        .column(cohort::Column::EndsOn)
}

/// The records every measure counts over `span`.
pub async fn of_span(
    conn: &impl ConnectionTrait,
    span: (NaiveDate, NaiveDate),
) -> Result<Members, AppError> {
    let trained: Vec<(String, NaiveDate, Option<String>, Option<String>)> = enrolments_ended(span)
        .column(program::Column::StandardId)
        .column(program::Column::OccupationCode)
        .join(JoinType::InnerJoin, cohort::Relation::Programs.def())
        .into_tuple()
        .all(conn)
        .await?;
    let tags = enrolment::Entity::belongs_to(tag::Entity)
        .from(enrolment::Column::PersonId)
        .to(tag::Column::PersonId)
        .into();
    let tagged: Vec<(String, NaiveDate, String)> = enrolments_ended(span)
        .column(tag::Column::KeyGroup)
        .join(JoinType::InnerJoin, tags)
        .into_tuple()
        .all(conn)
        .await?;
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, _, group) in tagged {
        groups.entry(id).or_default().push(group);
    }
    let mut members = Members::default();
    let mut standard_ids = Vec::new();
    let mut occupation_codes = Vec::new();
    for (id, day, standard_id, occupation_code) in trained {
        let key = standard_key(standard_id.as_deref(), occupation_code.as_deref());
        if !members.standards.contains_key(&key) {
            members.standards.insert(key.clone(), String::new());
            standard_ids.extend(standard_id);
            occupation_codes.extend(occupation_code);
        }
        if let Some(mut key_groups) = groups.remove(&id) {
            key_groups.sort();
            members.rows.push(Member {
                measure: Measure::KeyGroupTraining,
                row_id: id.clone(),
                day,
                standard: Some(key.clone()),
                key_groups,
            });
        }
        members.rows.push(Member {
            measure: Measure::Training,
            row_id: id,
            day,
            standard: Some(key),
            key_groups: Vec::new(),
        });
    }
    name_standards(conn, &mut members.standards, standard_ids, occupation_codes).await?;
    members.rows.extend(certificates(conn, span).await?);
    members.rows.extend(apprentices(conn, span).await?);
    Ok(members)
}

async fn name_standards(
    conn: &impl ConnectionTrait,
    names: &mut BTreeMap<String, String>,
    standard_ids: Vec<String>,
    occupation_codes: Vec<String>,
) -> Result<(), AppError> {
    let standards: HashMap<String, String> = standard::Entity::find()
        .filter(standard::Column::Id.is_in(standard_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| {
            (
                format!("standard:{}", s.id),
                format!("{}（{}）", s.name, s.code),
            )
        })
        .collect();
    let occupations: HashMap<String, String> = occupation::Entity::find()
        .filter(occupation::Column::Code.is_in(occupation_codes))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| {
            (
                format!("occupation:{}", o.code),
                format!("{}（{}）", o.name, o.code),
            )
        })
        .collect();
    for (key, name) in names.iter_mut() {
        *name = standards
            .get(key)
            .or_else(|| occupations.get(key))
            .cloned()
            .unwrap_or_else(|| match key.split_once(':') {
                Some((_, code)) => code.to_owned(),
                None => "未关联标准或职业".to_owned(),
            });
    }
    Ok(())
}

/// The measure that counts certificates of `kind`.
pub fn measure_of(kind: CertificateKind) -> Measure {
    match kind {
        CertificateKind::Completion => Measure::CompletionCertificates,
        CertificateKind::SkillLevel => Measure::SkillLevelCertificates,
        CertificateKind::Specialty => Measure::SpecialtyCertificates,
        CertificateKind::Licence => Measure::Licences,
        CertificateKind::Apprenticeship => Measure::ApprenticeshipCertificates,
    }
}

async fn certificates(
    conn: &impl ConnectionTrait,
    span: (NaiveDate, NaiveDate),
) -> Result<Vec<Member>, AppError> {
    let rows: Vec<(String, String, NaiveDate)> = actuals::counted_certificates(span, None)
        .select_only()
        .column(certificate::Column::Id)
        .column(certificate::Column::Kind)
        .column(certificate::Column::ValidFrom)
        .into_tuple()
        .all(conn)
        .await?;
    rows.into_iter()
        .map(|(id, kind, day)| {
            let kind = CertificateKind::read("certificates", &id, &kind)?;
            Ok(Member {
                measure: measure_of(kind),
                row_id: id,
                day,
                standard: None,
                key_groups: Vec::new(),
            })
        })
        .collect()
}

async fn apprentices(
    conn: &impl ConnectionTrait,
    span: (NaiveDate, NaiveDate),
) -> Result<Vec<Member>, AppError> {
    let rows: Vec<(String, NaiveDate)> = actuals::counted_apprentices(span)
        .select_only()
        .column(apprentice::Column::Id)
        .column(agreement::Column::StartsOn)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, day)| Member {
            measure: Measure::Apprentices,
            row_id: id,
            day,
            standard: None,
            key_groups: Vec::new(),
        })
        .collect())
}
