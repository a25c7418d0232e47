//! The 2026 cohorts of the demo programs: dates, places, teachers, how many trainees
//! each has and the seed they are generated from (in [`super::trainees`]).

use chrono::NaiveDate;

/// Where most of a cohort's trainees come from, which shapes their names.
#[derive(Clone, Copy)]
pub enum Community {
    /// Mostly Han names, some Mongolian and Russian-ethnic ones (the city seat).
    Town,
    /// A pastoral area: many Mongolian names.
    Pastoral,
    /// A Russian-ethnic township (室韦, 恩和): many Russian given names.
    RussianEthnic,
}

pub struct CohortSpec {
    pub program: &'static str,
    pub code: &'static str,
    pub starts_on: (i32, u32, u32),
    pub ends_on: (i32, u32, u32),
    pub capacity: u32,
    pub location: &'static str,
    pub teachers: &'static [&'static str],
    pub community: Community,
    /// Newly generated trainees.
    pub trainees: usize,
    /// Trainees of an earlier cohort (by code) who also join this one.
    pub also_from: Option<(&'static str, usize)>,
    pub withdrawn: usize,
    /// Trainees given their own login.
    pub logins: usize,
    pub seed: u64,
}

impl CohortSpec {
    pub fn starts_on(&self) -> NaiveDate {
        date(self.starts_on)
    }

    pub fn ends_on(&self) -> NaiveDate {
        date(self.ends_on)
    }
}

fn date((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

pub const COHORTS: &[CohortSpec] = &[
    CohortSpec {
        program: "mszlr",
        code: "MSZLR-2026-01",
        starts_on: (2026, 3, 16),
        ends_on: (2026, 3, 28),
        capacity: 45,
        location: "拉布大林街道 额尔古纳市职业技能培训中心实训楼",
        teachers: &["刘雅琴", "周晓梅", "白乌云"],
        community: Community::Town,
        trainees: 36,
        also_from: None,
        withdrawn: 2,
        logins: 2,
        seed: 0x4d53_5a4c_5201,
    },
    CohortSpec {
        program: "mszlr",
        code: "MSZLR-2026-02",
        starts_on: (2026, 4, 13),
        ends_on: (2026, 4, 25),
        capacity: 35,
        location: "恩和俄罗斯民族乡 恩和村文化活动中心",
        teachers: &["赵立新", "谢玛莎"],
        community: Community::RussianEthnic,
        trainees: 27,
        also_from: None,
        withdrawn: 1,
        logins: 1,
        seed: 0x4d53_5a4c_5202,
    },
    CohortSpec {
        program: "tlkb",
        code: "TLKB-2026-01",
        starts_on: (2026, 5, 6),
        ends_on: (2026, 5, 15),
        capacity: 30,
        location: "恩和俄罗斯民族乡 列巴坊实训基地",
        teachers: &["谢安娜", "韩志刚"],
        community: Community::RussianEthnic,
        trainees: 20,
        also_from: Some(("MSZLR-2026-02", 4)),
        withdrawn: 1,
        logins: 1,
        seed: 0x544c_4b42_0001,
    },
    CohortSpec {
        program: "qmy",
        code: "QMY-2026-01",
        starts_on: (2026, 5, 18),
        ends_on: (2026, 5, 30),
        capacity: 40,
        location: "黑山头镇 草原人家马术训练场",
        teachers: &["包宝音", "巴特尔·朝鲁", "孟和"],
        community: Community::Pastoral,
        trainees: 32,
        also_from: None,
        withdrawn: 1,
        logins: 1,
        seed: 0x514d_5900_0001,
    },
    CohortSpec {
        program: "qmy",
        code: "QMY-2026-02",
        starts_on: (2026, 6, 15),
        ends_on: (2026, 6, 27),
        capacity: 30,
        location: "室韦俄罗斯民族乡 临江村骑乘营地",
        teachers: &["包宝音", "伊万·彼得罗夫"],
        community: Community::RussianEthnic,
        trainees: 24,
        also_from: None,
        withdrawn: 0,
        logins: 0,
        seed: 0x514d_5900_0002,
    },
    CohortSpec {
        program: "tlkb",
        code: "TLKB-2026-02",
        starts_on: (2026, 7, 6),
        ends_on: (2026, 7, 15),
        capacity: 30,
        location: "莫尔道嘎镇 社区综合服务中心",
        teachers: &["韩志刚", "高娃"],
        community: Community::Town,
        trainees: 22,
        also_from: None,
        withdrawn: 1,
        logins: 0,
        seed: 0x544c_4b42_0002,
    },
    CohortSpec {
        program: "zsmd",
        code: "ZSMD-2026-01",
        starts_on: (2026, 9, 7),
        ends_on: (2026, 10, 23),
        capacity: 40,
        location: "拉布大林街道 额尔古纳市职业技能培训中心烹饪实训室",
        teachers: &["赵立新", "吴桂芳"],
        community: Community::Town,
        trainees: 30,
        also_from: None,
        withdrawn: 1,
        logins: 1,
        seed: 0x5a53_4d44_0001,
    },
];
