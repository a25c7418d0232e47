//! The Open Badges 3.0 mapping: where each field goes, the holder's hashed identity, and
//! what must never appear in a credential.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::super::open_badges::identity_hash;
use super::super::*;
use crate::programs::CertificateKind;

/// A made-up ID number of the city's area code; only its absence is checked.
const CITIZEN_ID: &str = "15078419900101123X";
const ACHIEVEMENT_ID: &str = "https://reg.example.cn/achievements/skill-level/4-03-02-02/level4";
const REVOCATION_LIST: &str = "https://reg.example.cn/status/revocation/1";
const SUSPENSION_LIST: &str = "https://reg.example.cn/status/suspension/1";

pub(super) fn sample_input() -> CredentialInput {
    CredentialInput {
        id: "urn:uuid:0192f0c1-7e3a-7c4e-9b1d-5a6e8f2b3c4d".into(),
        issuer: IssuerProfile {
            id: "did:web:reg.example.cn".into(),
            name: "额尔古纳市职业技能评价中心".into(),
            credit_code: Some("12150784MB0000001X".into()),
            url: Some("https://reg.example.cn".into()),
        },
        source: Some(IssuerProfile {
            id: "https://reg.example.cn/organisations/7".into(),
            name: "额尔古纳市烹饪职业培训学校".into(),
            credit_code: None,
            url: None,
        }),
        valid_from: Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).unwrap(),
        valid_until: Some(Utc.with_ymd_and_hms(2029, 11, 25, 23, 59, 59).unwrap()),
        achievement: AchievementInput {
            id: ACHIEVEMENT_ID.into(),
            kind: CertificateKind::SkillLevel,
            name: "职业技能等级证书 · 中式面点师".into(),
            title: "职业技能等级证书".into(),
            description: "中式面点师四级/中级工职业技能等级".into(),
            criteria: "通过理论知识考试和操作技能考核，成绩均达 60 分以上".into(),
            occupation: Some(("4-03-02-02".into(), "中式面点师".into())),
            standard: Some(StandardRef {
                code: "150784-TLKB".into(),
                name: "土炉烤饼制作专项职业能力考核规范".into(),
                version: 2,
                sha256: sha256_hex("规范正文".as_bytes()),
                url: "https://reg.example.cn/standards/150784-TLKB/2".into(),
            }),
            level: Some(("level4".into(), "四级/中级工".into())),
        },
        holder: holder_identity(CITIZEN_ID, "张*三"),
        certificate_number: "S000015078426000123".into(),
        statuses: vec![
            StatusEntry {
                purpose: "revocation".into(),
                index: 4242,
                list_url: REVOCATION_LIST.into(),
            },
            StatusEntry {
                purpose: "suspension".into(),
                index: 4242,
                list_url: SUSPENSION_LIST.into(),
            },
        ],
    }
}

#[test]
fn identity_hash_matches_the_open_badges_example() {
    assert_eq!(
        identity_hash("a@example.com", "Kosher"),
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    );
}

#[test]
fn holder_identity_is_a_freshly_salted_hash_of_the_citizen_id() {
    let holder = holder_identity(CITIZEN_ID, "张*三");
    assert_eq!(holder.salt.len(), 32);
    assert!(holder.salt.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        holder.identity_hash,
        identity_hash(CITIZEN_ID, &holder.salt)
    );
    assert_eq!(holder.name_masked, "张*三");
    assert!(holder.matches(CITIZEN_ID));
    assert!(
        holder.matches(" 15078419900101123x"),
        "the same ID typed in lower case"
    );
    assert!(!holder.matches("150784199001011230"));
    assert_ne!(holder_identity(CITIZEN_ID, "张*三").salt, holder.salt);
}

