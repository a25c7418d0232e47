//! Where an organisation stands with the bureau, stored in `organisations.status`: only
//! approved organisations act.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::stored::Stored;

/// Pending until the bureau approves; the bureau may suspend later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgStatus {
    Pending,
    Approved,
    Suspended,
}

impl Stored for OrgStatus {
    const WHAT: &'static str = "organisation status";
    const ALL: &'static [Self] = &[
        OrgStatus::Pending,
        OrgStatus::Approved,
        OrgStatus::Suspended,
    ];

    fn as_str(self) -> &'static str {
        match self {
            OrgStatus::Pending => "pending",
            OrgStatus::Approved => "approved",
            OrgStatus::Suspended => "suspended",
        }
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
