//! Corrections of a person's name and phone (docs/DESIGN.md §5): records, not edits; a
//! corrected name is carried onto the holder's certificates by re-issuing them, the chain
//! kept whole, and the old ones say by which.

use registry::access::Role;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::certificates::{Chain, chain, fields_of, passing, pdf_text};
use crate::helpers::{TestApp, citizen_id, pluck};

/// One trainee's completion → specialty → licence (valid until 2029-12-31); returns the
/// person's id and the three certificates.
pub async fn licensed(app: &TestApp, c: &Chain, name: &str, id: &str) -> (String, [Value; 3]) {
    let (enrolment, person) = app
        .trainee(c, &c.homestay_cohort, name, id, passing())
        .await;
    let (status, report) = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let completion_id = report["issued"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["enrolment_id"] == enrolment.as_str()))
        .and_then(|l| l["certificate_id"].as_str())
        .expect("completion issued")
        .to_owned();
    let (_, completion) = app
        .get(&format!("/api/v1/certificates/{completion_id}"), &c.staff)
        .await;
    let assessment = app.assess(c, &enrolment, None, 78, 84).await;
    let (status, specialty) = app
        .post(
            "/api/v1/certificates",
            &c.assessor,
            json!({"kind": "specialty", "enrolment_id": enrolment, "assessment_id": assessment}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{specialty}");
    let (status, licence) = app
        .post(
            "/api/v1/certificates",
            &c.officer,
            json!({"kind": "licence", "enrolment_id": enrolment, "valid_until": "2029-12-31"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{licence}");
    (person, [completion, specialty, licence])
}

pub fn id_of(v: &Value) -> &str {
    v["id"].as_str().expect("id")
}

pub async fn show(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, body) = app.get(&format!("/api/v1/certificates/{id}"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// What the public learns from a certificate's QR code: the JSON and the page.
pub async fn public(app: &TestApp, cert: &Value) -> (Value, String) {
    let token = cert["token"].as_str().expect("token");
    let (_, json) = app
        .call(Method::GET, &format!("/api/v1/verify/{token}"), None, None)
        .await;
    let html = app
        .client
        .get(format!("{}/v/{token}", app.base))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    (json, html)
}

async fn pdf_of(app: &TestApp, token: &str, id: &str) -> String {
    let bytes = app
        .client
        .get(format!("{}/api/v1/certificates/{id}/pdf", app.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("pdf")
        .bytes()
        .await
        .expect("bytes");
    pdf_text(&bytes)
}

pub fn name_correction(value: &str) -> Value {
    json!({"field": "name", "value": value, "reason": "录入时姓名有误",
           "evidence": "已核对户口本、身份证原件"})
}

async fn correct(app: &TestApp, token: &str, person: &str, body: Value) -> (StatusCode, Value) {
    app.post(&format!("/api/v1/people/{person}/corrections"), token, body)
        .await
}

#[tokio::test]
async fn a_corrected_name_reissues_the_whole_chain_and_the_old_certificates_name_their_successors()
{
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (person, [completion, specialty, licence]) =
        licensed(&app, &c, "娜仁花", &citizen_id("19900412", 222)).await;

    let (status, done) = correct(&app, &c.staff, &person, name_correction("娜仁高娃")).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    assert_eq!(
        (done["from"].as_str(), done["to"].as_str()),
        (Some("娜仁花"), Some("娜仁高娃"))
    );
    assert_eq!(
        pluck(&done["reissued"], &["kind", "old_id"]),
        [
            format!("completion {}", id_of(&completion)),
            format!("specialty {}", id_of(&specialty)),
            format!("licence {}", id_of(&licence)),
        ],
        "every certificate, parents first"
    );
    let new_id = |at: usize| done["reissued"][at]["new_id"].as_str().expect("new id");

    // Each old certificate is superseded and names its replacement, which carries the name.
    for (at, (old, token)) in [
        (&completion, &c.staff),
        (&specialty, &c.assessor),
        (&licence, &c.officer),
    ]
    .into_iter()
    .enumerate()
    {
        let o = show(&app, token, id_of(old)).await;
        assert_eq!(o["status"], "superseded", "{o}");
        assert_eq!(o["superseded_by_id"], new_id(at));
        let n = show(&app, token, new_id(at)).await;
        assert_eq!(
            (
                n["status"].as_str(),
                n["supersedes_id"].as_str(),
                n["holder_name"].as_str()
            ),
            (Some("valid"), Some(id_of(old)), Some("娜仁高娃")),
            "{n}"
        );
        assert_ne!(n["number"], o["number"], "numbered anew");
        assert!(pdf_of(&app, token, new_id(at)).await.contains("娜仁高娃"));
        assert!(
            pdf_of(&app, token, id_of(old)).await.contains("娜仁花"),
            "the old paper stays as it was"
        );
    }
    // The chain rests on the new certificates; the licence keeps its validity.
    let new_specialty = show(&app, &c.assessor, new_id(1)).await;
    let new_licence = show(&app, &c.officer, new_id(2)).await;
    assert_eq!(new_specialty["parent_ids"], json!([new_id(0)]));
    assert_eq!(new_licence["parent_ids"], json!([new_id(1)]));
    assert_eq!(new_licence["valid_until"], "2029-12-31");

    // The holder's bundle: the three new ones stand, the three old ones are superseded.
    let (_, bundle) = app
        .get(&format!("/api/v1/people/{person}/certificates"), &c.staff)
        .await;
    let mut standing = pluck(&bundle, &["id", "status"]);
    standing.retain(|line| line.ends_with(" valid"));
    assert_eq!(
        standing,
        (0..3)
            .map(|at| format!("{} valid", new_id(at)))
            .collect::<Vec<_>>()
    );

    // A verifier scanning the old licence learns it was replaced, and by which.
    let (verdict, page) = public(&app, &licence).await;
    assert_eq!(verdict["status"], "superseded", "{verdict}");
    assert_eq!(verdict["superseded_by"]["number"], new_licence["number"]);
    assert!(page.contains("已被替换") && page.contains(new_licence["number"].as_str().expect("n")));
    let (verdict, _) = public(&app, &new_licence).await;
    assert_eq!(verdict["status"], "valid", "{verdict}");

    // The person reads the corrected name, and the correction is on record.
    let (_, shown) = app.get(&format!("/api/v1/people/{person}"), &c.staff).await;
    assert_eq!(shown["name"], "娜仁高娃");
    let (_, history) = app
        .get(&format!("/api/v1/people/{person}/corrections"), &c.bureau)
        .await;
    assert_eq!(
        pluck(&history, &["field", "from", "to", "evidence"]),
        ["name 娜*花 娜**娃 已核对户口本、身份证原件"],
        "the bureau sees the names masked"
    );
}

#[tokio::test]
async fn a_suspended_certificate_is_reissued_suspended_and_rises_with_its_new_parent() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (person, [_, specialty, _]) =
        licensed(&app, &c, "巴特尔", &citizen_id("19880101", 111)).await;
    let (status, _) = app
        .post(
            &format!("/api/v1/certificates/{}/suspend", id_of(&specialty)),
            &c.assessor,
            json!({"reason": "考核材料核查中"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, done) = correct(&app, &c.bureau, &person, name_correction("巴特尔·朝鲁")).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let new_id = |at: usize| done["reissued"][at]["new_id"].as_str().expect("new id");
    let s = show(&app, &c.assessor, new_id(1)).await;
    let l = show(&app, &c.officer, new_id(2)).await;
    assert_eq!(
        (s["status"].as_str(), s["suspend_reason"].as_str()),
        (Some("suspended"), Some("考核材料核查中")),
        "a correction lifts no suspension: {s}"
    );
    assert_eq!(l["status"], "suspended");
    assert_eq!(
        l["suspend_reason"],
        format!("依据证书已暂停（{}）", s["number"].as_str().expect("n")),
        "the licence's suspension names the new specialty certificate"
    );
    assert_eq!(l["grounds_fell_id"], new_id(1));

    // The check clears on the new specialty certificate: the new licence rises with it.
    let (status, _) = app
        .post(
            &format!("/api/v1/certificates/{}/reinstate", new_id(1)),
            &c.assessor,
            json!({"reason": "核查无误"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(show(&app, &c.officer, new_id(2)).await["status"], "valid");
}

#[tokio::test]
async fn a_corrected_phone_is_sealed_and_reissues_nothing() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (person, [completion, ..]) =
        licensed(&app, &c, "其木格", &citizen_id("19920315", 224)).await;
    let before = app.count("certificates").await;

    let body = json!({"field": "phone", "value": "139 0470 1234", "reason": "学员更换了手机号码"});
    let (status, done) = correct(&app, &c.staff, &person, body).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    assert_eq!(
        (done["from"].clone(), done["to"].as_str()),
        (Value::Null, Some("13904701234"))
    );
    assert_eq!(
        done["reissued"],
        json!([]),
        "no certificate prints a phone number"
    );
    assert_eq!(app.count("certificates").await, before);
    assert_eq!(
        show(&app, &c.staff, id_of(&completion)).await["status"],
        "valid"
    );

    let (_, shown) = app.get(&format!("/api/v1/people/{person}"), &c.staff).await;
    assert_eq!(shown["phone"], "13904701234");
    let (_, history) = app
        .get(&format!("/api/v1/people/{person}/corrections"), &c.bureau)
        .await;
    assert_eq!(pluck(&history, &["field", "to"]), ["phone 139****1234"]);
    // A second correction keeps the number it replaces, sealed like every phone number.
    let body = json!({"field": "phone", "value": "13904705678", "reason": "号码录错一位"});
    let (status, done) = correct(&app, &c.staff, &person, body).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    assert_eq!(done["from"], "13904701234");
    let stored = app
        .db
        .read
        .query_all_raw(Statement::from_string(
            app.db.backend(),
            "SELECT COALESCE(old_value, '') || ' ' || new_value AS v FROM person_corrections",
        ))
        .await
        .expect("read corrections");
    assert_eq!(stored.len(), 2, "the control: both corrections were read");
    for row in stored {
        let v: String = row.try_get("", "v").expect("v");
        assert!(!v.contains("0470"), "a phone number in clear: {v}");
    }
}

#[tokio::test]
async fn a_correction_is_refused_with_the_rule_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (person, _) = licensed(&app, &c, "乌兰", &citizen_id("19940404", 246)).await;
    let certificates = app.count("certificates").await;
    let bureau = &c.bureau;
    let cases = [
        (
            json!({"field": "name", "value": "乌兰图雅", "reason": " ", "evidence": "已核对身份证"}),
            "reason:length",
        ),
        (
            json!({"field": "name", "value": "乌兰图雅", "reason": "录入有误"}),
            "evidence:required",
        ),
        (
            json!({"field": "name", "value": "王\u{30000}", "reason": "录入有误", "evidence": "已核对身份证"}),
            "value:unprintable",
        ),
        (
            json!({"field": "name", "value": "Wulan", "reason": "录入有误", "evidence": "已核对身份证"}),
            "value:charset",
        ),
        (name_correction("乌兰"), "value:unchanged"),
        (
            json!({"field": "phone", "value": "12345", "reason": "换号"}),
            "value:format",
        ),
    ];
    for (body, rule) in cases {
        let (status, answer) = correct(&app, bureau, &person, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(fields_of(&answer), [rule], "{answer}");
        let rule_text = answer["fields"][0]["message"].as_str().expect("the rule");
        assert!(
            answer["message"]
                .as_str()
                .is_some_and(|m| m.contains(rule_text)),
            "the message names the rule: {answer}"
        );
    }

    // A provider that did not enrol them does not see them; an assessor may not correct.
    let other_provider = app
        .organisation(bureau, "training_provider", "额尔古纳市家政服务培训学校")
        .await;
    let stranger = app
        .account("other-staff", Role::ProviderStaff, Some(&other_provider))
        .await;
    let (status, _) = correct(&app, &stranger, &person, name_correction("乌兰图雅")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = correct(&app, &c.assessor, &person, name_correction("乌兰图雅")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    assert_eq!(app.count("person_corrections").await, 0);
    assert_eq!(app.count("certificates").await, certificates);
    let (_, shown) = app.get(&format!("/api/v1/people/{person}"), &c.staff).await;
    assert_eq!(shown["name"], "乌兰");
}

#[tokio::test]
async fn the_same_correction_sent_twice_at_once_is_made_once() {
    let app = TestApp::spawn().await;
    // On PostgreSQL through two instances, as a city runs them; SQLite serves one (its
    // read-then-write transactions from two processes meet "database is locked").
    let second = if app.database_url.starts_with("postgres") {
        Some(app.second_instance().await)
    } else {
        None
    };
    let other = second.as_ref().unwrap_or(&app);
    let c = chain(&app).await;
    let (person, _) = licensed(&app, &c, "阿拉坦", &citizen_id("19850707", 135)).await;
    let certificates = app.count("certificates").await;

    let (a, b) = tokio::join!(
        correct(&app, &c.staff, &person, name_correction("阿拉坦仓")),
        correct(other, &c.staff, &person, name_correction("阿拉坦仓")),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CREATED],
        "{} {}",
        a.1,
        b.1
    );
    assert_eq!(a.1["id"], b.1["id"], "both answer the one correction");
    assert_eq!(a.1["reissued"], b.1["reissued"]);
    assert_eq!(app.count("person_corrections").await, 1);
    assert_eq!(app.count("certificates").await, certificates + 3);

    // Sent again later, it still answers the same; a new reason is a new request.
    let (status, again) = correct(&app, &c.staff, &person, name_correction("阿拉坦仓")).await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &a.1["id"]));
    let mut other_reason = name_correction("阿拉坦仓");
    other_reason["reason"] = json!("再次核对");
    let (status, answer) = correct(&app, &c.staff, &person, other_reason).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields_of(&answer), ["value:unchanged"]);
}

#[tokio::test]
async fn a_licence_renewed_while_the_name_is_corrected_ends_up_printing_the_corrected_name() {
    let app = TestApp::spawn().await;
    let second = if app.database_url.starts_with("postgres") {
        Some(app.second_instance().await)
    } else {
        None
    };
    let other = second.as_ref().unwrap_or(&app);
    let c = chain(&app).await;
    let (person, [_, _, licence]) = licensed(&app, &c, "敖登", &citizen_id("19910909", 157)).await;

    let renewal = format!("/api/v1/certificates/{}/renewal", id_of(&licence));
    let (corrected, renewed) = tokio::join!(
        correct(&app, &c.staff, &person, name_correction("敖登格日乐")),
        other.post(&renewal, &c.officer, json!({"valid_until": "2032-12-31"}),),
    );
    assert_eq!(corrected.0, StatusCode::CREATED, "{}", corrected.1);
    // The renewal came first (and the correction re-issued its licence) or second (and
    // found the licence already replaced by the correction).
    assert!(
        renewed.0 == StatusCode::CREATED
            || (renewed.0 == StatusCode::CONFLICT && renewed.1["error"] == "superseded"),
        "{}",
        renewed.1
    );
    let (_, bundle) = app
        .get(&format!("/api/v1/people/{person}/certificates"), &c.staff)
        .await;
    let standing: Vec<Value> = bundle
        .as_array()
        .expect("a list")
        .iter()
        .filter(|cert| cert["status"] == "valid")
        .cloned()
        .collect();
    assert_eq!(standing.len(), 3, "{bundle}");
    for cert in standing {
        let token = if cert["kind"] == "licence" {
            &c.officer
        } else {
            &c.staff
        };
        let token = if cert["kind"] == "specialty" {
            &c.assessor
        } else {
            token
        };
        let text = pdf_of(&app, token, id_of(&cert)).await;
        assert!(
            text.contains("敖登格日乐"),
            "{} prints {text}",
            cert["number"]
        );
    }
}

#[tokio::test]
async fn a_cohort_issued_while_a_name_is_corrected_prints_the_corrected_name() {
    let app = TestApp::spawn().await;
    let second = if app.database_url.starts_with("postgres") {
        Some(app.second_instance().await)
    } else {
        None
    };
    let other = second.as_ref().unwrap_or(&app);
    let c = chain(&app).await;
    let id = citizen_id("19870303", 179);
    let (_, _, _) = app.completion(&c, "斯琴", &id).await;
    let full = json!({"attended_hours": 118, "theory_score": 80, "practical_score": 80});
    app.trainee(
        &c,
        &c.pastry_cohort,
        "萨仁",
        &citizen_id("19930101", 192),
        full.clone(),
    )
    .await;
    let (_, person) = app.trainee(&c, &c.pastry_cohort, "斯琴", &id, full).await;

    let issue = format!("/api/v1/cohorts/{}/certificates", c.pastry_cohort);
    let (issued, corrected) = tokio::join!(
        other.post(&issue, &c.staff, json!({})),
        correct(&app, &c.staff, &person, name_correction("斯琴高娃")),
    );
    assert_eq!(issued.0, StatusCode::OK, "{}", issued.1);
    assert_eq!(corrected.0, StatusCode::CREATED, "{}", corrected.1);
    let (_, bundle) = app
        .get(&format!("/api/v1/people/{person}/certificates"), &c.staff)
        .await;
    let standing: Vec<&Value> = bundle
        .as_array()
        .expect("a list")
        .iter()
        .filter(|cert| cert["status"] == "valid")
        .collect();
    assert_eq!(
        standing.len(),
        2,
        "one completion certificate of each cohort: {bundle}"
    );
    for cert in standing {
        let text = pdf_of(&app, &c.staff, id_of(cert)).await;
        assert!(
            text.contains("斯琴高娃"),
            "{} prints {text}",
            cert["number"]
        );
    }
}
