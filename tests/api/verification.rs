use reqwest::{Method, StatusCode, multipart};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{
    certificates::{Chain, chain},
    helpers::{TestApp, citizen_id, pluck},
};

/// Issues a completion certificate; returns (certificate id, token, holder id number).
async fn issued(app: &TestApp, c: &Chain, name: &str, birth: &str) -> (String, String, String) {
    app.completion(c, name, &citizen_id(birth, 246)).await
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let resp = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("sent");
    let status = resp.status();
    (status, resp.text().await.expect("text"))
}

#[tokio::test]
async fn the_qr_page_says_valid_at_a_glance_in_chinese_and_english() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (_, token, _) = issued(&app, &c, "娜仁花", "19900412").await;
    let (status, html) = page(&app, &format!("/v/{token}")).await;
    assert_eq!(status, StatusCode::OK);
    for words in [
        "有效",
        "结业证书",
        "娜*花",
        "150784********",
        "额尔古纳市职业技能培训中心",
        "width=device-width",
    ] {
        assert!(html.contains(words), "{words} missing from the page");
    }
    assert!(!html.contains("娜仁花"), "the holder's name is masked");
    let (_, english) = page(&app, &format!("/v/{token}?lang=en")).await;
    assert!(english.contains("Valid") && english.contains("Certificate of Completion"));
    let (status, json) = app
        .call(Method::GET, &format!("/api/v1/verify/{token}"), None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["status"], "valid");
    assert_eq!(json["holder_name"], "娜*花");
}

#[tokio::test]
async fn every_status_is_shown_with_its_reason_and_date() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, token, _) = issued(&app, &c, "其木格", "19920101").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let path = format!("/api/v1/verify/{token}");
    let verify = || app.call(Method::GET, &path, None, None);

    app.post(
        &format!("/api/v1/certificates/{id}/suspend"),
        &c.staff,
        json!({"reason": "证书信息核查中"}),
    )
    .await;
    let (_, v) = verify().await;
    assert_eq!(
        (
            v["status"].as_str(),
            v["reason"].as_str(),
            v["status_since"].as_str()
        ),
        (
            Some("suspended"),
            Some("证书信息核查中"),
            Some(today.as_str())
        )
    );
    let (_, html) = page(&app, &format!("/v/{token}")).await;
    assert!(html.contains("已暂停") && html.contains("证书信息核查中"));

    app.post(
        &format!("/api/v1/certificates/{id}/reinstate"),
        &c.staff,
        json!({"reason": "核查无误"}),
    )
    .await;
    assert_eq!(verify().await.1["status"], "valid");

    app.db
        .write
        .execute_unprepared(&format!(
            "UPDATE certificates SET valid_until = '2026-01-31' WHERE id = '{id}'"
        ))
        .await
        .expect("backdate the expiry");
    // Expiry is a matter of the date alone, and no change is recorded for it; a fresh
    // instance reading the backdated row stands for the day arriving.
    let later = app.second_instance().await;
    let (_, v) = later.call(Method::GET, &path, None, None).await;
    assert_eq!(
        (v["status"].as_str(), v["status_since"].as_str()),
        (Some("expired"), Some("2026-01-31"))
    );
    let (_, html) = page(&later, &format!("/v/{token}")).await;
    assert!(html.contains("已过期") && html.contains("2026-01-31"));

    app.post(
        &format!("/api/v1/certificates/{id}/revoke"),
        &c.staff,
        json!({"reason": "考核材料弄虚作假，经查实撤销"}),
    )
    .await;
    let (_, v) = verify().await;
    assert_eq!(
        (v["status"].as_str(), v["reason"].as_str()),
        (Some("revoked"), Some("考核材料弄虚作假，经查实撤销"))
    );
    let (_, english) = page(&app, &format!("/v/{token}?lang=en")).await;
    assert!(english.contains("Revoked on") && english.contains("考核材料弄虚作假"));
}

