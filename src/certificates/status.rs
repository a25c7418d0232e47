//! A certificate's status: the four stored in `certificates.status` (valid, suspended,
//! revoked, superseded) and expired, which is never written but follows from the date.
//! Each status's one Chinese and one English label, used by the JSON and the pages alike.

use chrono::NaiveDate;
use entities::certificates as certificate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::stored::{CorruptRow, Stored};

/// Where a certificate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Valid,
    /// By the issuer, with a reason, until reinstated or revoked.
    Suspended,
    /// For good, with the reason and date kept forever.
    Revoked,
    /// Replaced by a corrected re-issue.
    Superseded,
    /// A valid certificate past its last valid day; derived, never stored.
    Expired,
}

impl Stored for CertificateStatus {
    const WHAT: &'static str = "certificate status";
    /// The stored statuses: `expired` is never written, so reading it is an error too.
    const ALL: &'static [Self] = &[
        Self::Valid,
        Self::Suspended,
        Self::Revoked,
        Self::Superseded,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Suspended => "suspended",
            Self::Revoked => "revoked",
            Self::Superseded => "superseded",
            Self::Expired => "expired",
        }
    }
}

impl CertificateStatus {
    /// The stored status of a certificate row; an unknown word is [`CorruptRow`].
    pub fn of(row: &certificate::Model) -> Result<Self, CorruptRow> {
        Self::read("certificates", &row.id, &row.status)
    }

    /// The status of a certificate row on `today` (see [`CertificateStatus::on`]).
    pub fn current(row: &certificate::Model, today: NaiveDate) -> Result<Self, CorruptRow> {
        Ok(Self::of(row)?.on(row.valid_until, today))
    }

    /// The status on `today` of a certificate stored with this status: a valid one past
    /// its last valid day is expired (nothing is written on the day).
    pub fn on(self, valid_until: Option<NaiveDate>, today: NaiveDate) -> Self {
        if self == Self::Valid && valid_until.is_some_and(|d| d < today) {
            Self::Expired
        } else {
            self
        }
    }

    /// The Chinese label, the same in the JSON and on every page.
    pub fn label(self) -> &'static str {
        match self {
            Self::Valid => "有效",
            Self::Suspended => "已暂停",
            Self::Revoked => "已撤销",
            Self::Superseded => "已被替换",
            Self::Expired => "已过期",
        }
    }

    /// The English label, for verifiers abroad.
    pub fn english_label(self) -> &'static str {
        match self {
            Self::Valid => "Valid",
            Self::Suspended => "Suspended",
            Self::Revoked => "Revoked",
            Self::Superseded => "Superseded",
            Self::Expired => "Expired",
        }
    }

    /// The published status list that flags this status (`revocation` or `suspension`),
    /// if any. A superseded certificate is no longer to be relied on: it counts as
    /// revoked. Expiry needs no list: the credential carries its `validUntil`.
    pub fn status_list(self) -> Option<&'static str> {
        match self {
            Self::Revoked | Self::Superseded => Some("revocation"),
            Self::Suspended => Some("suspension"),
            Self::Valid | Self::Expired => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    #[test]
    fn every_stored_status_round_trips_and_an_unknown_word_is_an_error() {
        crate::stored::assert_strict::<CertificateStatus>();
    }

    #[test]
    fn expired_is_shown_but_never_read_from_the_database() {
        assert_eq!(
            serde_json::to_value(CertificateStatus::Expired).ok(),
            Some(serde_json::json!("expired"))
        );
        assert!(CertificateStatus::parse("expired").is_err());
    }

    #[test]
    fn only_a_valid_certificate_expires_and_only_after_its_last_day() {
        let last = Some(date("2026-12-31"));
        let valid = CertificateStatus::Valid;
        assert_eq!(valid.on(last, date("2026-12-31")), CertificateStatus::Valid);
        assert_eq!(
            valid.on(last, date("2027-01-01")),
            CertificateStatus::Expired
        );
        assert_eq!(valid.on(None, date("2099-01-01")), CertificateStatus::Valid);
        let revoked = CertificateStatus::Revoked;
        assert_eq!(revoked.on(last, date("2027-01-01")), revoked);
    }

    #[test]
    fn labels_tell_the_statuses_apart_in_both_languages() {
        let all = [
            CertificateStatus::Valid,
            CertificateStatus::Suspended,
            CertificateStatus::Revoked,
            CertificateStatus::Superseded,
            CertificateStatus::Expired,
        ];
        for label in [CertificateStatus::label, CertificateStatus::english_label] {
            let distinct: std::collections::HashSet<&str> = all.iter().map(|&s| label(s)).collect();
            assert_eq!(distinct.len(), all.len());
        }
        assert_eq!(CertificateStatus::Suspended.label(), "已暂停");
    }
}
