use registry::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, citizen_id};

#[tokio::test]
async fn an_enrolled_trainee_is_shown_in_full_to_the_provider_and_masked_to_everyone_else() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let id = citizen_id("19900315", 123);
    let (status, enrolment) = app.enrol(&t.staff, &t.cohort, "张小三", &id).await;
    assert_eq!(status, StatusCode::CREATED, "{enrolment}");
    assert_eq!(enrolment["person"]["citizen_id"], id.as_str());
    assert_eq!(enrolment["person"]["citizen_id_masked"], false);
    assert_eq!(enrolment["person"]["gender"], "male");
    assert_eq!(enrolment["person"]["birth_date"], "1990-03-15");
    let person = enrolment["person"]["id"].as_str().expect("person id");
    let masked = format!("150784********{}", &id[14..]);

    let (status, seen) = app
        .get(&format!("/api/v1/people/{person}"), &t.bureau)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["citizen_id"], masked.as_str());
    assert_eq!(seen["citizen_id_masked"], true);
    assert_eq!(seen["name"], "张*三");
    assert_eq!(enrolment["person"]["name"], "张小三");

    let (_, listed) = app
        .get(
            &format!("/api/v1/cohorts/{}/enrolments", t.cohort),
            &t.bureau,
        )
        .await;
    assert_eq!(listed["items"][0]["person"]["citizen_id"], masked.as_str());
    assert_eq!(listed["items"][0]["person"]["name"], "张*三");

    let other = app
        .organisation(&t.bureau, "training_provider", "另一家培训学校")
        .await;
    let other_staff = app
        .account("other-staff", Role::ProviderStaff, Some(&other))
        .await;
    let (status, _) = app
        .get(&format!("/api/v1/people/{person}"), &other_staff)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get(
            &format!("/api/v1/cohorts/{}/enrolments", t.cohort),
            &other_staff,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .enrol(
            &other_staff,
            &t.cohort,
            "李四",
            &citizen_id("19920101", 222),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another provider's cohort does not exist for them"
    );
}

#[tokio::test]
async fn bad_identities_are_refused_with_the_reason_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let before = (
        app.count("people").await,
        app.count("enrolments").await,
        app.count("audit_log").await,
    );
    let good = citizen_id("19900315", 123);
    let wrong_check = format!(
        "{}{}",
        &good[..17],
        if good.ends_with('0') { '1' } else { '0' }
    );
    let cases = [
        (
            wrong_check.as_str(),
            "citizen_id",
            "check_character",
            "校验位",
        ),
        (
            &citizen_id("19900230", 123)[..],
            "citizen_id",
            "birth_date",
            "出生日期",
        ),
        (
            &citizen_id("20990101", 123)[..],
            "citizen_id",
            "future_birth_date",
            "出生日期",
        ),
        ("15078419900315", "citizen_id", "length", "18"),
    ];
    for (id, field, reason, words) in cases {
        let (status, body) = app.enrol(&t.staff, &t.cohort, "王五", id).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{id}: {body}");
        assert_eq!(body["fields"][0]["field"], field);
        assert_eq!(body["fields"][0]["reason"], reason, "{id}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains(words)),
            "{body}"
        );
    }
    let (status, body) = app
        .post(
            &format!("/api/v1/cohorts/{}/enrolments", t.cohort),
            &t.staff,
            json!({"name": "赵六", "citizen_id": good, "phone": "12345", "key_groups": ["no_such_group"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["phone", "key_groups[0]"]);
    let after = (
        app.count("people").await,
        app.count("enrolments").await,
        app.count("audit_log").await,
    );
    assert_eq!(before, after);
}

#[tokio::test]
async fn an_age_outside_the_programs_window_is_refused() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    // 17 on the cohort's first day (2026-06-01), the program wants 18–55.
    let (status, body) = app
        .enrol(&t.staff, &t.cohort, "小明", &citizen_id("20080602", 111))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["reason"], "age_out_of_range");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("17周岁") && m.contains("18–55")),
        "{body}"
    );
    let (status, _) = app
        .enrol(&t.staff, &t.cohort, "老王", &citizen_id("19700101", 111))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "56 is over the window"
    );
    let (status, _) = app
        .enrol(&t.staff, &t.cohort, "小刚", &citizen_id("20080601", 111))
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "18 on the first day is inside the window"
    );
    assert_eq!(app.count("enrolments").await, 1);
}

