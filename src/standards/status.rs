//! Where a standard version stands, stored in `standards.status`: draft → published →
//! retired. A published or retired version never changes.

use crate::stored::stored_enum;

stored_enum! {
    /// The life of one standard version.
    pub enum StandardStatus("standard status") {
        /// Being written by the bureau; visible to the bureau only.
        Draft = "draft" => "草稿",
        /// In force; new programs pin it.
        Published = "published" => "已发布",
        /// Replaced by a newer version or withdrawn; still readable.
        Retired = "retired" => "已废止",
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
