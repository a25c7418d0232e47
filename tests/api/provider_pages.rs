//! The training provider's pages over HTTP as a browser speaks them: programs, cohorts,
//! enrolling by form, the results sheet saved all or nothing, issuing a cohort's
//! completion certificates with the per-person report, and the ZIP of their PDFs.

use std::io::{Cursor, Read};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::certificates::chain;
use crate::helpers::{PASSWORD, TestApp, citizen_id};
use crate::visitor::{Visitor, hidden};

async fn signed_in<'a>(app: &'a TestApp, login: &str) -> Visitor<'a> {
    let mut browser = Visitor::new(app);
    let signed = browser.sign_in(login, PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    browser
}

async fn csrf_of(browser: &mut Visitor<'_>, path: &str) -> String {
    let page = browser.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    hidden(&page.body, "csrf")
}

#[tokio::test]
async fn a_provider_creates_a_program_and_a_refused_rule_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    chain(&app).await;
    let mut browser = signed_in(&app, "staff").await;
    let csrf = csrf_of(&mut browser, "/programs").await;
    let form = |licence_title: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("title", "马术骑乘向导培训".to_owned()),
            ("hours", "80".to_owned()),
            ("standard_code", "150784-MSZLR".to_owned()),
            ("min_attendance_percent", "90".to_owned()),
            ("min_theory_score", "60".to_owned()),
            ("min_practical_score", "60".to_owned()),
            ("specialty", "on".to_owned()),
            ("assessed_theory_score", "60".to_owned()),
            ("assessed_practical_score", "60".to_owned()),
            ("licence", "on".to_owned()),
            ("licence_title", licence_title.to_owned()),
        ]
    };
    let send = |f: &Vec<(&'static str, String)>| {
        f.iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<(&str, String)>>()
    };
    let refused_form = send(&form(""));
    let pairs: Vec<(&str, &str)> = refused_form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser.post("/programs", &pairs).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"certificates-error\"")
            && refused.body.contains("准入类证书须写明证书名称"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"马术骑乘向导培训\""),
        "the title is kept"
    );
    assert_eq!(app.count("programs").await, 2, "nothing written");

    let good_form = send(&form("马术骑乘向导从业资格证"));
    let pairs: Vec<(&str, &str)> = good_form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let created = browser.post("/programs", &pairs).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let list = browser.get("/programs").await;
    assert!(
        list.body.contains("已创建培训项目“马术骑乘向导培训”"),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("结业证书、专项职业能力证书、准入类证书"),
        "the rules it leads to: {}",
        list.body
    );
}

