//! The messages' words: one folder per message under `templates/mail/` with its subject,
//! plain text and HTML, rendered with askama from the facts the event's caller supplies.
//! Rendered at the event, so a message says what was true when it happened.

use askama::Template;

use crate::error::AppError;

/// A rendered message: what the outbox stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Facts a message is rendered from; each kind of message has one.
pub trait Compose {
    /// Renders the subject (one line), the plain text and the HTML.
    fn compose(&self) -> Result<Composed, AppError>;
}

fn rendered(subject: String, text: String, html: String) -> Composed {
    Composed {
        subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
        text,
        html,
    }
}

fn failed(e: askama::Error) -> AppError {
    AppError::Internal(anyhow::Error::new(e).context("rendering a mail template"))
}

/// Declares the three templates of one message and renders them from `$facts`.
macro_rules! message {
    ($facts:ty, [$sp:tt, $tp:tt, $hp:tt], $subject:ident, $text:ident, $html:ident) => {
        #[derive(Template)]
        #[template(path = $sp)]
        struct $subject<'a> {
            m: &'a $facts,
        }

        #[derive(Template)]
        #[template(path = $tp)]
        struct $text<'a> {
            m: &'a $facts,
        }

        #[derive(Template)]
        #[template(path = $hp)]
        struct $html<'a> {
            m: &'a $facts,
        }

        impl Compose for $facts {
            fn compose(&self) -> Result<Composed, AppError> {
                Ok(rendered(
                    $subject { m: self }.render().map_err(failed)?,
                    $text { m: self }.render().map_err(failed)?,
                    $html { m: self }.render().map_err(failed)?,
                ))
            }
        }
    };
}

/// The link that confirms an address.
#[derive(Debug, Clone)]
pub struct AddressConfirmation {
    /// Whom the address belongs to, as the registry knows them.
    pub name: String,
    pub address: String,
    pub link: String,
    /// When the link stops working, as the reader's calendar shows it.
    pub expires: String,
}
message!(
    AddressConfirmation,
    [
        "mail/confirm_address/subject.txt",
        "mail/confirm_address/body.txt",
        "mail/confirm_address/body.html"
    ],
    ConfirmSubject,
    ConfirmText,
    ConfirmHtml
);

/// A certificate was issued to the reader.
#[derive(Debug, Clone)]
pub struct CertificateIssued {
    pub holder_name: String,
    /// The kind's label, e.g. 专项职业能力证书.
    pub kind: String,
    pub number: String,
    pub issuer_name: String,
    pub issued_on: String,
    pub verify_url: String,
    /// The attached PDF's file name.
    pub file_name: String,
}
message!(
    CertificateIssued,
    [
        "mail/certificate_issued/subject.txt",
        "mail/certificate_issued/body.txt",
        "mail/certificate_issued/body.html"
    ],
    IssuedSubject,
    IssuedText,
    IssuedHtml
);

/// The reader's certificate was suspended or revoked.
#[derive(Debug, Clone)]
pub struct CertificateStopped {
    pub holder_name: String,
    pub kind: String,
    pub number: String,
    pub issuer_name: String,
    pub reason: String,
    pub verify_url: String,
}
message!(
    CertificateStopped,
    [
        "mail/certificate_suspended/subject.txt",
        "mail/certificate_suspended/body.txt",
        "mail/certificate_suspended/body.html"
    ],
    SuspendedSubject,
    SuspendedText,
    SuspendedHtml
);

/// The same facts, for a revocation (its own words: it is final).
#[derive(Debug, Clone)]
pub struct CertificateRevoked(pub CertificateStopped);
message!(
    CertificateRevoked,
    [
        "mail/certificate_revoked/subject.txt",
        "mail/certificate_revoked/body.txt",
        "mail/certificate_revoked/body.html"
    ],
    RevokedSubject,
    RevokedText,
    RevokedHtml
);

/// The reader was enrolled in a cohort.
#[derive(Debug, Clone)]
pub struct EnrolmentConfirmed {
    pub name: String,
    pub program: String,
    pub provider: String,
    pub cohort: String,
    pub starts_on: String,
    pub ends_on: String,
    pub location: String,
    pub enrolment_id: String,
}
message!(
    EnrolmentConfirmed,
    [
        "mail/enrolment_confirmed/subject.txt",
        "mail/enrolment_confirmed/body.txt",
        "mail/enrolment_confirmed/body.html"
    ],
    EnrolledSubject,
    EnrolledText,
    EnrolledHtml
);

