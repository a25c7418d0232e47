use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

pub(crate) fn run_demo(app: &TestApp, out: &std::path::Path) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_registry"))
        .args(["demo", "--out"])
        .arg(out)
        .env("REGISTRY_DATA_DIR", &app.data_dir)
        .env("DATABASE_URL", &app.database_url)
        .env("REGISTRY_BASE_URL", &app.base)
        .output()
        .expect("run registry demo");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = app.db.read.get_database_backend();
    let row = app
        .db
        .read
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .expect("the query")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("a count")
}

#[tokio::test]
async fn the_demo_loads_a_realistic_data_set_once_however_often_it_runs() {
    let app = TestApp::spawn().await;
    let out = app.data_dir.join("demo-out.json");
    let printed = run_demo(&app, &out);
    let first: Value =
        serde_json::from_slice(&std::fs::read(&out).expect("out file")).expect("json");
    let tables = [
        "organisations",
        "accounts",
        "programs",
        "cohorts",
        "people",
        "enrolments",
        "orders",
        "order_hires",
        "order_payments",
        "apprenticeship_agreements",
        "apprentices",
        "apprentice_milestones",
        "apprenticeship_subsidy_rates",
        "apprenticeship_subsidy_entries",
        "apprenticeship_subsidy_periods",
        "apprenticeship_subsidy_payments",
        "assessments",
        "certificates",
        "audit_log",
        "mail_outbox",
        "jobs",
    ];
    let mut counts = Vec::new();
    for t in tables {
        counts.push(app.count(t).await);
    }
    let printed_again = run_demo(&app, &out);
    let second: Value =
        serde_json::from_slice(&std::fs::read(&out).expect("out file")).expect("json");
    for (t, before) in tables.iter().zip(&counts) {
        assert_eq!(app.count(t).await, *before, "{t} changed on the second run");
    }
    assert_eq!(first, second);

    // Part of the holders have confirmed addresses under example.org, and each of their
    // certificates was mailed to them as it was issued.
    let line = |out: &str| {
        out.lines()
            .find(|l| l.contains("已确认邮箱的学员："))
            .map(str::trim)
            .map(str::to_owned)
            .expect("the addresses' line")
    };
    let confirmed = scalar(
        &app,
        "SELECT COUNT(*) FROM people WHERE email LIKE '%@example.org' AND email_confirmed_at IS NOT NULL",
    )
    .await;
    let people = app.count("people").await;
    assert!(
        confirmed > 0 && confirmed < people,
        "{confirmed} of {people}"
    );
    assert_eq!(
        line(&printed),
        format!("已确认邮箱的学员：{confirmed} 人（本次新增 {confirmed}）")
    );
    assert_eq!(
        line(&printed_again),
        format!("已确认邮箱的学员：{confirmed} 人（本次新增 0）")
    );
    let theirs = scalar(
        &app,
        "SELECT COUNT(*) FROM certificates c JOIN people p ON p.id = c.person_id \
         WHERE p.email_confirmed_at IS NOT NULL",
    )
    .await;
    let mailed = scalar(
        &app,
        "SELECT COUNT(*) FROM mail_outbox WHERE message = 'certificate_issued' \
         AND attachment_certificate_id IS NOT NULL AND recipient LIKE '%@example.org'",
    )
    .await;
    assert!(theirs > 0);
    assert_eq!(
        mailed, theirs,
        "one certificate mail per certificate of theirs"
    );

    let roles: Vec<&str> = first["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter_map(|a| a["role"].as_str())
        .collect();
    for role in [
        "bureau_admin",
        "provider_staff",
        "assessor",
        "licensing_officer",
        "employer",
        "trainee",
    ] {
        assert!(roles.contains(&role), "no {role} account");
    }
    let cohorts = first["cohorts"].as_array().expect("cohorts");
    let codes: Vec<&str> = cohorts
        .iter()
        .filter_map(|c| c["standard_code"].as_str())
        .collect();
    for code in ["150784-QMY", "150784-TLKB", "150784-MSZLR"] {
        assert!(codes.contains(&code), "no cohort on {code}");
    }

    // Every account logs in with the password the file gives.
    for account in first["accounts"].as_array().expect("accounts") {
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"login": account["login"], "password": account["password"]})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{account}: {body}");
    }

    // Each cohort holds 20–40 trainees, with results, as the provider sees it.
    let staff = first["accounts"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["role"] == "bureau_admin"))
        .expect("bureau account");
    let bureau = app
        .login(
            staff["login"].as_str().expect("login"),
            staff["password"].as_str().expect("password"),
        )
        .await;
    for cohort in cohorts {
        let id = cohort["id"].as_str().expect("id");
        let (_, page) = app
            .get(
                &format!("/api/v1/cohorts/{id}/enrolments?limit=200"),
                &bureau,
            )
            .await;
        let items = page["items"].as_array().expect("items");
        assert!(
            (20..=40).contains(&items.len()),
            "cohort {id} has {} trainees",
            items.len()
        );
        assert!(
            items
                .iter()
                .filter(|e| e["theory_score"].is_number())
                .count()
                >= 15
        );
        assert!(
            items
                .iter()
                .all(|e| e["person"]["citizen_id_masked"] == true)
        );
    }
    let (_, report) = app.get("/api/v1/audit/verify", &bureau).await;
    assert_eq!(report["intact"], true);

    // Two training orders: one in training with hires and the assignment share paid, one
    // waiting for the bureau with a provider's offer beside it.
    let (_, orders) = app.get("/api/v1/orders", &bureau).await;
    let orders = orders["items"].as_array().expect("orders");
    assert_eq!(orders.len(), 2, "{orders:?}");
    let running = orders
        .iter()
        .find(|o| o["status"] == "in_training")
        .expect("an order in training");
    let open = orders
        .iter()
        .find(|o| o["status"] == "submitted")
        .expect("an order waiting for a provider");
    assert_eq!(open["offers"].as_array().map(Vec::len), Some(1));
    assert_eq!(open["candidates"].as_array().map(Vec::len), Some(1));
    let id = running["id"].as_str().expect("id");
    let (_, progress) = app
        .get(&format!("/api/v1/orders/{id}/progress"), &bureau)
        .await;
    assert_eq!(progress["hired_own"], 8, "{progress}");
    assert_eq!(progress["hired_other_employer"], 2, "{progress}");
    let left = progress["trainees"]
        .as_array()
        .expect("trainees")
        .iter()
        .filter(|t| t["hire"]["left_on"].is_string())
        .count();
    assert_eq!(left, 1);
    let (_, funding) = app
        .get(&format!("/api/v1/orders/{id}/funding"), &bureau)
        .await;
    assert_eq!(funding["training_fee"], "75000.00");
    assert_eq!(funding["paid"], "52500.00", "70 % of the fee: {funding}");

    // Certificates of every kind, some held by trainees who can log in and download them.
    let certificates = first["certificates"].as_array().expect("certificates");
    for kind in ["completion", "specialty", "skill_level", "licence"] {
        assert!(
            certificates.iter().any(|c| c["kind"] == kind),
            "no {kind} certificate"
        );
    }
    let held = certificates
        .iter()
        .find(|c| c["kind"] == "licence" && c["holder_login"].is_string())
        .expect("a licence with a holder login");
    let holder = first["accounts"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["login"] == held["holder_login"]))
        .expect("holder account");
    let token = app
        .login(
            holder["login"].as_str().expect("login"),
            holder["password"].as_str().expect("password"),
        )
        .await;
    let (status, cert) = app
        .get(
            &format!("/api/v1/certificates/{}", held["id"].as_str().expect("id")),
            &token,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&str> = cert["chain"]
        .as_array()
        .expect("chain")
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["completion", "specialty", "licence"]);
    let pdf = app
        .client
        .get(format!(
            "{}/api/v1/certificates/{}/pdf",
            app.base,
            held["id"].as_str().expect("id")
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("pdf");
    assert_eq!(pdf.status(), StatusCode::OK);
    // A skill-level certificate prints its holder's photo and its issuer's uploaded seal.
    let skill = certificates
        .iter()
        .find(|c| c["kind"] == "skill_level")
        .and_then(|c| c["id"].as_str())
        .expect("a skill-level certificate");
    let names: Vec<String> = crate::paper::images_of(&app.pdf_of(skill, &bureau).await)
        .into_iter()
        .map(|(name, ..)| name)
        .collect();
    assert_eq!(names, ["ImPhoto", "ImSeal"]);
    let statuses: Vec<&str> = certificates
        .iter()
        .filter_map(|c| c["status"].as_str())
        .collect();
    assert!(statuses.contains(&"revoked") && statuses.contains(&"suspended"));

    // Two apprenticeship agreements: the homestay's ended (two completed, one left early),
    // the bakery's under way with its apprentices at different milestones.
    let (_, agreements) = app.get("/api/v1/apprenticeships", &bureau).await;
    let agreements = agreements["items"].as_array().expect("agreements");
    assert_eq!(agreements.len(), 2, "{agreements:?}");
    let mut stages = Vec::new();
    let mut holder = None;
    for a in agreements {
        assert_eq!(a["status"], "filed");
        let id = a["id"].as_str().expect("id");
        let (_, apprentices) = app
            .get(
                &format!("/api/v1/apprenticeships/{id}/apprentices"),
                &bureau,
            )
            .await;
        for p in apprentices.as_array().expect("apprentices") {
            let done = p["milestones"]
                .as_array()
                .expect("milestones")
                .iter()
                .filter(|m| m["completed_on"].is_string())
                .count();
            stages.push(format!("{}:{done}", p["status"].as_str().expect("status")));
            if p["status"] == "completed" && holder.is_none() {
                holder = p["person"]["id"].as_str().map(str::to_owned);
            }
        }
    }
    stages.sort();
    assert_eq!(
        stages,
        [
            "active:0",
            "active:1",
            "active:2",
            "completed:3",
            "completed:3",
            "left:1"
        ]
    );
    // The first who completed holds both certificates, the skill level resting on the
    // apprenticeship.
    let holder = holder.expect("a completed apprentice");
    let (_, bundle) = app
        .get(&format!("/api/v1/people/{holder}/certificates"), &bureau)
        .await;
    let bundle = bundle.as_array().expect("bundle");
    let kinds: Vec<&str> = bundle.iter().filter_map(|c| c["kind"].as_str()).collect();
    assert_eq!(kinds, ["apprenticeship", "skill_level"]);
    assert_eq!(bundle[1]["parent_ids"], json!([bundle[0]["id"]]));
    // The ledger: six advances, one claw-back, two balances; the first period closed and
    // its advances paid.
    let (_, ledger) = app
        .get("/api/v1/apprenticeships/ledger?limit=200", &bureau)
        .await;
    let mut kinds: Vec<&str> = ledger["items"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "advance", "advance", "advance", "advance", "advance", "advance", "balance", "balance",
            "clawback"
        ]
    );
    let (_, periods) = app.get("/api/v1/apprenticeships/periods", &bureau).await;
    let closed: Vec<&str> = periods
        .as_array()
        .expect("periods")
        .iter()
        .filter(|p| p["status"] == "closed")
        .filter_map(|p| p["code"].as_str())
        .collect();
    assert_eq!(closed, ["2025-03"]);
    assert_eq!(app.count("apprenticeship_subsidy_payments").await, 1);
}
