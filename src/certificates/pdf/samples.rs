//! Sample certificates, one per layout (that is, per [`CertificateKind`]), with realistic
//! Erguna data: used by the tests, the benchmark (`benches/certificates.rs`) and for
//! previewing a layout after editing it.

use image::{Rgb, RgbImage, codecs::jpeg::JpegEncoder};

use super::CertificateDocument;
use crate::programs::CertificateKind;

fn pairs(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter()
        .map(|(l, v)| ((*l).to_owned(), (*v).to_owned()))
        .collect()
}

fn base(
    layout: &str,
    title: &str,
    holder: &str,
    number: &str,
    issuer: &str,
) -> CertificateDocument {
    let verify_url = format!("https://jineng.erguna.gov.cn/verify/{number}");
    let credential = format!(
        "{{\"@context\":[\"https://www.w3.org/ns/credentials/v2\",\
         \"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"],\
         \"type\":[\"VerifiableCredential\",\"OpenBadgeCredential\"],\
         \"id\":\"{verify_url}\",\"credentialSubject\":{{\"name\":\"{holder}\"}}}}"
    );
    CertificateDocument {
        layout: layout.to_owned(),
        title: title.to_owned(),
        holder_name: holder.to_owned(),
        id_type: "居民身份证".to_owned(),
        id_number: "150784********123X".to_owned(),
        fields: Vec::new(),
        number: number.to_owned(),
        issuer_name: issuer.to_owned(),
        issue_date: "2026年11月26日".to_owned(),
        verify_url,
        lookup_urls: pairs(&[("证书查询网址", "https://jineng.erguna.gov.cn/v/")]),
        credential_sha256: "9f2c6a1be07d43c58a0e1f6b2d9c7a4e3b5f8d1c0a6e9b2f4d7c3a8e1b5f0d6c"
            .to_owned(),
        credential_json: credential.into_bytes(),
        photo_jpeg: None,
        seal_png: None,
    }
}

/// A plain avatar standing for an uploaded photo, 413 × 531 pixels (the photo frame at
/// 300 dpi): a head and shoulders on a light background, in tones that vary with `seed`.
/// The demo uses it for its trainees.
pub fn avatar_jpeg(seed: u64) -> Vec<u8> {
    const BACKGROUNDS: [[u8; 3]; 4] = [
        [214, 230, 245],
        [236, 240, 243],
        [245, 236, 222],
        [226, 240, 230],
    ];
    const CLOTHES: [[u8; 3]; 4] = [[38, 52, 86], [70, 70, 74], [96, 44, 40], [44, 78, 64]];
    let pick = |n: usize| (seed as usize / n) % 4;
    let (bg, clothes) = (BACKGROUNDS[pick(1)], CLOTHES[pick(4)]);
    let (skin, hair) = ([226, 190, 160], [40, 32, 30]);
    let image = RgbImage::from_fn(413, 531, |x, y| {
        let (x, y) = (x as f32, y as f32);
        let head = ((x - 206.0) / 88.0).powi(2) + ((y - 220.0) / 108.0).powi(2);
        let hair_cap = ((x - 206.0) / 96.0).powi(2) + ((y - 200.0) / 110.0).powi(2);
        let shoulders = ((x - 206.0) / 190.0).powi(2) + ((y - 560.0) / 200.0).powi(2);
        let colour = if shoulders <= 1.0 {
            clothes
        } else if head <= 1.0 {
            skin
        } else if hair_cap <= 1.0 && y < 215.0 {
            hair
        } else {
            bg
        };
        Rgb(colour)
    });
    let mut jpeg = Vec::new();
    // Encoding into memory cannot fail; an empty result would be refused by the renderer.
    let _ = JpegEncoder::new_with_quality(&mut jpeg, 85).encode_image(&image);
    jpeg
}

/// A 职业技能等级证书 with every field 人社鉴发〔2021〕1号 requires.
pub fn skill_level() -> CertificateDocument {
    CertificateDocument {
        fields: pairs(&[
            ("职业名称", "中式面点师"),
            ("工种/职业方向", "--"),
            ("职业技能等级", "四级/中级工"),
        ]),
        lookup_urls: pairs(&[
            ("证书查询网址", "http://jndj.osta.org.cn"),
            ("机构查询网址", "http://pjjg.osta.org.cn"),
        ]),
        photo_jpeg: Some(avatar_jpeg(0)),
        ..base(
            CertificateKind::SkillLevel.layout(),
            "职业技能等级证书",
            "张小三",
            "S000115150784264000001",
            "额尔古纳市职业技能评价中心",
        )
    }
}

/// A 结业证书 from a training provider.
pub fn completion() -> CertificateDocument {
    CertificateDocument {
        fields: pairs(&[
            ("培训项目", "民宿主理人培训"),
            ("培训时间", "2026年10月8日至2026年11月20日"),
            ("学时", "120学时"),
            ("考核结果", "合格"),
        ]),
        ..base(
            CertificateKind::Completion.layout(),
            "结业证书",
            "欧阳娜仁",
            "JY-2026-0317",
            "额尔古纳市蒙源职业培训学校",
        )
    }
}

/// A 专项职业能力证书 against a local specification.
pub fn specialty() -> CertificateDocument {
    CertificateDocument {
        fields: pairs(&[
            ("专项能力规范", "骑马游向导服务（150784-QMY 第1版）"),
            ("考核成绩", "理论 86 分；实操 91 分"),
            ("考核结果", "合格"),
        ]),
        ..base(
            CertificateKind::Specialty.layout(),
            "专项职业能力证书",
            "巴特尔·朝鲁",
            "ZX150784202600042",
            "额尔古纳市职业技能评价中心",
        )
    }
}

/// A 准入类 licence, with its expiry.
pub fn licence() -> CertificateDocument {
    CertificateDocument {
        fields: pairs(&[
            ("准入事项", "旅游马匹驾乘安全员"),
            ("作业范围", "额尔古纳市辖区骑马游经营场所"),
            ("有效期至", "2029年11月25日"),
        ]),
        ..base(
            CertificateKind::Licence.layout(),
            "旅游马匹驾乘安全员上岗资格证",
            "乌云其木格",
            "EGN-ZR-2026-00815",
            "额尔古纳市文化旅游体育局",
        )
    }
}

/// An enterprise new-style apprenticeship certificate.
pub fn apprenticeship() -> CertificateDocument {
    CertificateDocument {
        fields: pairs(&[
            ("培养企业", "额尔古纳市拉布大林民宿管理有限公司"),
            ("培训院校", "呼伦贝尔技师学院"),
            ("职业（工种）", "民宿管家"),
            ("目标等级", "三级/高级工"),
            ("学徒期", "2025年9月1日至2026年8月31日"),
            ("企业导师", "李建华"),
            ("院校导师", "王秀兰"),
        ]),
        ..base(
            CertificateKind::Apprenticeship.layout(),
            "企业新型学徒培训合格证书",
            "吕丽娟",
            "XT150784202600019",
            "额尔古纳市人力资源和社会保障局",
        )
    }
}

/// One sample per layout.
pub fn all() -> Vec<CertificateDocument> {
    vec![
        skill_level(),
        completion(),
        specialty(),
        licence(),
        apprenticeship(),
    ]
}
