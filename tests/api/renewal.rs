//! Licence renewal (docs/DESIGN.md §5): a new licence with a new validity supersedes the
//! old one, numbered anew, on the same grounds; issuing again with another validity is
//! refused with a pointer to renewal.

use chrono::{Duration, NaiveDate};
use registry::access::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::certificates::{chain, fields_of};
use crate::corrections::{id_of, licensed, public, show};
use crate::helpers::{PASSWORD, TestApp, citizen_id};

async fn renew(app: &TestApp, token: &str, licence: &Value, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/certificates/{}/renewal", id_of(licence)),
        token,
        body,
    )
    .await
}

fn today(app: &TestApp) -> NaiveDate {
    app.clock.now().today
}

#[tokio::test]
async fn a_renewed_licence_is_numbered_anew_rests_on_the_same_grounds_and_the_old_one_names_it() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (person, [_, specialty, licence]) =
        licensed(&app, &c, "娜仁花", &citizen_id("19900412", 222)).await;

    let credential_path =
        |id: &Value| format!("/api/v1/certificates/{}/credential", id.as_str().unwrap());
    let (_, frozen) = app.get(&credential_path(&licence["id"]), &c.officer).await;
    let body = json!({"valid_until": "2032-12-31", "reason": "复审合格"});
    let (status, renewed) = renew(&app, &c.officer, &licence, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{renewed}");
    let (old, new) = (&renewed["old"], &renewed["new"]);
    // The old licence keeps the credential frozen at its issue; the renewal is signed anew
    // with both proofs.
    let (_, kept) = app.get(&credential_path(&licence["id"]), &c.officer).await;
    assert_eq!(kept, frozen);
    let (_, renewed_credential) = app.get(&credential_path(&new["id"]), &c.officer).await;
    crate::open_badges::assert_ob303(&renewed_credential);
    assert_eq!(
        (old["status"].as_str(), old["superseded_by_id"].as_str()),
        (Some("superseded"), new["id"].as_str())
    );
    assert_eq!(new["status"], "valid");
    assert_eq!(new["supersedes_id"], licence["id"]);
    assert_ne!(new["number"], licence["number"], "numbered anew");
    assert_eq!(new["valid_from"], today(&app).to_string());
    assert_eq!(new["valid_until"], "2032-12-31");
    assert_eq!(
        new["parent_ids"],
        json!([specialty["id"]]),
        "the same grounds"
    );

    let (verdict, page) = public(&app, &licence).await;
    assert_eq!(verdict["status"], "superseded", "{verdict}");
    assert_eq!(verdict["superseded_by"]["number"], new["number"]);
    assert!(page.contains("已被替换") && page.contains(new["number"].as_str().expect("n")));
    let (_, bundle) = app
        .get(&format!("/api/v1/people/{person}/certificates"), &c.staff)
        .await;
    assert_eq!(bundle.as_array().map(Vec::len), Some(4));

    // A retry answers the same renewal; another date on the old licence points to the new.
    let (status, again) = renew(&app, &c.officer, &licence, body).await;
    assert_eq!((status, &again["new"]["id"]), (StatusCode::OK, &new["id"]));
    let (status, refused) = renew(
        &app,
        &c.officer,
        &licence,
        json!({"valid_until": "2033-06-30"}),
    )
    .await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (StatusCode::CONFLICT, Some("superseded"))
    );
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains(new["number"].as_str().expect("n")))
    );
    assert_eq!(app.count("certificates").await, 4);
}

