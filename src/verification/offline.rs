//! `registry verify FILE`: checks a certificate PDF (its embedded credential) or a
//! credential JSON against a saved `did.json`, with no registry needed; and, when the
//! registry that published the status lists is reachable, whether a PDF is the one it
//! issued, byte for byte, and the certificate's current status. A PDF is read within
//! the same limits as on the server ([`super::attachment`]).

use serde_json::Value;

use super::attachment::{self, MAX_CREDENTIAL_BYTES};
use crate::certificates::{
    CertificateStatus,
    credential::{self, StatusBits},
};

/// What the offline check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineReport {
    /// Whether the signature verifies under a key the DID document lists.
    pub signature_valid: bool,
    /// The verification method that signed it.
    pub verification_method: Option<String>,
    /// The cryptosuites of the proofs checked (all valid), in the credential's order.
    pub cryptosuites: Vec<String>,
    pub issuer_name: Option<String>,
    pub achievement: Option<String>,
    pub description: Option<String>,
    pub why_invalid: Option<String>,
    /// The credential, for the status check.
    pub credential: Value,
}

/// Reads the credential out of a PDF or JSON file and checks its proof.
pub fn check(file: &[u8], did_document: &Value) -> Result<OfflineReport, String> {
    let json_bytes = if file.starts_with(b"%PDF") {
        attachment::embedded_credential(file)
            .map_err(|e| e.body().message)?
            .ok_or("该 PDF 不含内嵌的可验证凭证（credential.json）")?
    } else if file.len() > MAX_CREDENTIAL_BYTES {
        return Err(format!(
            "文件超过 {} KiB，不是一份凭证 JSON",
            MAX_CREDENTIAL_BYTES >> 10
        ));
    } else {
        file.to_vec()
    };
    let credential: Value =
        serde_json::from_slice(&json_bytes).map_err(|_| "文件不是有效的凭证 JSON".to_owned())?;
    let keys = credential::keys_from_did_document(did_document)
        .map_err(|e| format!("did.json 无法读取：{e}"))?;
    let resolve = |vm: &str| keys.iter().find(|(id, _)| id == vm).map(|(_, k)| *k);
    let result = credential::verify_proof(&credential, resolve);
    Ok(OfflineReport {
        signature_valid: result.is_ok(),
        verification_method: result.as_ref().ok().map(|v| v.verification_method.clone()),
        cryptosuites: result
            .as_ref()
            .map(|v| v.cryptosuites.iter().map(|s| s.name().to_owned()).collect())
            .unwrap_or_default(),
        why_invalid: result.as_ref().err().map(|e| e.message()),
        issuer_name: credential["issuer"]["name"].as_str().map(str::to_owned),
        achievement: credential["credentialSubject"]["achievement"]["name"]
            .as_str()
            .map(str::to_owned),
        description: credential["description"].as_str().map(str::to_owned),
        credential,
    })
}

/// The credential's status entries (one, a list, or none).
fn status_entries(credential: &Value) -> Vec<&Value> {
    match &credential["credentialStatus"] {
        Value::Array(list) => list.iter().collect(),
        Value::Null => Vec::new(),
        one => vec![one],
    }
}

/// The base address of the registry that issued `credential`, from the status-list
/// address it signed (`{base}/api/v1/status-lists/…`).
pub fn registry_of(credential: &Value) -> Option<String> {
    status_entries(credential).into_iter().find_map(|entry| {
        let url = entry["statusListCredential"].as_str()?;
        url.split_once("/api/v1/").map(|(base, _)| base.to_owned())
    })
}

/// What the issuing registry says about a PDF's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfAnswer {
    /// Whether these are the bytes it recorded at issue.
    pub unaltered: bool,
    /// Its verdict in Chinese.
    pub message: String,
}

/// Asks the registry at `base` whether `pdf` is a certificate exactly as it issued it
/// (its document check, `POST /api/v1/verify/document`).
pub async fn pdf_as_issued(base: &str, pdf: Vec<u8>) -> Result<PdfAnswer, String> {
    let url = format!("{base}/api/v1/verify/document");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(pdf).file_name("certificate.pdf"),
    );
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let response = client
        .post(&url)
        .multipart(form)
        .send()
        .await
        .map_err(|e| format!("无法连接 {url}：{e}"))?;
    let status = response.status();
    let answer: Value = response
        .json()
        .await
        .map_err(|e| format!("{url} 的答复无法读取：{e}"))?;
    let message = answer["message"].as_str().unwrap_or_default().to_owned();
    // Refused as unreadable or too large: not a PDF as issued. Anything else unanswered
    // (busy, down) leaves the question open.
    if matches!(status.as_u16(), 413 | 422) {
        return Ok(PdfAnswer {
            unaltered: false,
            message,
        });
    }
    if !status.is_success() {
        return Err(format!("{url} 答复 {status}：{message}"));
    }
    Ok(PdfAnswer {
        unaltered: answer["issued_by_registry"] == true
            && answer["unaltered"] == true
            && answer["credential_signature_valid"] == true,
        message,
    })
}

/// The credential's current status from its published status lists (valid, suspended or
/// revoked; a superseded certificate is on the revocation list): `Ok(None)` when the
/// credential names none, an error when a list cannot be fetched or is not genuine.
pub async fn online_status(
    credential: &Value,
    did_document: &Value,
) -> Result<Option<CertificateStatus>, String> {
    let entries = status_entries(credential);
    if entries.is_empty() {
        return Ok(None);
    }
    let keys = credential::keys_from_did_document(did_document).map_err(|e| e.to_string())?;
    let resolve = |vm: &str| keys.iter().find(|(id, _)| id == vm).map(|(_, k)| *k);
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let mut status = CertificateStatus::Valid;
    for entry in entries {
        let (Some(url), Some(index), Some(purpose)) = (
            entry["statusListCredential"].as_str(),
            entry["statusListIndex"]
                .as_str()
                .and_then(|i| i.parse::<u64>().ok()),
            entry["statusPurpose"].as_str(),
        ) else {
            continue;
        };
        let list: Value = client
            .get(url)
            .send()
            .await
            .map_err(|e| format!("无法获取状态列表 {url}：{e}"))?
            .json()
            .await
            .map_err(|e| format!("状态列表 {url} 无法读取：{e}"))?;
        credential::verify_proof(&list, resolve)
            .map_err(|e| format!("状态列表 {url} 签名无效：{}", e.message()))?;
        let encoded = list["credentialSubject"]["encodedList"]
            .as_str()
            .ok_or("状态列表缺少 encodedList")?;
        let bits = StatusBits::decode(encoded).map_err(|e| format!("状态列表无法解码：{e:?}"))?;
        if bits.get(index) == Some(true) {
            status = match purpose {
                "revocation" => CertificateStatus::Revoked,
                "suspension" if status == CertificateStatus::Valid => CertificateStatus::Suspended,
                _ => status,
            };
        }
    }
    Ok(Some(status))
}