#[tokio::test]
async fn a_key_group_that_cannot_apply_is_refused() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let (status, body) = app
        .post(
            &format!("/api/v1/cohorts/{}/enrolments", t.cohort),
            &t.staff,
            json!({"name": "巴特尔", "citizen_id": citizen_id("19800101", 111), "key_groups": ["new_farmer_herder"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "key_groups[0]");
    assert_eq!(body["fields"][0]["reason"], "age_out_of_range");
}

#[tokio::test]
async fn a_full_cohort_and_a_duplicate_enrolment_are_conflicts_that_change_nothing() {
    let app = TestApp::spawn().await;
    let t = app.training(2).await;
    let first = citizen_id("19900101", 111);
    assert_eq!(
        app.enrol(&t.staff, &t.cohort, "甲一", &first).await.0,
        StatusCode::CREATED
    );
    let (status, body) = app
        .enrol(&t.staff, &t.cohort, "甲一", &first.to_lowercase())
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "already_enrolled");
    assert_eq!(
        app.enrol(&t.staff, &t.cohort, "乙二", &citizen_id("19910101", 112))
            .await
            .0,
        StatusCode::CREATED
    );
    let before = (
        app.count("people").await,
        app.count("enrolments").await,
        app.count("audit_log").await,
    );
    let (status, body) = app
        .enrol(&t.staff, &t.cohort, "丙三", &citizen_id("19920101", 113))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "cohort_full");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("已满")));
    let after = (
        app.count("people").await,
        app.count("enrolments").await,
        app.count("audit_log").await,
    );
    assert_eq!(before, after);
}

#[tokio::test]
async fn concurrent_enrolments_never_overfill_a_cohort() {
    let app = TestApp::spawn().await;
    let t = app.training(3).await;
    let mut tasks = Vec::new();
    for i in 0..8u32 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/cohorts/{}/enrolments", app.base, t.cohort);
        let token = t.staff.clone();
        let id = citizen_id("19900101", 101 + 2 * i);
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"name": format!("学员{}", ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"][i as usize]), "citizen_id": id}))
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    let mut created = 0;
    for task in tasks {
        let status = task.await.expect("joined").expect("sent");
        assert!(
            status == StatusCode::CREATED || status == StatusCode::CONFLICT,
            "{status}"
        );
        created += usize::from(status == StatusCode::CREATED);
    }
    assert_eq!(created, 3);
    assert_eq!(app.count("enrolments").await, 3);
}

#[tokio::test]
async fn the_same_person_in_two_cohorts_is_one_person_whatever_case_the_x_has() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let second = app.cohort(&t.staff, &t.program, "QMY-2026-02", 30).await;
    let mut id = citizen_id("19850707", 1);
    let mut seq = 1;
    while !id.ends_with('X') {
        seq += 2;
        id = citizen_id("19850707", seq);
    }
    let (_, a) = app.enrol(&t.staff, &t.cohort, "娜仁", &id).await;
    let fullwidth = format!("{}Ｘ", &id[..17]);
    let (status, b) = app.enrol(&t.staff, &second, "娜仁", &fullwidth).await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(a["person"]["id"], b["person"]["id"]);
    assert_eq!(b["person"]["citizen_id"], id.as_str());
    let (status, body) = app
        .enrol(&t.staff, &second, "别的名字", &id.to_lowercase())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["reason"], "mismatch_with_registered");
}

