//! The kinds of organisation, stored in `organisations.kind`, and which kind each
//! role's accounts belong to.

use crate::{access::Role, stored::stored_enum};

stored_enum! {
    /// What an organisation is to the registry.
    pub enum OrgKind("organisation kind") {
        Bureau = "bureau",
        TrainingProvider = "training_provider",
        EvaluationOrg = "evaluation_org",
        LicensingAuthority = "licensing_authority",
        Employer = "employer",
    }
}

impl OrgKind {
    /// What a person calls this kind of organisation.
    pub fn label(self) -> &'static str {
        match self {
            OrgKind::Bureau => "人力资源和社会保障局",
            OrgKind::TrainingProvider => "培训机构",
            OrgKind::EvaluationOrg => "评价机构",
            OrgKind::LicensingAuthority => "发证（许可）机关",
            OrgKind::Employer => "用人单位",
        }
    }

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
    use crate::stored::Stored;

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
