//! The six roles.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

impl Role {
    pub const ALL: [Role; 6] = [
        Role::BureauAdmin,
        Role::ProviderStaff,
        Role::Assessor,
        Role::LicensingOfficer,
        Role::Employer,
        Role::Trainee,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::BureauAdmin => "bureau_admin",
            Role::ProviderStaff => "provider_staff",
            Role::Assessor => "assessor",
            Role::LicensingOfficer => "licensing_officer",
            Role::Employer => "employer",
            Role::Trainee => "trainee",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}
