//! Who may call what: each handler names its policy in its signature
//! (`Allowed<Bureau>`), and the check runs before the body is read, so a caller without
//! the right always gets 403, never a validation error.

use std::marker::PhantomData;

use axum::{extract::FromRequestParts, http::request::Parts};

use super::AppState;
use crate::{
    access::{Caller, Role},
    error::AppError,
};

/// A set of roles allowed to call an endpoint.
pub trait Policy {
    const ROLES: &'static [Role];
}

/// An authenticated caller whose role the policy `P` allows.
pub struct Allowed<P>(pub Caller, pub PhantomData<P>);

impl<P: Policy + Send + Sync> FromRequestParts<AppState> for Allowed<P> {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require(P::ROLES)?;
        Ok(Self(caller, PhantomData))
    }
}

macro_rules! policy {
    ($(#[$doc:meta])* $name:ident => [$($role:ident),+]) => {
        $(#[$doc])*
        pub struct $name;
        impl Policy for $name {
            const ROLES: &'static [Role] = &[$(Role::$role),+];
        }
    };
}

policy!(
    /// The HR bureau only.
    Bureau => [BureauAdmin]
);
policy!(
    /// Training-provider staff only.
    Provider => [ProviderStaff]
);
policy!(
    /// Everyone who belongs to an organisation.
    OrgStaff => [BureauAdmin, ProviderStaff, Assessor, LicensingOfficer, Employer]
);
policy!(
    /// Providers and the bureau.
    ProviderOrBureau => [ProviderStaff, BureauAdmin]
);
policy!(
    /// Those who work with cohorts: providers, the bureau, assessors.
    TrainingReaders => [ProviderStaff, BureauAdmin, Assessor]
);
policy!(
    /// Those who record results.
    ProviderOrAssessor => [ProviderStaff, Assessor]
);
policy!(
    /// Those who may look a person up.
    PersonReaders => [BureauAdmin, ProviderStaff, Trainee]
);
policy!(
    /// Assessors of evaluation organisations.
    Assessor => [Assessor]
);
policy!(
    /// Those who issue certificates: providers (completion), assessors (specialty and
    /// skill level), licensing officers (licences).
    Issuers => [ProviderStaff, Assessor, LicensingOfficer]
);
policy!(
    /// Those who may suspend or revoke a certificate: its issuers, and the bureau for
    /// fraud it finds.
    Stoppers => [ProviderStaff, Assessor, LicensingOfficer, BureauAdmin]
);
policy!(
    /// Licensing officers of licensing authorities.
    Licensing => [LicensingOfficer]
);
policy!(
    /// Trainees, for their own records and certificates.
    Trainees => [Trainee]
);
policy!(
    /// Employers' staff only.
    Employer => [Employer]
);
policy!(
    /// The parties to a training order: the employer, providers, the bureau.
    OrderParties => [Employer, ProviderStaff, BureauAdmin]
);
policy!(
    /// Those who record hires against an order: the employer its own, the provider those
    /// by other employers.
    HireRecorders => [Employer, ProviderStaff]
);
policy!(
    /// Those who may set a person's e-mail address: the person (a trainee) and staff of a
    /// provider that enrolled them.
    EmailSetters => [ProviderStaff, Trainee]
);
policy!(
    /// The parties to an apprenticeship agreement: the enterprise, providers, the bureau.
    ApprenticeshipParties => [Employer, ProviderStaff, BureauAdmin]
);
policy!(
    /// Those who record an apprentice's milestones: the enterprise (its mentor's side) and
    /// the provider (its teacher's side).
    MilestoneRecorders => [Employer, ProviderStaff]
);
policy!(
    /// Those who issue certificates on an apprenticeship: the provider (the apprenticeship
    /// certificate) and assessors (the skill-level certificate).
    ApprenticeIssuers => [ProviderStaff, Assessor]
);
policy!(
    /// Those who read the apprenticeship subsidy ledger: the bureau, and an enterprise its
    /// own entries.
    LedgerReaders => [Employer, BureauAdmin]
);
