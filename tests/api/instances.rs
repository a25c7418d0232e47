//! Several instances on one database: the PII key, the signing key ring and the public
//! URL must be the same on every one, and an instance whose own differ refuses to start,
//! saying which and what to do.

use base64::Engine;
use registry::{certificates::credential::SigningKey, config::Config, startup::Application};
use sea_orm::ConnectionTrait;
use secrecy::ExposeSecret;

use crate::{
    certificates::chain,
    helpers::{TestApp, citizen_id},
};

/// Builds another instance on `app`'s database and data directory (so with its key files)
/// and public URL, with its configuration adjusted first.
async fn start_beside(
    app: &TestApp,
    adjust: impl FnOnce(&mut Config),
) -> anyhow::Result<Application> {
    let mut config = Config::for_data_dir(app.data_dir.clone(), Some(app.database_url.clone()));
    config.base_url = app.base.clone();
    adjust(&mut config);
    Application::build(config).await
}

/// Why `started` refused, in full.
fn refusal(started: anyhow::Result<Application>) -> String {
    match started {
        Ok(_) => panic!("the instance started"),
        Err(e) => format!("{e:#}"),
    }
}

fn another_pii_key() -> String {
    let mut bytes = [0u8; 64];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn another_signing_key() -> String {
    let key = SigningKey::generate(chrono::Utc::now());
    format!("{}:{}", key.id, key.secret_key_multibase().expose_secret())
}

#[tokio::test]
async fn an_instance_with_another_pii_key_refuses_to_start_and_says_which_key() {
    let app = TestApp::spawn().await;
    let pii = another_pii_key();
    let message = refusal(start_beside(&app, |c| c.pii_key = Some(pii.into())).await);
    assert!(message.contains("REGISTRY_PII_KEY"), "{message}");
    assert!(message.contains("keys/pii.key"), "{message}");
    assert!(
        !message.contains("REGISTRY_SIGNING_KEY") && !message.contains("REGISTRY_BASE_URL"),
        "only the setting that differs is named: {message}"
    );
    start_beside(&app, |_| {})
        .await
        .expect("the same settings still start");
}

#[tokio::test]
async fn an_instance_with_another_signing_key_refuses_to_start_and_says_which_key() {
    let app = TestApp::spawn().await;
    let key = another_signing_key();
    let message = refusal(start_beside(&app, |c| c.signing_key = Some(key.into())).await);
    assert!(message.contains("REGISTRY_SIGNING_KEY"), "{message}");
    assert!(message.contains("registry keys rotate"), "{message}");
    assert!(!message.contains("REGISTRY_PII_KEY"), "{message}");
}

#[tokio::test]
async fn an_instance_with_another_public_url_refuses_to_start_and_names_the_right_one() {
    let app = TestApp::spawn().await;
    let message =
        refusal(start_beside(&app, |c| c.base_url = "https://zs.example.gov.cn".into()).await);
    assert!(message.contains("REGISTRY_BASE_URL"), "{message}");
    assert!(message.contains("https://zs.example.gov.cn"), "{message}");
    assert!(
        message.contains(&format!("请把 REGISTRY_BASE_URL 设为 {}", app.base)),
        "{message}"
    );
}

#[tokio::test]
async fn instances_with_the_same_settings_start_side_by_side_and_record_nothing_new() {
    let app = TestApp::spawn().await;
    let recorded = app.count("instance_settings").await;
    assert_eq!(recorded, 3, "the PII key check, the key ring and the URL");
    let second = app.second_instance().await;
    let (status, _) = second
        .call(reqwest::Method::GET, "/health", None, None)
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(app.count("instance_settings").await, recorded);
}

#[tokio::test]
async fn two_instances_starting_at_once_on_a_fresh_database_agree_on_one_record() {
    let app = TestApp::spawn().await;
    app.db
        .write
        .execute_unprepared("DELETE FROM instance_settings")
        .await
        .expect("forget the first start");
    let (a, b) = tokio::join!(
        start_beside(&app, |c| c.base_url = "https://a.example.cn".into()),
        start_beside(&app, |c| c.base_url = "https://b.example.cn".into()),
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "exactly one of them records its URL; the other refuses"
    );
    assert_eq!(app.count("instance_settings").await, 3);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[tokio::test]
async fn after_a_key_rotation_an_instance_still_on_the_old_ring_refuses_to_start() {
    let app = TestApp::spawn().await;
    let stale = app.data_dir.join("stale-copy");
    copy_dir(&app.data_dir.join("keys"), &stale.join("keys"));

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

    let mut config = Config::for_data_dir(stale, Some(app.database_url.clone()));
    config.base_url = app.base.clone();
    let message = refusal(Application::build(config).await);
    assert!(message.contains("keys/signing/"), "{message}");
    start_beside(&app, |_| {})
        .await
        .expect("an instance with the rotated ring starts");
}

#[tokio::test]
async fn on_a_database_with_data_but_no_record_the_first_instance_must_fit_the_data() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    app.completion(&c, "娜仁花", &citizen_id("19900412", 246))
        .await;
    app.db
        .write
        .execute_unprepared("DELETE FROM instance_settings")
        .await
        .expect("as before the record existed");

    let pii = another_pii_key();
    let message = refusal(start_beside(&app, |c| c.pii_key = Some(pii.into())).await);
    assert!(
        message.contains("打不开数据库中已登记的身份证号"),
        "{message}"
    );
    let key = another_signing_key();
    let message = refusal(start_beside(&app, |c| c.signing_key = Some(key.into())).await);
    assert!(message.contains("REGISTRY_SIGNING_KEY"), "{message}");
    let message =
        refusal(start_beside(&app, |c| c.base_url = "https://zs.example.gov.cn".into()).await);
    assert!(message.contains("签发者 DID"), "{message}");
    assert_eq!(app.count("instance_settings").await, 0, "nothing recorded");

    start_beside(&app, |_| {})
        .await
        .expect("the instance that wrote the data starts");
    assert_eq!(app.count("instance_settings").await, 3);
}
