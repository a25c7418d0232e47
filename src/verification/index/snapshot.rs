//! What the index keeps per holder and certificate: only what verification shows, with
//! short repeated strings shared.

use std::sync::Arc;

use chrono::NaiveDate;

use super::paper::PaperFacts;
use crate::{certificates::CertificateStatus, programs::CertificateKind};

/// One certificate as verification shows it.
pub(super) struct Cert {
    /// Shared with the index's key.
    pub(super) token: Arc<str>,
    pub(super) number: Box<str>,
    pub(super) kind: CertificateKind,
    /// As stored: never `Expired`, which is decided at look-up from `valid_until` and
    /// the day.
    pub(super) status: CertificateStatus,
    pub(super) reason: Option<Box<str>>,
    /// When the stored status began (revoked on, suspended since, superseded on).
    pub(super) since: Option<NaiveDate>,
    pub(super) issuer: Arc<str>,
    /// The issuer's name as the certificate was issued under.
    pub(super) issuer_name: Arc<str>,
    pub(super) occupation: Option<Arc<str>>,
    pub(super) standard: Option<Arc<str>>,
    pub(super) level: Option<Arc<str>>,
    pub(super) valid_from: NaiveDate,
    pub(super) valid_until: Option<NaiveDate>,
    pub(super) credential_sha256: [u8; 32],
    pub(super) pdf_sha256: [u8; 32],
    /// Positions of the other certificates of this one's chain in the holder's list.
    pub(super) chain: Box<[u32]>,
    pub(super) superseded_by: Option<u32>,
    /// What the paper prints beyond the row (program, hours, period; a licence's name and
    /// 准入事项); `None` for the kinds that print none of it.
    pub(super) paper: Option<Box<PaperFacts>>,
}

impl Cert {
    /// Status, reason and since-when on `today`.
    pub(super) fn status_on(
        &self,
        today: NaiveDate,
    ) -> (CertificateStatus, Option<&str>, Option<NaiveDate>) {
        match self.status.on(self.valid_until, today) {
            CertificateStatus::Expired => (CertificateStatus::Expired, None, self.valid_until),
            CertificateStatus::Valid => (CertificateStatus::Valid, None, None),
            stored => (stored, self.reason.as_deref(), self.since),
        }
    }
}

/// A holder with all their certificates, as of one read.
pub(super) struct Holder {
    /// Masked, e.g. 张*三.
    pub(super) name: Box<str>,
    /// Masked, e.g. 150784********123X.
    pub(super) citizen_id: Box<str>,
    pub(super) certificates: Box<[Cert]>,
}

pub(super) struct Issuer {
    pub(super) name: String,
    pub(super) credit_code: String,
}

/// Where a token points: a holder snapshot and the certificate's position in it.
#[derive(Clone)]
pub(super) struct Entry {
    pub(super) holder: Arc<Holder>,
    pub(super) at: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    use CertificateStatus::{Expired, Revoked, Valid};

    fn cert(status: CertificateStatus, valid_until: Option<NaiveDate>) -> Cert {
        Cert {
            token: "t".into(),
            number: "150784-ZR-2026-000001".into(),
            kind: CertificateKind::Licence,
            status,
            reason: (status == Revoked).then(|| "弄虚作假".into()),
            since: (status == Revoked).then(|| date("2026-05-01")),
            issuer: "org".into(),
            issuer_name: "某机构".into(),
            occupation: None,
            standard: None,
            level: None,
            valid_from: date("2026-01-01"),
            valid_until,
            credential_sha256: [0; 32],
            pdf_sha256: [0; 32],
            chain: Box::new([]),
            superseded_by: None,
            paper: None,
        }
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    #[test]
    fn a_licence_is_valid_through_its_last_day_and_expired_the_day_after() {
        let licence = cert(Valid, Some(date("2026-12-31")));
        assert_eq!(licence.status_on(date("2026-12-31")), (Valid, None, None));
        assert_eq!(
            licence.status_on(date("2027-01-01")),
            (Expired, None, Some(date("2026-12-31")))
        );
        assert_eq!(cert(Valid, None).status_on(date("2099-01-01")).0, Valid);
    }

    #[test]
    fn a_revocation_outranks_expiry_and_keeps_its_reason_and_date() {
        let revoked = cert(Revoked, Some(date("2026-06-30")));
        assert_eq!(
            revoked.status_on(date("2027-01-01")),
            (Revoked, Some("弄虚作假"), Some(date("2026-05-01")))
        );
    }
}
