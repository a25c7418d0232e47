//! Where a standard version stands, stored in `standards.status`: draft → published →
//! retired. A published or retired version never changes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::stored::Stored;

/// The life of one standard version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StandardStatus {
    /// Being written by the bureau; visible to the bureau only.
    Draft,
    /// In force; new programs pin it.
    Published,
    /// Replaced by a newer version or withdrawn; still readable.
    Retired,
}

impl Stored for StandardStatus {
    const WHAT: &'static str = "standard status";
    const ALL: &'static [Self] = &[
        StandardStatus::Draft,
        StandardStatus::Published,
        StandardStatus::Retired,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Retired => "retired",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_and_an_unknown_word_is_an_error() {
        crate::stored::assert_strict::<StandardStatus>();
    }
}