#[tokio::test]
async fn a_provider_opens_a_cohort_and_the_list_counts_enrolled_and_results() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    app.trainee(
        &c,
        &c.homestay_cohort,
        "娜仁花",
        &citizen_id("19900412", 222),
        json!({"attended_hours": 95, "theory_score": 80, "practical_score": 85}),
    )
    .await;
    app.trainee(
        &c,
        &c.homestay_cohort,
        "巴特尔",
        &citizen_id("19880101", 111),
        Value::Null,
    )
    .await;
    let (_, programs) = app.get("/api/v1/programs", &c.staff).await;
    let program = programs["items"][0]["id"]
        .as_str()
        .expect("program")
        .to_owned();
    let mut browser = signed_in(&app, "staff").await;

    let list = browser.get("/cohorts").await;
    assert!(
        list.body.contains("在读 2/40 人 · 已登记成绩 1 人"),
        "{}",
        list.body
    );
    let csrf = hidden(&list.body, "csrf");
    let bad = browser
        .post(
            "/cohorts",
            &[
                ("csrf", &csrf),
                ("program_id", &program),
                ("code", "MS-2026-02"),
                ("starts_on", "2026-07-01"),
                ("ends_on", "2026-06-01"),
                ("capacity", "30"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("id=\"ends_on-error\">结束日期不得早于开班日期"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("value=\"MS-2026-02\""),
        "the code is kept"
    );
    let made = browser
        .post(
            "/cohorts",
            &[
                ("csrf", &csrf),
                ("program_id", &program),
                ("code", "MS-2026-02"),
                ("starts_on", "2026-06-01"),
                ("ends_on", "2026-07-01"),
                ("capacity", "30"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let page = browser
        .get(made.location.as_deref().expect("to the cohort"))
        .await;
    assert!(page.body.contains("班次 MS-2026-02"), "{}", page.body);
}

#[tokio::test]
async fn an_invalid_citizen_id_shows_under_its_field_keeps_the_name_and_enrols_nobody() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let mut browser = signed_in(&app, "staff").await;
    let path = format!("/cohorts/{}", c.homestay_cohort);
    let csrf = csrf_of(&mut browser, &path).await;
    let mut wrong = citizen_id("19900412", 222);
    wrong.replace_range(17.., if wrong.ends_with('0') { "1" } else { "0" });
    let refused = browser
        .post(
            &format!("{path}/enrolments"),
            &[("csrf", &csrf), ("name", "娜仁花"), ("citizen_id", &wrong)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"citizen_id-error\""),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"娜仁花\""),
        "the name is kept"
    );
    assert_eq!(app.count("enrolments").await, 0);

    let enrolled = browser
        .post(
            &format!("{path}/enrolments"),
            &[
                ("csrf", &csrf),
                ("name", "娜仁花"),
                ("citizen_id", &citizen_id("19900412", 222)),
            ],
        )
        .await;
    assert_eq!(enrolled.status, StatusCode::SEE_OTHER, "{}", enrolled.body);
    let page = browser.get(&path).await;
    assert!(page.body.contains("已报名：娜仁花。"), "{}", page.body);
    assert!(
        page.body.contains(&citizen_id("19900412", 222)),
        "the provider sees the ID in full"
    );
    assert_eq!(app.count("enrolments").await, 1);

    let (_, list) = app
        .get(
            &format!("/api/v1/cohorts/{}/enrolments", c.homestay_cohort),
            &c.staff,
        )
        .await;
    let enrolment = list["items"][0]["id"].as_str().expect("id").to_owned();
    let withdrawn = browser
        .post(
            &format!("{path}/withdrawals"),
            &[
                ("csrf", &csrf),
                ("enrolment_id", &enrolment),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    let page = browser.get(&path).await;
    assert!(
        page.body.contains("请填写退学原因"),
        "a refused withdrawal says why: {}",
        page.body
    );
    browser
        .post(
            &format!("{path}/withdrawals"),
            &[
                ("csrf", &csrf),
                ("enrolment_id", &enrolment),
                ("reason", "外出务工"),
            ],
        )
        .await;
    let page = browser.get(&path).await;
    assert!(page.body.contains("娜仁花已退学。"), "{}", page.body);
}

#[tokio::test]
async fn the_results_sheet_saves_every_row_or_none_with_each_error_in_its_row() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (first, _) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "娜仁花",
            &citizen_id("19900412", 222),
            Value::Null,
        )
        .await;
    let (second, _) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "巴特尔",
            &citizen_id("19880101", 111),
            Value::Null,
        )
        .await;
    let mut browser = signed_in(&app, "staff").await;
    let path = format!("/cohorts/{}", c.homestay_cohort);
    let csrf = csrf_of(&mut browser, &path).await;
    let cell = |id: &str, name: &str| format!("rows.{id}.{name}");
    let sheet = |second_hours: &'static str| {
        vec![
            ("csrf".to_owned(), csrf.clone()),
            (cell(&first, "hours"), "95".to_owned()),
            (cell(&first, "theory"), "80".to_owned()),
            (cell(&first, "practical"), "85".to_owned()),
            (cell(&second, "hours"), second_hours.to_owned()),
            (cell(&second, "theory"), "70".to_owned()),
            (cell(&second, "practical"), "75".to_owned()),
        ]
    };
    let post = async |browser: &mut Visitor<'_>, form: Vec<(String, String)>| {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        browser.post(&format!("{path}/results"), &pairs).await
    };
    let refused = post(&mut browser, sheet("120")).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(&format!(
            "id=\"{second}-hours-error\">出勤学时不得超过项目总学时（100学时）"
        )),
        "the error sits in its row: {}",
        refused.body
    );
    assert!(
        !refused
            .body
            .contains(&format!("id=\"{first}-hours-error\""))
    );
    assert!(
        refused.body.contains("value=\"120\""),
        "what was typed is kept"
    );
    let (_, e) = app
        .get(&format!("/api/v1/enrolments/{first}"), &c.staff)
        .await;
    assert_eq!(
        e["attended_hours"],
        Value::Null,
        "the good row was not kept either"
    );

    let unreadable = post(&mut browser, sheet("九十")).await;
    assert_eq!(unreadable.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unreadable.body.contains(&format!(
        "id=\"{second}-hours-error\">请填写不带小数的非负整数"
    )));

    let saved = post(&mut browser, sheet("92")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = browser.get(&path).await;
    assert!(page.body.contains("已保存2名学员的成绩。"), "{}", page.body);
    let (_, e) = app
        .get(&format!("/api/v1/enrolments/{second}"), &c.staff)
        .await;
    assert_eq!(e["attended_hours"], 92);
    assert_eq!(e["practical_score"], 75);
}

