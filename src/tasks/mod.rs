//! What each signed-in organisation has to do next, computed from the records: the task
//! list behind the staff home page and `GET /api/v1/tasks`. Every section is one or two
//! bounded queries (a count and the first few rows), never a query per row.

mod queries;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{access::Caller, clock::Now, error::AppError};

/// How many rows each section lists (its `total` counts them all).
pub const SHOWN: u64 = 20;

/// How far ahead expiring licences are listed.
pub const EXPIRY_HORIZON_DAYS: i64 = 90;

/// The caller's task list; sections that do not apply to the caller's role are absent.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct TaskList {
    /// Certificates this organisation issued that were suspended because a certificate
    /// they rest on was revoked or suspended: revoke each, or reinstate it with a reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallen_grounds: Option<Section<FallenGrounds>>,
    /// Cohorts that have started and still have trainees without results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results_missing: Option<Section<ResultsMissing>>,
    /// Cohorts that have ended with trainees whose results are recorded but who have no
    /// completion certificate yet (issuing judges each against the program's rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completions_to_issue: Option<Section<CompletionsToIssue>>,
    /// Valid licences this organisation issued that expire within 90 days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licences_expiring: Option<Section<LicenceExpiring>>,
    /// Organisations waiting for the bureau: new ones to approve and renames to decide.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisations_waiting: Option<Section<OrganisationWaiting>>,
    /// Training orders past their deadline without enough certified trainees (the
    /// bureau: every one, to close it; a provider: those assigned to it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orders_overdue: Option<Section<crate::orders::close::OverdueOrder>>,
    /// Training orders waiting for a provider (the bureau: every one, to assign it; a
    /// provider: those its programs fit, to offer to take them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orders_waiting: Option<Section<crate::orders::waiting::WaitingOrder>>,
    /// Apprenticeship agreements submitted to the bureau, waiting to be filed or returned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreements_waiting: Option<Section<crate::apprenticeships::due::WaitingAgreement>>,
    /// Milestones of active apprentices of the provider's agreements due within 30 days
    /// or overdue, not yet completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestones_due: Option<Section<crate::apprenticeships::due::DueMilestone>>,
}

/// A section: how many there are in all and the first [`SHOWN`] of them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Section<T> {
    pub total: u64,
    pub items: Vec<T>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FallenGrounds {
    pub certificate_id: String,
    pub number: String,
    /// e.g. 准入类证书.
    pub kind_label: String,
    pub holder_name: String,
    /// "依据证书已撤销（number）" or "依据证书已暂停（number）".
    pub reason: String,
    pub parent_id: String,
    pub parent_number: String,
    pub suspended_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultsMissing {
    pub cohort_id: String,
    pub cohort_code: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Current enrolments without a result.
    pub without_result: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompletionsToIssue {
    pub cohort_id: String,
    pub cohort_code: String,
    pub ends_on: NaiveDate,
    /// Current enrolments with results and no completion certificate.
    pub without_certificate: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LicenceExpiring {
    pub certificate_id: String,
    pub number: String,
    pub holder_name: String,
    pub valid_until: NaiveDate,
    /// Days from today; 0 is today.
    pub days_left: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationWaiting {
    pub organisation_id: String,
    pub name: String,
    /// e.g. 培训机构.
    pub kind_label: String,
    /// `approval` for a new organisation, `rename` for a rename request.
    pub waiting_for: String,
    /// The name asked for, on a rename.
    pub pending_name: Option<String>,
}

/// The task list of `caller` on `now`'s day: the bureau sees organisations waiting and,
/// like any issuer, the certificates whose grounds fell (every issuer's); a provider sees
/// its cohorts missing results; a licensing authority its expiring licences.
pub async fn for_caller(
    conn: &impl sea_orm::ConnectionTrait,
    caller: &Caller,
    now: Now,
) -> Result<TaskList, AppError> {
    use crate::access::Role;
    let mut list = TaskList::default();
    if matches!(caller.role, Role::Trainee | Role::Employer) {
        return Ok(list);
    }
    list.fallen_grounds = Some(queries::fallen_grounds(conn, caller).await?);
    match caller.role {
        Role::BureauAdmin => {
            list.organisations_waiting = Some(queries::organisations_waiting(conn).await?);
            list.licences_expiring =
                Some(queries::licences_expiring(conn, caller, now.today).await?);
            list.orders_overdue = Some(orders_overdue(conn, caller, now.today).await?);
            list.orders_waiting = Some(orders_waiting(conn, caller).await?);
            let waiting = crate::apprenticeships::due::waiting(conn, caller).await?;
            list.agreements_waiting = Some(section(waiting));
        }
        Role::ProviderStaff => {
            list.orders_overdue = Some(orders_overdue(conn, caller, now.today).await?);
            list.orders_waiting = Some(orders_waiting(conn, caller).await?);
            let due = crate::apprenticeships::due::milestones(conn, caller, now.today).await?;
            list.milestones_due = Some(section(due));
            list.results_missing = Some(queries::results_missing(conn, caller, now.today).await?);
            list.completions_to_issue =
                Some(queries::completions_to_issue(conn, caller, now.today).await?);
        }
        Role::LicensingOfficer => {
            list.licences_expiring =
                Some(queries::licences_expiring(conn, caller, now.today).await?);
        }
        Role::Assessor | Role::Employer | Role::Trainee => {}
    }
    Ok(list)
}

/// A section of `items`: their number and the first [`SHOWN`].
pub fn section<T>(mut items: Vec<T>) -> Section<T> {
    let total = items.len() as u64;
    items.truncate(SHOWN as usize);
    Section { total, items }
}

async fn orders_overdue(
    conn: &impl sea_orm::ConnectionTrait,
    caller: &Caller,
    today: NaiveDate,
) -> Result<Section<crate::orders::close::OverdueOrder>, AppError> {
    Ok(section(
        crate::orders::close::overdue(conn, caller, today).await?,
    ))
}

async fn orders_waiting(
    conn: &impl sea_orm::ConnectionTrait,
    caller: &Caller,
) -> Result<Section<crate::orders::waiting::WaitingOrder>, AppError> {
    Ok(section(
        crate::orders::waiting::waiting(conn, caller).await?,
    ))
}
