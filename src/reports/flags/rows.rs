//! The rows behind the flags, masked as everywhere in the reports (the name as
//! `mask_name` writes it, the ID number's stored masked form): enrolments with their
//! cohort, program and provider; certificates; apprentices with their agreement. Read by
//! id, [`CHUNK`] ids a query, whatever the number of flags.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use entities::{
    apprentices as apprentice, apprenticeship_agreements as agreement, certificates as certificate,
    cohorts as cohort, enrolments as enrolment, occupations as occupation,
    organisations as organisation, people as person, programs as program,
};
use sea_orm::{
    ConnectionTrait, QueryResult,
    sea_query::{ExprTrait, JoinType, Query, SelectStatement},
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{col, t};
use crate::{
    apprenticeships::ApprenticeStatus, certificates::CertificateStatus, cohorts::EnrolmentStatus,
    error::AppError, people::mask_name, programs::CertificateKind, stored::Stored,
};

/// Ids per query.
const CHUNK: usize = 500;

/// One record behind a flag.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlagRow {
    /// `enrolment`, `certificate` or `apprentice`.
    pub record: &'static str,
    pub id: String,
    /// Masked, e.g. `娜*花`.
    pub name: String,
    /// Masked, e.g. `150784********123X`.
    pub citizen_id: String,
    /// The program's title, the certificate's kind, or the apprenticeship's occupation.
    pub title: String,
    /// The cohort's code, the certificate's number, or the occupation's code.
    pub code: String,
    /// The provider (of the cohort or agreement), or the certificate's issuer.
    pub organisation: String,
    /// The cohort's days, the certificate's validity, or the apprentice's contract.
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub status: String,
}

