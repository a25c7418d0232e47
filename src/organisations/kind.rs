//! The kinds of organisation, stored in `organisations.kind`, and which kind each
//! role's accounts belong to.

use crate::{access::Role, stored::stored_enum};

stored_enum! {
    /// What an organisation is to the registry.
    pub enum OrgKind("organisation kind") {
        Bureau = "bureau" => "人力资源和社会保障局",
        TrainingProvider = "training_provider" => "培训机构",
        EvaluationOrg = "evaluation_org" => "评价机构",
        LicensingAuthority = "licensing_authority" => "发证（许可）机关",
        Employer = "employer" => "用人单位",
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
