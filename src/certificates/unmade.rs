//! Why a certificate could not be made (a character the fonts cannot print, a failed
//! signature or layout), in Chinese for the issuer and in full for the log.

use super::{grounds::Missing, pdf::Unprintable};
use crate::error::FieldError;

/// Why one person's certificate could not be made: what to tell the issuer, in Chinese,
/// and the error behind it, for the log.
#[derive(Debug)]
pub struct Unmade {
    pub reason: Missing,
    pub error: anyhow::Error,
}

impl Unmade {
    pub(super) fn new(doc_name: &str, error: anyhow::Error) -> Self {
        let reason = match error.downcast_ref::<Unprintable>() {
            Some(&Unprintable(c)) if doc_name.contains(c) => FieldError::new(
                "name",
                "unprintable",
                format!(
                    "姓名中的“{c}”(U+{:04X})证书字体无法打印，请更正姓名后再颁发",
                    u32::from(c)
                ),
            ),
            Some(&Unprintable(c)) => FieldError::new(
                "certificate",
                "unprintable",
                format!(
                    "证书内容中的“{c}”(U+{:04X})证书字体无法打印，请联系管理员",
                    u32::from(c)
                ),
            ),
            None => FieldError::new(
                "certificate",
                "not_made",
                "证书生成失败（签名或排版出错），已记录，请联系管理员",
            ),
        };
        Self { reason, error }
    }
}
