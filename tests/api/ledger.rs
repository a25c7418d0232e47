//! `registry import` (issue 11): the bureau's historical ledgers and providers' lists from
//! the command line, as a named account that the audit log names.

use std::process::Output;

use registry::access::Role;

use crate::{
    helpers::{TestApp, citizen_id},
    imports::tempfile_dir,
};

/// Runs `registry import FILE --cohort COHORT` with `args` and `env` against the app's
/// database.
fn import(
    app: &TestApp,
    file: &std::path::Path,
    cohort: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_registry"));
    command
        .args(["import", file.to_str().expect("path"), "--cohort", cohort])
        .args(args)
        .env("REGISTRY_DATA_DIR", &app.data_dir)
        .env("DATABASE_URL", &app.database_url)
        .env("REGISTRY_LOG", "error");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("registry import runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A CSV with CRLF line ends, as Excel saves one, of `n` trainees.
fn ledger(dir: &std::path::Path, n: u32) -> std::path::PathBuf {
    let path = dir.join(format!("台账-{n}.csv"));
    let mut csv = "姓名,身份证号,重点群体\r\n".to_owned();
    for i in 0..n {
        csv.push_str(&format!(
            "托娅,{},退役士兵\r\n",
            citizen_id("19970808", 400 + i)
        ));
    }
    std::fs::write(&path, csv).expect("write the file");
    path
}

/// The audit entries of `action`, by the label of who made them.
async fn audited(app: &TestApp, action: &str) -> Vec<String> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entities::audit_log::Entity::find()
        .filter(entities::audit_log::Column::Action.eq(action))
        .all(&app.db.read)
        .await
        .expect("audit entries")
        .into_iter()
        .map(|e| e.actor_label)
        .collect()
}

// Multi-threaded: the test blocks on the command while nothing else needs the runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_import_enrols_as_the_named_account_and_skips_those_enrolled_already() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let dir = tempfile_dir();
    let file = ledger(&dir, 2);
    let as_staff = ["--as", "provider-staff"];

    let out = import(
        &app,
        &file,
        &t.cohort,
        &[&as_staff[..], &["--dry-run"]].concat(),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("2 名可导入"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(app.count("enrolments").await, 0);

    let out = import(&app, &file, &t.cohort, &as_staff, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("已导入 2 名学员"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(app.count("enrolments").await, 2);
    assert_eq!(
        audited(&app, "enrolment.create").await,
        ["provider-staff"; 2]
    );
    assert_eq!(audited(&app, "cohort.import").await, ["provider-staff"]);

    let out = import(&app, &file, &t.cohort, &as_staff, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("已导入 0 名学员，跳过 2 名"), "{said}");
    assert!(said.contains("第2行") && said.contains("第3行"), "{said}");
    assert_eq!(app.count("enrolments").await, 2);
    assert_eq!(audited(&app, "cohort.import").await.len(), 1);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bureau_imports_a_ledger_within_the_configured_row_limit_and_not_past_it() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let dir = tempfile_dir();
    let limit = [("REGISTRY_LEDGER_IMPORT_MAX_ROWS", "2")];
    let as_bureau = ["--as", "bureau"];

    let out = import(&app, &ledger(&dir, 3), &t.cohort, &as_bureau, &limit);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let said = text(&out.stderr);
    assert!(
        said.contains("一次最多导入2行") && said.contains("too_many_rows"),
        "{said}"
    );
    assert_eq!(app.count("enrolments").await, 0);
    assert_eq!(app.count("people").await, 0);

    let out = import(&app, &ledger(&dir, 2), &t.cohort, &as_bureau, &limit);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(audited(&app, "enrolment.create").await, ["bureau"; 2]);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_login_or_another_providers_staff_may_not_import() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let other = app
        .organisation(&t.bureau, "training_provider", "呼伦贝尔市技工学校")
        .await;
    app.account("other-staff", Role::ProviderStaff, Some(&other))
        .await;
    let dir = tempfile_dir();
    let file = ledger(&dir, 1);
    for (login, refusal) in [
        ("nobody", "没有登录名为 nobody 的账号"),
        ("other-staff", "无权为它导入名单"),
    ] {
        let out = import(&app, &file, &t.cohort, &["--as", login], &[]);
        assert_eq!(out.status.code(), Some(1), "{login}");
        assert!(
            text(&out.stderr).contains(refusal),
            "{login}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(app.count("enrolments").await, 0);
    std::fs::remove_dir_all(dir).ok();
}