#[tokio::test]
async fn results_are_recorded_checked_and_refused_after_withdrawal() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let (_, e) = app
        .enrol(&t.staff, &t.cohort, "其其格", &citizen_id("19950505", 222))
        .await;
    let id = e["id"].as_str().expect("id");
    let path = format!("/api/v1/enrolments/{id}/result");
    let put = |body| app.call(Method::PUT, &path, Some(&t.staff), Some(body));
    let (status, r) =
        put(json!({"attended_hours": 96, "theory_score": 82, "practical_score": 90})).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(
        (r["attended_hours"].as_i64(), r["theory_score"].as_i64()),
        (Some(96), Some(82))
    );
    let (status, r) = put(json!({"attended_hours": 101, "theory_score": 101})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = r["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["attended_hours", "theory_score"]);
    let (status, w) = app
        .post(
            &format!("/api/v1/enrolments/{id}/withdraw"),
            &t.staff,
            json!({"reason": "外出务工"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(w["status"], "withdrawn");
    let (status, r) = put(json!({"attended_hours": 50})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{r}");
    let (_, kept) = app.get(&format!("/api/v1/enrolments/{id}"), &t.staff).await;
    assert_eq!(kept["attended_hours"], 96);
}

#[tokio::test]
async fn only_assessors_of_the_assigned_evaluation_organisation_record_results() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let assessing = app
        .organisation(&t.bureau, "evaluation_org", "呼伦贝尔某评价机构")
        .await;
    let other = app
        .organisation(&t.bureau, "evaluation_org", "另一评价机构")
        .await;
    let (status, cohort) = app
        .post(
            "/api/v1/cohorts",
            &t.staff,
            json!({"program_id": t.program, "code": "QMY-2026-EV", "starts_on": "2026-07-01", "ends_on": "2026-07-20",
                   "capacity": 10, "evaluation_org_id": assessing}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cohort}");
    let cohort = cohort["id"].as_str().expect("id");
    let (_, e) = app
        .enrol(&t.staff, cohort, "阿拉坦", &citizen_id("19930303", 333))
        .await;
    let id = e["id"].as_str().expect("id");
    let assessor = app
        .account("assessor-a", Role::Assessor, Some(&assessing))
        .await;
    let stranger = app
        .account("assessor-b", Role::Assessor, Some(&other))
        .await;
    let body = json!({"attended_hours": 90, "theory_score": 70, "practical_score": 75});
    let (status, r) = app
        .call(
            Method::PUT,
            &format!("/api/v1/enrolments/{id}/result"),
            Some(&assessor),
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(
        r["person"]["citizen_id_masked"], true,
        "assessors see identities masked"
    );
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/enrolments/{id}/result"),
            Some(&stranger),
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn programs_must_respect_the_working_age_and_name_what_they_train_for() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let (status, body) = app
        .post(
            "/api/v1/programs",
            &t.staff,
            json!({"title": "土炉烤饼制作", "hours": 80, "min_age": 15,
                   "certificates": [{"kind": "specialty", "licensed_activity": "烤饼"}, {"kind": "skill_level"},
                                    {"kind": "licence", "licensed_activity": "从"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["field"].as_str().unwrap_or(""),
                f["reason"].as_str().unwrap_or("")
            )
        })
        .collect();
    for expected in [
        "min_age:below_working_age",
        "standard_code:standard_or_occupation_required",
        "certificates[0].kind:needs_standard",
        "certificates[1].kind:needs_occupation_and_level",
        "certificates[0].licensed_activity:licence_only",
        "certificates[2].licensed_activity:length",
    ] {
        assert!(
            fields.contains(&expected.to_owned()),
            "{expected} not in {fields:?}"
        );
    }
    let (status, program) = app
        .post(
            "/api/v1/programs",
            &t.staff,
            json!({"title": "中式面点师（四级）培训", "hours": 120, "occupation_code": "4-03-02-02", "level": "level4",
                   "certificates": [{"kind": "completion", "min_attendance_percent": 90}, {"kind": "skill_level", "min_theory_score": 60, "min_practical_score": 60}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{program}");
    let (_, pinned) = app
        .get(&format!("/api/v1/programs/{}", t.program), &t.staff)
        .await;
    assert_eq!(pinned["standard_code"], "150784-QMY");
    assert_eq!(pinned["standard_version"], 1);
}

#[tokio::test]
async fn a_trainee_with_a_login_sees_their_own_record_in_full() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let id = citizen_id("19970808", 444);
    let (_, e) = app.enrol(&t.staff, &t.cohort, "托娅", &id).await;
    let person = e["person"]["id"].as_str().expect("person");
    let (status, account) = app
        .post(
            &format!("/api/v1/people/{person}/account"),
            &t.staff,
            json!({"login": "toya", "password": "grassland-2026"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    assert_eq!(account["role"], "trainee");
    let token = app.login("toya", "grassland-2026").await;
    let (status, me) = app.get(&format!("/api/v1/people/{person}"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["citizen_id"], id.as_str());
    let (_, other) = app
        .enrol(&t.staff, &t.cohort, "别人", &citizen_id("19970808", 446))
        .await;
    let other = other["person"]["id"].as_str().expect("other");
    let (status, _) = app.get(&format!("/api/v1/people/{other}"), &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn enrolment_lists_are_paginated() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    for i in 0..5 {
        app.enrol(
            &t.staff,
            &t.cohort,
            "学员甲",
            &citizen_id("19900101", 201 + 2 * i),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut path = format!("/api/v1/cohorts/{}/enrolments?limit=2", t.cohort);
    loop {
        let (status, page) = app.get(&path, &t.staff).await;
        assert_eq!(status, StatusCode::OK);
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .filter_map(|e| e["id"].as_str().map(str::to_owned)),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!(
                    "/api/v1/cohorts/{}/enrolments?limit=2&cursor={cursor}",
                    t.cohort
                )
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    seen.dedup();
    assert_eq!(seen.len(), 5);
}
