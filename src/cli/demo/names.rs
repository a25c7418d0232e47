//! Plausible personal names of Erguna: Han names, Mongolian names (alone, after a Han
//! surname, or two joined by the middle dot such as 巴特尔·朝鲁) and the Russian given
//! names common among the city's Russian-ethnic families.

use rand::{Rng, seq::SliceRandom};

use super::schedule::Community;
use crate::people::Gender;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "田", "董", "于", "蒋", "杜", "程", "苏", "魏", "吕", "丁", "任", "姚", "卢", "姜", "崔", "陆",
    "范", "金", "石", "贾", "付", "方", "白", "孟", "秦", "邱", "薛", "闫", "段", "侯", "史", "贺",
    "毛", "郝", "邵", "武", "常", "温", "康", "牛", "邢", "齐", "乔", "庞", "关", "宁", "包", "鲍",
    "佟", "那", "吉", "敖",
];

const HAN_MALE: &[&str] = &[
    "建国", "志强", "海涛", "永刚", "建华", "国庆", "立军", "文博", "浩然", "子轩", "宇航", "俊杰",
    "明辉", "晓东", "振华", "鹏飞", "长青", "德胜", "春雷", "玉山", "树林", "宏伟", "磊", "伟",
    "勇", "军", "涛", "斌", "超", "杰", "强", "鑫", "龙", "亮", "凯", "峰",
];

const HAN_FEMALE: &[&str] = &[
    "秀英", "桂兰", "玉梅", "丽娟", "海燕", "春梅", "晓红", "丽华", "淑珍", "雅琴", "欣怡", "梓涵",
    "雨婷", "佳琪", "思雨", "桂芳", "凤霞", "美玲", "红梅", "秀云", "晓雪", "彩霞", "静", "敏",
    "丽", "艳", "娟", "霞", "芳", "颖", "婷", "慧", "洁", "琳", "雪", "楠",
];

const MONGOLIAN_MALE: &[&str] = &[
    "巴特尔",
    "朝鲁",
    "额尔敦",
    "宝音",
    "巴图",
    "苏和",
    "那顺",
    "阿拉坦",
    "布和",
    "孟和",
    "特木尔",
    "满都拉",
    "哈斯",
    "毕力格",
    "斯琴巴图",
    "乌力吉",
];

const MONGOLIAN_FEMALE: &[&str] = &[
    "其其格",
    "萨仁",
    "乌云",
    "娜仁",
    "图雅",
    "苏日娜",
    "高娃",
    "斯琴",
    "塔娜",
    "托娅",
    "萨日娜",
    "乌兰",
    "阿茹娜",
    "琪琪格",
];

const RUSSIAN_MALE: &[&str] = &[
    "伊万",
    "瓦西里",
    "阿廖沙",
    "萨沙",
    "尼古拉",
    "米沙",
    "谢尔盖",
    "彼得",
    "安德烈",
];

const RUSSIAN_FEMALE: &[&str] = &[
    "安娜",
    "娜塔莎",
    "玛莎",
    "柳芭",
    "瓦莉亚",
    "喀秋莎",
    "丽达",
    "加莉娅",
    "玛丽亚",
    "卡佳",
];

/// Russian surnames as written on the ID cards of the few who keep the full form
/// (男 / 女).
const RUSSIAN_SURNAMES: &[(&str, &str)] = &[
    ("伊万诺夫", "伊万诺娃"),
    ("彼得罗夫", "彼得罗娃"),
    ("索科洛夫", "索科洛娃"),
    ("库兹涅佐夫", "库兹涅佐娃"),
    ("斯米尔诺夫", "斯米尔诺娃"),
    ("波波夫", "波波娃"),
    ("莫罗佐夫", "莫罗佐娃"),
    ("瓦西里耶夫", "瓦西里耶娃"),
];

fn pick<'a>(rng: &mut impl Rng, pool: &[&'a str]) -> &'a str {
    pool.choose(rng).copied().unwrap_or("明")
}

fn han(rng: &mut impl Rng, gender: Gender) -> String {
    let given = match gender {
        Gender::Male => HAN_MALE,
        Gender::Female => HAN_FEMALE,
    };
    format!("{}{}", pick(rng, SURNAMES), pick(rng, given))
}

fn mongolian(rng: &mut impl Rng, gender: Gender) -> String {
    let given = match gender {
        Gender::Male => MONGOLIAN_MALE,
        Gender::Female => MONGOLIAN_FEMALE,
    };
    match rng.gen_range(0..10) {
        // A Han surname in front, as many Mongolian families of the region write it.
        0..=3 => format!(
            "{}{}",
            pick(rng, &["包", "白", "韩", "吴", "鲍", "敖", "那"]),
            pick(rng, given)
        ),
        // The given name and the father's name joined by the middle dot.
        4..=5 => format!("{}·{}", pick(rng, given), pick(rng, MONGOLIAN_MALE)),
        _ => pick(rng, given).to_owned(),
    }
}

fn russian(rng: &mut impl Rng, gender: Gender) -> String {
    let given = match gender {
        Gender::Male => RUSSIAN_MALE,
        Gender::Female => RUSSIAN_FEMALE,
    };
    if rng.gen_range(0..6) == 0 {
        let (male, female) = RUSSIAN_SURNAMES
            .choose(rng)
            .copied()
            .unwrap_or(("伊万诺夫", "伊万诺娃"));
        let surname = match gender {
            Gender::Male => male,
            Gender::Female => female,
        };
        format!("{}·{surname}", pick(rng, given))
    } else {
        format!("{}{}", pick(rng, SURNAMES), pick(rng, given))
    }
}

/// A name for someone of `gender` from `community`.
pub fn name(rng: &mut impl Rng, community: Community, gender: Gender) -> String {
    // Percent of Mongolian and Russian-ethnic names; the rest are Han.
    let (mongolian_pct, russian_pct) = match community {
        Community::Town => (12, 8),
        Community::Pastoral => (35, 5),
        Community::RussianEthnic => (8, 35),
    };
    let roll = rng.gen_range(0..100);
    if roll < mongolian_pct {
        mongolian(rng, gender)
    } else if roll < mongolian_pct + russian_pct {
        russian(rng, gender)
    } else {
        han(rng, gender)
    }
}

#[cfg(test)]
mod tests {
    use rand::{SeedableRng, rngs::StdRng};

    use super::*;
    use crate::people::PersonName;

    #[test]
    fn every_generated_name_is_a_valid_name() {
        let mut rng = StdRng::seed_from_u64(7);
        for community in [
            Community::Town,
            Community::Pastoral,
            Community::RussianEthnic,
        ] {
            for gender in Gender::ALL {
                for _ in 0..500 {
                    let name = name(&mut rng, community, gender);
                    assert!(PersonName::parse(&name).is_ok(), "{name}");
                }
            }
        }
    }
}
