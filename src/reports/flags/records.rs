//! The checks on single records: certificates dated before their training ended, ages
//! outside a program's window, withdrawn enrolments that still carry results.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use entities::{
    apprentices as apprentice, assessments as assessment, certificates as certificate,
    cohorts as cohort, enrolments as enrolment, people as person, programs as program,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, Func, JoinType, Order, Query, SelectStatement},
};

use super::{FlagKey, FlagKind, Found, col, current, t};
use crate::{
    certificates::CertificateStatus,
    cohorts::EnrolmentStatus,
    error::AppError,
    people::{PiiKeys, at_rest},
    programs::CertificateKind,
    stored::Stored,
};

/// Enrolments read per round by the age check.
const CHUNK: u64 = 2000;

/// Certificates standing (neither revoked nor replaced by a re-issue), under `alias`.
fn standing(alias: &str) -> Expr {
    col(alias, certificate::Column::Status).is_not_in([
        CertificateStatus::Revoked.as_str(),
        CertificateStatus::Superseded.as_str(),
    ])
}

/// `c`: standing certificates, with their number and issue day.
fn certificates(only: Option<&FlagKey>) -> SelectStatement {
    let mut q = Query::select();
    q.expr_as(col("c", certificate::Column::Id), t("c_id"))
        .expr_as(col("c", certificate::Column::Number), t("number"))
        .expr_as(col("c", certificate::Column::ValidFrom), t("valid_from"))
        .from_as(certificate::Entity, t("c"))
        .and_where(standing("c"))
        .order_by((t("c"), certificate::Column::Id), Order::Asc);
    if let Some(key) = only {
        q.and_where(col("c", certificate::Column::Id).eq(key.part(0)));
    }
    q
}

/// Standing certificates dated (`valid_from`) before the last day of the cohort of the
/// enrolment they rest on; and apprenticeship certificates dated before the apprentice
/// completed, or while the apprentice has not.
pub(super) async fn early_certificates(
    conn: &impl ConnectionTrait,
    only: Option<&FlagKey>,
) -> Result<Vec<Found>, AppError> {
    let mut trained = certificates(only);
    trained
        .expr_as(col("e", enrolment::Column::Id), t("e_id"))
        .expr_as(col("k", cohort::Column::EndsOn), t("ends_on"))
        .join_as(
            JoinType::InnerJoin,
            enrolment::Entity,
            t("e"),
            col("e", enrolment::Column::Id).equals((t("c"), certificate::Column::EnrolmentId)),
        )
        .join_as(
            JoinType::InnerJoin,
            cohort::Entity,
            t("k"),
            col("k", cohort::Column::Id).equals((t("e"), enrolment::Column::CohortId)),
        )
        .and_where(col("k", cohort::Column::EndsOn).gt(col("c", certificate::Column::ValidFrom)));
    let mut out = Vec::new();
    for row in conn.query_all(&trained).await? {
        let id: String = row.try_get("", "c_id")?;
        let number: String = row.try_get("", "number")?;
        let from: NaiveDate = row.try_get("", "valid_from")?;
        let ends: NaiveDate = row.try_get("", "ends_on")?;
        let mut found = Found::new(
            FlagKey::new(FlagKind::EarlyCertificate, vec![id.clone()]),
            format!("证书 {number} 的发证日期 {from} 早于培训结束日 {ends}"),
            vec![row.try_get("", "e_id")?],
        );
        found.certificates.push(id);
        out.push(found);
    }
    let mut apprenticed = certificates(only);
    apprenticed
        .expr_as(col("a", apprentice::Column::Id), t("a_id"))
        .expr_as(col("a", apprentice::Column::CompletedOn), t("completed_on"))
        .join_as(
            JoinType::InnerJoin,
            apprentice::Entity,
            t("a"),
            col("a", apprentice::Column::Id).equals((t("c"), certificate::Column::ApprenticeId)),
        )
        .and_where(col("c", certificate::Column::Kind).eq(CertificateKind::Apprenticeship.as_str()))
        .and_where(col("a", apprentice::Column::CompletedOn).is_null().or(
            col("a", apprentice::Column::CompletedOn).gt(col("c", certificate::Column::ValidFrom)),
        ));
    for row in conn.query_all(&apprenticed).await? {
        let id: String = row.try_get("", "c_id")?;
        let number: String = row.try_get("", "number")?;
        let from: NaiveDate = row.try_get("", "valid_from")?;
        let completed: Option<NaiveDate> = row.try_get("", "completed_on")?;
        let when =
            completed.map_or_else(|| "学徒尚未结业".to_owned(), |d| format!("学徒 {d} 结业"));
        let mut found = Found::new(
            FlagKey::new(FlagKind::EarlyCertificate, vec![id.clone()]),
            format!("学徒培训证书 {number} 的发证日期 {from}，而{when}"),
            Vec::new(),
        );
        found.certificates.push(id);
        found.apprentices.push(row.try_get("", "a_id")?);
        out.push(found);
    }
    Ok(out)
}

