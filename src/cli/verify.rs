//! `registry verify FILE`: the command-line face of [`crate::verification::offline`].
//! Every check it prints was made; what it could not check it says it did not.

use std::{path::Path, process::ExitCode};

use anyhow::Context;
use serde_json::Value;

use crate::{
    certificates::CertificateStatus,
    config::Config,
    untrusted,
    verification::{attachment::MAX_PDF_BYTES, document::CHECK_TIME_LIMIT, offline},
};

/// The largest DID document read.
const MAX_DID_BYTES: usize = 1 << 20;

fn read(path: &Path, limit: usize) -> anyhow::Result<Vec<u8>> {
    untrusted::read_file(path, limit)
        .with_context(|| format!("无法读取 {}", path.display()))?
        .with_context(|| format!("{} 超过 {} KiB", path.display(), limit >> 10))
}

/// Checks a certificate PDF or credential JSON: exit code 1 unless its signature
/// verifies, a PDF is the one the registry issued (when the registry is asked) and the
/// certificate is valid (when its status lists are reachable).
pub(super) async fn verify_file(
    config: &Config,
    file: &Path,
    did: Option<&Path>,
    offline: bool,
) -> anyhow::Result<ExitCode> {
    let bytes = read(file, MAX_PDF_BYTES)?;
    let did_document: Value = match did {
        Some(path) => serde_json::from_slice(&read(path, MAX_DID_BYTES)?)
            .context("the DID document is not JSON")?,
        None => reqwest::get(format!("{}/.well-known/did.json", config.base_url))
            .await
            .context("fetching did.json from REGISTRY_BASE_URL (or pass --did FILE)")?
            .json()
            .await
            .context("reading did.json")?,
    };
    let is_pdf = bytes.starts_with(b"%PDF");
    let report = {
        let (bytes, did_document) = (bytes.clone(), did_document.clone());
        untrusted::parse(CHECK_TIME_LIMIT, move || {
            offline::check(&bytes, &did_document)
        })
        .await
        .map_err(|_| anyhow::anyhow!("文件未能在{}秒内读完", CHECK_TIME_LIMIT.as_secs()))?
        .map_err(|e| anyhow::anyhow!(e))?
    };
    if let Some(name) = &report.achievement {
        println!("证书：{name}");
    }
    if let Some(issuer) = &report.issuer_name {
        println!("发证机构：{issuer}");
    }
    if let Some(description) = &report.description {
        println!("{description}");
    }
    if !report.signature_valid {
        println!("签名：无效（{}）", report.why_invalid.unwrap_or_default());
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "签名：有效（{}；已校验 {}）",
        report.verification_method.unwrap_or_default(),
        report.cryptosuites.join(" + ")
    );
    if offline {
        if is_pdf {
            println!("PDF 文件：未联网核对（只核验了内嵌凭证的签名，未核对文件本身是否被修改）");
        }
        println!("状态：未联网查询");
        return Ok(ExitCode::SUCCESS);
    }
    let mut genuine = true;
    if is_pdf {
        let base = offline::registry_of(&report.credential).unwrap_or(config.base_url.clone());
        match offline::pdf_as_issued(&base, bytes).await {
            Ok(answer) if answer.unaltered => println!("PDF 文件：与签发时一致"),
            Ok(answer) => {
                println!(
                    "PDF 文件已被修改：与登记的证书文件不一致（{}）",
                    answer.message
                );
                genuine = false;
            }
            Err(e) => println!("PDF 文件：无法联网核对（{e}）"),
        }
    }
    let valid = match offline::online_status(&report.credential, &did_document).await {
        Ok(Some(status)) => {
            println!("状态：{}", status.label());
            status == CertificateStatus::Valid
        }
        Ok(None) => {
            println!("状态：凭证未登记状态列表");
            true
        }
        Err(e) => {
            println!("状态：无法联网查询（{e}）");
            true
        }
    };
    Ok(if genuine && valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
