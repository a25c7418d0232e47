//! Freezing a certificate at issue: the Open Badges credential built from the grounds,
//! signed with the registry's current key, and the PDF rendered from it. Both are stored
//! and never rebuilt, so later edits to programs, standards or layouts change nothing.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};

use super::{
    Services, apprenticed,
    credential::{
        self, AchievementInput, CredentialInput, IssuerProfile, StandardRef, StatusEntry,
    },
    grounds::{Grounds, Training},
    pdf::CertificateDocument,
};
use crate::{
    people::{mask_name, photo},
    programs::CertificateKind,
    standards::reference::{Occupation, SkillLevel},
    stored::Stored,
};

pub use super::unmade::Unmade;

/// What issuing has decided, handed to the freezer.
pub struct FreezeInput<'a> {
    pub id: &'a str,
    pub number: &'a str,
    pub token: &'a str,
    pub status_index: i64,
    pub grounds: &'a Grounds,
    pub occupation: Option<&'a Occupation>,
    pub level: Option<&'a SkillLevel>,
    /// An apprenticeship certificate: the agreement's target level (printed, not attained).
    pub target: Option<&'a SkillLevel>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub issued_at: DateTime<Utc>,
    /// The pictures the paper prints, read with the grounds.
    pub paper: &'a Paper,
}

/// What the paper prints beyond the grounds, read when they are checked: the holder's
/// photo as stored (sealed) and the issuer's uploaded seal image. Frozen into the PDF;
/// a later upload changes only certificates issued after it.
#[derive(Debug, Clone, Default)]
pub struct Paper {
    pub photo_sealed: Option<Vec<u8>>,
    pub seal_png: Option<Vec<u8>>,
}

/// The national look-up addresses a skill-level certificate prints (人社鉴发〔2021〕1号):
/// the certificate look-up and the evaluation-organisation look-up of OSTA.
pub const SKILL_LEVEL_LOOKUPS: [(&str, &str); 2] = [
    ("证书查询网址", "http://jndj.osta.org.cn"),
    ("机构查询网址", "http://pjjg.osta.org.cn"),
];

/// The frozen artefacts.
pub struct Frozen {
    pub credential_json: String,
    pub credential_sha256: String,
    pub pdf: Vec<u8>,
    pub pdf_sha256: String,
}

/// The end of a validity day in China (23:59:59 UTC+8).
fn end_of_day_in_china(date: NaiveDate) -> DateTime<Utc> {
    let naive = date.and_time(NaiveTime::from_hms_opt(15, 59, 59).unwrap_or(NaiveTime::MIN));
    Utc.from_utc_datetime(&naive)
}

fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The name of what was achieved, e.g. `职业技能等级证书 · 中式面点师`.
fn achievement_name(input: &FreezeInput<'_>) -> String {
    let g = input.grounds;
    let subject = match (g.kind, &g.standard, input.occupation, &g.training) {
        (CertificateKind::Specialty, Some(s), _, _) => s.spec.name.clone(),
        (CertificateKind::SkillLevel, _, Some(o), _) => o.name.clone(),
        (_, _, _, Training::Enrolment(e)) => e.program.title.clone(),
        (_, _, _, Training::Apprenticeship(a)) => {
            apprenticed::paper::subject(a, input.occupation, input.target)
        }
    };
    format!("{} · {subject}", g.kind.label())
}

fn criteria(input: &FreezeInput<'_>) -> String {
    let g = input.grounds;
    let rule = g.rule.as_ref();
    let mut parts = vec![match &g.training {
        Training::Enrolment(e) => {
            format!("完成《{}》培训（{}学时）", e.program.title, e.program.hours)
        }
        Training::Apprenticeship(a) if g.kind == CertificateKind::Apprenticeship => {
            return apprenticed::paper::criteria(a, input.occupation, input.target);
        }
        Training::Apprenticeship(a) => format!(
            "在{}完成{}",
            a.enterprise.name,
            apprenticed::paper::subject(a, input.occupation, input.target)
        ),
    }];
    if let Some(p) = rule.and_then(|r| r.min_attendance_percent) {
        parts.push(format!("出勤不少于{p}%"));
    }
    if let Some(s) = rule.and_then(|r| r.min_theory_score) {
        parts.push(format!("理论成绩不低于{s}分"));
    }
    if let Some(s) = rule.and_then(|r| r.min_practical_score) {
        parts.push(format!("实操成绩不低于{s}分"));
    }
    if g.assessment.is_some() {
        parts.push(format!("经{}考核合格", g.issuer.name));
    }
    if rule.is_some_and(|r| !r.requires.is_empty()) {
        let names: Vec<&str> = rule
            .map(|r| r.requires.iter().map(|k| k.label()).collect())
            .unwrap_or_default();
        parts.push(format!("并持有{}", names.join("、")));
    }
    parts.join("，") + "。"
}

