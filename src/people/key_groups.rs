//! The key groups (重点群体) of the city's employment-promotion plan that a trainee can be
//! tagged with, and the rules that keep a tag from contradicting the person's ID.

use serde::{Deserialize, Serialize};

use super::citizen_id::Gender;

/// Youngest and oldest age of the plan's new-generation farmers and herders (16–40 周岁).
const NEW_FARMER_HERDER_AGES: std::ops::RangeInclusive<u32> = 16..=40;

/// A key group named in the plan; progress against its yearly targets is reported per
/// group.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum KeyGroup {
    /// 高校毕业生
    Graduate,
    /// 退役军人及军属
    VeteranOrMilitaryFamily,
    /// 残疾人
    Disabled,
    /// 零就业家庭成员
    ZeroEmploymentHousehold,
    /// 农村低收入人口
    LowIncomeRural,
    /// 新生农牧民, aged 16 to 40
    NewFarmerHerder,
    /// 失业人员
    Unemployed,
    /// 返乡创业人员
    ReturningEntrepreneur,
    /// 大龄劳动者
    OlderWorker,
    /// 返岗妇女 (the plan's 妈妈岗); women only
    WomanReturningToWork,
}

impl KeyGroup {
    /// Every group, in the order forms and reports list them.
    pub const ALL: [KeyGroup; 10] = [
        KeyGroup::Graduate,
        KeyGroup::VeteranOrMilitaryFamily,
        KeyGroup::Disabled,
        KeyGroup::ZeroEmploymentHousehold,
        KeyGroup::LowIncomeRural,
        KeyGroup::NewFarmerHerder,
        KeyGroup::Unemployed,
        KeyGroup::ReturningEntrepreneur,
        KeyGroup::OlderWorker,
        KeyGroup::WomanReturningToWork,
    ];