/// The reader's trainee account was claimed (opened) — by them, or, if not, they should
/// know at once.
#[derive(Debug, Clone)]
pub struct AccountClaimed {
    pub name: String,
    pub login: String,
    pub at: String,
    pub sign_in_url: String,
}
message!(
    AccountClaimed,
    [
        "mail/account_claimed/subject.txt",
        "mail/account_claimed/body.txt",
        "mail/account_claimed/body.html"
    ],
    ClaimedSubject,
    ClaimedText,
    ClaimedHtml
);

/// A training that renews a licence: the next cohort on its standard or occupation.
#[derive(Debug, Clone)]
pub struct NextCohort {
    pub program: String,
    pub cohort: String,
    pub provider: String,
    pub starts_on: String,
    pub ends_on: String,
}

/// The reader's certificate expires soon, today, or expired (a reminder step).
#[derive(Debug, Clone)]
pub struct ExpiryReminder {
    pub holder_name: String,
    pub kind: String,
    pub number: String,
    pub issuer_name: String,
    /// The last valid day.
    pub valid_until: String,
    /// Days from the reminder's day to the last valid day; negative once it has expired.
    pub days_left: i64,
    /// How to renew: the next cohort, or `None` when none is scheduled.
    pub renewal: Option<NextCohort>,
    pub verify_url: String,
}

impl ExpiryReminder {
    /// `days_left` as a number of days past expiry.
    pub fn days_ago(&self) -> i64 {
        -self.days_left
    }
}
message!(
    ExpiryReminder,
    [
        "mail/expiry_reminder/subject.txt",
        "mail/expiry_reminder/body.txt",
        "mail/expiry_reminder/body.html"
    ],
    ExpirySubject,
    ExpiryText,
    ExpiryHtml
);

/// An order's deadline approaches; to the employer's and the assigned provider's staff.
#[derive(Debug, Clone)]
pub struct OrderDeadline {
    /// The staff member's display name.
    pub name: String,
    pub title: String,
    pub employer: String,
    /// The assigned provider, if any yet.
    pub provider: Option<String>,
    pub status: String,
    pub deadline: String,
    pub days_left: i64,
    pub link: String,
}
message!(
    OrderDeadline,
    [
        "mail/order_deadline/subject.txt",
        "mail/order_deadline/body.txt",
        "mail/order_deadline/body.html"
    ],
    DeadlineSubject,
    DeadlineText,
    DeadlineHtml
);

/// An apprenticeship milestone is due soon or today; to the mentor and the teacher.
#[derive(Debug, Clone)]
pub struct MilestoneDue {
    /// The mentor's or teacher's display name.
    pub name: String,
    pub apprentice: String,
    pub title: String,
    pub due_on: String,
    pub days_left: i64,
    pub employer: String,
    pub provider: String,
}
message!(
    MilestoneDue,
    [
        "mail/milestone_due/subject.txt",
        "mail/milestone_due/body.txt",
        "mail/milestone_due/body.html"
    ],
    MilestoneSubject,
    MilestoneText,
    MilestoneHtml
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_what_people_typed_and_text_keeps_it() {
        let m = CertificateStopped {
            holder_name: "张三".into(),
            kind: "结业证书".into(),
            number: "150784-JY-2026-000001".into(),
            issuer_name: "额尔古纳市职业技能培训中心".into(),
            reason: "<b>材料不实</b>".into(),
            verify_url: "https://registry.example.org/v/abc".into(),
        };
        let c = m.compose().expect("renders");
        assert!(c.subject.contains("150784-JY-2026-000001"), "{}", c.subject);
        assert!(!c.subject.contains('\n'));
        assert!(c.text.contains("<b>材料不实</b>"), "{}", c.text);
        assert!(
            c.html.contains("&#60;b&#62;材料不实&#60;/b&#62;"),
            "{}",
            c.html
        );
        assert!(!c.html.contains("<b>材料不实</b>"));
    }
}
