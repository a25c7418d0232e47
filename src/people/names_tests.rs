use super::*;

#[test]
fn masking_keeps_the_first_and_last_character_of_longer_names() {
    assert_eq!(mask_name("张小三"), "张*三");
    assert_eq!(mask_name("欧阳小明"), "欧**明");
    assert_eq!(mask_name("巴特尔·朝鲁"), "巴****鲁");
}

#[test]
fn masking_a_two_character_name_keeps_only_the_first() {
    assert_eq!(mask_name("张三"), "张*");
}

#[test]
fn masking_a_single_character_hides_it_entirely() {
    assert_eq!(mask_name("张"), "*");
    assert_eq!(mask_name(""), "");
}

#[test]
fn masking_counts_characters_not_bytes() {
    assert_eq!(mask_name("Li"), "L*");
    assert_eq!(mask_name("王é"), "王*");
    assert_eq!(mask_name("王𠮷"), "王*");
}

#[test]
fn a_name_is_trimmed_and_kept() {
    let name = PersonName::parse("　张小三 ").unwrap();
    assert_eq!(name.as_str(), "张小三");
    assert_eq!(name.masked(), "张*三");
    assert_eq!(name.to_string(), "张小三");
}

#[test]
fn chinese_characters_common_and_rare_and_the_middle_dot_are_taken() {
    for (input, stored) in [
        ("巴特尔·朝鲁", "巴特尔·朝鲁"),
        ("阿拉坦·巴特尔", "阿拉坦·巴特尔"),
        ("王𠮷", "王𠮷"), // Ext B, outside the 通用规范汉字表
        ("李䶮", "李䶮"), // Ext A, in the 通用规范汉字表
        ("张㐀", "张㐀"), // Ext A, outside it
        ("陈堃", "陈堃"), // basic block
        ("王丟", "王丟"), // basic block, outside it
        ("赵𬱖", "赵𬱖"), // Ext E, in the 通用规范汉字表
        ("刘〇", "刘〇"),
        ("张\u{FA11}", "张\u{FA11}"), // a unified ideograph of the compatibility block
        ("张\u{F900}", "张\u{8C48}"), // a compatibility ideograph: its unified twin
        ("巴特尔\u{0387}朝鲁", "巴特尔·朝鲁"), // Greek ano teleia: the middle dot under NFC
        ("巴特尔•朝鲁", "巴特尔·朝鲁"),
        ("巴特尔・朝鲁", "巴特尔·朝鲁"),
        ("巴特尔･朝鲁", "巴特尔·朝鲁"),
        ("巴特尔‧朝鲁", "巴特尔·朝鲁"),
        ("巴特尔⋅朝鲁", "巴特尔·朝鲁"),
    ] {
        let name = PersonName::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(name.as_str(), stored, "{input}");
    }
}

#[test]
fn characters_a_name_cannot_hold_are_refused_naming_the_character() {
    use PersonNameError::*;
    let cases = [
        (
            "王😀",
            Forbidden {
                ch: '😀',
                position: 2,
            },
            "姓名含有不能使用的字符“😀”(U+1F600)",
        ),
        (
            "Иван",
            Forbidden {
                ch: 'И',
                position: 1,
            },
            "“И”(U+0418)",
        ),
        (
            "Li",
            Forbidden {
                ch: 'L',
                position: 1,
            },
            "“L”(U+004C)",
        ),
        (
            "张三3",
            Forbidden {
                ch: '3',
                position: 3,
            },
            "“3”(U+0033)",
        ),
        (
            "张３",
            Forbidden {
                ch: '３',
                position: 2,
            },
            "“３”(U+FF13)",
        ),
        (
            "张⼀",
            Forbidden {
                ch: '⼀',
                position: 2,
            },
            "(U+2F00)",
        ), // a Kangxi radical
        (
            "张ㄅ",
            Forbidden {
                ch: 'ㄅ',
                position: 2,
            },
            "(U+3105)",
        ),
        (
            "张\u{200B}三",
            Invisible {
                ch: '\u{200B}',
                position: 2,
            },
            "看不见的字符(U+200B)",
        ),
        (
            "张三\u{202E}",
            Invisible {
                ch: '\u{202E}',
                position: 3,
            },
            "(U+202E)",
        ),
        (
            "张\u{FE00}三",
            Invisible {
                ch: '\u{FE00}',
                position: 2,
            },
            "(U+FE00)",
        ),
        (
            "张\u{E0100}三",
            Invisible {
                ch: '\u{E0100}',
                position: 2,
            },
            "(U+E0100)",
        ),
        (
            "张\u{7}三",
            Invisible {
                ch: '\u{7}',
                position: 2,
            },
            "(U+0007)",
        ),
        (
            "张\n三",
            NotTheDot {
                ch: '\n',
                position: 2,
            },
            "不能有空格(U+000A)",
        ),
        (
            "阿拉坦 巴特尔",
            NotTheDot {
                ch: ' ',
                position: 4,
            },
            "“·”(U+00B7)",
        ),
        (
            "阿拉坦.巴特尔",
            NotTheDot {
                ch: '.',
                position: 4,
            },
            "“.”(U+002E)不是间隔号",
        ),
        (
            "阿拉坦－巴特尔",
            NotTheDot {
                ch: '－',
                position: 4,
            },
            "“·”(U+00B7)",
        ),
        (
            "王\u{30000}",
            Unprintable {
                ch: '\u{30000}',
                position: 2,
            },
            "(U+30000)是证书字体尚未收录的生僻字",
        ),
        (
            "王\u{9FFF}",
            Unprintable {
                ch: '\u{9FFF}',
                position: 2,
            },
            "(U+9FFF)",
        ),
        (
            "王\u{2A6D6}",
            Unprintable {
                ch: '\u{2A6D6}',
                position: 2,
            },
            "(U+2A6D6)",
        ),
    ];
    for (input, expected, shown) in cases {
        let err = PersonName::parse(input).unwrap_err();
        assert_eq!(err, expected, "{input}");
        let reason = if matches!(err, Unprintable { .. }) {
            "unprintable"
        } else {
            "charset"
        };
        assert_eq!(err.reason(), reason, "{input}");
        assert!(err.message().contains(shown), "{input}: {}", err.message());
    }
}