    /// Stable code, the same as the serde form, e.g. `new_farmer_herder`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyGroup::Graduate => "graduate",
            KeyGroup::VeteranOrMilitaryFamily => "veteran_or_military_family",
            KeyGroup::Disabled => "disabled",
            KeyGroup::ZeroEmploymentHousehold => "zero_employment_household",
            KeyGroup::LowIncomeRural => "low_income_rural",
            KeyGroup::NewFarmerHerder => "new_farmer_herder",
            KeyGroup::Unemployed => "unemployed",
            KeyGroup::ReturningEntrepreneur => "returning_entrepreneur",
            KeyGroup::OlderWorker => "older_worker",
            KeyGroup::WomanReturningToWork => "woman_returning_to_work",
        }
    }

    /// Reads the stable code written by [`KeyGroup::as_str`] (what the database stores).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// Reads a group as people write it, on the enrolment API and in spreadsheets alike:
    /// the code, the Chinese label (with or without its bracketed part, in full- or
    /// half-width brackets) or one of the [`KeyGroup::variants`]; spaces are ignored.
    pub fn read(written: &str) -> Option<Self> {
        let text: String = written
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '(' => '（',
                ')' => '）',
                c => c,
            })
            .collect();
        if let Some(group) = Self::parse(&text.to_ascii_lowercase()) {
            return Some(group);
        }
        Self::ALL.into_iter().find(|g| {
            g.label() == text
                || g.label().split('（').next() == Some(text.as_str())
                || g.variants().contains(&text.as_str())
        })
    }

    /// Other names in common use for the group (in notices, ledgers and older lists),
    /// accepted by [`KeyGroup::read`] beside the label; none is another group's label.
    pub fn variants(self) -> &'static [&'static str] {
        match self {
            KeyGroup::Graduate => &[
                "高校毕业生（含离校未就业）",
                "大学毕业生",
                "应届高校毕业生",
                "离校未就业高校毕业生",
            ],
            KeyGroup::VeteranOrMilitaryFamily => &[
                "退役军人",
                "退役士兵",
                "退伍军人",
                "军属",
                "军人家属",
                "退役军人家属",
            ],
            KeyGroup::Disabled => &["残疾人员", "残障人士", "持证残疾人"],
            KeyGroup::ZeroEmploymentHousehold => &["零就业家庭", "零就业家庭人员"],
            KeyGroup::LowIncomeRural => &[
                "脱贫人口",
                "脱贫劳动力",
                "农村低收入人群",
                "低收入人口",
                "防止返贫监测对象",
            ],
            KeyGroup::NewFarmerHerder => &["新型农牧民", "新生代农牧民", "新型职业农牧民"],
            KeyGroup::Unemployed => &["登记失业人员", "失业人口", "城镇登记失业人员"],
            KeyGroup::ReturningEntrepreneur => {
                &["返乡创业者", "返乡入乡创业人员", "返乡创业农民工"]
            }
            KeyGroup::OlderWorker => &["大龄劳动力", "4050人员", "大龄就业困难人员"],
            KeyGroup::WomanReturningToWork => &["返岗妇女", "妈妈岗", "返岗女性"],
        }
    }

    /// The Chinese name shown to users, in the plan's wording.
    pub fn label(self) -> &'static str {
        match self {
            KeyGroup::Graduate => "高校毕业生",
            KeyGroup::VeteranOrMilitaryFamily => "退役军人及军属",
            KeyGroup::Disabled => "残疾人",
            KeyGroup::ZeroEmploymentHousehold => "零就业家庭成员",
            KeyGroup::LowIncomeRural => "农村低收入人口",
            KeyGroup::NewFarmerHerder => "新生农牧民",
            KeyGroup::Unemployed => "失业人员",
            KeyGroup::ReturningEntrepreneur => "返乡创业人员",
            KeyGroup::OlderWorker => "大龄劳动者",
            KeyGroup::WomanReturningToWork => "返岗妇女（妈妈岗）",
        }
    }

    /// What the ID must show for the tag to apply, in Chinese, for error messages;
    /// `None` for groups the ID cannot rule out.
    pub fn requirement(self) -> Option<&'static str> {
        match self {
            KeyGroup::NewFarmerHerder => Some("新生农牧民须年满16周岁且不超过40周岁"),
            KeyGroup::WomanReturningToWork => Some("返岗妇女（妈妈岗）仅适用于女性"),
            _ => None,
        }
    }

    /// Whether the tag can apply to a person of this age (whole years) and gender;
    /// otherwise a stable reason code: `age_out_of_range` or `gender_mismatch`.
    pub fn check(self, age: u32, gender: Gender) -> Result<(), &'static str> {
        match self {
            KeyGroup::NewFarmerHerder if !NEW_FARMER_HERDER_AGES.contains(&age) => {
                Err("age_out_of_range")
            }
            KeyGroup::WomanReturningToWork if gender != Gender::Female => Err("gender_mismatch"),
            _ => Ok(()),
        }
    }
}

/// A key group as published (`GET /api/v1/key-groups`): what to write for it, and what
/// the registry accepts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KeyGroupEntry {
    /// The stable code, as stored and returned, e.g. `graduate`.
    pub code: KeyGroup,
    /// The Chinese label in the plan's wording, e.g. 高校毕业生.
    pub label: &'static str,
    /// Other names accepted for it on the API and in spreadsheets, e.g. 退役士兵.
    pub variants: &'static [&'static str],
    /// What the ID number must show for the group to apply, e.g. 仅适用于女性.
    pub requirement: Option<&'static str>,
}

