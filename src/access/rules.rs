//! The who-sees-what rules of each capability, in one place. Visibility decides whether
//! a record exists for the caller at all (anything else is "not found"); entitlement
//! decides whether a person's identity is shown in full or masked (docs/DESIGN.md §4).

use entities::{cohorts as cohort, enrolments, people as person};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Select};

use super::{Caller, Role};
use crate::error::AppError;

/// A cohort is visible to its provider, to assessors of the evaluation organisation
/// assigned to it, and to the bureau.
pub fn may_see_cohort(caller: &Caller, row: &cohort::Model) -> bool {
    match caller.role {
        Role::BureauAdmin => true,
        Role::ProviderStaff => caller.belongs_to(&row.provider_id),
        Role::Assessor => row
            .evaluation_org_id
            .as_deref()
            .is_some_and(|org| caller.belongs_to(org)),
        _ => false,
    }
}

/// `query` narrowed to the cohorts [`may_see_cohort`] allows; `None` when none.
pub fn visible_cohorts(
    caller: &Caller,
    query: Select<cohort::Entity>,
) -> Option<Select<cohort::Entity>> {
    match (caller.role, &caller.organisation_id) {
        (Role::BureauAdmin, _) => Some(query),
        (Role::ProviderStaff, Some(org)) => Some(query.filter(cohort::Column::ProviderId.eq(org))),
        (Role::Assessor, Some(org)) => Some(query.filter(cohort::Column::EvaluationOrgId.eq(org))),
        _ => None,
    }
}

/// In an enrolment, the identity is shown in full to staff of the enrolling provider and
/// to the person themselves; masked to everyone else who may see the cohort.
pub fn sees_enrolled_identity(caller: &Caller, provider_id: &str, person: &person::Model) -> bool {
    caller.role == Role::ProviderStaff && caller.belongs_to(provider_id)
        || caller.is_account(person.account_id.as_deref())
}

/// A person's identity is shown in full to the person and to staff of a provider that
/// enrolled them.
pub async fn entitled_to_person(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    row: &person::Model,
) -> Result<bool, AppError> {
    if caller.is_account(row.account_id.as_deref()) {
        return Ok(true);
    }
    match (caller.role, &caller.organisation_id) {
        (Role::ProviderStaff, Some(org)) => Ok(enrolments::Entity::find()
            .filter(enrolments::Column::PersonId.eq(&row.id))
            .filter(enrolments::Column::ProviderId.eq(org))
            .count(conn)
            .await?
            > 0),
        _ => Ok(false),
    }
}

/// A person record exists for those entitled to it and (masked) for the bureau.
pub async fn may_see_person(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    row: &person::Model,
) -> Result<Visibility, AppError> {
    if entitled_to_person(conn, caller, row).await? {
        Ok(Visibility::Full)
    } else if caller.is_bureau() {
        Ok(Visibility::Masked)
    } else {
        Ok(Visibility::None)
    }
}

/// How much of a record a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Nothing: the record is "not found".
    None,
    /// The record with names and ID numbers masked.
    Masked,
    /// Everything.
    Full,
}

/// A certificate is visible to its holder, to staff of its issuer, and to the bureau.
/// `holder_account` is the account linked to the holder's person record.
pub fn may_see_certificate(
    caller: &Caller,
    issuer_org_id: &str,
    holder_account: Option<&str>,
) -> bool {
    caller.is_bureau() || caller.belongs_to(issuer_org_id) || caller.is_account(holder_account)
}

/// On a certificate, the holder's name is shown in full to its issuer and to the holder.
pub fn sees_certificate_holder(
    caller: &Caller,
    issuer_org_id: &str,
    holder_account: Option<&str>,
) -> bool {
    caller.belongs_to(issuer_org_id) || caller.is_account(holder_account)
}

/// Only the issuer changes a certificate's status.
pub fn is_issuer(caller: &Caller, issuer_org_id: &str) -> bool {
    caller.belongs_to(issuer_org_id)
}

/// Suspending and revoking are also the bureau's, for fraud it finds; lifting a
/// suspension, correcting and renewing stay with the issuer.
pub fn may_stop_certificate(caller: &Caller, issuer_org_id: &str) -> bool {
    is_issuer(caller, issuer_org_id) || caller.is_bureau()
}

/// A training order is visible to staff of its employer (drafts included), to the bureau
/// once submitted, to the provider assigned to it, and to every provider while it waits
/// for one (so it can offer to take it). Anyone else gets "not found".
pub fn may_see_order(
    caller: &Caller,
    employer_id: &str,
    provider_id: Option<&str>,
    status: &str,
) -> bool {
    match caller.role {
        Role::BureauAdmin => status != "draft",
        Role::Employer => caller.belongs_to(employer_id),
        Role::ProviderStaff => match provider_id {
            Some(provider) => caller.belongs_to(provider),
            None => status == "submitted",
        },
        _ => false,
    }
}

/// The employer's contact details (address, phone) on an order: for its own staff, the
/// bureau and the provider assigned to it; a provider deciding whether to offer sees the
/// posts and pay only.
pub fn sees_order_contacts(caller: &Caller, employer_id: &str, provider_id: Option<&str>) -> bool {
    caller.is_bureau()
        || caller.role == Role::Employer && caller.belongs_to(employer_id)
        || caller.role == Role::ProviderStaff && provider_id.is_some_and(|p| caller.belongs_to(p))
}

/// An order's trainees are named in full only to the assigned provider (which enrolled
/// them); the employer and the bureau see them masked.
pub fn sees_order_trainees(caller: &Caller, provider_id: Option<&str>) -> bool {
    caller.role == Role::ProviderStaff && provider_id.is_some_and(|p| caller.belongs_to(p))
}

/// An apprenticeship agreement is visible to staff of its enterprise (drafts included), and
/// once submitted to the training provider it names and to the bureau. Anyone else gets
/// "not found".
pub fn may_see_apprenticeship(
    caller: &Caller,
    employer_id: &str,
    provider_id: &str,
    status: &str,
) -> bool {
    match caller.role {
        Role::Employer => caller.belongs_to(employer_id),
        Role::ProviderStaff => status != "draft" && caller.belongs_to(provider_id),
        Role::BureauAdmin => status != "draft",
        _ => false,
    }
}

/// An apprentice's identity is shown in full to the enterprise that employs them (it holds
/// the labour contract and entered the ID); the provider and the bureau see it masked.
pub fn sees_apprentice_identity(caller: &Caller, employer_id: &str) -> bool {
    caller.role == Role::Employer && caller.belongs_to(employer_id)
}