/// Current enrolments whose person's age on the cohort's first day lies outside the
/// program's `min_age..=max_age`. The registry keeps no birth date in clear (it is what
/// the masked ID hides), so the database cannot compare ages: the enrolments are read
/// [`CHUNK`] at a time with their cohort's first day and the program's window (one
/// query), their people's sealed ID numbers with a second, and the age is worked out
/// here as the enrolment check does (`CitizenId::age_on`).
pub(super) async fn ages(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    only: Option<&FlagKey>,
) -> Result<Vec<Found>, AppError> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let mut q = Query::select();
        q.expr_as(col("e", enrolment::Column::Id), t("e_id"))
            .expr_as(col("e", enrolment::Column::PersonId), t("person_id"))
            .expr_as(col("k", cohort::Column::StartsOn), t("starts_on"))
            .expr_as(col("p", program::Column::MinAge), t("min_age"))
            .expr_as(col("p", program::Column::MaxAge), t("max_age"))
            .from_as(enrolment::Entity, t("e"))
            .join_as(
                JoinType::InnerJoin,
                cohort::Entity,
                t("k"),
                col("k", cohort::Column::Id).equals((t("e"), enrolment::Column::CohortId)),
            )
            .join_as(
                JoinType::InnerJoin,
                program::Entity,
                t("p"),
                col("p", program::Column::Id).equals((t("k"), cohort::Column::ProgramId)),
            )
            .and_where(current("e"))
            .and_where(col("e", enrolment::Column::Id).gt(after.as_str()))
            .order_by((t("e"), enrolment::Column::Id), Order::Asc)
            .limit(CHUNK);
        if let Some(key) = only {
            q.and_where(col("e", enrolment::Column::Id).eq(key.part(0)));
        }
        let rows = conn.query_all(&q).await?;
        let mut wanted = HashSet::new();
        let mut chunk = Vec::with_capacity(rows.len());
        for row in &rows {
            let person: String = row.try_get("", "person_id")?;
            wanted.insert(person.clone());
            chunk.push((
                row.try_get::<String>("", "e_id")?,
                person,
                row.try_get::<NaiveDate>("", "starts_on")?,
                row.try_get::<i32>("", "min_age")?,
                row.try_get::<i32>("", "max_age")?,
            ));
        }
        let people: HashMap<String, person::Model> = person::Entity::find()
            .filter(person::Column::Id.is_in(wanted))
            .all(conn)
            .await?
            .into_iter()
            .map(|p| (p.id.clone(), p))
            .collect();
        for (id, person, starts, min, max) in chunk {
            let p = people
                .get(&person)
                .ok_or_else(|| anyhow::anyhow!("enrolment {id} has no person"))?;
            let age = i64::from(at_rest::citizen_id_of(keys, p)?.age_on(starts));
            if age < i64::from(min) || age > i64::from(max) {
                let summary = format!(
                    "开班日（{starts}）该学员{age}周岁，不在项目要求的{min}–{max}周岁范围内"
                );
                let key = FlagKey::new(FlagKind::AgeOutsideWindow, vec![id.clone()]);
                out.push(Found::new(key, summary, vec![id]));
            }
        }
        match rows.last() {
            Some(last) if rows.len() as u64 == CHUNK => after = last.try_get("", "e_id")?,
            _ => break,
        }
    }
    Ok(out)
}