#[tokio::test]
async fn issuing_a_licence_again_with_another_validity_is_refused_pointing_to_renewal() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (_, [_, _, licence]) = licensed(&app, &c, "巴特尔", &citizen_id("19880101", 111)).await;
    let enrolment = show(&app, &c.officer, id_of(&licence)).await["enrolment_id"].clone();
    let issue = |valid_until: &str| {
        app.post(
            "/api/v1/certificates",
            &c.officer,
            json!({"kind": "licence", "enrolment_id": enrolment, "valid_until": valid_until}),
        )
    };

    let (status, same) = issue("2029-12-31").await;
    assert_eq!(
        (status, &same["id"]),
        (StatusCode::OK, &licence["id"]),
        "the same request, the same licence"
    );
    let (status, refused) = issue("2030-06-30").await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (StatusCode::CONFLICT, Some("use_renewal")),
        "{refused}"
    );
    let message = refused["message"].as_str().expect("message");
    assert!(
        message.contains("续期")
            && message.contains(licence["number"].as_str().expect("n"))
            && message.contains("2029-12-31"),
        "{message}"
    );
    assert_eq!(app.count("certificates").await, 3, "nothing issued");

    // Once renewed, the grounds answer with the renewed licence.
    let (status, renewed) = renew(
        &app,
        &c.officer,
        &licence,
        json!({"valid_until": "2030-06-30"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{renewed}");
    let (status, again) = issue("2030-06-30").await;
    assert_eq!(
        (status, &again["id"]),
        (StatusCode::OK, &renewed["new"]["id"])
    );
}

#[tokio::test]
async fn an_expired_licence_is_renewed_but_a_suspended_or_revoked_one_is_not() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (_, [_, _, long]) = licensed(&app, &c, "乌兰", &citizen_id("19940404", 246)).await;
    let (enrolment, _) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "其木格",
            &citizen_id("19920315", 224),
            crate::certificates::passing(),
        )
        .await;
    app.post(
        &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
        &c.staff,
        json!({}),
    )
    .await;
    let assessment = app.assess(&c, &enrolment, None, 80, 80).await;
    let (status, _) = app
        .post(
            "/api/v1/certificates",
            &c.assessor,
            json!({"kind": "specialty", "enrolment_id": enrolment, "assessment_id": assessment}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let soon = today(&app) + Duration::days(10);
    let (status, short) = app
        .post(
            "/api/v1/certificates",
            &c.officer,
            json!({"kind": "licence", "enrolment_id": enrolment, "valid_until": soon}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{short}");

    app.clock.advance(Duration::days(30));
    // The tokens expired meanwhile.
    let (officer, assessor, bureau) = (
        app.login("officer", PASSWORD).await,
        app.login("assessor", PASSWORD).await,
        app.login("bureau", PASSWORD).await,
    );
    assert_eq!(
        show(&app, &officer, id_of(&short)).await["status"],
        "expired"
    );
    let (status, refused) = renew(&app, &officer, &short, json!({"valid_until": soon})).await;
    assert_eq!(
        (status, fields_of(&refused)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["valid_until:not_later".to_owned()]
        )
    );
    let (status, refused) = renew(
        &app,
        &officer,
        &short,
        json!({"valid_until": soon + Duration::days(5)}),
    )
    .await;
    assert_eq!(
        (status, fields_of(&refused)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["valid_until:in_the_past".to_owned()]
        )
    );
    let until = today(&app) + Duration::days(3 * 365);
    let (status, renewed) = renew(&app, &officer, &short, json!({"valid_until": until})).await;
    assert_eq!(status, StatusCode::CREATED, "{renewed}");
    assert_eq!(renewed["new"]["status"], "valid");
    assert_eq!(renewed["new"]["valid_until"], until.to_string());

    // Only the licensing authority that issued it renews it.
    let (status, _) = renew(&app, &assessor, &long, json!({"valid_until": "2032-12-31"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = app
        .organisation(&bureau, "licensing_authority", "额尔古纳市市场监督管理局")
        .await;
    let stranger = app
        .account("other-officer", Role::LicensingOfficer, Some(&other))
        .await;
    let (status, _) = renew(&app, &stranger, &long, json!({"valid_until": "2032-12-31"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    for (action, label) in [("suspend", "已暂停"), ("revoke", "已撤销")] {
        let (status, _) = app
            .post(
                &format!("/api/v1/certificates/{}/{action}", id_of(&long)),
                &officer,
                json!({"reason": "经营场所检查不合格"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, refused) =
            renew(&app, &officer, &long, json!({"valid_until": "2032-12-31"})).await;
        assert_eq!(
            (status, refused["error"].as_str()),
            (StatusCode::CONFLICT, Some("not_renewable"))
        );
        assert!(
            refused["message"]
                .as_str()
                .is_some_and(|m| m.contains(label)),
            "{refused}"
        );
    }
}
