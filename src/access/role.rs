//! The six roles, stored in `accounts.role` as their snake_case words.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::stored::Stored;

/// What an account may do; every account has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    BureauAdmin,
    ProviderStaff,
    Assessor,
    LicensingOfficer,
    Employer,
    Trainee,
}

impl Stored for Role {
    const WHAT: &'static str = "role";
    const ALL: &'static [Self] = &[
        Role::BureauAdmin,
        Role::ProviderStaff,
        Role::Assessor,
        Role::LicensingOfficer,
        Role::Employer,
        Role::Trainee,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Role::BureauAdmin => "bureau_admin",
            Role::ProviderStaff => "provider_staff",
            Role::Assessor => "assessor",
            Role::LicensingOfficer => "licensing_officer",
            Role::Employer => "employer",
            Role::Trainee => "trainee",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_and_an_unknown_word_is_an_error() {
        crate::stored::assert_strict::<Role>();
        assert_eq!(Role::ALL.len(), 6);
    }
}