#[test]
fn a_dot_at_either_end_or_doubled_is_refused() {
    for input in ["·朝鲁", "巴特尔·", "巴特尔··朝鲁", "巴特尔・·朝鲁"] {
        let err = PersonName::parse(input).unwrap_err();
        assert_eq!(err, PersonNameError::MisplacedDot, "{input}");
        assert_eq!(err.reason(), "charset");
    }
}

#[test]
fn one_character_or_more_than_thirty_is_refused() {
    let err = PersonName::parse(" 张 ").unwrap_err();
    assert_eq!(err, PersonNameError::Length(1));
    assert_eq!(err.reason(), "length");
    assert_eq!(err.message(), "姓名应为2至30个字符，实际为1个");
    assert!(PersonName::parse(&"阿".repeat(30)).is_ok());
    assert_eq!(
        PersonName::parse(&"阿".repeat(31)),
        Err(PersonNameError::Length(31))
    );
    assert_eq!(PersonName::parse("   "), Err(PersonNameError::Length(0)));
}

#[test]
fn the_printable_list_parses_whole_sorted_and_holds_only_ideographs() {
    let text = include_str!("../../certs/fonts/printable-ideographs.txt");
    let lines = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .count();
    assert_eq!(PRINTABLE.len(), lines, "a line did not parse");
    for pair in PRINTABLE.windows(2) {
        assert!(pair[0].1 + 1 < pair[1].0, "unsorted or touching: {pair:?}");
    }
    for &(lo, hi) in PRINTABLE.iter() {
        assert!(lo <= hi);
        for cp in [lo, hi] {
            let ch = char::from_u32(cp).unwrap();
            assert!(within(&IDEOGRAPH_BLOCKS, ch), "U+{cp:04X} is no ideograph");
        }
        assert!(
            IDEOGRAPH_BLOCKS.iter().any(|&(a, b)| a <= lo && hi <= b),
            "{lo:X}..{hi:X} crosses blocks"
        );
    }
    // The 通用规范汉字表 and GB 18030's Extension A are there whole.
    assert!(within(&PRINTABLE, '\u{4E00}') && within(&PRINTABLE, '\u{9FA5}'));
    assert!(within(&PRINTABLE, '\u{3400}') && within(&PRINTABLE, '\u{4DB5}'));
    let printable = PersonName::printable_characters().count();
    assert!(printable > 30_000, "{printable}");
}

#[test]
fn the_sets_of_characters_do_not_overlap() {
    for ranges in [&IDEOGRAPH_BLOCKS[..], &INVISIBLE[..]] {
        for pair in ranges.windows(2) {
            assert!(pair[0].1 < pair[1].0, "{pair:X?}");
        }
    }
    for &(lo, hi) in &INVISIBLE {
        assert!(!IDEOGRAPH_BLOCKS.iter().any(|&(a, b)| a <= hi && lo <= b));
    }
    for ch in NOT_THE_DOT {
        assert_ne!(normalise_dot(ch), MIDDLE_DOT, "{ch}");
        assert!(!within(&IDEOGRAPH_BLOCKS, ch) && !within(&INVISIBLE, ch));
    }
}
