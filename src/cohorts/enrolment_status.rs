//! Whether an enrolment is current, stored in `enrolments.status`: a withdrawn
//! enrolment takes no results and earns no certificate.

use entities::enrolments as enrolment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::stored::{CorruptRow, Stored};

/// Enrolled until the provider withdraws the trainee; re-enrolling makes it current again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    Enrolled,
    Withdrawn,
}

impl Stored for EnrolmentStatus {
    const WHAT: &'static str = "enrolment status";
    const ALL: &'static [Self] = &[EnrolmentStatus::Enrolled, EnrolmentStatus::Withdrawn];

    fn as_str(self) -> &'static str {
        match self {
            EnrolmentStatus::Enrolled => "enrolled",
            EnrolmentStatus::Withdrawn => "withdrawn",
        }
    }
}

impl EnrolmentStatus {
    /// The status of a stored enrolment; an unknown word is [`CorruptRow`].
    pub fn of(row: &enrolment::Model) -> Result<Self, CorruptRow> {
        Self::read("enrolments", &row.id, &row.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_and_an_unknown_word_is_an_error() {
        crate::stored::assert_strict::<EnrolmentStatus>();
    }
}
