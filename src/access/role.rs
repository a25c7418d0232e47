//! The six roles, stored in `accounts.role`.

use crate::stored::stored_enum;

stored_enum! {
    /// What an account may do; every account has exactly one.
    pub enum Role("role") {
        BureauAdmin = "bureau_admin",
        ProviderStaff = "provider_staff",
        Assessor = "assessor",
        LicensingOfficer = "licensing_officer",
        Employer = "employer",
        Trainee = "trainee",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stored::Stored;

    #[test]
    fn every_role_round_trips_and_an_unknown_word_is_an_error() {
        crate::stored::assert_strict::<Role>();
        assert_eq!(Role::ALL.len(), 6);
    }
}
