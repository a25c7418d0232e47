//! The six roles, stored in `accounts.role`.

use crate::stored::stored_enum;

stored_enum! {
    /// What an account may do; every account has exactly one.
    pub enum Role("role") {
        BureauAdmin = "bureau_admin" => "人社局管理员",
        ProviderStaff = "provider_staff" => "培训机构工作人员",
        Assessor = "assessor" => "评价机构考评员",
        LicensingOfficer = "licensing_officer" => "发证机关工作人员",
        Employer = "employer" => "用人单位",
        Trainee = "trainee" => "学员",
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
