//! The verification page's words, in Chinese and in English for outside verifiers.

use crate::{certificates::CertificateStatus, verification::Verification};

/// The page's words in one language.
pub struct Labels {
    pub site: &'static str,
    pub switch: &'static str,
    pub footer: &'static str,
    pub page_title: &'static str,
    pub number: &'static str,
    pub holder: &'static str,
    pub id_number: &'static str,
    pub name: &'static str,
    pub occupation: &'static str,
    pub level: &'static str,
    pub standard: &'static str,
    pub program: &'static str,
    pub hours: &'static str,
    /// After the number of hours.
    pub hours_unit: &'static str,
    pub period: &'static str,
    /// Between the first and the last day of a period.
    pub period_to: &'static str,
    pub licensed_activity: &'static str,
    /// An apprenticeship's enterprise (培养企业).
    pub enterprise: &'static str,
    /// The level an apprenticeship trained toward (目标等级).
    pub target_level: &'static str,
    pub issuer: &'static str,
    /// Before the issuer's current name, when it was renamed after issuing.
    pub issuer_now: &'static str,
    pub credit_code: &'static str,
    pub issued_on: &'static str,
    pub valid_until: &'static str,
    pub chain: &'static str,
    pub replaced_by: &'static str,
    pub match_title: &'static str,
    pub match_hint: &'static str,
    pub match_button: &'static str,
    pub match_yes: &'static str,
    pub match_no: &'static str,
    pub match_too_many: &'static str,
    pub credential_hash: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub english: bool,
}

pub const ZH: Labels = Labels {
    site: "额尔古纳市职业技能证书查验",
    switch: "English",
    footer: "额尔古纳市人力资源和社会保障局 · 职业技能培训与证书登记系统",
    page_title: "证书查验",
    number: "证书编号",
    holder: "持证人",
    id_number: "身份证号",
    name: "姓名",
    occupation: "职业",
    level: "等级",
    standard: "考核规范",
    program: "培训项目",
    hours: "培训学时",
    hours_unit: "学时",
    period: "培训时间",
    period_to: " 至 ",
    licensed_activity: "准入事项",
    enterprise: "培养企业",
    target_level: "目标等级",
    issuer: "发证机构",
    issuer_now: "发证机构现名：",
    credit_code: "统一社会信用代码",
    issued_on: "发证日期",
    valid_until: "有效期至",
    chain: "持证人同一培训链上的其他证书",
    replaced_by: "替换后的证书：",
    match_title: "核对持证人",
    match_hint: "如您已知持证人的姓名和身份证号，可在此核对是否一致。系统只回答“一致”或“不一致”，不会显示任何个人信息。",
    match_button: "核对",
    match_yes: "一致：所填姓名和身份证号与持证人相符。",
    match_no: "不一致：所填信息与持证人不符。",
    match_too_many: "核对次数过多：为保护持证人信息，本证书的核对已暂停，请稍后再试。",
    credential_hash: "电子证书（可验证凭证）SHA-256",
    not_found_title: "查无此证书",
    not_found_text: "该二维码或链接不对应本系统签发的任何证书。请核对链接，或向发证机构求证。",
    english: false,
};

pub const EN: Labels = Labels {
    site: "Erguna Skills Certificate Check",
    switch: "中文",
    footer: "Erguna Human Resources and Social Security Bureau · Skills Training and Certification Registry",
    page_title: "Certificate check",
    number: "Certificate no.",
    holder: "Holder",
    id_number: "ID number",
    name: "Name",
    occupation: "Occupation",
    level: "Level",
    standard: "Standard",
    program: "Training program",
    hours: "Training hours",
    hours_unit: " hours",
    period: "Training period",
    period_to: " to ",
    licensed_activity: "Licensed activity",
    enterprise: "Apprenticed at",
    target_level: "Target skill level",
    issuer: "Issued by",
    issuer_now: "The issuer's name now: ",
    credit_code: "Unified social credit code",
    issued_on: "Issued on",
    valid_until: "Valid until",
    chain: "The holder's other certificates in this chain",
    replaced_by: "Replaced by:",
    match_title: "Confirm the holder",
    match_hint: "If you already know the holder's name and ID number, enter them to check. The registry only answers match or no match and never displays personal data.",
    match_button: "Check",
    match_yes: "Match: the name and ID number are the holder's.",
    match_no: "No match: the details do not belong to the holder.",
    match_too_many: "Too many attempts: to protect the holder, checks on this certificate are paused. Please try again later.",
    credential_hash: "Verifiable credential SHA-256",
    not_found_title: "No such certificate",
    not_found_text: "This QR code or link does not belong to any certificate issued by this registry. Check the link or ask the issuer.",
    english: true,
};

impl Labels {
    /// A status in this language: the enum's one label, as the JSON says it.
    pub fn status(&self, status: CertificateStatus) -> &'static str {
        if self.english {
            status.english_label()
        } else {
            status.label()
        }
    }

    /// Why the certificate has its status, with the recorded reason and date.
    pub fn why(&self, v: &Verification) -> String {
        use CertificateStatus::{Expired, Revoked, Superseded, Suspended, Valid};
        let since = v.status_since.map(|d| d.to_string()).unwrap_or_default();
        let reason = v.reason.clone().unwrap_or_default();
        match (self.english, v.status) {
            (false, Valid) => {
                "查有此证：本系统签发了这份证书，记录现行有效。扫码只能证明记录存在，\
                 请核对纸质证书上的证书编号、姓名与本页一致，照片与持证人本人相符。"
                    .to_owned()
            }
            (false, Revoked) => format!("已于 {since} 撤销，原因：{reason}"),
            (false, Suspended) => format!("自 {since} 起暂停使用，原因：{reason}"),
            (false, Expired) => format!("有效期已于 {since} 届满"),
            (false, Superseded) => format!("已于 {since} 被更正后的新证书替换，本证书不再使用"),
            (true, Valid) => {
                "Record found and valid: this registry issued this certificate and it \
                 is in force. A scan proves only that the record exists: check that the number \
                 and the name on the paper match this page, and that its photo shows the holder."
                    .to_owned()
            }
            (true, Revoked) => format!("Revoked on {since}. Reason: {reason}"),
            (true, Suspended) => format!("Suspended since {since}. Reason: {reason}"),
            (true, Expired) => format!("Expired on {since}"),
            (true, Superseded) => format!("Superseded on {since} by a corrected certificate"),
        }
    }
}