/// What a withdrawn enrolment still carries.
#[derive(Default)]
struct Carried {
    result: bool,
    assessments: i64,
    certificates: Vec<String>,
}

/// Withdrawn enrolments with a recorded result, an assessment or a certificate that is
/// not revoked: three grouped queries, one per kind of record.
pub(super) async fn withdrawn_with_results(
    conn: &impl ConnectionTrait,
    only: Option<&FlagKey>,
) -> Result<Vec<Found>, AppError> {
    let withdrawn = |q: &mut SelectStatement| {
        q.and_where(col("e", enrolment::Column::Status).eq(EnrolmentStatus::Withdrawn.as_str()));
        if let Some(key) = only {
            q.and_where(col("e", enrolment::Column::Id).eq(key.part(0)));
        }
    };
    let on_enrolment = |q: &mut SelectStatement, column: Expr| {
        q.join_as(
            JoinType::InnerJoin,
            enrolment::Entity,
            t("e"),
            col("e", enrolment::Column::Id).eq(column),
        );
    };
    let mut carried: BTreeMap<String, Carried> = BTreeMap::new();

    let mut results = Query::select();
    results
        .expr_as(col("e", enrolment::Column::Id), t("e_id"))
        .from_as(enrolment::Entity, t("e"))
        .and_where(col("e", enrolment::Column::ResultRecordedAt).is_not_null());
    withdrawn(&mut results);
    for row in conn.query_all(&results).await? {
        carried.entry(row.try_get("", "e_id")?).or_default().result = true;
    }

    let mut assessed = Query::select();
    assessed
        .expr_as(col("x", assessment::Column::EnrolmentId), t("e_id"))
        .expr_as(Func::count(col("x", assessment::Column::Id)), t("n"))
        .from_as(assessment::Entity, t("x"))
        .group_by_col((t("x"), assessment::Column::EnrolmentId));
    on_enrolment(&mut assessed, col("x", assessment::Column::EnrolmentId));
    withdrawn(&mut assessed);
    for row in conn.query_all(&assessed).await? {
        carried
            .entry(row.try_get("", "e_id")?)
            .or_default()
            .assessments = row.try_get("", "n")?;
    }

    let mut certified = Query::select();
    certified
        .expr_as(col("c", certificate::Column::EnrolmentId), t("e_id"))
        .expr_as(col("c", certificate::Column::Id), t("c_id"))
        .from_as(certificate::Entity, t("c"))
        .and_where(col("c", certificate::Column::Status).ne(CertificateStatus::Revoked.as_str()))
        .order_by((t("c"), certificate::Column::Id), Order::Asc);
    on_enrolment(&mut certified, col("c", certificate::Column::EnrolmentId));
    withdrawn(&mut certified);
    for row in conn.query_all(&certified).await? {
        let entry = carried.entry(row.try_get("", "e_id")?).or_default();
        entry.certificates.push(row.try_get("", "c_id")?);
    }

    Ok(carried
        .into_iter()
        .map(|(id, c)| {
            let mut what = Vec::new();
            if c.result {
                what.push("已录入的成绩".to_owned());
            }
            if c.assessments > 0 {
                what.push(format!("{}条考核记录", c.assessments));
            }
            if !c.certificates.is_empty() {
                what.push(format!("{}张未撤销的证书", c.certificates.len()));
            }
            let summary = format!("报名已退出，仍有{}", what.join("、"));
            let key = FlagKey::new(FlagKind::WithdrawnWithResults, vec![id.clone()]);
            let mut found = Found::new(key, summary, vec![id]);
            found.certificates = c.certificates;
            found
        })
        .collect())
}
