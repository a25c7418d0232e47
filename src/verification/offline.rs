//! `registry verify FILE`: checks a certificate PDF (its embedded credential) or a
//! credential JSON against a saved `did.json`, with no registry needed; and, when the
//! registry that published the status lists is reachable, its current status too.

use serde_json::Value;

use super::document::embedded_credential;
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
        embedded_credential(file).ok_or("该 PDF 不含内嵌的可验证凭证（credential.json）")?
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
        why_invalid: result.as_ref().err().map(|e| e.message()),
        issuer_name: credential["issuer"]["name"].as_str().map(str::to_owned),
        achievement: credential["credentialSubject"]["achievement"]["name"]
            .as_str()
            .map(str::to_owned),
        description: credential["description"].as_str().map(str::to_owned),
        credential,
    })
}

/// The credential's current status from its published status lists (valid, suspended or
/// revoked; a superseded certificate is on the revocation list): `Ok(None)` when the
/// credential names none, an error when a list cannot be fetched or is not genuine.
pub async fn online_status(
    credential: &Value,
    did_document: &Value,
) -> Result<Option<CertificateStatus>, String> {
    let entries: Vec<&Value> = match &credential["credentialStatus"] {
        Value::Array(list) => list.iter().collect(),
        Value::Null => return Ok(None),
        one => vec![one],
    };
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