#[tokio::test]
async fn issuing_shows_who_got_a_certificate_and_why_not_and_the_zip_holds_their_pdfs() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    for (name, id) in [
        ("娜仁花", citizen_id("19900412", 222)),
        ("巴特尔", citizen_id("19880101", 111)),
    ] {
        app.trainee(
            &c,
            &c.homestay_cohort,
            name,
            &id,
            json!({"attended_hours": 95, "theory_score": 80, "practical_score": 85}),
        )
        .await;
    }
    app.trainee(
        &c,
        &c.homestay_cohort,
        "其木格",
        &citizen_id("19920303", 224),
        json!({"attended_hours": 50, "theory_score": 80, "practical_score": 85}),
    )
    .await;
    let mut browser = signed_in(&app, "staff").await;
    let path = format!("/cohorts/{}", c.homestay_cohort);
    let csrf = csrf_of(&mut browser, &path).await;
    let report = browser
        .post(&format!("{path}/certificates"), &[("csrf", &csrf)])
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert!(report.body.contains("已获证书（2人）"), "{}", report.body);
    assert!(report.body.contains("未获证书（1人）"), "{}", report.body);
    assert!(
        report.body.contains("出勤"),
        "the reason, in Chinese: {}",
        report.body
    );
    assert!(
        report.body.contains("150784-JY-"),
        "the numbers: {}",
        report.body
    );
    let again = browser
        .post(&format!("{path}/certificates"), &[("csrf", &csrf)])
        .await;
    assert!(
        again.body.contains("此前已颁发"),
        "issuing twice issues nothing new"
    );
    assert_eq!(app.count("certificates").await, 2);

    let page = browser.get(&path).await;
    assert!(page.body.contains("已发结业证书 2 张"), "{}", page.body);
    let cookie = format!("registry_session={}", browser.cookies["registry_session"]);
    let zip = reqwest::Client::new()
        .get(format!("{}{path}/certificates.zip", app.base))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .expect("zip");
    assert_eq!(zip.status(), StatusCode::OK);
    assert_eq!(
        zip.headers()[reqwest::header::CONTENT_TYPE],
        "application/zip"
    );
    let bytes = zip.bytes().await.expect("bytes");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("a ZIP");
    assert_eq!(archive.len(), 2);
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        assert!(file.name().starts_with("150784-JY-") && file.name().ends_with(".pdf"));
        let mut pdf = Vec::new();
        file.read_to_end(&mut pdf).expect("read");
        assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    }
}