#[tokio::test]
async fn an_unknown_token_gets_a_clean_not_found_page() {
    let app = TestApp::spawn().await;
    let (status, html) = page(&app, "/v/AAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("查无此证书"));
    let (status, html) = page(&app, "/v/%27%3B%20DROP%20TABLE%20certificates").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        !html.to_lowercase().contains("error") && !html.contains("sql"),
        "no internal detail"
    );
    let (status, body) = app
        .call(
            Method::GET,
            "/api/v1/verify/AAAAAAAAAAAAAAAAAAAAAA",
            None,
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn a_verifier_who_knows_the_holder_learns_match_or_no_match_and_nothing_else() {
    // Six checks of one certificate from one client: more than a client's default budget.
    let app = TestApp::spawn_with(|c| c.holder_match_per_client_per_hour = 10).await;
    let c = chain(&app).await;
    let (_, token, id) = issued(&app, &c, "巴特尔", "19880808").await;
    let path = format!("/api/v1/verify/{token}/holder");
    let ask = |name: &str, citizen_id: &str| {
        app.call(
            Method::POST,
            &path,
            None,
            Some(json!({"name": name, "citizen_id": citizen_id})),
        )
    };
    assert_eq!(ask("巴特尔", &id).await.1, json!({"match": true}));
    assert_eq!(
        ask("巴特尔", &id.to_lowercase()).await.1,
        json!({"match": true})
    );
    assert_eq!(ask("巴特", &id).await.1, json!({"match": false}));
    assert_eq!(
        ask("巴特尔", &citizen_id("19880808", 248)).await.1,
        json!({"match": false})
    );
    assert_eq!(ask("巴特尔", "not an id").await.1, json!({"match": false}));

    let resp = app
        .client
        .post(format!("{}/v/{token}", app.base))
        .form(&[("name", "巴特尔"), ("citizen_id", id.as_str())])
        .send()
        .await
        .expect("sent");
    let html = resp.text().await.expect("text");
    assert!(html.contains("一致：所填姓名和身份证号与持证人相符"));
    assert!(!html.contains(&id), "the page never shows the ID number");
}

#[tokio::test]
async fn holder_matches_on_one_certificate_are_limited_for_all_clients_together() {
    // The hidden digits of a masked ID number are a birth date: without a limit per
    // certificate, someone who knows the name could try every date.
    let app = TestApp::spawn_with(|config| config.holder_match_per_hour = 3).await;
    let c = chain(&app).await;
    let (_, token, id) = issued(&app, &c, "萨仁", "19910101").await;
    let (_, other, other_id) = app
        .completion(&c, "阿拉坦", &citizen_id("19920202", 135))
        .await;
    let app = &app;
    let ask = |token: &str, name: &str, citizen_id: &str| {
        let path = format!("/api/v1/verify/{token}/holder");
        let body = json!({"name": name, "citizen_id": citizen_id});
        async move { app.call(Method::POST, &path, None, Some(body)).await }
    };
    for day in ["19910102", "19910103", "19910104"] {
        let (status, answer) = ask(&token, "萨仁", &citizen_id(day, 246)).await;
        assert_eq!((status, answer), (StatusCode::OK, json!({"match": false})));
    }
    let resp = app
        .client
        .post(format!("{}/api/v1/verify/{token}/holder", app.base))
        .json(&json!({"name": "萨仁", "citizen_id": id}))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        resp.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right answer is not checked once the limit is reached"
    );
    assert!(resp.headers().get("retry-after").is_some());
    let resp = app
        .client
        .post(format!("{}/v/{token}", app.base))
        .form(&[("name", "萨仁"), ("citizen_id", id.as_str())])
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = resp.text().await.expect("text");
    assert!(html.contains("核对次数过多") && !html.contains("一致："));
    // Another certificate is not affected; an unknown token is still "not found".
    assert_eq!(
        ask(&other, "阿拉坦", &other_id).await,
        (StatusCode::OK, json!({"match": true}))
    );
    assert_eq!(
        ask("NoSuchToken0000000000A", "萨仁", &id).await.0,
        StatusCode::NOT_FOUND
    );
}

/// Posts a document to the anonymous check; the status and the JSON body.
pub(crate) async fn post_document(
    app: &TestApp,
    bytes: Vec<u8>,
    file: &str,
) -> (StatusCode, Value) {
    let form = multipart::Form::new().part(
        "file",
        multipart::Part::bytes(bytes).file_name(file.to_owned()),
    );
    let resp = app
        .client
        .post(format!("{}/api/v1/verify/document", app.base))
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn check_document(app: &TestApp, bytes: Vec<u8>, file: &str) -> Value {
    let (status, answer) = post_document(app, bytes, file).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

#[tokio::test]
async fn a_changed_byte_in_a_pdf_or_a_changed_field_in_a_credential_is_reported_altered() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, _, _) = issued(&app, &c, "萨仁", "19930303").await;
    let get = |path: String| {
        let request = app
            .client
            .get(format!("{}{path}", app.base))
            .bearer_auth(&c.staff);
        async move {
            request
                .send()
                .await
                .expect("sent")
                .bytes()
                .await
                .expect("bytes")
                .to_vec()
        }
    };
    let pdf = get(format!("/api/v1/certificates/{id}/pdf")).await;
    let answer = check_document(&app, pdf.clone(), "c.pdf").await;
    assert_eq!(
        (
            answer["issued_by_registry"].as_bool(),
            answer["unaltered"].as_bool()
        ),
        (Some(true), Some(true)),
        "{answer}"
    );
    assert_eq!(answer["status"], "valid");

    let mut edited = pdf.clone();
    let at = edited.len() / 2;
    edited[at] ^= 0x01;
    let answer = check_document(&app, edited, "c.pdf").await;
    assert_eq!(answer["unaltered"], false, "{answer}");

    let credential = get(format!("/api/v1/certificates/{id}/credential")).await;
    let answer = check_document(&app, credential.clone(), "c.json").await;
    assert_eq!(
        (
            answer["issued_by_registry"].as_bool(),
            answer["unaltered"].as_bool()
        ),
        (Some(true), Some(true)),
        "{answer}"
    );
    let mut json: Value = serde_json::from_slice(&credential).expect("json");
    json["validFrom"] = "2020-01-01T00:00:00Z".into();
    let answer = check_document(&app, serde_json::to_vec(&json).expect("bytes"), "c.json").await;
    assert_eq!(answer["unaltered"], false, "{answer}");
    // Not a PDF the registry could have written: refused as unreadable, not judged.
    let (status, _) = post_document(&app, b"%PDF-1.7 not ours".to_vec(), "x.pdf").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn verification_is_rate_limited_per_client() {
    let app = TestApp::spawn_with(|c| c.verify_rate_per_minute = 8).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let resp = app
            .client
            .get(format!("{}/api/v1/verify/AAAAAAAAAAAAAAAAAAAAAA", app.base))
            .send()
            .await
            .expect("sent");
        statuses.push((resp.status(), resp.headers().get("retry-after").cloned()));
    }
    assert!(
        statuses[..2]
            .iter()
            .all(|(s, _)| *s == StatusCode::NOT_FOUND),
        "{statuses:?}"
    );
    let (status, retry) = statuses.last().expect("last").clone();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry.is_some_and(|v| {
        v.to_str()
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|s| s >= 1)
    }));
}