#[test]
fn a_skill_level_certificate_maps_onto_open_badges_3() {
    let input = sample_input();
    let vc = build(&input);
    assert_eq!(
        vc["@context"],
        json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ])
    );
    assert_eq!(vc["id"], "urn:uuid:0192f0c1-7e3a-7c4e-9b1d-5a6e8f2b3c4d");
    assert_eq!(
        vc["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert_eq!(vc["name"], "职业技能等级证书 · 中式面点师");
    assert_eq!(
        vc["description"],
        "证书编号 Certificate No.: S000015078426000123；持证人 Holder: 张*三"
    );
    assert_eq!(
        vc["issuer"],
        json!({
            "id": "did:web:reg.example.cn",
            "type": ["Profile"],
            "name": "额尔古纳市职业技能评价中心",
            "url": "https://reg.example.cn",
            "otherIdentifier": [{
                "type": "IdentifierEntry",
                "identifier": "12150784MB0000001X",
                "identifierType": "ext:unifiedSocialCreditCode"
            }]
        })
    );
    assert_eq!(vc["validFrom"], "2026-11-26T00:00:00Z");
    assert_eq!(vc["validUntil"], "2029-11-25T23:59:59Z");

    let subject = &vc["credentialSubject"];
    assert_eq!(subject["type"], json!(["AchievementSubject"]));
    assert_eq!(
        subject["identifier"],
        json!([{
            "type": "IdentityObject",
            "hashed": true,
            "identityHash": input.holder.identity_hash,
            "identityType": "ext:nationalIdentityNumberHmac",
            "salt": input.holder.salt
        }])
    );
    assert_eq!(subject["source"]["name"], "额尔古纳市烹饪职业培训学校");
    assert_eq!(subject["source"]["type"], json!(["Profile"]));
    assert!(subject.get("licenseNumber").is_none());

    let achievement = &subject["achievement"];
    assert_eq!(achievement["id"], ACHIEVEMENT_ID);
    assert_eq!(achievement["type"], json!(["Achievement"]));
    assert_eq!(achievement["achievementType"], "Certificate");
    assert_eq!(
        achievement["criteria"],
        json!({"narrative": "通过理论知识考试和操作技能考核，成绩均达 60 分以上"})
    );
    assert_eq!(
        achievement["alignment"],
        json!([
            {
                "type": ["Alignment"],
                "targetName": "中式面点师",
                "targetCode": "4-03-02-02",
                "targetFramework": "中华人民共和国职业分类大典（2022年版）",
                "targetType": "ext:Occupation",
                "targetUrl": "urn:cn:occupation:2022:4-03-02-02"
            },
            {
                "type": ["Alignment"],
                "targetName": "土炉烤饼制作专项职业能力考核规范",
                "targetCode": "150784-TLKB",
                "targetDescription": format!("v2 sha256:{}", sha256_hex("规范正文".as_bytes())),
                "targetType": "ext:SkillStandard",
                "targetUrl": "https://reg.example.cn/standards/150784-TLKB/2"
            }
        ])
    );

    // The level: a rubric level described by the achievement, asserted by the result.
    let description = &achievement["resultDescription"][0];
    assert_eq!(description["type"], json!(["ResultDescription"]));
    assert_eq!(description["resultType"], "RubricCriterionLevel");
    let level = &description["rubricCriterionLevel"][0];
    assert_eq!(level["name"], "四级/中级工");
    assert_eq!(level["level"], "level4");
    let result = &subject["result"][0];
    assert_eq!(result["type"], json!(["Result"]));
    assert_eq!(result["resultDescription"], description["id"]);
    assert_eq!(result["achievedLevel"], level["id"]);
    assert_eq!(result["value"], "四级/中级工");
    assert_eq!(level["id"], format!("{ACHIEVEMENT_ID}#level-level4"));

    assert_eq!(
        vc["credentialStatus"],
        json!([
            {
                "id": format!("{REVOCATION_LIST}#4242"),
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "4242",
                "statusListCredential": REVOCATION_LIST
            },
            {
                "id": format!("{SUSPENSION_LIST}#4242"),
                "type": "BitstringStatusListEntry",
                "statusPurpose": "suspension",
                "statusListIndex": "4242",
                "statusListCredential": SUSPENSION_LIST
            }
        ])
    );
}

#[test]
fn a_licence_carries_its_number_and_optional_parts_are_left_out() {
    let mut input = sample_input();
    input.achievement.kind = CertificateKind::Licence;
    input.achievement.level = None;
    input.achievement.occupation = None;
    input.achievement.standard = None;
    input.source = None;
    input.valid_until = None;
    input.issuer.credit_code = None;
    input.issuer.url = None;
    input.statuses.truncate(1);
    let vc = build(&input);
    let subject = &vc["credentialSubject"];
    assert_eq!(subject["achievement"]["achievementType"], "License");
    assert_eq!(subject["licenseNumber"], "S000015078426000123");
    for absent in [&vc["validUntil"], &subject["source"], &subject["result"]] {
        assert!(absent.is_null());
    }
    let achievement = subject["achievement"].as_object().unwrap();
    assert!(!achievement.contains_key("alignment"));
    assert!(!achievement.contains_key("resultDescription"));
    assert_eq!(
        vc["issuer"],
        json!({"id": "did:web:reg.example.cn", "type": ["Profile"], "name": "额尔古纳市职业技能评价中心"})
    );
    // One status is one object, as OB 3.0 expects.
    assert_eq!(vc["credentialStatus"]["statusPurpose"], "revocation");
    input.statuses.clear();
    assert!(build(&input).get("credentialStatus").is_none());
}

#[test]
fn each_kind_has_its_achievement_type() {
    let expected = [
        (CertificateKind::Completion, "CertificateOfCompletion"),
        (CertificateKind::Specialty, "Certificate"),
        (CertificateKind::SkillLevel, "Certificate"),
        (CertificateKind::Licence, "License"),
        (CertificateKind::Apprenticeship, "ApprenticeshipCertificate"),
    ];
    for (kind, term) in expected {
        let mut input = sample_input();
        input.achievement.kind = kind;
        assert_eq!(
            build(&input)["credentialSubject"]["achievement"]["achievementType"],
            term
        );
    }
}

fn numbers(value: &Value) -> usize {
    match value {
        Value::Number(_) => 1,
        Value::Array(items) => items.iter().map(numbers).sum(),
        Value::Object(map) => map.values().map(numbers).sum(),
        _ => 0,
    }
}

#[test]
fn a_signed_credential_holds_no_citizen_id_and_no_number() {
    let input = sample_input();
    let key = SigningKey::from_seed("key-2026-11-26-1a2b", &[4; 32]).unwrap();
    let created = Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0).unwrap();
    let signed = add_proof(
        &build(&input),
        &key,
        "did:web:reg.example.cn#key-2026-11-26-1a2b",
        created,
    )
    .unwrap();
    let text = String::from_utf8(canonicalize(&signed).unwrap()).unwrap();
    let digits = &CITIZEN_ID[..17];
    for needle in [CITIZEN_ID, &CITIZEN_ID.to_lowercase(), digits, "19900101"] {
        assert!(!text.contains(needle), "{needle} appears in the credential");
    }
    assert_eq!(numbers(&signed), 0, "no number, so no float, anywhere");
}
