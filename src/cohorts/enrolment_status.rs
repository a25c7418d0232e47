//! Whether an enrolment is current, stored in `enrolments.status`: a withdrawn
//! enrolment takes no results and earns no certificate.

use entities::enrolments as enrolment;

use crate::stored::{CorruptRow, Stored, stored_enum};

stored_enum! {
    /// Enrolled until the provider withdraws the trainee; re-enrolling makes it current
    /// again.
    pub enum EnrolmentStatus("enrolment status") {
        Enrolled = "enrolled" => "在读",
        Withdrawn = "withdrawn" => "已退出",
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
