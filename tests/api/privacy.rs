use sea_orm::{ConnectionTrait, EntityTrait};

use crate::helpers::{TestApp, citizen_id, fresh_database_url};

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
        let dump = table_text(&app, table).await;
        if table == "people" {
            assert!(
                dump.contains("格日勒"),
                "the dump shows stored text: {dump}"
            );
        }
        for id in &ids {
            assert!(
                !dump.contains(id.as_str()),
                "{table} holds a citizen ID in clear"
            );
            let iso = format!("{}-{}-{}", &id[6..10], &id[10..12], &id[12..14]);
            assert!(
                !dump.contains(&id[6..14]) && !dump.contains(&iso),
                "{table} holds a birth date taken from an ID: {dump}"
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

#[tokio::test]
async fn phone_numbers_are_sealed_at_rest_and_masked_for_viewers_not_entitled_to_them() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let id = citizen_id("19910203", 417);
    let (status, enrolment) = app
        .post(
            &format!("/api/v1/cohorts/{}/enrolments", t.cohort),
            &t.staff,
            serde_json::json!({"name": "其木格", "citizen_id": id, "phone": "+86 138-4700-5678"}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{enrolment}");
    assert_eq!(enrolment["person"]["phone"], "13847005678");
    let person = enrolment["person"]["id"].as_str().expect("person id");
    let (_, seen) = app
        .get(&format!("/api/v1/people/{person}"), &t.bureau)
        .await;
    assert_eq!(seen["phone"], "138****5678");

    let dump = table_text(&app, "people").await;
    assert!(
        dump.contains("其木格"),
        "the dump shows stored text: {dump}"
    );
    assert!(
        !dump.contains("13847005678"),
        "the phone number is stored in clear: {dump}"
    );
}

/// Every value of every row of `table` as text, one row a line, read through the
/// database (`SELECT *` rows do not print their values, so each column is cast). Read on
/// the writer: a SQLite reader opened before the migrations may still expand `*` to the
/// columns they removed.
async fn table_text(app: &TestApp, table: &str) -> String {
    table_text_of(&app.db, table).await
}

async fn table_text_of(db: &registry::db::Db, table: &str) -> String {
    let select = |sql: String| {
        db.write
            .query_all_raw(sea_orm::Statement::from_string(db.backend(), sql))
    };
    let rows = select(format!("SELECT * FROM {table}"))
        .await
        .expect("select");
    let Some(columns) = rows.first().map(|r| r.column_names()) else {
        return String::new();
    };
    let casts: Vec<String> = columns
        .iter()
        .map(|c| format!("CAST(\"{c}\" AS TEXT) AS \"{c}\""))
        .collect();
    let rows = select(format!("SELECT {} FROM {table}", casts.join(", ")))
        .await
        .expect("select as text");
    let mut text = String::new();
    for row in rows {
        for column in &columns {
            let value: Option<String> = row.try_get("", column).expect("a text value");
            text.push_str(&format!("{column}={} ", value.unwrap_or_default()));
        }
        text.push('\n');
    }
    text
}

/// The first migration of the schema that keeps no birth date and seals phone numbers.
const FIRST_PRIVATE_MIGRATION: &str = "m20261215_000001_drop_people_birth_date";

#[tokio::test]
async fn upgrading_drops_the_birth_dates_and_seals_the_phone_numbers_an_older_version_stored() {
    use migration::MigratorTrait;
    use registry::{config::Config, db::Db, people::PiiKeys, startup::open_database};

    let data_dir =
        std::env::temp_dir().join(format!("registry-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let config = Config::for_data_dir(data_dir.clone(), fresh_database_url(&data_dir).await);
    let url = secrecy::ExposeSecret::expose_secret(&config.database_url).to_owned();
    let keys = PiiKeys::load_or_create(&data_dir).expect("keys");
    let id = citizen_id("19900412", 222);
    let db = Db::connect(&url).await.expect("connect");
    let before = migration::Migrator::migrations()
        .iter()
        .position(|m| m.name() == FIRST_PRIVATE_MIGRATION)
        .expect("the migration is registered");
    migration::Migrator::up(&db.write, Some(before as u32))
        .await
        .expect("the older schema");
    db.write
        .execute_unprepared(&format!(
            "INSERT INTO people (id, name, citizen_id_sealed, citizen_id_index, citizen_id_masked, \
             gender, birth_date, phone, key_groups, created_at, updated_at) VALUES \
             ('p1', '娜仁花', '{}', '{}', '150784********{}', 'female', '1990-04-12', \
             '13847001234', '[]', '2026-03-01T09:00:00+08:00', '2026-03-01T09:00:00+08:00')",
            keys.seal(&id).expect("seal"),
            keys.blind_index(&id),
            &id[14..],
        ))
        .await
        .expect("a person as the older version stored them");
    let sqlite = std::env::var("TEST_DATABASE_URL").is_err();
    if sqlite {
        let file = sqlite_file_text(&db, &data_dir).await;
        assert!(
            file.contains("1990-04-12") && file.contains("13847001234"),
            "the older version's file holds both in clear"
        );
    }
    drop(db);

    let db = open_database(&config).await.expect("the upgrade");
    let people = table_text_of(&db, "people").await;
    assert!(
        people.contains("娜仁花"),
        "the dump shows stored text: {people}"
    );
    assert!(!people.contains("birth_date"), "{people}");
    assert!(!people.contains("13847001234"), "{people}");
    let row = entities::people::Entity::find_by_id("p1".to_owned())
        .one(&db.read)
        .await
        .expect("select")
        .expect("the person");
    let view = registry::people::store::view(&keys, &row, true).expect("view");
    assert_eq!(view.phone.as_deref(), Some("13847001234"));
    assert_eq!(
        view.birth_date.map(|d| d.to_string()).as_deref(),
        Some("1990-04-12")
    );
    let masked = registry::people::store::view(&keys, &row, false).expect("view");
    assert_eq!(masked.phone.as_deref(), Some("138****1234"));
    assert_eq!(masked.birth_date, None);
    if sqlite {
        let file = sqlite_file_text(&db, &data_dir).await;
        assert!(file.contains("娜仁花"), "the file is read");
        assert!(
            !file.contains("1990-04-12"),
            "a birth date is left in the file"
        );
        assert!(
            !file.contains("13847001234"),
            "a clear phone number is left in the file"
        );
    }
    let again = registry::people::at_rest::seal_clear_phones(&db, || {
        panic!("nothing left to seal, so no key is needed")
    })
    .await
    .expect("a second start");
    assert_eq!(again, 0);
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// The SQLite file and its write-ahead log as text, after a checkpoint.
async fn sqlite_file_text(db: &registry::db::Db, data_dir: &std::path::Path) -> String {
    db.write
        .execute_unprepared("PRAGMA wal_checkpoint(FULL)")
        .await
        .expect("checkpoint");
    let mut bytes = Vec::new();
    for file in ["registry.db", "registry.db-wal"] {
        if let Ok(b) = std::fs::read(data_dir.join(file)) {
            bytes.extend(b);
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
