//! The end of an apprenticeship (issue 15): the apprenticeship certificate by the
//! agreement's provider once the apprentice completed with every milestone, an evaluation
//! organisation's assessment of the apprentice and the skill-level certificate on it,
//! both in the holder's chain and verifiable on the public page; the refusals before
//! completion, with a milestone open and for an apprentice who left; issuing twice, also at
//! once, gives one certificate.

use chrono::{Months, NaiveDate};
use registry::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, citizen_id, credit_code},
    paper::photo_png,
};

const ENTERPRISE: &str = "额尔古纳市根河湾烤饼有限公司";
const PROVIDER: &str = "额尔古纳市职业技能培训中心";

struct Parties {
    bureau: String,
    employer: String,
    provider: String,
    assessor: String,
}

async fn parties(app: &TestApp) -> (Parties, String) {
    let bureau = app.bureau().await;
    let provider_id = app
        .organisation(&bureau, "training_provider", PROVIDER)
        .await;
    let employer_id = app.organisation(&bureau, "employer", ENTERPRISE).await;
    let (status, evaluator) = app
        .post(
            "/api/v1/organisations",
            &bureau,
            json!({"kind": "evaluation_org", "name": "呼伦贝尔市北疆技能人才评价中心", "credit_code": credit_code(),
                   "national_code": "0815", "site_code": "150784"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{evaluator}");
    let evaluator = evaluator["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/organisations/{evaluator}/approve"),
        &bureau,
        json!({}),
    )
    .await;
    let p = Parties {
        employer: app
            .account("employer", Role::Employer, Some(&employer_id))
            .await,
        provider: app
            .account("staff", Role::ProviderStaff, Some(&provider_id))
            .await,
        assessor: app
            .account("assessor", Role::Assessor, Some(&evaluator))
            .await,
        bureau,
    };
    (p, provider_id)
}

fn months_back(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(n)).unwrap()
}

/// A filed one-year agreement that ended two months ago: (id, start, end, milestone ids).
async fn ended_agreement(
    app: &TestApp,
    p: &Parties,
    provider_id: &str,
) -> (String, NaiveDate, NaiveDate, Vec<String>) {
    let today = app.clock.now().today;
    let start = months_back(today, 14);
    let end = months_back(today, 2).pred_opt().unwrap();
    let body = json!({"provider_id": provider_id, "occupation_code": "4-03-02-02", "target_level": "level4",
        "starts_on": start, "ends_on": end,
        "modules": [{"title": "烤饼原料与发酵", "theory_hours": 40, "practice_hours": 80},
                    {"title": "土炉烤制与质量控制", "theory_hours": 20, "practice_hours": 160}],
        "milestones": [{"title": "独立完成和面发酵", "due_on": months_back(today, 10)},
                       {"title": "独立完成整炉烤制", "due_on": months_back(today, 3)}]});
    let (status, a) = app.post("/api/v1/apprenticeships", &p.employer, body).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let id = a["id"].as_str().unwrap().to_owned();
    let milestones = a["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    for (who, step) in [(&p.employer, "submit"), (&p.bureau, "file")] {
        let (status, a) = app
            .post(
                &format!("/api/v1/apprenticeships/{id}/{step}"),
                who,
                json!(null),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{a}");
    }
    (id, start, end, milestones)
}

/// Registers an apprentice; returns (apprentice id, person id).
async fn apprentice(
    app: &TestApp,
    p: &Parties,
    agreement: &str,
    (name, birth): (&str, &str),
    (start, end): (NaiveDate, NaiveDate),
) -> (String, String) {
    let body = json!({"name": name, "citizen_id": citizen_id(birth, 35), "phone": "13904701234",
        "contract_starts_on": months_back(start, 1), "contract_ends_on": end.checked_add_months(Months::new(12)).unwrap(),
        "mentor": {"name": "王师傅", "post": "烤饼车间主任", "skill_level": "level2"},
        "teacher": {"name": "刘老师"}});
    let (status, a) = app
        .post(
            &format!("/api/v1/apprenticeships/{agreement}/apprentices"),
            &p.employer,
            body,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    (
        a["id"].as_str().unwrap().to_owned(),
        a["person"]["id"].as_str().unwrap().to_owned(),
    )
}

fn fields_of(refusal: &Value) -> Vec<String> {
    refusal["fields"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    format!(
                        "{}:{}",
                        f["field"].as_str().unwrap(),
                        f["reason"].as_str().unwrap()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_complete_apprenticeship_ends_in_both_certificates_linked_and_verifiable() {
    let app = TestApp::spawn().await;
    let (p, provider_id) = parties(&app).await;
    let (agreement, start, end, milestones) = ended_agreement(&app, &p, &provider_id).await;
    let (kept, person) =
        apprentice(&app, &p, &agreement, ("阿拉坦", "20000315"), (start, end)).await;
    let (gone, _) = apprentice(&app, &p, &agreement, ("萨仁", "20010620"), (start, end)).await;
    let base = format!("/api/v1/apprenticeships/{agreement}/apprentices");
    let issue = |who: &str, id: &str, body: Value| {
        let path = format!("{base}/{id}/certificates");
        let who = who.to_owned();
        let app = &app;
        async move { app.post(&path, &who, body).await }
    };
    let kind = json!({"kind": "apprenticeship"});

    // Before completion: not completed, and both milestones open.
    let (status, refused) = issue(&p.provider, &kept, kind.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        fields_of(&refused),
        [
            "apprentice.completed_on:not_completed",
            "milestones.0:not_completed",
            "milestones.1:not_completed"
        ]
    );
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("培养节点“独立完成整炉烤制”"),
        "{refused}"
    );
    // One milestone by each side, the apprenticeship completed: the second milestone is
    // still open.
    let done_on = months_back(app.clock.now().today, 9);
    let (status, body) = app
        .post(
            &format!("{base}/{kept}/milestones/{}", milestones[0]),
            &p.employer,
            json!({"completed_on": done_on}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post(
            &format!("{base}/{kept}/complete"),
            &p.employer,
            json!({"on": end}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, refused) = issue(&p.provider, &kept, kind.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields_of(&refused), ["milestones.1:not_completed"]);
    let (status, body) = app
        .post(
            &format!("{base}/{kept}/milestones/{}", milestones[1]),
            &p.provider,
            json!({"completed_on": done_on}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Only the agreement's provider issues it; an assessor may not.
    let (status, _) = issue(&p.assessor, &kept, kind.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let before = app.count("certificates").await;
    // Two requests at once make one certificate.
    let (first, second) = tokio::join!(
        issue(&p.provider, &kept, kind.clone()),
        issue(&p.provider, &kept, kind.clone())
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CREATED],
        "{first:?} {second:?}"
    );
    assert_eq!(first.1["id"], second.1["id"]);
    assert_eq!(app.count("certificates").await, before + 1);
    let training = first.1;
    assert_eq!(training["kind"], "apprenticeship");
    assert_eq!(training["occupation_code"], "4-03-02-02");
    assert_eq!(training["program_id"], Value::Null);
    assert_eq!(training["enrolment_id"], Value::Null);
    let training_id = training["id"].as_str().unwrap().to_owned();
    // Again, later: the same certificate.
    let (status, again) = issue(&p.provider, &kept, kind.clone()).await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &training["id"]));

    // The apprentice who left is refused, saying so.
    let (status, body) = app
        .post(
            &format!("{base}/{gone}/leave"),
            &p.employer,
            json!({"on": months_back(app.clock.now().today, 8), "reason": "家庭原因离职"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, refused) = issue(&p.provider, &gone, kind.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields_of(&refused), ["apprentice.status:left"]);
    assert!(refused["message"].as_str().unwrap().contains("中途退出"));

    // The evaluation organisation assesses the apprentice: failed during the
    // apprenticeship, passed at the end.
    let assess = |scores: (u32, u32), on: NaiveDate| {
        let path = format!("{base}/{kept}/assessments");
        let who = p.assessor.clone();
        let app = &app;
        async move {
            app.post(
                &path,
                &who,
                json!({"theory_score": scores.0, "practical_score": scores.1, "assessed_on": on,
                       "examiners": ["张考评", "李考评", "赵考评"]}),
            )
            .await
        }
    };
    let (status, failed) = assess((72, 55), months_back(app.clock.now().today, 6)).await;
    assert_eq!(status, StatusCode::CREATED, "{failed}");
    assert_eq!(
        (
            &failed["passed"],
            &failed["level"],
            &failed["apprentice_id"]
        ),
        (&json!(false), &json!("level4"), &json!(kept))
    );
    let (status, refused) = issue(
        &p.assessor,
        &kept,
        json!({"kind": "skill_level", "assessment_id": failed["id"]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        fields_of(&refused),
        ["assessment.passed:not_passed", "person.photo:missing"]
    );
    let (status, passed) = assess((81, 88), app.clock.now().today).await;
    assert_eq!(status, StatusCode::CREATED, "{passed}");
    let (status, photo) = app
        .put_bytes(
            &format!("/api/v1/people/{person}/photo"),
            &p.bureau,
            "image/png",
            photo_png(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{photo}");
    // Without naming it, the latest passed assessment is the grounds.
    let (status, skill) = issue(&p.assessor, &kept, json!({"kind": "skill_level"})).await;
    assert_eq!(status, StatusCode::CREATED, "{skill}");
    assert_eq!(skill["assessment_id"], passed["id"]);
    assert_eq!(skill["level"], "level4");
    assert_eq!(skill["parent_ids"], json!([training_id]));
    let number = skill["number"].as_str().unwrap();
    assert_eq!(number.len(), 22, "{number}");
    let (status, again) = issue(&p.assessor, &kept, json!({"kind": "skill_level"})).await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &skill["id"]));

    // Both in the holder's chain: the certificate's own and the bundle the bureau reads.
    let skill_id = skill["id"].as_str().unwrap();
    let chain: Vec<&str> = skill["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(chain, [training_id.as_str(), skill_id]);
    let (status, bundle) = app
        .get(&format!("/api/v1/people/{person}/certificates"), &p.bureau)
        .await;
    assert_eq!(status, StatusCode::OK, "{bundle}");
    let kinds: Vec<(&str, &Value)> = bundle
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].as_str().unwrap(), &c["parent_ids"]))
        .collect();
    assert_eq!(
        kinds,
        [
            ("apprenticeship", &json!([])),
            ("skill_level", &json!([training_id]))
        ]
    );

    // Verifiable on the public page and as JSON: the apprenticeship's enterprise, target
    // level, plan hours and period; no program.
    let token = training["token"].as_str().unwrap();
    let (status, v) = app
        .call(Method::GET, &format!("/api/v1/verify/{token}"), None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (
            &v["status"],
            &v["kind"],
            &v["enterprise"],
            &v["target_level"],
            &v["hours"],
            &v["program"]
        ),
        (
            &json!("valid"),
            &json!("apprenticeship"),
            &json!(ENTERPRISE),
            &json!("四级/中级工"),
            &json!(300),
            &Value::Null
        )
    );
    assert_eq!(
        (&v["training_from"], &v["training_until"], &v["level"]),
        (&json!(start), &json!(end), &Value::Null)
    );
    assert_eq!(v["issuer_name"], PROVIDER);
    assert!(v["occupation"].as_str().unwrap().contains("4-03-02-02"));
    assert_eq!(v["chain"][0]["number"], skill["number"]);
    let page = app
        .client
        .get(format!("{}/v/{token}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for words in [
        "学徒培训证书",
        "培养企业",
        ENTERPRISE,
        "目标等级",
        "四级/中级工",
        "职业技能等级证书",
    ] {
        assert!(page.contains(words), "{words} missing from the page");
    }
    let token = skill["token"].as_str().unwrap();
    let (status, v) = app
        .call(Method::GET, &format!("/api/v1/verify/{token}"), None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (&v["status"], &v["level"], &v["chain"][0]["number"]),
        (&json!("valid"), &json!("四级/中级工"), &training["number"])
    );

    // The credential: the apprenticeship in the occupation, over the agreement's period,
    // asserting no level.
    let (status, credential) = app
        .get(
            &format!("/api/v1/certificates/{training_id}/credential"),
            &p.provider,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{credential}");
    let achievement = &credential["credentialSubject"]["achievement"];
    assert_eq!(achievement["achievementType"], "ApprenticeshipCertificate");
    let described = achievement["description"].as_str().unwrap();
    assert!(
        described.contains(ENTERPRISE) && described.contains("四级/中级工"),
        "{described}"
    );
    assert!(achievement["id"].as_str().unwrap().ends_with(&format!(
        "/api/v1/apprenticeships/{agreement}?achievement=apprenticeship"
    )));
    assert_eq!(credential["credentialSubject"]["result"], Value::Null);
    crate::open_badges::assert_ob303(&credential);

    // The paper: no program, but the enterprise, occupation, target level, period, hours
    // and both mentors.
    let text = crate::certificates::pdf_text(&app.pdf_of(&training_id, &p.provider).await);
    for words in [
        "学徒培训证书",
        "培养企业",
        ENTERPRISE,
        "中式面点师",
        "四级/中级工",
        "学徒期",
        "300学时",
        "王师傅",
        "刘老师",
        PROVIDER,
    ] {
        assert!(
            text.contains(words),
            "{words} missing from the paper: {text}"
        );
    }
    assert!(!text.contains("培训项目"), "{text}");
    // A corrected name re-issues both from the apprenticeship, the skill level resting on
    // the new apprenticeship certificate.
    let (status, done) = app
        .post(
            &format!("/api/v1/people/{person}/corrections"),
            &p.bureau,
            crate::corrections::name_correction("阿拉坦仓"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let kinds: Vec<&str> = done["reissued"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["apprenticeship", "skill_level"]);
    let (_, bundle) = app
        .get(&format!("/api/v1/people/{person}/certificates"), &p.bureau)
        .await;
    let standing: Vec<&Value> = bundle
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "valid")
        .collect();
    assert_eq!(standing.len(), 2, "{bundle}");
    assert_eq!(standing[1]["parent_ids"], json!([standing[0]["id"]]));
    assert_eq!(standing[0]["supersedes_id"], json!(training_id));
}
