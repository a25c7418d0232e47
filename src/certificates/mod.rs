//! Certificates: the 一培多证 chain (completion → specialty → licence; completion +
//! assessment → skill level), numbering, issuing (one transaction, idempotent), the
//! frozen signed credential and the PDF rendered once at issue.

pub mod apprenticed;
pub mod assessed;
pub mod credential;
pub mod fallen;
pub mod freeze;
pub mod grounds;
pub mod issue;
pub mod licensing;
pub mod lifecycle;
pub mod notices;
pub mod numbering;
pub mod pdf;
pub mod printing;
pub mod read;
pub mod reissue;
pub mod renewal;
pub mod requirements;
pub mod status;
pub mod status_lists;
mod unmade;

use std::sync::Arc;

use crate::people::PiiKeys;
pub use grounds::{IssueRequest, Missing};
pub use read::{Certificate, CertificateSummary};
pub use status::CertificateStatus;

/// What issuing needs besides the database: the keys, the renderer, and the public
/// addresses printed into certificates.
pub struct Services {
    pub pii: Arc<PiiKeys>,
    pub signing: credential::KeyRing,
    pub renderer: pdf::Renderer,
    /// `REGISTRY_BASE_URL`, without a trailing slash.
    pub base_url: String,
    /// The registry's `did:web` identifier (issuer of every credential).
    pub did: String,
    /// The region code that prefixes registry-format numbers (`150784` for Erguna).
    pub region_code: String,
    /// Standard versions certificates pin, by id. A version a certificate pins is
    /// published or retired and so never changes; caching it is always correct.
    pub pinned_standards:
        std::sync::RwLock<std::collections::HashMap<String, crate::standards::Standard>>,
}

impl Services {
    /// A pinned standard version, read once and kept.
    pub async fn pinned_standard(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        id: &str,
    ) -> Result<Option<crate::standards::Standard>, crate::error::AppError> {
        if let Some(found) = self
            .pinned_standards
            .read()
            .ok()
            .and_then(|m| m.get(id).cloned())
        {
            return Ok(Some(found));
        }
        let standard = crate::standards::by_id(conn, id).await?;
        if let (Some(s), Ok(mut cache)) = (&standard, self.pinned_standards.write())
            && s.status != crate::standards::StandardStatus::Draft
        {
            cache.insert(id.to_owned(), s.clone());
        }
        Ok(standard)
    }

    /// The public verification URL for a token: what the QR code holds.
    pub fn verify_url(&self, token: &str) -> String {
        format!("{}/v/{token}", self.base_url)
    }
}
