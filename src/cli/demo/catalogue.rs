//! The fixed part of the demo data set: the organisations of Erguna's training system,
//! their staff accounts, the programs on the city's three local standards and one
//! occupation. The cohorts are in [`super::schedule`].

use crate::{
    access::Role,
    organisations::OrgKind,
    programs::{CertificateKind, CertificateRule},
};

/// One organisation; `seed` fixes its credit code.
pub struct OrgSpec {
    pub key: &'static str,
    pub kind: OrgKind,
    pub name: &'static str,
    /// Registering authority and type: `11` organ of state, `12` public institution,
    /// `52` private non-enterprise unit, `91` company.
    pub registration: &'static str,
    /// Administrative code embedded in the credit code.
    pub region: &'static str,
    pub seed: &'static str,
    pub address: &'static str,
    pub phone: &'static str,
}

pub const ORGANISATIONS: &[OrgSpec] = &[
    OrgSpec {
        key: "bureau",
        kind: OrgKind::Bureau,
        name: "额尔古纳市人力资源和社会保障局",
        registration: "11",
        region: "150784",
        seed: "erguna-demo:bureau",
        address: "内蒙古自治区呼伦贝尔市额尔古纳市拉布大林街道政务服务中心三楼",
        phone: "0470-6821001",
    },
    OrgSpec {
        key: "centre",
        kind: OrgKind::TrainingProvider,
        name: "额尔古纳市职业技能培训中心",
        registration: "12",
        region: "150784",
        seed: "erguna-demo:training-centre",
        address: "额尔古纳市拉布大林街道团结路18号",
        phone: "0470-6823102",
    },
    OrgSpec {
        key: "school",
        kind: OrgKind::TrainingProvider,
        name: "额尔古纳市草原人家职业培训学校",
        registration: "52",
        region: "150784",
        seed: "erguna-demo:grassland-school",
        address: "额尔古纳市黑山头镇振兴街6号",
        phone: "0470-6855206",
    },
    OrgSpec {
        key: "evaluator",
        kind: OrgKind::EvaluationOrg,
        name: "呼伦贝尔市北疆技能人才评价中心有限公司",
        registration: "91",
        region: "150702",
        seed: "erguna-demo:evaluation-org",
        address: "呼伦贝尔市海拉尔区河东街道学府路99号",
        phone: "0470-8230917",
    },
    OrgSpec {
        key: "licensing",
        kind: OrgKind::LicensingAuthority,
        name: "额尔古纳市文化旅游和体育局",
        registration: "11",
        region: "150784",
        seed: "erguna-demo:culture-tourism-bureau",
        address: "额尔古纳市拉布大林街道旅游路3号",
        phone: "0470-6826633",
    },
    OrgSpec {
        key: "homestay",
        kind: OrgKind::Employer,
        name: "额尔古纳市根河湾木屋民宿旅游有限公司",
        registration: "91",
        region: "150784",
        seed: "erguna-demo:employer-homestay",
        address: "额尔古纳市室韦俄罗斯民族乡边境路12号",
        phone: "13847001268",
    },
    OrgSpec {
        key: "bakery",
        kind: OrgKind::Employer,
        name: "额尔古纳市老街列巴坊食品有限公司",
        registration: "91",
        region: "150784",
        seed: "erguna-demo:employer-bakery",
        address: "额尔古纳市恩和俄罗斯民族乡恩和村中心街21号",
        phone: "15847009372",
    },
];

/// One staff account; `org` names an [`OrgSpec::key`].
pub struct AccountSpec {
    pub login: &'static str,
    pub role: Role,
    pub org: &'static str,
    pub display_name: &'static str,
}

pub const ACCOUNTS: &[AccountSpec] = &[
    AccountSpec {
        login: "rsj.admin",
        role: Role::BureauAdmin,
        org: "bureau",
        display_name: "张海燕",
    },
    AccountSpec {
        login: "jnpx.liuyaqin",
        role: Role::ProviderStaff,
        org: "centre",
        display_name: "刘雅琴",
    },
    AccountSpec {
        login: "jnpx.zhaolixin",
        role: Role::ProviderStaff,
        org: "centre",
        display_name: "赵立新",
    },
    AccountSpec {
        login: "cyrj.baoyin",
        role: Role::ProviderStaff,
        org: "school",
        display_name: "包宝音",
    },
    AccountSpec {
        login: "pj.sunguodong",
        role: Role::Assessor,
        org: "evaluator",
        display_name: "孙国栋",
    },
    AccountSpec {
        login: "pj.hasi",
        role: Role::Assessor,
        org: "evaluator",
        display_name: "哈斯其其格",
    },
    AccountSpec {
        login: "wlj.lichunmei",
        role: Role::LicensingOfficer,
        org: "licensing",
        display_name: "李春梅",
    },
    AccountSpec {
        login: "ghw.wangjianjun",
        role: Role::Employer,
        org: "homestay",
        display_name: "王建军",
    },
    AccountSpec {
        login: "lbf.xieanna",
        role: Role::Employer,
        org: "bakery",
        display_name: "谢安娜",
    },
];

