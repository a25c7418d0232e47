//! Checking a document someone hands a verifier: a certificate PDF or a credential JSON.
//! Did this registry issue it, is it unaltered, and what is its status now?
//!
//! - A PDF whose SHA-256 is one we recorded at issue is ours and unaltered; the
//!   signature of the credential it carries is still verified, never assumed.
//! - Any other PDF: its embedded `credential.json` is checked instead; a genuine
//!   credential inside an altered PDF is reported as such.
//! - A credential JSON: its proofs (`eddsa-jcs-2022`, `eddsa-rdfc-2022`, or both; a set
//!   is valid only whole) must verify under the key their verification method names
//!   (retired keys included), and it must be one we issued. The answer names the suites
//!   checked. Signatures are checked off the async workers within [`CHECK_TIME_LIMIT`]
//!   (RDF canonicalization of a stranger's JSON-LD is real work).
//!
//! A PDF is read within the limits of [`super::attachment`], off the async workers and
//! within [`CHECK_TIME_LIMIT`].

use std::time::Duration;

use entities::certificates as certificate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::attachment;
use crate::{
    certificates::{
        CertificateStatus, Services,
        credential::{self, VerifiedProof},
    },
    error::AppError,
    stored::CorruptRow,
    untrusted::{self, Overrun},
};
use chrono::NaiveDate;

/// How long reading one PDF may take (a certificate takes milliseconds).
pub const CHECK_TIME_LIMIT: Duration = Duration::from_secs(10);

/// The answer about a document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentCheck {
    /// `pdf` or `credential`.
    pub document: String,
    /// Whether this registry issued the certificate.
    pub issued_by_registry: bool,
    /// Whether the document is exactly as issued (PDF bytes; credential signature).
    pub unaltered: bool,
    /// For a PDF: whether its embedded credential's signature verifies (checked each
    /// time; absent when the PDF carries no credential that could be read).
    pub credential_signature_valid: Option<bool>,
    pub number: Option<String>,
    /// The certificate's status today.
    pub status: Option<CertificateStatus>,
    pub verify_url: Option<String>,
    /// The key the credential's signature verified under (`did:web:…#<key id>`); absent
    /// when no signature verified.
    pub signing_key: Option<String>,
    /// Whether that key is the one the registry signs with now (`false`: a retired key,
    /// still good for what it signed).
    pub signing_key_current: Option<bool>,
    /// The cryptosuites of the proofs checked and found valid, in the credential's order
    /// (`eddsa-jcs-2022`, `eddsa-rdfc-2022`); empty when no signature verified.
    #[serde(default)]
    pub proofs_checked: Vec<String>,
    /// The verdict in Chinese.
    pub message: String,
}

/// Checks an uploaded document.
pub async fn check(
    conn: &impl ConnectionTrait,
    services: &Services,
    bytes: Vec<u8>,
    today: NaiveDate,
) -> Result<DocumentCheck, AppError> {
    if bytes.starts_with(b"%PDF") {
        check_pdf(conn, services, bytes, today).await
    } else {
        let json: Value = serde_json::from_slice(&bytes).map_err(|_| {
            AppError::invalid(
                "file",
                "unsupported",
                "文件既不是 PDF 证书，也不是可验证凭证 JSON",
            )
        })?;
        Ok(check_credential(conn, services, &json, today).await?.0)
    }
}

/// The credential attached to `pdf`, read off the async workers within the limits.
async fn read_attachment(pdf: Vec<u8>) -> Result<Option<Vec<u8>>, AppError> {
    match untrusted::parse(CHECK_TIME_LIMIT, move || {
        attachment::embedded_credential(&pdf)
    })
    .await
    {
        Ok(read) => read,
        Err(Overrun::TimedOut) => Err(attachment::refusal(
            "too_slow",
            format!(
                "该 PDF 未能在{}秒内读完，不是本系统签发的证书",
                CHECK_TIME_LIMIT.as_secs()
            ),
        )),
        Err(Overrun::Crashed) => Err(attachment::refusal("unreadable", "该 PDF 文件无法读取")),
    }
}