fn credential_input(
    services: &Services,
    input: &FreezeInput<'_>,
    holder_index: &str,
) -> CredentialInput {
    let g = input.grounds;
    let base = &services.base_url;
    let standard = g.standard.as_ref().map(|s| StandardRef {
        code: s.spec.code.clone(),
        name: s.spec.name.clone(),
        version: s.version,
        sha256: s.spec_sha256.clone(),
        url: format!(
            "{base}/api/v1/standards/{}?version={}",
            s.spec.code, s.version
        ),
    });
    let statuses = ["revocation", "suspension"]
        .into_iter()
        .map(|purpose| StatusEntry {
            purpose: purpose.to_owned(),
            index: input.status_index as u64,
            list_url: format!("{base}/api/v1/status-lists/{purpose}"),
        })
        .collect();
    CredentialInput {
        id: format!("urn:uuid:{}", input.id),
        issuer: IssuerProfile {
            id: services.did.clone(),
            name: g.issuer.name.clone(),
            credit_code: Some(g.issuer.credit_code.clone()),
            url: Some(base.clone()),
        },
        source: None,
        valid_from: input.issued_at,
        valid_until: input.valid_until.map(end_of_day_in_china),
        achievement: AchievementInput {
            id: match &g.training {
                // A query, not a fragment: the level's ids add one (`#level`), and an
                // IRI has at most one.
                Training::Enrolment(e) => format!(
                    "{base}/api/v1/programs/{}?achievement={}",
                    e.program.id,
                    g.kind.as_str()
                ),
                Training::Apprenticeship(a) => format!(
                    "{base}/api/v1/apprenticeships/{}?achievement={}",
                    a.agreement.id,
                    g.kind.as_str()
                ),
            },
            kind: g.kind,
            name: achievement_name(input),
            title: paper_title(g),
            description: match &g.training {
                Training::Enrolment(e) => format!("{}：{}", g.issuer.name, e.program.title),
                Training::Apprenticeship(a) => apprenticed::paper::description(
                    a,
                    &g.issuer.name,
                    input.occupation,
                    input.target,
                ),
            },
            criteria: criteria(input),
            occupation: input.occupation.map(|o| (o.code.clone(), o.name.clone())),
            standard,
            level: input.level.map(|l| (l.code.clone(), l.label.clone())),
        },
        holder: credential::holder_identity(holder_index, &mask_name(&g.person.name)),
        certificate_number: input.number.to_owned(),
        statuses,
    }
}

/// The paper's title: the kind's label, or a licence's own name (`requirements` refuses
/// a licence without one).
fn paper_title(g: &Grounds) -> String {
    match (
        g.kind,
        g.rule.as_ref().and_then(|r| r.licence_title.as_deref()),
    ) {
        (CertificateKind::Licence, Some(name)) => name.to_owned(),
        _ => g.kind.label().to_owned(),
    }
}

