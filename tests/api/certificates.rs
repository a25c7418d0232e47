use registry::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, citizen_id, credit_code};

/// A homestay program (completion → specialty → licence) and a pastry program
/// (completion + assessment → skill level), each with one cohort assessed by one
/// evaluation organisation, and accounts for every issuer.
pub struct Chain {
    pub bureau: String,
    pub staff: String,
    pub assessor: String,
    pub officer: String,
    pub homestay_cohort: String,
    pub pastry_cohort: String,
}

pub async fn chain(app: &TestApp) -> Chain {
    let bureau = app.bureau().await;
    let provider = app
        .organisation(&bureau, "training_provider", "额尔古纳市职业技能培训中心")
        .await;
    let (status, evaluator) = app
        .post(
            "/api/v1/organisations",
            &bureau,
            json!({"kind": "evaluation_org", "name": "呼伦贝尔市北疆技能人才评价中心", "credit_code": credit_code(),
                   "national_code": "0815", "site_code": "150784"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{evaluator}");
    let evaluator = evaluator["id"].as_str().expect("id").to_owned();
    app.post(
        &format!("/api/v1/organisations/{evaluator}/approve"),
        &bureau,
        json!({}),
    )
    .await;
    let licensing = app
        .organisation(&bureau, "licensing_authority", "额尔古纳市文化旅游和体育局")
        .await;
    let staff = app
        .account("staff", Role::ProviderStaff, Some(&provider))
        .await;
    let assessor = app
        .account("assessor", Role::Assessor, Some(&evaluator))
        .await;
    let officer = app
        .account("officer", Role::LicensingOfficer, Some(&licensing))
        .await;
    let rules = |extra: Value| {
        let mut list = vec![
            json!({"kind": "completion", "min_attendance_percent": 90, "min_theory_score": 60, "min_practical_score": 60}),
        ];
        if let Value::Array(more) = extra {
            list.extend(more);
        }
        list
    };
    let (_, homestay) = app
        .post(
            "/api/v1/programs",
            &staff,
            json!({"title": "民宿主理人培训", "hours": 100, "standard_code": "150784-MSZLR", "min_age": 18, "max_age": 60,
                   "certificates": rules(json!([
                       {"kind": "specialty", "min_theory_score": 60, "min_practical_score": 60, "requires": ["completion"]},
                       {"kind": "licence", "requires": ["specialty"], "licensed_activity": "民宿经营接待从业", "licence_title": "民宿经营接待从业资格证"}]))}),
        )
        .await;
    let (_, pastry) = app
        .post(
            "/api/v1/programs",
            &staff,
            json!({"title": "中式面点师（四级/中级工）培训", "hours": 120, "occupation_code": "4-03-02-02", "level": "level4",
                   "certificates": rules(json!([{"kind": "skill_level", "min_theory_score": 60, "min_practical_score": 60}]))}),
        )
        .await;
    let mut cohorts = Vec::new();
    for (program, code) in [(&homestay, "MS-2026-01"), (&pastry, "MD-2026-01")] {
        let (status, cohort) = app
            .post(
                "/api/v1/cohorts",
                &staff,
                json!({"program_id": program["id"], "code": code, "starts_on": "2026-05-06", "ends_on": "2026-06-20",
                       "capacity": 40, "location": "拉布大林街道", "evaluation_org_id": evaluator}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{cohort}");
        cohorts.push(cohort["id"].as_str().expect("id").to_owned());
    }
    Chain {
        bureau,
        staff,
        assessor,
        officer,
        homestay_cohort: cohorts.remove(0),
        pastry_cohort: cohorts.remove(0),
    }
}

impl TestApp {
    /// Enrols a person and records their results; returns (enrolment id, person id).
    pub async fn trainee(
        &self,
        c: &Chain,
        cohort: &str,
        name: &str,
        id: &str,
        result: Value,
    ) -> (String, String) {
        let (status, e) = self.enrol(&c.staff, cohort, name, id).await;
        assert_eq!(status, StatusCode::CREATED, "{e}");
        let enrolment = e["id"].as_str().expect("id").to_owned();
        if !result.is_null() {
            let (status, r) = self
                .call(
                    Method::PUT,
                    &format!("/api/v1/enrolments/{enrolment}/result"),
                    Some(&c.staff),
                    Some(result),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{r}");
        }
        (
            enrolment,
            e["person"]["id"].as_str().expect("person").to_owned(),
        )
    }

    pub async fn assess(
        &self,
        c: &Chain,
        enrolment: &str,
        level: Option<&str>,
        theory: u32,
        practical: u32,
    ) -> String {
        let (status, a) = self
            .post(
                "/api/v1/assessments",
                &c.assessor,
                json!({"enrolment_id": enrolment, "level": level, "theory_score": theory, "practical_score": practical,
                       "assessed_on": "2026-06-25", "examiners": ["王建国", "其木格", "李红梅"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{a}");
        a["id"].as_str().expect("id").to_owned()
    }
}

impl TestApp {
    /// Enrols a passing trainee in the homestay cohort and issues the cohort's completion
    /// certificates; returns (the new certificate's id, its token, the citizen ID).
    pub async fn completion(
        &self,
        c: &Chain,
        name: &str,
        citizen_id: &str,
    ) -> (String, String, String) {
        self.trainee(c, &c.homestay_cohort, name, citizen_id, passing())
            .await;
        let (_, report) = self
            .post(
                &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
                &c.staff,
                json!({}),
            )
            .await;
        let line = report["issued"]
            .as_array()
            .and_then(|l| l.iter().find(|l| l["newly_issued"] == true))
            .expect("a newly issued certificate");
        let id = line["certificate_id"].as_str().expect("id").to_owned();
        let (_, view) = self
            .get(&format!("/api/v1/certificates/{id}"), &c.staff)
            .await;
        (
            id,
            view["token"].as_str().expect("token").to_owned(),
            citizen_id.to_owned(),
        )
    }
}

pub fn passing() -> Value {
    json!({"attended_hours": 96, "theory_score": 82, "practical_score": 88})
}

pub fn fields_of(body: &Value) -> Vec<String> {
    body["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|f| {
                    format!(
                        "{}:{}",
                        f["field"].as_str().unwrap_or(""),
                        f["reason"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn one_person_earns_the_whole_chain_completion_specialty_licence() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (enrolment, person) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "娜仁花",
            &citizen_id("19900412", 222),
            passing(),
        )
        .await;

    let (status, report) = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let completion = report["issued"][0]["certificate_id"]
        .as_str()
        .expect("completion")
        .to_owned();
    assert!(
        report["issued"][0]["number"]
            .as_str()
            .is_some_and(|n| n.starts_with("150784-JY-"))
    );

    let assessment = app.assess(&c, &enrolment, None, 78, 84).await;
    let (status, specialty) = app
        .post(
            "/api/v1/certificates",
            &c.assessor,
            json!({"kind": "specialty", "enrolment_id": enrolment, "assessment_id": assessment}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{specialty}");
    assert_eq!(specialty["parent_ids"], json!([completion]));

    let (status, licence) = app
        .post(
            "/api/v1/certificates",
            &c.officer,
            json!({"kind": "licence", "enrolment_id": enrolment, "valid_until": "2029-12-31"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{licence}");
    assert_eq!(licence["parent_ids"], json!([specialty["id"]]));
    assert_eq!(licence["valid_until"], "2029-12-31");
    let chain: Vec<&str> = licence["chain"]
        .as_array()
        .expect("chain")
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    assert_eq!(chain, ["completion", "specialty", "licence"]);
    let pdf = app
        .client
        .get(format!(
            "{}/api/v1/certificates/{}/pdf",
            app.base,
            licence["id"].as_str().expect("id")
        ))
        .bearer_auth(&c.officer)
        .send()
        .await
        .expect("pdf")
        .bytes()
        .await
        .expect("bytes");
    let text = pdf_text(&pdf);
    assert!(
        text.contains("准入事项") && text.contains("民宿经营接待从业"),
        "the licence names what it admits to: {text}"
    );

    let (status, bundle) = app
        .get(&format!("/api/v1/people/{person}/certificates"), &c.staff)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bundle.as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn completion_and_a_passed_assessment_give_a_skill_level_certificate_with_a_national_number()
{
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let result = json!({"attended_hours": 115, "theory_score": 82, "practical_score": 88});
    let (enrolment, person) = app
        .trainee(
            &c,
            &c.pastry_cohort,
            "王小明",
            &citizen_id("19950101", 111),
            result,
        )
        .await;
    app.upload_photo(&c, &person).await;
    let assessment = app.assess(&c, &enrolment, Some("level4"), 75, 80).await;
    let request =
        json!({"kind": "skill_level", "enrolment_id": enrolment, "assessment_id": assessment});

    let (status, refused) = app
        .post("/api/v1/certificates", &c.assessor, request.clone())
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no completion yet: {refused}"
    );
    assert_eq!(fields_of(&refused), ["parents.completion:missing"]);

    app.post(
        &format!("/api/v1/cohorts/{}/certificates", c.pastry_cohort),
        &c.staff,
        json!({}),
    )
    .await;
    let (status, cert) = app.post("/api/v1/certificates", &c.assessor, request).await;
    assert_eq!(status, StatusCode::CREATED, "{cert}");
    let number = cert["number"].as_str().expect("number");
    assert_eq!(number.len(), 22);
    assert!(number.starts_with("S081515150784264"), "{number}");
    assert_eq!(cert["level"], "level4");
    assert_eq!(cert["title"], "职业技能等级证书");
}

#[tokio::test]
async fn every_unmet_requirement_is_named_in_the_refusal() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (low, _) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "甲一",
            &citizen_id("19900101", 101),
            json!({"attended_hours": 70, "theory_score": 55}),
        )
        .await;
    let (none, _) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "乙二",
            &citizen_id("19900101", 103),
            Value::Null,
        )
        .await;
    let (gone, _) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "丙三",
            &citizen_id("19900101", 105),
            passing(),
        )
        .await;
    app.post(
        &format!("/api/v1/enrolments/{gone}/withdraw"),
        &c.staff,
        json!({"reason": "外出务工"}),
    )
    .await;

    let (status, report) = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["issued"].as_array().map(Vec::len), Some(0));
    let reasons = |id: &str| -> Vec<String> {
        report["not_eligible"]
            .as_array()
            .and_then(|l| l.iter().find(|l| l["enrolment_id"] == id))
            .map(|l| {
                l["missing"]
                    .as_array()
                    .expect("missing")
                    .iter()
                    .map(|m| {
                        format!(
                            "{}:{}",
                            m["field"].as_str().unwrap_or(""),
                            m["reason"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        reasons(&low),
        [
            "enrolment.attended_hours:below_minimum",
            "enrolment.theory_score:below_minimum",
            "enrolment.practical_score:not_recorded"
        ]
    );
    assert_eq!(reasons(&none)[0], "enrolment.attended_hours:not_recorded");
    assert_eq!(reasons(&gone), ["enrolment.status:withdrawn"]);
    let line = report["not_eligible"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["enrolment_id"] == low.as_str()))
        .expect("line");
    assert!(
        line["missing"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("出勤70学时") && m.contains("90学时")),
        "{line}"
    );
    assert_eq!(app.count("certificates").await, 0);

    // A specialty without an assessment, and with a failed one; a licence without a specialty.
    let (status, body) = app
        .post(
            "/api/v1/certificates",
            &c.assessor,
            json!({"kind": "specialty", "enrolment_id": low}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        fields_of(&body).contains(&"assessment_id:required".to_owned()),
        "{body}"
    );
    assert!(
        fields_of(&body).contains(&"parents.completion:missing".to_owned()),
        "{body}"
    );
    let failed = app.assess(&c, &low, None, 50, 70).await;
    let (_, body) = app
        .post(
            "/api/v1/certificates",
            &c.assessor,
            json!({"kind": "specialty", "enrolment_id": low, "assessment_id": failed}),
        )
        .await;
    assert!(
        fields_of(&body).contains(&"assessment.passed:not_passed".to_owned()),
        "{body}"
    );
    let (_, body) = app
        .post(
            "/api/v1/certificates",
            &c.officer,
            json!({"kind": "licence", "enrolment_id": low, "valid_until": "2029-12-31"}),
        )
        .await;
    assert_eq!(fields_of(&body), ["parents.specialty:missing"]);
    assert_eq!(body["error"], "not_eligible");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("专项职业能力证书")),
        "{body}"
    );
    assert_eq!(app.count("certificates").await, 0);
}

#[tokio::test]
async fn issuing_twice_returns_the_same_certificate() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (enrolment, _) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "斯琴",
            &citizen_id("19920202", 202),
            passing(),
        )
        .await;
    let first = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await
        .1;
    let again = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await
        .1;
    assert_eq!(
        first["issued"][0]["certificate_id"],
        again["issued"][0]["certificate_id"]
    );
    assert_eq!(first["issued"][0]["newly_issued"], true);
    assert_eq!(again["issued"][0]["newly_issued"], false);
    let assessment = app.assess(&c, &enrolment, None, 80, 80).await;
    let body = json!({"kind": "specialty", "enrolment_id": enrolment, "assessment_id": assessment});
    let (s1, a) = app
        .post("/api/v1/certificates", &c.assessor, body.clone())
        .await;
    let (s2, b) = app.post("/api/v1/certificates", &c.assessor, body).await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::OK));
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a["number"], b["number"]);
    assert_eq!(app.count("certificates").await, 2);
}

#[tokio::test]
async fn eight_concurrent_requests_issue_one_certificate_and_numbers_have_no_gaps() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (enrolment, _) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "萨仁",
            &citizen_id("19930303", 302),
            passing(),
        )
        .await;
    app.post(
        &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
        &c.staff,
        json!({}),
    )
    .await;
    let assessment = app.assess(&c, &enrolment, None, 80, 80).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/certificates", app.base);
        let token = c.assessor.clone();
        let body =
            json!({"kind": "specialty", "enrolment_id": enrolment, "assessment_id": assessment});
        tasks.push(tokio::spawn(async move {
            let resp = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .expect("sent");
            (resp.status(), resp.json::<Value>().await.expect("json"))
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        let (status, body) = task.await.expect("joined");
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status}: {body}"
        );
        ids.push(body["id"].as_str().expect("id").to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one certificate for eight requests");
    assert_eq!(app.count("certificates").await, 2);
    let (_, cert) = app
        .get(&format!("/api/v1/certificates/{}", ids[0]), &c.assessor)
        .await;
    assert!(
        cert["number"]
            .as_str()
            .is_some_and(|n| n.ends_with("-000001")),
        "{cert}"
    );
}

#[tokio::test]
async fn the_same_assessment_sent_four_times_at_once_is_recorded_once() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (enrolment, _) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "萨仁",
            &citizen_id("19930303", 302),
            passing(),
        )
        .await;
    let body = json!({"enrolment_id": enrolment, "theory_score": 80, "practical_score": 80,
                      "assessed_on": "2026-06-25", "examiners": ["王建国", "其木格", "李红梅"]});
    let sends: Vec<_> = (0..4)
        .map(|_| {
            let request = app
                .client
                .post(format!("{}/api/v1/assessments", app.base))
                .bearer_auth(&c.assessor)
                .json(&body);
            tokio::spawn(async move { request.send().await.expect("sent").status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for send in sends {
        statuses.push(send.await.expect("joined"));
    }
    statuses.sort();
    assert_eq!(
        statuses,
        [
            StatusCode::CREATED,
            StatusCode::CONFLICT,
            StatusCode::CONFLICT,
            StatusCode::CONFLICT
        ]
    );
    assert_eq!(app.count("assessments").await, 1);
}

#[tokio::test]
async fn the_pdf_and_the_credential_are_frozen_signed_and_verifiable() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, _, _) = app
        .completion(&c, "巴特尔·朝鲁", &citizen_id("19880808", 303))
        .await;
    let id = id.as_str();
    let (_, cert) = app
        .get(&format!("/api/v1/certificates/{id}"), &c.staff)
        .await;

    let pdf = app
        .client
        .get(format!("{}/api/v1/certificates/{id}/pdf", app.base))
        .bearer_auth(&c.staff)
        .send()
        .await
        .expect("pdf");
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let pdf = pdf.bytes().await.expect("bytes");
    assert_eq!(
        hex::encode(Sha256::digest(&pdf)),
        cert["pdf_sha256"].as_str().expect("hash")
    );
    assert!(pdf.starts_with(b"%PDF"));

    let credential: Value = app
        .client
        .get(format!("{}/api/v1/certificates/{id}/credential", app.base))
        .bearer_auth(&c.staff)
        .send()
        .await
        .expect("credential")
        .json()
        .await
        .expect("json");
    assert_eq!(
        credential["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert_eq!(credential["proof"][0]["cryptosuite"], "eddsa-jcs-2022");
    assert_eq!(credential["proof"][1]["cryptosuite"], "eddsa-rdfc-2022");
    let text = credential.to_string();
    assert!(
        !text.contains("19880808"),
        "no part of the citizen ID in the credential"
    );
    assert!(
        !text.contains("巴特尔·朝鲁"),
        "the holder's full name stays out of the credential"
    );

    let (_, did) = app
        .call(Method::GET, "/.well-known/did.json", None, None)
        .await;
    let keys =
        registry::certificates::credential::keys_from_did_document(&did).expect("did.json keys");
    let resolve = |vm: &str| keys.iter().find(|(id, _)| id == vm).map(|(_, k)| *k);
    registry::certificates::credential::verify_proof(&credential, resolve)
        .expect("the credential verifies against did.json");
    let mut altered = credential.clone();
    altered["credentialSubject"]["achievement"]["name"] = "结业证书 · 篡改".into();
    assert!(registry::certificates::credential::verify_proof(&altered, resolve).is_err());
}

#[tokio::test]
async fn certificates_are_visible_only_to_holder_issuer_and_bureau() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, _, _) = app
        .completion(&c, "托娅", &citizen_id("19970808", 444))
        .await;
    let id = id.as_str();
    for token in [&c.staff, &c.bureau] {
        assert_eq!(
            app.get(&format!("/api/v1/certificates/{id}"), token)
                .await
                .0,
            StatusCode::OK
        );
    }
    let other = app.organisation(&c.bureau, "employer", "某民宿").await;
    let employer = app.account("employer", Role::Employer, Some(&other)).await;
    for token in [&c.officer, &employer] {
        assert_eq!(
            app.get(&format!("/api/v1/certificates/{id}"), token)
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("/api/v1/certificates/{id}/pdf"), token)
                .await
                .0,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn the_issuer_suspends_reinstates_and_revokes_and_the_status_lists_follow() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, _, _) = app
        .completion(&c, "图雅", &citizen_id("19960606", 606))
        .await;
    let id = id.as_str();
    let status_bit = |list: &Value, index: usize| -> bool {
        let encoded = list["credentialSubject"]["encodedList"]
            .as_str()
            .expect("encodedList");
        let bits = registry::certificates::credential::StatusBits::decode(encoded).expect("decode");
        bits.get(index as u64).expect("in range")
    };
    let (_, cert) = app
        .get(&format!("/api/v1/certificates/{id}"), &c.staff)
        .await;
    let credential: Value = serde_json::from_str(
        &app.client
            .get(format!("{}/api/v1/certificates/{id}/credential", app.base))
            .bearer_auth(&c.staff)
            .send()
            .await
            .expect("sent")
            .text()
            .await
            .expect("text"),
    )
    .expect("json");
    let index: usize = credential["credentialStatus"][0]["statusListIndex"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("status index");
    assert_eq!(cert["status"], "valid");

    let (status, body) = app
        .post(
            &format!("/api/v1/certificates/{id}/suspend"),
            &c.officer,
            json!({"reason": "核查"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only the issuer: {body}");
    let (status, s) = app
        .post(
            &format!("/api/v1/certificates/{id}/suspend"),
            &c.staff,
            json!({"reason": "证书信息核查中"}),
        )
        .await;
    assert_eq!(
        (status, s["status"].as_str()),
        (StatusCode::OK, Some("suspended"))
    );
    let (_, list) = app
        .call(Method::GET, "/api/v1/status-lists/suspension", None, None)
        .await;
    assert!(status_bit(&list, index));
    let (_, r) = app
        .post(
            &format!("/api/v1/certificates/{id}/reinstate"),
            &c.staff,
            json!({"reason": "核查无误"}),
        )
        .await;
    assert_eq!(r["status"], "valid");
    let (_, list) = app
        .call(Method::GET, "/api/v1/status-lists/suspension", None, None)
        .await;
    assert!(!status_bit(&list, index));
    let (_, r) = app
        .post(
            &format!("/api/v1/certificates/{id}/revoke"),
            &c.staff,
            json!({"reason": "考核材料弄虚作假"}),
        )
        .await;
    assert_eq!(r["status"], "revoked");
    assert_eq!(r["revoke_reason"], "考核材料弄虚作假");
    let (_, list) = app
        .call(Method::GET, "/api/v1/status-lists/revocation", None, None)
        .await;
    assert!(status_bit(&list, index));
    assert_eq!(list["proof"][1]["cryptosuite"], "eddsa-rdfc-2022");
    let (status, body) = app
        .post(
            &format!("/api/v1/certificates/{id}/reinstate"),
            &c.staff,
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "revocation is final: {body}");
    let (status, _) = app
        .post(
            &format!("/api/v1/certificates/{id}/revoke"),
            &c.staff,
            json!({"reason": "again"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "revoking twice changes nothing");
}

#[tokio::test]
async fn credentials_signed_before_a_key_rotation_still_verify_against_did_json() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, _, _) = app
        .completion(&c, "阿拉坦", &citizen_id("19910909", 909))
        .await;
    let id = id.as_str();
    let fetch = |app: &TestApp| {
        let request = app
            .client
            .get(format!("{}/api/v1/certificates/{id}/credential", app.base))
            .bearer_auth(&c.staff);
        async move {
            request
                .send()
                .await
                .expect("sent")
                .json::<Value>()
                .await
                .expect("json")
        }
    };
    let old = fetch(&app).await;

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_registry"))
        .args(["keys", "rotate"])
        .env("REGISTRY_DATA_DIR", &app.data_dir)
        .env("DATABASE_URL", &app.database_url)
        .output()
        .expect("run registry keys rotate");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let restarted = app.second_instance().await;
    let (_, did) = restarted
        .call(Method::GET, "/.well-known/did.json", None, None)
        .await;
    let keys = registry::certificates::credential::keys_from_did_document(&did).expect("keys");
    assert_eq!(
        keys.len(),
        2,
        "current and retired keys are published: {did}"
    );
    let resolve = |vm: &str| keys.iter().find(|(id, _)| id == vm).map(|(_, k)| *k);
    registry::certificates::credential::verify_proof(&old, resolve)
        .expect("the old credential verifies with the retired key");
    assert_eq!(
        fetch(&restarted).await,
        old,
        "the frozen credential is served unchanged by the other instance"
    );

    restarted
        .trainee(
            &c,
            &c.homestay_cohort,
            "乌日娜",
            &citizen_id("19920909", 910),
            passing(),
        )
        .await;
    let (_, report) = restarted
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    let fresh_id = report["issued"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["newly_issued"] == true))
        .expect("new")["certificate_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let fresh: Value = restarted
        .client
        .get(format!(
            "{}/api/v1/certificates/{fresh_id}/credential",
            restarted.base
        ))
        .bearer_auth(&c.staff)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    use registry::certificates::credential::verification_method_of;
    assert_ne!(verification_method_of(&fresh), verification_method_of(&old));
    registry::certificates::credential::verify_proof(&fresh, resolve)
        .expect("the new credential verifies with the new key");
}

/// The text of a PDF, by poppler's `pdftotext`.
pub fn pdf_text(pdf: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("pdftotext")
        .args(["-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils) runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(pdf)
        .expect("PDF written to pdftotext");
    let output = child.wait_with_output().expect("pdftotext finishes");
    assert!(output.status.success(), "pdftotext failed");
    String::from_utf8(output.stdout).expect("UTF-8 text")
}
