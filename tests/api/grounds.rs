//! Grounds that fall (docs/DESIGN.md §5): a certificate resting on a revoked or suspended
//! one is suspended with it, says why, and comes back when its grounds do.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::certificates::{Chain, chain, passing};
use crate::helpers::{TestApp, citizen_id};

/// One trainee's completion → specialty → licence; returns the three certificates.
pub(crate) async fn licensed(app: &TestApp, c: &Chain, name: &str, id: &str) -> [Value; 3] {
    let (enrolment, _) = app
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
        .map(|l| l["certificate_id"].as_str().expect("id").to_owned())
        .expect("completion issued");
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
    [completion, specialty, licence]
}

async fn change(app: &TestApp, token: &str, cert: &Value, action: &str, reason: &str) -> Value {
    let (status, body) = app
        .post(
            &format!(
                "/api/v1/certificates/{}/{action}",
                cert["id"].as_str().expect("id")
            ),
            token,
            json!({"reason": reason}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{action}: {body}");
    body
}

async fn reread(app: &TestApp, token: &str, cert: &Value) -> Value {
    let (status, body) = app
        .get(
            &format!("/api/v1/certificates/{}", cert["id"].as_str().expect("id")),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The public answers for a certificate: the verification JSON and the QR page.
async fn public(app: &TestApp, cert: &Value) -> (Value, String) {
    let token = cert["token"].as_str().expect("token");
    let (_, json) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/verify/{token}"),
            None,
            None,
        )
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

/// Whether the suspension status list marks `cert` (read through its credential's index).
async fn on_suspension_list(app: &TestApp, token: &str, cert: &Value) -> bool {
    let id = cert["id"].as_str().expect("id");
    let credential: Value = app
        .client
        .get(format!("{}/api/v1/certificates/{id}/credential", app.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let index: u64 = credential["credentialStatus"][0]["statusListIndex"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("status index");
    let (_, list) = app
        .call(
            reqwest::Method::GET,
            "/api/v1/status-lists/suspension",
            None,
            None,
        )
        .await;
    let encoded = list["credentialSubject"]["encodedList"]
        .as_str()
        .expect("encodedList");
    let bits = registry::certificates::credential::StatusBits::decode(encoded).expect("decode");
    bits.get(index).expect("in range")
}

#[tokio::test]
async fn a_licence_falls_with_the_specialty_it_rests_on_and_rises_with_it() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let [_, specialty, licence] = licensed(&app, &c, "娜仁花", &citizen_id("19900412", 222)).await;
    let number = specialty["number"].as_str().expect("number");

    // Suspended for a check: the licence is suspended at once, naming the specialty.
    change(&app, &c.assessor, &specialty, "suspend", "考核材料核查中").await;
    let l = reread(&app, &c.officer, &licence).await;
    assert_eq!(l["status"], "suspended", "{l}");
    assert_eq!(l["suspend_reason"], format!("依据证书已暂停（{number}）"));
    assert_eq!(l["grounds_fell_id"], specialty["id"]);

    // The check clears: the licence is valid again without anyone touching it.
    change(&app, &c.assessor, &specialty, "reinstate", "核查无误").await;
    let l = reread(&app, &c.officer, &licence).await;
    assert_eq!(l["status"], "valid", "{l}");
    assert!(l["suspend_reason"].is_null() && l["grounds_fell_id"].is_null());

    // Revoked for 代考: the licence says so everywhere a reader looks.
    change(&app, &c.assessor, &specialty, "revoke", "代考").await;
    let l = reread(&app, &c.officer, &licence).await;
    let why = format!("依据证书已撤销（{number}）");
    assert_eq!(
        (l["status"].as_str(), l["suspend_reason"].as_str()),
        (Some("suspended"), Some(why.as_str()))
    );
    let (verdict, page) = public(&app, &licence).await;
    assert_eq!(verdict["status"], "suspended", "{verdict}");
    assert_eq!(verdict["reason"], why.as_str(), "{verdict}");
    assert!(page.contains(&why), "the QR page says why");
    assert!(
        on_suspension_list(&app, &c.officer, &licence).await,
        "the suspension list follows"
    );

    // It waits on the licensing authority's task list, naming the certificate that fell.
    let (status, tasks) = app.get("/api/v1/tasks", &c.officer).await;
    assert_eq!(status, StatusCode::OK, "{tasks}");
    let fallen = &tasks["fallen_grounds"];
    assert_eq!(fallen["total"], 1, "{tasks}");
    assert_eq!(fallen["items"][0]["certificate_id"], licence["id"]);
    assert_eq!(fallen["items"][0]["parent_number"], number);
    assert_eq!(fallen["items"][0]["reason"], why.as_str());
    assert_eq!(fallen["items"][0]["holder_name"], "娜仁花");
    let (_, theirs) = app.get("/api/v1/tasks", &c.assessor).await;
    assert_eq!(
        theirs["fallen_grounds"]["total"], 0,
        "the evaluation organisation issued no certificate that fell: {theirs}"
    );

    // The licence's issuer decides: revoke it, with its own reason.
    let l = change(
        &app,
        &c.officer,
        &licence,
        "revoke",
        "所依据的专项职业能力证书已撤销",
    )
    .await;
    assert_eq!(l["status"], "revoked");
    assert!(l["grounds_fell_id"].is_null());
    let (_, tasks) = app.get("/api/v1/tasks", &c.officer).await;
    assert_eq!(
        tasks["fallen_grounds"]["total"], 0,
        "decided, so off the list: {tasks}"
    );
}

#[tokio::test]
async fn the_whole_chain_below_falls_and_a_suspension_by_hand_is_left_alone() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let [completion, specialty, licence] =
        licensed(&app, &c, "巴特尔", &citizen_id("19880101", 111)).await;

    // The completion certificate is revoked: the specialty and, through it, the licence fall.
    change(&app, &c.staff, &completion, "revoke", "培训签到弄虚作假").await;
    let s = reread(&app, &c.assessor, &specialty).await;
    let l = reread(&app, &c.officer, &licence).await;
    assert_eq!(s["status"], "suspended");
    assert_eq!(
        s["suspend_reason"],
        format!(
            "依据证书已撤销（{}）",
            completion["number"].as_str().expect("n")
        )
    );
    assert_eq!(l["status"], "suspended");
    assert_eq!(
        l["suspend_reason"],
        format!(
            "依据证书已暂停（{}）",
            specialty["number"].as_str().expect("n")
        )
    );

    // The specialty's issuer reinstates it by hand (the grounds were checked again): the
    // licence resting on it comes back with it.
    change(
        &app,
        &c.assessor,
        &specialty,
        "reinstate",
        "经复核，培训记录属实",
    )
    .await;
    assert_eq!(reread(&app, &c.officer, &licence).await["status"], "valid");

    // A licence suspended by hand keeps its own reason when its grounds fall and rise.
    change(
        &app,
        &c.officer,
        &licence,
        "suspend",
        "持证人违规经营，暂停核查",
    )
    .await;
    change(&app, &c.assessor, &specialty, "suspend", "复查").await;
    let l = reread(&app, &c.officer, &licence).await;
    assert_eq!(l["suspend_reason"], "持证人违规经营，暂停核查");
    change(&app, &c.assessor, &specialty, "reinstate", "复查无误").await;
    let l = reread(&app, &c.officer, &licence).await;
    assert_eq!(
        (l["status"].as_str(), l["suspend_reason"].as_str()),
        (Some("suspended"), Some("持证人违规经营，暂停核查"))
    );
}
