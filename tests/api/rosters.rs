//! Rosters uploaded again (issue 11): people already enrolled are skipped and reported,
//! the rest enrolled; row numbers as Excel shows them whatever the line ends; key groups
//! by their Chinese names; the row limit from configuration.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, citizen_id, pluck},
    imports::{rows_and_reasons, upload, xlsx},
};

/// A CSV roster (UTF-8, LF) of `(name, ID)` rows under the header 姓名,身份证号.
fn roster(people: &[(&str, String)]) -> Vec<u8> {
    let mut csv = "姓名,身份证号\n".to_owned();
    for (name, id) in people {
        csv.push_str(&format!("{name},{id}\n"));
    }
    csv.into_bytes()
}

fn trainees(n: u32) -> Vec<(&'static str, String)> {
    const NAMES: [&str; 4] = ["娜仁花", "巴特尔", "王秀英", "其其格"];
    (0..n)
        .map(|i| (NAMES[i as usize], citizen_id("19900412", 240 + i)))
        .collect()
}

/// The rows written by an import, and the audit entries.
async fn written(app: &TestApp) -> [i64; 3] {
    [
        app.count("enrolments").await,
        app.count("people").await,
        app.count("audit_log").await,
    ]
}

#[tokio::test]
async fn a_roster_uploaded_twice_enrols_nobody_twice_and_reports_everyone_skipped() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let file = roster(&trainees(3));
    let (status, first) = upload(&app, &t.staff, &t.cohort, file.clone(), "名单.csv", false).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["enrolled"].as_array().map(Vec::len), Some(3));
    let before = written(&app).await;

    for dry_run in [true, false] {
        let (status, again) =
            upload(&app, &t.staff, &t.cohort, file.clone(), "名单.csv", dry_run).await;
        let expected = if dry_run {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        };
        assert_eq!(status, expected, "{again}");
        assert_eq!(again["enrolled"], json!([]), "{again}");
        assert_eq!(
            pluck(&again["skipped"], &["row", "reason"]),
            [
                "2 already_enrolled",
                "3 already_enrolled",
                "4 already_enrolled"
            ]
        );
        assert!(
            again["skipped"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("已在本班次中")),
            "{again}"
        );
        assert_eq!(
            written(&app).await,
            before,
            "nothing written, not even an audit entry"
        );
    }
}

#[tokio::test]
async fn an_extended_roster_enrols_only_the_new_rows_and_skips_the_old() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let everyone = trainees(4);
    let (status, body) = upload(
        &app,
        &t.staff,
        &t.cohort,
        roster(&everyone[..2]),
        "名单.csv",
        false,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let extended = roster(&everyone);
    let (status, dry) = upload(
        &app,
        &t.staff,
        &t.cohort,
        extended.clone(),
        "名单.csv",
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    assert_eq!(
        pluck(&dry["enrolled"], &["row", "name"]),
        ["4 王秀英", "5 其其格"]
    );
    assert_eq!(
        pluck(&dry["skipped"], &["row", "name"]),
        ["2 娜仁花", "3 巴特尔"]
    );
    assert_eq!(app.count("enrolments").await, 2, "a dry run keeps nothing");

    let (status, done) = upload(&app, &t.staff, &t.cohort, extended, "名单.csv", false).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    assert_eq!(pluck(&done["enrolled"], &["row"]), ["4", "5"]);
    assert!(done["enrolled"][0]["enrolment_id"].is_string());
    assert_eq!(pluck(&done["skipped"], &["row"]), ["2", "3"]);
    assert_eq!(app.count("enrolments").await, 4);
    assert_eq!(app.count("people").await, 4);
}

#[tokio::test]
async fn a_withdrawn_trainee_on_the_roster_again_is_enrolled_again_not_skipped() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let people = trainees(2);
    let (_, first) = upload(
        &app,
        &t.staff,
        &t.cohort,
        roster(&people),
        "名单.csv",
        false,
    )
    .await;
    let enrolment = first["enrolled"][0]["enrolment_id"]
        .as_str()
        .expect("an id");
    let (status, _) = app
        .post(
            &format!("/api/v1/enrolments/{enrolment}/withdraw"),
            &t.staff,
            json!({"reason": "家中有事"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, again) = upload(
        &app,
        &t.staff,
        &t.cohort,
        roster(&people),
        "名单.csv",
        false,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(
        pluck(&again["enrolled"], &["row", "enrolment_id"]),
        [format!("2 {enrolment}")]
    );
    assert_eq!(pluck(&again["skipped"], &["row"]), ["3"]);
    let (_, shown) = app
        .get(&format!("/api/v1/enrolments/{enrolment}"), &t.staff)
        .await;
    assert_eq!(shown["status"], "enrolled", "{shown}");
    assert_eq!(app.count("enrolments").await, 2);
}

#[tokio::test]
async fn rows_are_numbered_as_the_sheet_shows_them_for_csv_with_lf_or_crlf_and_xlsx() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let good = citizen_id("19900412", 246);
    let mut bad = citizen_id("19920101", 111);
    bad.replace_range(17.., if bad.ends_with('1') { "2" } else { "1" });
    let lines = [
        "姓名,身份证号".to_owned(),
        format!("娜仁花,{good}"),
        format!("巴特尔,{bad}"),
    ];
    // Excel's own layout for the XLSX: the header on row 1, data from row 2.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in lines.iter().enumerate() {
        for (c, text) in line.split(',').enumerate() {
            sheet.write_string(r as u32, c as u16, text).expect("cell");
        }
    }
    let files = [
        ("LF", lines.join("\n").into_bytes()),
        ("CRLF", (lines.join("\r\n") + "\r\n").into_bytes()),
        ("XLSX", book.save_to_buffer().expect("xlsx")),
    ];
    for (kind, file) in files {
        let (status, body) = upload(&app, &t.staff, &t.cohort, file, "名单", true).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}: {body}");
        assert_eq!(
            rows_and_reasons(&body),
            ["3 citizen_id check_character"],
            "{kind}"
        );
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("第3行")),
            "{kind}: {body}"
        );
    }
    let crlf = format!("姓名,身份证号\r\n娜仁花,{good}\r\n");
    let (status, report) = upload(
        &app,
        &t.staff,
        &t.cohort,
        crlf.into_bytes(),
        "名单.csv",
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["enrolled"][0]["row"], 2, "{report}");
}

