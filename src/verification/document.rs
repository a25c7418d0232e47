//! Checking a document someone hands a verifier: a certificate PDF or a credential JSON.
//! Did this registry issue it, is it unaltered, and what is its status now?
//!
//! - A PDF whose SHA-256 is one we recorded at issue is ours and unaltered.
//! - Any other PDF: its embedded `credential.json` is checked instead; a genuine
//!   credential inside an altered PDF is reported as such.
//! - A credential JSON: its proof must verify under the key its verification method
//!   names (retired keys included), and it must be one we issued.

use entities::certificates as certificate;
use lopdf::{Document, Object};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::{
    certificates::{CertificateStatus, Services, credential},
    error::AppError,
    stored::CorruptRow,
};
use chrono::NaiveDate;

/// The answer about a document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentCheck {
    /// `pdf` or `credential`.
    pub document: String,
    /// Whether this registry issued the certificate.
    pub issued_by_registry: bool,
    /// Whether the document is exactly as issued (PDF bytes; credential signature).
    pub unaltered: bool,
    /// For a PDF: whether its embedded credential's signature verifies.
    pub credential_signature_valid: Option<bool>,
    pub number: Option<String>,
    /// The certificate's status today.
    pub status: Option<CertificateStatus>,
    pub verify_url: Option<String>,
    /// The verdict in Chinese.
    pub message: String,
}

/// Checks an uploaded document.
pub async fn check(
    conn: &impl ConnectionTrait,
    services: &Services,
    bytes: &[u8],
    today: NaiveDate,
) -> Result<DocumentCheck, AppError> {
    if bytes.starts_with(b"%PDF") {
        check_pdf(conn, services, bytes, today).await
    } else {
        let json: Value = serde_json::from_slice(bytes).map_err(|_| {
            AppError::invalid(
                "file",
                "unsupported",
                "文件既不是 PDF 证书，也不是可验证凭证 JSON",
            )
        })?;
        check_credential(conn, services, &json, today).await
    }
}

async fn check_pdf(
    conn: &impl ConnectionTrait,
    services: &Services,
    bytes: &[u8],
    today: NaiveDate,
) -> Result<DocumentCheck, AppError> {
    let hash = credential::sha256_hex(bytes);
    if let Some(row) = certificate::Entity::find()
        .filter(certificate::Column::PdfSha256.eq(&hash))
        .one(conn)
        .await?
    {
        return Ok(verdict(
            services,
            "pdf",
            Some(&row),
            true,
            Some(true),
            today,
        )?);
    }
    let Some(embedded) = embedded_credential(bytes) else {
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
    let inner = check_credential(conn, services, &json, today).await?;
    let mut answer = DocumentCheck {
        document: "pdf".into(),
        unaltered: false,
        credential_signature_valid: Some(inner.unaltered),
        ..inner
    };
    answer.message = if answer.issued_by_registry {
        "PDF 文件已被修改：其内嵌的电子凭证真实，但文件与签发时不一致，请以查验页面所示信息为准"
            .into()
    } else {
        "该 PDF 不是本系统签发的证书，或其内嵌凭证已被篡改".into()
    };
    Ok(answer)
}

async fn check_credential(
    conn: &impl ConnectionTrait,
    services: &Services,
    json: &Value,
    today: NaiveDate,
) -> Result<DocumentCheck, AppError> {
    let resolve = |vm: &str| services.signing.resolve(&services.did, vm);
    let signature_ok = credential::verify_proof(json, resolve).is_ok();
    let id = json["id"]
        .as_str()
        .and_then(|u| u.strip_prefix("urn:uuid:"))
        .unwrap_or_default();
    let row = certificate::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?;
    match (row, signature_ok) {
        (Some(row), true) => Ok(verdict(
            services,
            "credential",
            Some(&row),
            true,
            None,
            today,
        )?),
        (Some(row), false) => {
            let mut answer = verdict(services, "credential", Some(&row), false, None, today)?;
            answer.message = "凭证已被篡改：签名校验失败，内容与本系统签发的不一致".into();
            Ok(answer)
        }
        (None, _) => Ok(not_ours(
            "credential",
            "该凭证不是本系统签发的（或签名无效）",
        )),
    }
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
        message,
    })
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
        message: message.into(),
    }
}

/// The bytes of the PDF's embedded `credential.json`, if it has one.
pub fn embedded_credential(pdf: &[u8]) -> Option<Vec<u8>> {
    let doc = Document::load_mem(pdf).ok()?;
    let catalog = doc.catalog().ok()?;
    let names = deref(&doc, catalog.get(b"Names").ok()?)?.as_dict().ok()?;
    let files = deref(&doc, names.get(b"EmbeddedFiles").ok()?)?
        .as_dict()
        .ok()?;
    let list = deref(&doc, files.get(b"Names").ok()?)?.as_array().ok()?;
    for pair in list.chunks(2) {
        let [name, spec] = pair else { continue };
        let name = deref(&doc, name)?.as_str().ok()?;
        if name != crate::certificates::pdf::ATTACHMENT_NAME.as_bytes() {
            continue;
        }
        let spec = deref(&doc, spec)?.as_dict().ok()?;
        let ef = deref(&doc, spec.get(b"EF").ok()?)?.as_dict().ok()?;
        let stream = deref(&doc, ef.get(b"F").ok()?)?.as_stream().ok()?;
        return stream
            .decompressed_content()
            .ok()
            .or_else(|| Some(stream.content.clone()));
    }
    None
}

fn deref<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Object> {
    match object {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}