/// The rows read, by record and id.
#[derive(Default)]
pub(super) struct Loaded(HashMap<(&'static str, String), FlagRow>);

impl Loaded {
    /// The rows of these enrolments, apprentices and certificates, in that order.
    pub(super) fn of(
        &self,
        enrolments: &[String],
        apprentices: &[String],
        certificates: &[String],
    ) -> Vec<FlagRow> {
        let tagged = enrolments
            .iter()
            .map(|id| ("enrolment", id))
            .chain(apprentices.iter().map(|id| ("apprentice", id)))
            .chain(certificates.iter().map(|id| ("certificate", id)));
        tagged
            .filter_map(|(record, id)| self.0.get(&(record, id.clone())).cloned())
            .collect()
    }
}

/// The people columns every row shows, joined as `p` on `column`.
fn with_person(q: &mut SelectStatement, on: sea_orm::sea_query::Expr) {
    q.expr_as(col("p", person::Column::Name), t("name"))
        .expr_as(col("p", person::Column::CitizenIdMasked), t("citizen_id"))
        .join_as(
            JoinType::InnerJoin,
            person::Entity,
            t("p"),
            col("p", person::Column::Id).eq(on),
        );
}

fn person_of(row: &QueryResult) -> Result<(String, String), AppError> {
    let name: String = row.try_get("", "name")?;
    Ok((mask_name(&name), row.try_get("", "citizen_id")?))
}

fn enrolments(ids: &[String]) -> SelectStatement {
    let mut q = Query::select();
    q.expr_as(col("e", enrolment::Column::Id), t("id"))
        .expr_as(col("e", enrolment::Column::Status), t("status"))
        .expr_as(col("k", cohort::Column::Code), t("code"))
        .expr_as(col("k", cohort::Column::StartsOn), t("starts_on"))
        .expr_as(col("k", cohort::Column::EndsOn), t("ends_on"))
        .expr_as(col("g", program::Column::Title), t("title"))
        .expr_as(col("o", organisation::Column::Name), t("organisation"))
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
            t("g"),
            col("g", program::Column::Id).equals((t("k"), cohort::Column::ProgramId)),
        )
        .join_as(
            JoinType::InnerJoin,
            organisation::Entity,
            t("o"),
            col("o", organisation::Column::Id).equals((t("k"), cohort::Column::ProviderId)),
        )
        .and_where(col("e", enrolment::Column::Id).is_in(ids.iter().map(String::as_str)));
    with_person(&mut q, col("e", enrolment::Column::PersonId));
    q
}

fn enrolment_row(row: &QueryResult) -> Result<FlagRow, AppError> {
    let id: String = row.try_get("", "id")?;
    let status: String = row.try_get("", "status")?;
    let (name, citizen_id) = person_of(row)?;
    Ok(FlagRow {
        record: "enrolment",
        status: EnrolmentStatus::read("enrolments", &id, &status)?
            .label()
            .to_owned(),
        id,
        name,
        citizen_id,
        title: row.try_get("", "title")?,
        code: row.try_get("", "code")?,
        organisation: row.try_get("", "organisation")?,
        starts_on: Some(row.try_get("", "starts_on")?),
        ends_on: Some(row.try_get("", "ends_on")?),
    })
}

fn certificates(ids: &[String]) -> SelectStatement {
    let mut q = Query::select();
    q.expr_as(col("c", certificate::Column::Id), t("id"))
        .expr_as(col("c", certificate::Column::Number), t("code"))
        .expr_as(col("c", certificate::Column::Kind), t("kind"))
        .expr_as(col("c", certificate::Column::Status), t("status"))
        .expr_as(col("c", certificate::Column::ValidFrom), t("starts_on"))
        .expr_as(col("c", certificate::Column::ValidUntil), t("ends_on"))
        .expr_as(col("c", certificate::Column::IssuerName), t("organisation"))
        .from_as(certificate::Entity, t("c"))
        .and_where(col("c", certificate::Column::Id).is_in(ids.iter().map(String::as_str)));
    with_person(&mut q, col("c", certificate::Column::PersonId));
    q
}

fn certificate_row(row: &QueryResult) -> Result<FlagRow, AppError> {
    let id: String = row.try_get("", "id")?;
    let kind: String = row.try_get("", "kind")?;
    let status: String = row.try_get("", "status")?;
    let (name, citizen_id) = person_of(row)?;
    Ok(FlagRow {
        record: "certificate",
        title: CertificateKind::read("certificates", &id, &kind)?
            .label()
            .to_owned(),
        status: CertificateStatus::read("certificates", &id, &status)?
            .label()
            .to_owned(),
        id,
        name,
        citizen_id,
        code: row.try_get("", "code")?,
        organisation: row.try_get("", "organisation")?,
        starts_on: Some(row.try_get("", "starts_on")?),
        ends_on: row.try_get("", "ends_on")?,
    })
}

fn apprentices(ids: &[String]) -> SelectStatement {
    let mut q = Query::select();
    q.expr_as(col("a", apprentice::Column::Id), t("id"))
        .expr_as(col("a", apprentice::Column::Status), t("status"))
        .expr_as(
            col("a", apprentice::Column::ContractStartsOn),
            t("starts_on"),
        )
        .expr_as(col("a", apprentice::Column::ContractEndsOn), t("ends_on"))
        .expr_as(col("g", agreement::Column::OccupationCode), t("code"))
        .expr_as(col("oc", occupation::Column::Name), t("title"))
        .expr_as(col("o", organisation::Column::Name), t("organisation"))
        .from_as(apprentice::Entity, t("a"))
        .join_as(
            JoinType::InnerJoin,
            agreement::Entity,
            t("g"),
            col("g", agreement::Column::Id).equals((t("a"), apprentice::Column::AgreementId)),
        )
        .join_as(
            JoinType::InnerJoin,
            organisation::Entity,
            t("o"),
            col("o", organisation::Column::Id).equals((t("g"), agreement::Column::ProviderId)),
        )
        .join_as(
            JoinType::LeftJoin,
            occupation::Entity,
            t("oc"),
            col("oc", occupation::Column::Code).equals((t("g"), agreement::Column::OccupationCode)),
        )
        .and_where(col("a", apprentice::Column::Id).is_in(ids.iter().map(String::as_str)));
    with_person(&mut q, col("a", apprentice::Column::PersonId));
    q
}

fn apprentice_row(row: &QueryResult) -> Result<FlagRow, AppError> {
    let id: String = row.try_get("", "id")?;
    let status: String = row.try_get("", "status")?;
    let occupation: Option<String> = row.try_get("", "title")?;
    let (name, citizen_id) = person_of(row)?;
    Ok(FlagRow {
        record: "apprentice",
        status: ApprenticeStatus::read("apprentices", &id, &status)?
            .label()
            .to_owned(),
        id,
        name,
        citizen_id,
        title: format!("新型学徒制：{}", occupation.unwrap_or_default()),
        code: row.try_get("", "code")?,
        organisation: row.try_get("", "organisation")?,
        starts_on: Some(row.try_get("", "starts_on")?),
        ends_on: Some(row.try_get("", "ends_on")?),
    })
}

/// Reads the rows of `ids` with `query`, [`CHUNK`] at a time, into `into`.
async fn read(
    conn: &impl ConnectionTrait,
    ids: impl Iterator<Item = String>,
    query: fn(&[String]) -> SelectStatement,
    row: fn(&QueryResult) -> Result<FlagRow, AppError>,
    into: &mut Loaded,
) -> Result<(), AppError> {
    let ids: Vec<String> = ids.collect::<BTreeSet<_>>().into_iter().collect();
    for chunk in ids.chunks(CHUNK) {
        for r in conn.query_all(&query(chunk)).await? {
            let r = row(&r)?;
            into.0.insert((r.record, r.id.clone()), r);
        }
    }
    Ok(())
}

/// The rows of these enrolments, certificates and apprentices.
pub(super) async fn load(
    conn: &impl ConnectionTrait,
    enrolment_ids: impl Iterator<Item = String>,
    certificate_ids: impl Iterator<Item = String>,
    apprentice_ids: impl Iterator<Item = String>,
) -> Result<Loaded, AppError> {
    let mut loaded = Loaded::default();
    read(conn, enrolment_ids, enrolments, enrolment_row, &mut loaded).await?;
    read(
        conn,
        certificate_ids,
        certificates,
        certificate_row,
        &mut loaded,
    )
    .await?;
    read(
        conn,
        apprentice_ids,
        apprentices,
        apprentice_row,
        &mut loaded,
    )
    .await?;
    Ok(loaded)
}