async fn check_pdf(
    conn: &impl ConnectionTrait,
    services: &Services,
    bytes: Vec<u8>,
    today: NaiveDate,
) -> Result<DocumentCheck, AppError> {
    let hash = credential::sha256_hex(&bytes);
    let recorded = certificate::Entity::find()
        .filter(certificate::Column::PdfSha256.eq(&hash))
        .one(conn)
        .await?;
    let embedded = read_attachment(bytes).await;
    if let Some(row) = recorded {
        let credential = match &embedded {
            Ok(Some(json)) => Some(serde_json::from_slice::<Value>(json).ok()),
            _ => None,
        };
        let verified = match &credential {
            Some(Some(json)) => verify_signature(services, json).await,
            _ => None,
        };
        let signature = credential.as_ref().map(|_| verified.is_some());
        let mut answer = verdict(services, "pdf", Some(&row), true, signature, today)?;
        if let Some(verified) = &verified {
            answer.note_proofs(services, verified);
        }
        if signature != Some(true) {
            tracing::warn!(certificate = %row.id, ?signature, "a recorded PDF's credential does not verify");
            answer.message = "PDF 与签发记录一致，但其内嵌电子凭证的签名未能通过校验：\
                              请勿仅凭此文件采信，并联系发证机构核实"
                .into();
        }
        return Ok(answer);
    }
    let Some(embedded) = embedded? else {
        return Ok(not_ours(
            "pdf",
            "该 PDF 不是本系统签发的证书（或已被修改且不含可验证凭证）",
        ));
    };
    let Ok(json) = serde_json::from_slice::<Value>(&embedded) else {
        return Ok(not_ours(
            "pdf",
            "该 PDF 所附凭证无法读取，无法确认出自本系统",
        ));
    };
    let (inner, signature_ok) = check_credential(conn, services, &json, today).await?;
    let mut answer = DocumentCheck {
        signing_key: None,
        signing_key_current: None,
        proofs_checked: Vec::new(),
        document: "pdf".into(),
        unaltered: false,
        credential_signature_valid: Some(signature_ok),
        ..inner
    };
    answer.message = if answer.issued_by_registry && signature_ok {
        "PDF 文件已被修改：其内嵌的电子凭证真实，但文件与签发时不一致，请以查验页面所示信息为准"
            .into()
    } else {
        "该 PDF 不是本系统签发的证书，或其内嵌凭证已被篡改".into()
    };
    Ok(answer)
}

/// What the credential's proofs prove, checked off the async workers; `None` when they
/// do not verify (or take longer than [`CHECK_TIME_LIMIT`]).
async fn verify_signature(services: &Services, json: &Value) -> Option<VerifiedProof> {
    let keys = credential::keys_from_did_document(&services.signing.did_document(&services.did))
        .unwrap_or_default();
    let json = json.clone();
    let resolve = move |vm: &str| keys.iter().find(|(id, _)| id == vm).map(|(_, key)| *key);
    let checked = untrusted::parse(CHECK_TIME_LIMIT, move || {
        credential::verify_proof(&json, resolve)
    })
    .await;
    match checked {
        Ok(Ok(verified)) => Some(verified),
        Ok(Err(_)) | Err(_) => None,
    }
}

/// The answer about a credential, and whether its signature verified.
async fn check_credential(
    conn: &impl ConnectionTrait,
    services: &Services,
    json: &Value,
    today: NaiveDate,
) -> Result<(DocumentCheck, bool), AppError> {
    let verified = verify_signature(services, json).await;
    let signature_ok = verified.is_some();
    let id = json["id"]
        .as_str()
        .and_then(|u| u.strip_prefix("urn:uuid:"))
        .unwrap_or_default();
    let row = certificate::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?;
    let answer = match (row, &verified) {
        (Some(row), Some(verified)) => {
            let mut answer = verdict(services, "credential", Some(&row), true, None, today)?;
            answer.note_proofs(services, verified);
            answer
        }
        (Some(row), None) => {
            let mut answer = verdict(services, "credential", Some(&row), false, None, today)?;
            answer.message = "凭证已被篡改：签名校验失败，内容与本系统签发的不一致".into();
            answer
        }
        (None, _) => not_ours("credential", "该凭证不是本系统签发的（或签名无效）"),
    };
    Ok((answer, signature_ok))
}

fn verdict(
    services: &Services,
    document: &str,
    row: Option<&certificate::Model>,
    unaltered: bool,
    signature: Option<bool>,
    today: NaiveDate,
) -> Result<DocumentCheck, CorruptRow> {
    let status = row
        .map(|r| CertificateStatus::current(r, today))
        .transpose()?;
    let message = match status {
        Some(s) => format!("本系统签发，内容未被修改；证书当前状态：{}", s.label()),
        None => String::new(),
    };
    Ok(DocumentCheck {
        document: document.into(),
        issued_by_registry: row.is_some(),
        unaltered,
        credential_signature_valid: signature,
        number: row.map(|r| r.number.clone()),
        verify_url: row.map(|r| services.verify_url(&r.token)),
        status,
        signing_key: None,
        signing_key_current: None,
        proofs_checked: Vec::new(),
        message,
    })
}

impl DocumentCheck {
    /// Names the key a verified credential's proofs were checked under, and the suites.
    fn note_proofs(&mut self, services: &Services, verified: &VerifiedProof) {
        let key = &verified.verification_method;
        self.signing_key_current =
            Some(*key == services.signing.verification_method(&services.did));
        self.signing_key = Some(key.clone());
        self.proofs_checked = verified
            .cryptosuites
            .iter()
            .map(|suite| suite.name().to_owned())
            .collect();
    }
}

fn not_ours(document: &str, message: &str) -> DocumentCheck {
    DocumentCheck {
        document: document.into(),
        issued_by_registry: false,
        unaltered: false,
        credential_signature_valid: None,
        number: None,
        status: None,
        verify_url: None,
        signing_key: None,
        signing_key_current: None,
        proofs_checked: Vec::new(),
        message: message.into(),
    }
}