#[tokio::test]
async fn key_groups_are_taken_by_their_chinese_names_on_the_api_and_in_the_sheet() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let (status, list) = app
        .call(Method::GET, "/api/v1/key-groups", None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().map(Vec::len), Some(10));
    let veterans = &list[1];
    assert_eq!(
        (veterans["code"].as_str(), veterans["label"].as_str()),
        (Some("veteran_or_military_family"), Some("退役军人及军属"))
    );
    assert!(veterans["variants"].to_string().contains("退役士兵"));

    let enrol = |name: &str, id: String, groups: Value| {
        let path = format!("/api/v1/cohorts/{}/enrolments", t.cohort);
        let body = json!({"name": name, "citizen_id": id, "key_groups": groups});
        let staff = t.staff.clone();
        let app = &app;
        async move { app.post(&path, &staff, body).await }
    };
    let (status, made) = enrol(
        "娜仁花",
        citizen_id("19900412", 246),
        json!(["退役士兵", "高校毕业生", "返岗妇女(妈妈岗)"]),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(
        made["person"]["key_groups"],
        json!([
            "veteran_or_military_family",
            "graduate",
            "woman_returning_to_work"
        ])
    );
    let (status, refused) = enrol("巴特尔", citizen_id("19951231", 135), json!(["贫困户"])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["fields"][0]["field"], "key_groups[0]");

    let file = xlsx(
        &[[
            "巴特尔",
            &citizen_id("19951231", 135),
            "",
            "脱贫人口、退役军人",
        ]],
        false,
    );
    let (status, report) = upload(&app, &t.staff, &t.cohort, file, "名单.xlsx", false).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let id = report["enrolled"][0]["enrolment_id"]
        .as_str()
        .expect("an id");
    let (_, shown) = app.get(&format!("/api/v1/enrolments/{id}"), &t.staff).await;
    assert_eq!(
        shown["person"]["key_groups"],
        json!(["low_income_rural", "veteran_or_military_family"])
    );
}

#[tokio::test]
async fn the_row_limit_comes_from_configuration_and_a_longer_roster_is_refused_naming_it() {
    let app = TestApp::spawn_with(|config| config.import_max_rows = 3).await;
    let t = app.training(30).await;
    let before = written(&app).await;
    let (status, body) = upload(
        &app,
        &t.staff,
        &t.cohort,
        roster(&trainees(4)),
        "名单.csv",
        false,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["reason"], "too_many_rows");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("一次最多导入3行")),
        "{body}"
    );
    assert_eq!(written(&app).await, before);
    let (status, body) = upload(
        &app,
        &t.staff,
        &t.cohort,
        roster(&trainees(3)),
        "名单.csv",
        false,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn the_same_roster_sent_to_two_instances_at_once_enrols_each_person_once() {
    let app = TestApp::spawn().await;
    let other = app.second_instance().await;
    let t = app.training(30).await;
    let file = roster(&trainees(4));
    let (one, two) = tokio::join!(
        upload(&app, &t.staff, &t.cohort, file.clone(), "名单.csv", false),
        upload(&other, &t.staff, &t.cohort, file, "名单.csv", false),
    );
    for (status, body) in [&one, &two] {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
    }
    let counts: Vec<usize> = [&one.1, &two.1]
        .iter()
        .map(|b| b["enrolled"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(
        counts.iter().sum::<usize>(),
        4,
        "one enrolled them, the other skipped them: {counts:?}"
    );
    assert_eq!(app.count("enrolments").await, 4);
    assert_eq!(app.count("people").await, 4);
}