/// The account that acts for an organisation in the demo: its first one (the provider
/// staff who enrol and record results, the assessor, the licensing officer).
pub fn acting_login(org: &str) -> Option<&'static str> {
    ACCOUNTS.iter().find(|a| a.org == org).map(|a| a.login)
}

/// What a program trains for.
pub enum Target {
    Standard(&'static str),
    Occupation {
        code: &'static str,
        level: &'static str,
    },
}

pub struct ProgramSpec {
    pub key: &'static str,
    pub provider: &'static str,
    pub title: &'static str,
    pub hours: u32,
    pub target: Target,
    pub min_age: u32,
    pub max_age: u32,
    pub certificates: &'static [CertificateKind],
    /// The evaluation organisation's examiners who assess this program's trainees (none
    /// of them teaches it).
    pub examiners: &'static [&'static str],
}

pub const PROGRAMS: &[ProgramSpec] = &[
    ProgramSpec {
        key: "qmy",
        provider: "school",
        title: "骑马游向导服务专项能力培训",
        hours: 100,
        target: Target::Standard("150784-QMY"),
        min_age: 18,
        max_age: 55,
        certificates: &[CertificateKind::Completion, CertificateKind::Specialty],
        examiners: &["孙国栋", "宝力道", "萨仁高娃"],
    },
    ProgramSpec {
        key: "tlkb",
        provider: "school",
        title: "土炉烤饼制作专项能力培训",
        hours: 80,
        target: Target::Standard("150784-TLKB"),
        min_age: 16,
        max_age: 60,
        certificates: &[CertificateKind::Completion, CertificateKind::Specialty],
        examiners: &["哈斯其其格", "张丽萍", "韩玉兰"],
    },
    ProgramSpec {
        key: "mszlr",
        provider: "centre",
        title: "民宿主理人培训",
        hours: 100,
        target: Target::Standard("150784-MSZLR"),
        min_age: 18,
        max_age: 60,
        certificates: &[
            CertificateKind::Completion,
            CertificateKind::Specialty,
            CertificateKind::Licence,
        ],
        examiners: &["孙国栋", "陈晓红", "敖登格日勒"],
    },
    ProgramSpec {
        key: "zsmd",
        provider: "centre",
        title: "中式面点师（四级/中级工）职业技能培训",
        hours: 180,
        target: Target::Occupation {
            code: "4-03-02-02",
            level: "level4",
        },
        min_age: 18,
        max_age: 60,
        certificates: &[CertificateKind::Completion, CertificateKind::SkillLevel],
        examiners: &["哈斯其其格", "吴秀兰", "马德福", "刘春生"],
    },
];

/// The rule each certificate kind follows in the demo programs: a completion
/// certificate needs 90 % attendance and passing scores, the assessed kinds passing
/// scores (the specialty certificate also the completion certificate, so the chain is
/// unbroken), and the licence the specialty certificate.
pub fn rule(kind: CertificateKind) -> CertificateRule {
    let scores = |attendance| CertificateRule {
        kind,
        min_attendance_percent: attendance,
        min_theory_score: Some(60),
        min_practical_score: Some(60),
        requires: vec![],
        licensed_activity: None,
        licence_title: None,
    };
    match kind {
        CertificateKind::Completion => scores(Some(90)),
        CertificateKind::Licence => CertificateRule {
            kind,
            min_attendance_percent: None,
            min_theory_score: None,
            min_practical_score: None,
            requires: vec![CertificateKind::Specialty],
            licensed_activity: Some("民宿经营接待从业".into()),
            licence_title: Some("民宿经营接待从业资格证".into()),
        },
        CertificateKind::Specialty => CertificateRule {
            requires: vec![CertificateKind::Completion],
            ..scores(None)
        },
        _ => scores(None),
    }
}
