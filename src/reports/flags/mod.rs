//! The data-quality panel (docs/DESIGN.md §10): what an auditor would flag in the records,
//! each flag with the (masked) rows behind it, and the bureau's explanations of them.
//!
//! The flags are computed from the records every time, each kind by one or a few grouped
//! queries ([`pairs`], [`records`]) whatever the number of rows; only the explanations are
//! stored ([`explain`]). Every flag instance has a stable key naming the records it is
//! about (`overlap:{enrolment}:{enrolment}`, `early_certificate:{certificate}`, …), so an
//! explanation stays attached to it; a new instance (another pair, one more subsidised
//! training) has a new key and is flagged afresh.

pub mod explain;
mod pairs;
mod records;
mod rows;

use std::{collections::HashMap, fmt};

use sea_orm::{
    ConnectionTrait,
    sea_query::{Alias, Expr, ExprTrait, IntoIden},
};
use serde::Serialize;
use utoipa::ToSchema;

pub use explain::{Explanation, ExplanationInput};
pub use rows::FlagRow;

use crate::{
    cohorts::EnrolmentStatus,
    error::AppError,
    people::PiiKeys,
    stored::{Stored, stored_enum},
};

stored_enum! {
    /// What an auditor would flag.
    pub enum FlagKind("report flag kind") {
        /// The same person in two cohorts whose dates overlap, neither enrolment withdrawn.
        Overlap = "overlap" => "同一学员参加时间重叠的班次",
        /// Two subsidised trainings of one person in the same occupation and level.
        SameLevelTwice = "same_level_twice" => "同一职业同一等级重复享受补贴培训",
        /// More subsidised trainings for one person than the configured limit.
        OverLimit = "over_limit" => "享受补贴培训次数超过上限",
        /// A certificate dated before the training (or apprenticeship) it rests on ended.
        EarlyCertificate = "early_certificate" => "培训结束前发证",
        /// A trainee's age on the cohort's first day outside the program's window.
        AgeOutsideWindow = "age_outside_window" => "开班时年龄不在项目要求范围内",
        /// A withdrawn enrolment with results, assessments or certificates.
        WithdrawnWithResults = "withdrawn_with_results" => "已退出的学员仍有成绩、考核或证书",
    }
}

impl FlagKind {
    /// How many parts follow the kind in a key.
    fn parts(self) -> usize {
        match self {
            Self::Overlap | Self::SameLevelTwice | Self::OverLimit => 2,
            Self::EarlyCertificate | Self::AgeOutsideWindow | Self::WithdrawnWithResults => 1,
        }
    }

    /// The rule, as the panel states it.
    pub fn rule(self) -> &'static str {
        match self {
            Self::Overlap => "同一人的两条未退出报名，所在班次的起止日期相互重叠。",
            Self::SameLevelTwice => {
                "同一人在两个享受补贴的班次（已关联培训订单）参加同一职业（工种）、同一等级的培训，同一职业同一等级只应补贴一次。"
            }
            Self::OverLimit => {
                "同一人享受补贴的培训（未退出、所在班次已关联培训订单）超过规定次数。"
            }
            Self::EarlyCertificate => {
                "证书的发证日期早于所依据班次的结束日期，或学徒培训证书早于学徒结业。"
            }
            Self::AgeOutsideWindow => {
                "按身份证号计算的开班日周岁年龄不在培训项目要求的年龄范围内（报名后项目调整、导入或更正都可能留下此类记录）。"
            }
            Self::WithdrawnWithResults => "已退出的报名仍录有成绩、考核记录或未撤销的证书。",
        }
    }
}

/// A flag instance's stable key: its kind and the records it is about, e.g.
/// `overlap:{enrolment}:{enrolment}` (the smaller id first), `over_limit:{person}:{count}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FlagKey {
    pub kind: FlagKind,
    parts: Vec<String>,
}

impl FlagKey {
    fn new(kind: FlagKind, parts: Vec<String>) -> Self {
        Self { kind, parts }
    }

    /// The key written as `kind:part:part`; `None` unless it has the kind's parts, each
    /// 1–64 letters, digits or hyphens (record ids are UUIDs).
    pub fn parse(written: &str) -> Option<Self> {
        let mut words = written.trim().split(':');
        let kind = FlagKind::parse(words.next()?).ok()?;
        let parts: Vec<String> = words.map(str::to_owned).collect();
        let fits = |p: &String| {
            (1..=64).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        (parts.len() == kind.parts() && parts.iter().all(fits)).then(|| Self::new(kind, parts))
    }

    fn part(&self, at: usize) -> &str {
        self.parts.get(at).map_or("", String::as_str)
    }
}

impl fmt::Display for FlagKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind.as_str())?;
        for part in &self.parts {
            write!(f, ":{part}")?;
        }
        Ok(())
    }
}

/// A flag as a check finds it: the key, what is wrong in a sentence, and the records
/// behind it by table.
#[derive(Debug, Clone)]
struct Found {
    key: FlagKey,
    summary: String,
    enrolments: Vec<String>,
    certificates: Vec<String>,
    apprentices: Vec<String>,
}

impl Found {
    fn new(key: FlagKey, summary: String, enrolments: Vec<String>) -> Self {
        Self {
            key,
            summary,
            enrolments,
            certificates: Vec::new(),
            apprentices: Vec::new(),
        }
    }
}

/// What the checks need beyond the records.
#[derive(Clone, Copy)]
pub struct Settings<'a> {
    /// To read birth dates from the sealed ID numbers (the registry stores no birth date).
    pub keys: &'a PiiKeys,
    /// `REGISTRY_SUBSIDY_LIMIT`.
    pub subsidy_limit: u32,
}