fn document(
    services: &Services,
    input: &FreezeInput<'_>,
    credential_json: &str,
    credential_sha256: &str,
    photo_jpeg: Option<Vec<u8>>,
) -> CertificateDocument {
    let g = input.grounds;
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut push = |label: &str, value: String| fields.push((label.to_owned(), value));
    match g.kind {
        CertificateKind::SkillLevel => {
            push(
                "职业名称",
                input
                    .occupation
                    .map(|o| o.name.clone())
                    .unwrap_or_else(|| "--".into()),
            );
            push("工种/职业方向", "--".into());
            push(
                "职业技能等级",
                input
                    .level
                    .map(|l| l.label.clone())
                    .unwrap_or_else(|| "--".into()),
            );
        }
        CertificateKind::Specialty => {
            if let Some(s) = &g.standard {
                push("专项职业能力", s.spec.name.clone());
                push(
                    "考核规范",
                    format!("{}（{} 第{}版）", s.spec.name, s.spec.code, s.version),
                );
            }
            if let Some(a) = &g.assessment {
                push("考核日期", chinese_date(a.assessed_on));
            }
        }
        CertificateKind::Licence => {
            let activity = g
                .rule
                .as_ref()
                .and_then(|r| r.licensed_activity.as_deref())
                .map(str::trim)
                .or(g.enrolled().map(|e| e.program.title.as_str()))
                .unwrap_or_default();
            push("准入事项", activity.to_owned());
            if let Some(s) = &g.standard {
                push("依据规范", format!("{}（第{}版）", s.spec.name, s.version));
            }
            if let Some(until) = input.valid_until {
                push(
                    "有效期",
                    format!(
                        "{}至{}",
                        chinese_date(input.valid_from),
                        chinese_date(until)
                    ),
                );
            }
        }
        CertificateKind::Completion | CertificateKind::Apprenticeship => match &g.training {
            Training::Enrolment(e) => {
                push("培训项目", e.program.title.clone());
                push("培训学时", format!("{}学时", e.program.hours));
                push(
                    "培训时间",
                    format!(
                        "{}至{}",
                        chinese_date(e.cohort.starts_on),
                        chinese_date(e.cohort.ends_on)
                    ),
                );
                if let Some(s) = &g.standard {
                    push("依据规范", format!("{}（第{}版）", s.spec.name, s.version));
                }
            }
            Training::Apprenticeship(a) => {
                for (label, value) in apprenticed::paper::fields(a, input.occupation, input.target)
                {
                    push(&label, value);
                }
            }
        },
    }
    let title = paper_title(g);
    let lookup_urls = match g.kind {
        CertificateKind::SkillLevel => SKILL_LEVEL_LOOKUPS
            .iter()
            .map(|(label, url)| ((*label).to_owned(), (*url).to_owned()))
            .collect(),
        // The other kinds are the registry's own: OSTA knows nothing of them.
        _ => vec![(
            "证书查询网址".to_owned(),
            format!("{}/v/", services.base_url),
        )],
    };
    CertificateDocument {
        layout: g.kind.layout().to_owned(),
        title,
        holder_name: g.person.name.clone(),
        id_type: "居民身份证".to_owned(),
        id_number: g.person.citizen_id_masked.clone(),
        fields,
        number: input.number.to_owned(),
        issuer_name: g.issuer.name.clone(),
        issue_date: chinese_date(input.valid_from),
        verify_url: services.verify_url(input.token),
        lookup_urls,
        credential_sha256: credential_sha256.to_owned(),
        credential_json: credential_json.as_bytes().to_vec(),
        photo_jpeg,
        seal_png: input.paper.seal_png.clone(),
    }
}

/// Builds, signs and renders the certificate.
pub fn freeze(services: &Services, input: &FreezeInput<'_>) -> Result<Frozen, Unmade> {
    let name = &input.grounds.person.name;
    let unsigned = credential::build(&credential_input(
        services,
        input,
        &input.grounds.person.citizen_id_index,
    ));
    let key = services.signing.current();
    let method = services.signing.verification_method(&services.did);
    let signed = credential::add_proofs(
        &unsigned,
        key,
        &method,
        input.issued_at,
        &credential::Cryptosuite::ALL,
    )
    .map_err(|e| {
        Unmade::new(
            name,
            anyhow::anyhow!("signing certificate {}: {e:?}", input.number),
        )
    })?;
    let credential_json = signed.to_string();
    let credential_sha256 = credential::sha256_hex(credential_json.as_bytes());
    let photo_jpeg = match &input.paper.photo_sealed {
        Some(sealed) => Some(
            photo::open(&services.pii, &input.grounds.person.id, sealed)
                .map_err(|e| Unmade::new(name, e))?,
        ),
        None => None,
    };
    let pdf = services
        .renderer
        .render(&document(
            services,
            input,
            &credential_json,
            &credential_sha256,
            photo_jpeg,
        ))
        .map_err(|e| {
            Unmade::new(
                name,
                e.context(format!("rendering certificate {}", input.number)),
            )
        })?;
    let pdf_sha256 = credential::sha256_hex(&pdf);
    Ok(Frozen {
        credential_json,
        credential_sha256,
        pdf,
        pdf_sha256,
    })
}
