//! Sample certificates, one per layout (that is, per [`CertificateKind`]), with realistic
//! Erguna data: used by the tests, the benchmark (`benches/certificates.rs`) and for
//! previewing a layout after editing it.

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
        lookup_urls: pairs(&[
            ("证书查询网址", "http://zscx.osta.org.cn"),
            ("机构查询网址", "https://jineng.erguna.gov.cn/organisations"),
        ]),
        credential_sha256: "9f2c6a1be07d43c58a0e1f6b2d9c7a4e3b5f8d1c0a6e9b2f4d7c3a8e1b5f0d6c"
            .to_owned(),
        credential_json: credential.into_bytes(),
    }
}

/// A 职业技能等级证书 with every field 人社鉴发〔2021〕1号 requires.
pub fn skill_level() -> CertificateDocument {
    CertificateDocument {
        fields: pairs(&[
            ("职业名称", "中式面点师"),
            ("工种/职业方向", "--"),
            ("职业技能等级", "四级/中级工"),
        ]),
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
        lookup_urls: pairs(&[("证书查询网址", "https://jineng.erguna.gov.cn/verify")]),
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
            ("准入项目", "旅游马匹驾乘安全员"),
            ("作业范围", "额尔古纳市辖区骑马游经营场所"),
            ("有效期至", "2029年11月25日"),
        ]),
        ..base(
            CertificateKind::Licence.layout(),
            "上岗资格证书",
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
