use sea_orm::ConnectionTrait;

use crate::helpers::{TestApp, citizen_id};

#[tokio::test]
async fn citizen_ids_never_reach_the_database_in_clear() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let ids: Vec<String> = (0..5).map(|i| citizen_id("19880808", 301 + i)).collect();
    for (name, id) in ["格日勒", "斯琴", "萨仁", "图雅", "乌兰"].iter().zip(&ids) {
        let (status, body) = app.enrol(&t.staff, &t.cohort, name, id).await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    }
    // Every text column of every table, read back through the database.
    let tables = [
        "people",
        "enrolments",
        "audit_log",
        "accounts",
        "organisations",
    ];
    for table in tables {
        let rows = app
            .db
            .read
            .query_all_raw(sea_orm::Statement::from_string(
                app.db.backend(),
                format!("SELECT * FROM {table}"),
            ))
            .await
            .expect("select");
        let dump = format!("{rows:?}");
        for id in &ids {
            assert!(
                !dump.contains(id.as_str()),
                "{table} holds a citizen ID in clear"
            );
            assert!(
                !dump.contains(&id[6..14]) || table == "people",
                "{table} holds a birth date taken from an ID"
            );
        }
    }
    // And the SQLite file's bytes themselves (the main file and its write-ahead log).
    if std::env::var("TEST_DATABASE_URL").is_err() {
        app.db
            .write
            .execute_unprepared("PRAGMA wal_checkpoint(FULL)")
            .await
            .expect("checkpoint");
        let mut bytes = Vec::new();
        for file in ["registry.db", "registry.db-wal"] {
            if let Ok(b) = std::fs::read(app.data_dir.join(file)) {
                bytes.extend(b);
            }
        }
        assert!(bytes.len() > 10_000, "the database file was read");
        for id in &ids {
            assert!(
                !bytes.windows(18).any(|w| w == id.as_bytes()),
                "{id} found in the SQLite file"
            );
        }
        let name = "格日勒".as_bytes();
        assert!(
            bytes.windows(name.len()).any(|w| w == name),
            "the scan does see plain text"
        );
    }
}
