//! The kinds of organisation, stored in `organisations.kind`, and which kind each
//! role's accounts belong to.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{access::Role, stored::Stored};

/// What an organisation is to the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Bureau,
    TrainingProvider,
    EvaluationOrg,
    LicensingAuthority,
    Employer,
}

impl Stored for OrgKind {
    const WHAT: &'static str = "organisation kind";
    const ALL: &'static [Self] = &[
        OrgKind::Bureau,
        OrgKind::TrainingProvider,
        OrgKind::EvaluationOrg,
        OrgKind::LicensingAuthority,
        OrgKind::Employer,
    ];

    fn as_str(self) -> &'static str {
        match self {
            OrgKind::Bureau => "bureau",
            OrgKind::TrainingProvider => "training_provider",
            OrgKind::EvaluationOrg => "evaluation_org",
            OrgKind::LicensingAuthority => "licensing_authority",
            OrgKind::Employer => "employer",
        }
    }
}

impl OrgKind {
    /// The kind of organisation an account of `role` must belong to; `None` for
    /// trainees, who belong to no organisation.
    pub fn for_role(role: Role) -> Option<Self> {
        match role {
            Role::BureauAdmin => Some(OrgKind::Bureau),
            Role::ProviderStaff => Some(OrgKind::TrainingProvider),
            Role::Assessor => Some(OrgKind::EvaluationOrg),
            Role::LicensingOfficer => Some(OrgKind::LicensingAuthority),
            Role::Employer => Some(OrgKind::Employer),
            Role::Trainee => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_and_an_unknown_word_is_an_error() {
        crate::stored::assert_strict::<OrgKind>();
    }

    #[test]
    fn every_organisation_kind_has_exactly_one_role() {
        for &kind in OrgKind::ALL {
            let roles: Vec<Role> = Role::ALL
                .iter()
                .copied()
                .filter(|&r| OrgKind::for_role(r) == Some(kind))
                .collect();
            assert_eq!(roles.len(), 1, "{kind:?}: {roles:?}");
        }
    }
}