/// Every key group with its label, accepted variants and requirement, in list order.
pub fn published() -> Vec<KeyGroupEntry> {
    KeyGroup::ALL
        .into_iter()
        .map(|g| KeyGroupEntry {
            code: g,
            label: g.label(),
            variants: g.variants(),
            requirement: g.requirement(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_reads_back_from_its_code() {
        for group in KeyGroup::ALL {
            assert_eq!(KeyGroup::parse(group.as_str()), Some(group));
        }
        assert_eq!(KeyGroup::parse("新生农牧民"), None);
        assert_eq!(KeyGroup::parse("Graduate"), None);
    }

    #[test]
    fn codes_and_labels_are_all_different() {
        let mut codes: Vec<_> = KeyGroup::ALL.iter().map(|g| g.as_str()).collect();
        let mut labels: Vec<_> = KeyGroup::ALL.iter().map(|g| g.label()).collect();
        codes.sort_unstable();
        codes.dedup();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(codes.len(), KeyGroup::ALL.len());
        assert_eq!(labels.len(), KeyGroup::ALL.len());
    }

    #[test]
    fn the_serde_form_is_the_stable_code() {
        use serde::de::{IntoDeserializer, value::Error};
        for group in KeyGroup::ALL {
            let read: Result<KeyGroup, Error> =
                KeyGroup::deserialize(group.as_str().into_deserializer());
            assert_eq!(read, Ok(group));
        }
    }

    #[test]
    fn groups_are_read_by_code_label_or_a_common_variant() {
        for (written, group) in [
            ("graduate", KeyGroup::Graduate),
            (" Graduate ", KeyGroup::Graduate),
            ("高校毕业生", KeyGroup::Graduate),
            ("退役士兵", KeyGroup::VeteranOrMilitaryFamily),
            ("退役军人", KeyGroup::VeteranOrMilitaryFamily),
            ("脱贫人口", KeyGroup::LowIncomeRural),
            ("返岗妇女", KeyGroup::WomanReturningToWork),
            ("返岗妇女(妈妈岗)", KeyGroup::WomanReturningToWork),
            ("返岗妇女 （妈妈岗）", KeyGroup::WomanReturningToWork),
            ("4050人员", KeyGroup::OlderWorker),
        ] {
            assert_eq!(KeyGroup::read(written), Some(group), "{written}");
        }
        for unknown in ["贫困户", "", "毕业", "graduates"] {
            assert_eq!(KeyGroup::read(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn every_name_read_names_one_group_only() {
        let mut names: Vec<&str> = KeyGroup::ALL
            .iter()
            .flat_map(|g| {
                let mut names = vec![g.as_str(), g.label()];
                names.extend(g.variants());
                names
            })
            .collect();
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all, "a name is given to two groups");
        for group in KeyGroup::ALL {
            for variant in group.variants() {
                assert_eq!(KeyGroup::read(variant), Some(group), "{variant}");
            }
        }
    }

    #[test]
    fn labels_use_the_plans_wording() {
        assert_eq!(KeyGroup::Graduate.label(), "高校毕业生");
        assert_eq!(KeyGroup::NewFarmerHerder.label(), "新生农牧民");
        assert_eq!(KeyGroup::WomanReturningToWork.label(), "返岗妇女（妈妈岗）");
    }

    #[test]
    fn new_farmers_and_herders_must_be_sixteen_to_forty() {
        let group = KeyGroup::NewFarmerHerder;
        assert_eq!(group.check(15, Gender::Male), Err("age_out_of_range"));
        assert_eq!(group.check(16, Gender::Male), Ok(()));
        assert_eq!(group.check(40, Gender::Female), Ok(()));
        assert_eq!(group.check(41, Gender::Female), Err("age_out_of_range"));
        assert!(group.requirement().is_some());
    }

    #[test]
    fn only_women_can_be_tagged_as_returning_to_work() {
        let group = KeyGroup::WomanReturningToWork;
        assert_eq!(group.check(32, Gender::Female), Ok(()));
        assert_eq!(group.check(32, Gender::Male), Err("gender_mismatch"));
    }

    #[test]
    fn other_groups_do_not_depend_on_age_or_gender() {
        for group in KeyGroup::ALL {
            if group.requirement().is_none() {
                assert_eq!(group.check(70, Gender::Male), Ok(()), "{group:?}");
                assert_eq!(group.check(15, Gender::Female), Ok(()), "{group:?}");
            }
        }
        assert_eq!(
            KeyGroup::ALL
                .iter()
                .filter(|g| g.requirement().is_none())
                .count(),
            8
        );
    }
}