#[tokio::test]
async fn other_roles_and_other_providers_cannot_open_a_providers_pages() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let mut assessor = Visitor::new(&app);
    assessor.sign_in("assessor", PASSWORD).await;
    assert_eq!(assessor.get("/cohorts").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        assessor.get("/programs").await.status,
        StatusCode::FORBIDDEN
    );
    let other = app
        .organisation(&c.bureau, "training_provider", "额尔古纳市第二培训学校")
        .await;
    app.account(
        "stranger",
        registry::access::Role::ProviderStaff,
        Some(&other),
    )
    .await;
    let mut stranger = signed_in(&app, "stranger").await;
    let page = stranger
        .get(&format!("/cohorts/{}", c.homestay_cohort))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let zip = stranger
        .get(&format!("/cohorts/{}/certificates.zip", c.homestay_cohort))
        .await;
    assert_eq!(zip.status, StatusCode::NOT_FOUND);
}

/// Posts `csv` to the cohort's spreadsheet form as a browser does (multipart).
async fn upload_roster(
    browser: &mut Visitor<'_>,
    app: &TestApp,
    cohort: &str,
    csrf: Option<&str>,
    csv: &str,
    dry_run: bool,
) -> crate::visitor::Answer {
    let mut form = reqwest::multipart::Form::new();
    if let Some(csrf) = csrf {
        form = form.text("csrf", csrf.to_owned());
    }
    let form = form.text("dry_run", dry_run.to_string()).part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("roster.csv"),
    );
    let request = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(format!("{}/cohorts/{cohort}/imports", app.base))
        .multipart(form);
    browser.send(request).await
}

#[tokio::test]
async fn a_roster_is_checked_first_refused_rows_say_why_and_confirming_enrols_everyone() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let mut browser = signed_in(&app, "staff").await;
    let csrf = csrf_of(
        &mut browser,
        &format!("/cohorts/{}/imports", c.homestay_cohort),
    )
    .await;
    let good = format!(
        "姓名,身份证号\n娜仁花,{}\n巴特尔,{}\n",
        citizen_id("19900412", 222),
        citizen_id("19880101", 111)
    );
    let mut wrong = citizen_id("19880101", 111);
    wrong.replace_range(17.., if wrong.ends_with('0') { "1" } else { "0" });
    let bad = format!(
        "姓名,身份证号\n娜仁花,{}\n巴特尔,{wrong}\n",
        citizen_id("19900412", 222)
    );

    let unsigned = upload_roster(&mut browser, &app, &c.homestay_cohort, None, &good, true).await;
    assert_eq!(
        unsigned.status,
        StatusCode::FORBIDDEN,
        "no CSRF token, no upload"
    );

    let refused = upload_roster(
        &mut browser,
        &app,
        &c.homestay_cohort,
        Some(&csrf),
        &bad,
        true,
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("有问题的行（1处）"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("第3行："),
        "the row and its reason: {}",
        refused.body
    );

    let checked = upload_roster(
        &mut browser,
        &app,
        &c.homestay_cohort,
        Some(&csrf),
        &good,
        true,
    )
    .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert!(
        checked.body.contains("可以报名的行（2行）"),
        "{}",
        checked.body
    );
    assert!(
        checked.body.contains("name=\"dry_run\" value=\"false\""),
        "the confirm form"
    );
    assert_eq!(app.count("enrolments").await, 0, "a check keeps nothing");

    let confirmed = upload_roster(
        &mut browser,
        &app,
        &c.homestay_cohort,
        Some(&csrf),
        &good,
        false,
    )
    .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    assert_eq!(app.count("enrolments").await, 2);
    let page = browser
        .get(&format!("/cohorts/{}", c.homestay_cohort))
        .await;
    assert!(page.body.contains("已按表格报名2名学员。"), "{}", page.body);

    let template = browser
        .get(&format!(
            "/cohorts/{}/imports/template.csv",
            c.homestay_cohort
        ))
        .await;
    assert_eq!(template.status, StatusCode::OK);
    assert!(
        template.body.contains("姓名,身份证号,手机号,重点群体"),
        "{}",
        template.body
    );
}