impl<'a> Settings<'a> {
    /// The settings of a running registry.
    pub fn of(keys: &'a PiiKeys, config: &crate::config::Config) -> Self {
        Self {
            keys,
            subsidy_limit: config.subsidy_limit,
        }
    }
}

/// One flag instance with its rows and, once the bureau explained it, the explanation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Flag {
    /// The stable key an explanation attaches to.
    pub key: String,
    pub kind: FlagKind,
    /// What is wrong, with the facts (dates, ages, counts).
    pub summary: String,
    /// The records behind it; names and ID numbers masked.
    pub rows: Vec<FlagRow>,
    /// Present once explained: the flag stays listed, marked explained.
    pub explanation: Option<Explanation>,
}

/// The flags of one kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Section {
    pub kind: FlagKind,
    pub label: &'static str,
    pub rule: &'static str,
    pub count: usize,
    /// Those not yet explained.
    pub open: usize,
    pub flags: Vec<Flag>,
}

/// The panel: every kind, in a fixed order, with its flags.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Panel {
    /// The subsidised trainings one person may have (`REGISTRY_SUBSIDY_LIMIT`).
    pub subsidy_limit: u32,
    pub count: usize,
    pub open: usize,
    pub sections: Vec<Section>,
}

/// The flags of `kind`, or with `only` just that instance if it is still found.
async fn find(
    conn: &impl ConnectionTrait,
    settings: Settings<'_>,
    kind: FlagKind,
    only: Option<&FlagKey>,
) -> Result<Vec<Found>, AppError> {
    match kind {
        FlagKind::Overlap => pairs::overlaps(conn, only).await,
        FlagKind::SameLevelTwice => pairs::same_level_twice(conn, only).await,
        FlagKind::OverLimit => pairs::over_limit(conn, settings.subsidy_limit, only).await,
        FlagKind::EarlyCertificate => records::early_certificates(conn, only).await,
        FlagKind::AgeOutsideWindow => records::ages(conn, settings.keys, only).await,
        FlagKind::WithdrawnWithResults => records::withdrawn_with_results(conn, only).await,
    }
}

/// Whether the flag `key` names is found in the records now (only its own records are
/// read).
pub async fn exists(
    conn: &impl ConnectionTrait,
    settings: Settings<'_>,
    key: &FlagKey,
) -> Result<bool, AppError> {
    let found = find(conn, settings, key.kind, Some(key)).await?;
    Ok(found.iter().any(|f| f.key == *key))
}

/// The panel as the records stand.
pub async fn panel(conn: &impl ConnectionTrait, settings: Settings<'_>) -> Result<Panel, AppError> {
    let mut found = Vec::new();
    for &kind in FlagKind::ALL {
        let mut of_kind = find(conn, settings, kind, None).await?;
        of_kind.sort_by_key(|f| f.key.to_string());
        found.push((kind, of_kind));
    }
    let all = || found.iter().flat_map(|(_, f)| f.iter());
    let loaded = rows::load(
        conn,
        all().flat_map(|f| f.enrolments.iter().cloned()),
        all().flat_map(|f| f.certificates.iter().cloned()),
        all().flat_map(|f| f.apprentices.iter().cloned()),
    )
    .await?;
    let mut explained: HashMap<String, Explanation> =
        explain::of_keys(conn, all().map(|f| f.key.to_string()))
            .await?
            .into_iter()
            .map(|e| (e.key.clone(), e))
            .collect();
    let mut sections = Vec::new();
    for (kind, of_kind) in found {
        let flags: Vec<Flag> = of_kind
            .into_iter()
            .map(|f| {
                let key = f.key.to_string();
                Flag {
                    explanation: explained.remove(&key),
                    rows: loaded.of(&f.enrolments, &f.apprentices, &f.certificates),
                    key,
                    kind,
                    summary: f.summary,
                }
            })
            .collect();
        sections.push(Section {
            kind,
            label: kind.label(),
            rule: kind.rule(),
            count: flags.len(),
            open: flags.iter().filter(|f| f.explanation.is_none()).count(),
            flags,
        });
    }
    Ok(Panel {
        subsidy_limit: settings.subsidy_limit,
        count: sections.iter().map(|s| s.count).sum(),
        open: sections.iter().map(|s| s.open).sum(),
        sections,
    })
}

/// A table under an alias, for the self-joins the checks are made of.
fn t(alias: &str) -> Alias {
    Alias::new(alias)
}

/// `alias.column`.
fn col(alias: &str, column: impl IntoIden) -> Expr {
    Expr::col((t(alias), column))
}

/// The enrolment under `alias` is current (not withdrawn).
fn current(alias: &str) -> Expr {
    col(alias, entities::enrolments::Column::Status).ne(EnrolmentStatus::Withdrawn.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_reads_back_as_written_and_anything_else_is_no_key() {
        crate::stored::assert_strict::<FlagKind>();
        let written =
            "overlap:0193a1b2-0000-7000-8000-000000000001:0193a1b2-0000-7000-8000-000000000002";
        let key = FlagKey::parse(written).expect("a key");
        assert_eq!(key.kind, FlagKind::Overlap);
        assert_eq!(key.to_string(), written);
        assert_eq!(
            FlagKey::parse("over_limit:p-1:4").map(|k| k.to_string()),
            Some("over_limit:p-1:4".into())
        );
        for bad in [
            "",
            "overlap",
            "overlap:a",
            "overlap:a:b:c",
            "overlap::b",
            "early_certificate:a'--",
            "early_certificate:a b",
            "unknown:a",
            "Overlap:a:b",
        ] {
            assert_eq!(FlagKey::parse(bad), None, "{bad}");
        }
    }
}