#[tokio::test]
async fn a_superseded_certificate_names_and_links_its_replacement() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, token, _) = issued(&app, &c, "乌兰", "19940404").await;
    let (status, answer) = app
        .post(
            &format!("/api/v1/certificates/{id}/supersede"),
            &c.staff,
            json!({"reason": "培训时间登记有误，更正后换发"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["old"]["status"], "superseded");
    assert_eq!(answer["new"]["status"], "valid");
    assert_ne!(answer["new"]["number"], answer["old"]["number"]);
    let (_, v) = app
        .call(Method::GET, &format!("/api/v1/verify/{token}"), None, None)
        .await;
    assert_eq!(v["status"], "superseded");
    assert_eq!(v["superseded_by"]["number"], answer["new"]["number"]);
    let new_token = answer["new"]["token"].as_str().expect("token");
    assert!(
        v["superseded_by"]["verify_url"]
            .as_str()
            .is_some_and(|u| u.ends_with(new_token))
    );
    let (_, html) = page(&app, &format!("/v/{token}")).await;
    assert!(
        html.contains("已被替换")
            && html.contains(answer["new"]["number"].as_str().expect("number"))
    );
    // The replacement stands in the chain where the old one stood, and the other way
    // round, so certificates resting on the old one lead to the new one.
    let numbers = |v: &Value| pluck(&v["chain"], &["number", "status"]);
    assert_eq!(
        numbers(&v),
        [format!(
            "{} valid",
            answer["new"]["number"].as_str().expect("number")
        )]
    );
    let (_, new_v) = app
        .call(
            Method::GET,
            &format!("/api/v1/verify/{new_token}"),
            None,
            None,
        )
        .await;
    assert_eq!(
        numbers(&new_v),
        [format!(
            "{} superseded",
            answer["old"]["number"].as_str().expect("number")
        )]
    );
    let (status, _) = app
        .post(
            &format!("/api/v1/certificates/{id}/supersede"),
            &c.staff,
            json!({"reason": "再次"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

/// Asks `path` of `app` every 100 ms until `done` holds (up to 5 s); the last answer.
async fn eventually(app: &TestApp, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut answer = Value::Null;
    for _ in 0..50 {
        answer = app.call(Method::GET, path, None, None).await.1;
        if done(&answer) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    answer
}

#[tokio::test]
async fn a_change_made_through_one_instance_shows_on_the_other_within_a_sync_interval() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, token, _) = issued(&app, &c, "图雅", "19930303").await;
    let other = app.second_instance().await;
    let path = format!("/api/v1/verify/{token}");
    // Issued through the first instance, found by the second at once.
    assert_eq!(
        other.call(Method::GET, &path, None, None).await.1["status"],
        "valid"
    );
    let health = eventually(&other, "/health", |h| h["verification_index"] == "ready").await;
    assert_eq!(health["verification_index"], "ready", "{health}");

    let (status, _) = app
        .post(
            &format!("/api/v1/certificates/{id}/revoke"),
            &c.staff,
            json!({"reason": "重复发证"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The instance that made the change answers with it before the response returns …
    assert_eq!(
        app.call(Method::GET, &path, None, None).await.1["status"],
        "revoked"
    );
    // … the other within one sync interval (1 s by default).
    let v = eventually(&other, &path, |v| v["status"] == "revoked").await;
    assert_eq!(
        (v["status"].as_str(), v["reason"].as_str()),
        (Some("revoked"), Some("重复发证"))
    );

    let (_, certificate) = app
        .get(&format!("/api/v1/certificates/{id}"), &c.staff)
        .await;
    let org = certificate["issuer_id"].as_str().expect("issuer");
    let (status, _) = app
        .patch(
            &format!("/api/v1/organisations/{org}"),
            &c.bureau,
            json!({"name": "额尔古纳市技能人才实训基地"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The certificate keeps the name it was issued under; the new one shows beside it.
    assert_eq!(
        app.call(Method::GET, &path, None, None).await.1["issuer_current_name"],
        "额尔古纳市技能人才实训基地"
    );
    let v = eventually(&other, &path, |v| {
        v["issuer_current_name"] == "额尔古纳市技能人才实训基地"
    })
    .await;
    assert_eq!(
        (v["issuer_name"].as_str(), v["issuer_current_name"].as_str()),
        (
            Some("额尔古纳市职业技能培训中心"),
            Some("额尔古纳市技能人才实训基地")
        ),
        "{v}"
    );
}

// Multi-threaded: the test blocks on the command while the server answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_verify_checks_a_pdf_offline_and_its_status_online() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, _, _) = issued(&app, &c, "斯琴", "19910101").await;
    let pdf = app
        .client
        .get(format!("{}/api/v1/certificates/{id}/pdf", app.base))
        .bearer_auth(&c.staff)
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("bytes");
    let (_, did) = app
        .call(Method::GET, "/.well-known/did.json", None, None)
        .await;
    let dir = app.data_dir.join("verify-cli");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("c.pdf"), &pdf).expect("write pdf");
    std::fs::write(dir.join("did.json"), did.to_string()).expect("write did");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_registry"))
            .arg("verify")
            .args(args)
            .env("REGISTRY_DATA_DIR", dir.join("cli-data"))
            .output()
            .expect("run registry verify");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let pdf_path = dir.join("c.pdf").display().to_string();
    let did_path = dir.join("did.json").display().to_string();
    let (ok, out) = run(&[&pdf_path, "--did", &did_path, "--offline"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("签名：有效") && out.contains("结业证书"),
        "{out}"
    );

    let (ok, out) = run(&[&pdf_path, "--did", &did_path]);
    assert!(ok && out.contains("状态：有效"), "{out}");
    app.post(
        &format!("/api/v1/certificates/{id}/revoke"),
        &c.staff,
        json!({"reason": "错误签发"}),
    )
    .await;
    let (ok, out) = run(&[&pdf_path, "--did", &did_path]);
    assert!(!ok && out.contains("状态：已撤销"), "{out}");

    let credential = registry::verification::attachment::embedded_credential(&pdf)
        .expect("a PDF as issued")
        .expect("embedded");
    let mut json: Value = serde_json::from_slice(&credential).expect("json");
    json["credentialSubject"]["achievement"]["name"] = "结业证书 · 伪造".into();
    std::fs::write(dir.join("forged.json"), json.to_string()).expect("write");
    let (ok, out) = run(&[
        &dir.join("forged.json").display().to_string(),
        "--did",
        &did_path,
        "--offline",
    ]);
    assert!(!ok && out.contains("签名：无效"), "{out}");
}
