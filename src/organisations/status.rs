//! Where an organisation stands with the bureau, stored in `organisations.status`: only
//! approved organisations act.

use crate::stored::stored_enum;

stored_enum! {
    /// Pending until the bureau approves; the bureau may suspend later.
    pub enum OrgStatus("organisation status") {
        Pending = "pending" => "待审核",
        Approved = "approved" => "已批准",
        Suspended = "suspended" => "已暂停",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_and_an_unknown_word_is_an_error() {
        crate::stored::assert_strict::<OrgStatus>();
    }
}
