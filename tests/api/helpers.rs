use std::{path::PathBuf, sync::Arc};

use registry::{
    access::Role, audit::Actor, auth::accounts, clock::Clock, config::Config, db::Db,
    organisations::CreditCode, people::CitizenId, startup::Application,
};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database, TransactionTrait};
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery";

/// A running registry with its own database and data directory.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: Db,
    /// The app's clock: move it instead of sleeping.
    pub clock: Arc<Clock>,
    pub data_dir: PathBuf,
    pub database_url: String,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// A fresh database: a new file per test on SQLite, a new database on PostgreSQL.
pub async fn fresh_database_url(data_dir: &std::path::Path) -> Option<String> {
    let server = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let name = format!("regtest_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(&server)
        .await
        .expect("connect to TEST_DATABASE_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create a scratch database");
    let _ = data_dir;
    let (prefix, _) = server
        .rsplit_once('/')
        .expect("TEST_DATABASE_URL has a database path");
    Some(format!("{prefix}/{name}"))
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        registry::telemetry::init();
        let data_dir =
            std::env::temp_dir().join(format!("registry-test-{}", uuid::Uuid::new_v4().simple()));
        let pg = fresh_database_url(&data_dir).await;
        let mut config = Config::for_data_dir(data_dir.clone(), pg);
        // A known port, so the base URL printed into QR codes and credentials is real.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        config.bind = ([127, 0, 0, 1], port).into();
        config.base_url = format!("http://127.0.0.1:{port}");
        adjust(&mut config);
        let database_url = secrecy::ExposeSecret::expose_secret(&config.database_url).to_owned();
        let app = Application::build(config).await.expect("build the app");
        let base = format!("http://{}", app.local_addr());
        let db = app.db().clone();
        let clock = app.clock();
        tokio::spawn(app.run_until_stopped());
        Self {
            base,
            client: reqwest::Client::new(),
            db,
            clock,
            data_dir,
            database_url,
        }
    }

    /// A second server instance on the same database and data directory (as a city runs
    /// several behind a load balancer). It shares this app's database.
    pub async fn second_instance(&self) -> TestApp {
        self.second_instance_with(|_| {}).await
    }

    /// [`TestApp::second_instance`] with its configuration adjusted first.
    pub async fn second_instance_with(&self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let mut config =
            Config::for_data_dir(self.data_dir.clone(), Some(self.database_url.clone()));
        // Both instances sit behind the same public address in production.
        config.base_url = self.base.clone();
        adjust(&mut config);
        let app = Application::build(config)
            .await
            .expect("build the second instance");
        let base = format!("http://{}", app.local_addr());
        let db = app.db().clone();
        let clock = app.clock();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base,
            client: reqwest::Client::new(),
            db,
            clock,
            // Not removed when this handle drops: the first instance owns it.
            data_dir: std::env::temp_dir()
                .join(format!("registry-test-{}", uuid::Uuid::new_v4().simple())),
            database_url: self.database_url.clone(),
        }
    }

    /// Sends a request; returns the status and the JSON body (or `Null`).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// Logs in and returns the token.
    pub async fn login(&self, login: &str, password: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"login": login, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {login}: {body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Creates an account directly (as `registry user add` does) and logs it in. A trainee's
    /// account belongs to a person: one is registered for it (`registry user add --person`).
    pub async fn account(&self, login: &str, role: Role, org: Option<&str>) -> String {
        if role == Role::Trainee {
            return self.trainee_account(login).await;
        }
        let txn = self.db.write.begin().await.expect("begin");
        accounts::create(
            &txn,
            &Actor::system("test"),
            accounts::NewAccount {
                login: login.into(),
                password: PASSWORD.to_owned().into(),
                role,
                organisation_id: org.map(str::to_owned),
                display_name: None,
            },
            self.clock.now(),
        )
        .await
        .expect("create account");
        txn.commit().await.expect("commit");
        self.login(login, PASSWORD).await
    }

    /// A person registered directly (no enrolment) with a trainee login; logs it in. Call it
    /// on the first instance, whose data directory holds the PII key.
    pub async fn trainee_account(&self, login: &str) -> String {
        let keys = registry::startup::pii_keys(&self.config()).expect("PII keys");
        let seq = login.bytes().map(u32::from).sum::<u32>() % 900 + 1;
        let identity = registry::people::store::IdentityInput {
            name: "测试学员".into(),
            citizen_id: citizen_id("19950101", seq),
            phone: None,
            key_groups: Vec::new(),
        }
        .parse(self.clock.now().today)
        .expect("an identity");
        let txn = self.db.write.begin().await.expect("begin");
        let actor = Actor::system("test");
        let now = self.clock.now();
        let person = registry::people::store::find_or_register(&txn, &keys, &actor, &identity, now)
            .await
            .expect("register the person");
        registry::people::store::give_login(
            &txn,
            &actor,
            person,
            login.into(),
            PASSWORD.to_owned().into(),
            now,
        )
        .await
        .expect("give a login");
        txn.commit().await.expect("commit");
        self.login(login, PASSWORD).await
    }

    /// This app's configuration as the tests built it (its data directory and database).
    pub fn config(&self) -> Config {
        Config::for_data_dir(self.data_dir.clone(), Some(self.database_url.clone()))
    }

    /// The bureau administrator's token.
    pub async fn bureau(&self) -> String {
        self.account("bureau", Role::BureauAdmin, None).await
    }

    /// Registers and approves an organisation through the API; returns its id.
    pub async fn organisation(&self, bureau: &str, kind: &str, name: &str) -> String {
        let (status, org) = self
            .post(
                "/api/v1/organisations",
                bureau,
                json!({"kind": kind, "name": name, "credit_code": credit_code()}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{org}");
        let id = org["id"].as_str().expect("id").to_owned();
        let (status, _) = self
            .post(
                &format!("/api/v1/organisations/{id}/approve"),
                bureau,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        id
    }

    /// Number of rows in a table, read directly.
    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .read
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("n")
    }
}

/// A fresh valid unified social credit code.
pub fn credit_code() -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let id = uuid::Uuid::new_v4();
    let body: String = id.as_bytes()[..9]
        .iter()
        .map(|b| char::from(CHARS[(*b as usize) % CHARS.len()]))
        .collect();
    CreditCode::complete(&format!("91150784{body}"))
        .expect("valid prefix")
        .to_string()
}

/// An 18-digit citizen ID for Erguna (150784) with the given birth date (`YYYYMMDD`)
/// and sequence number (odd = male, even = female), with its right check character: valid
/// unless the birth date is not a real day or lies in the future.
pub fn citizen_id(birth: &str, seq: u32) -> String {
    let first17 = format!("150784{birth}{seq:03}");
    let check = CitizenId::check_character_of(&first17).expect("a YYYYMMDD date and a sequence");
    format!("{first17}{check}")
}

/// A provider with a staff login, a program on the horse-riding standard (ages 18–55,
/// 100 hours) and one cohort starting 2026-06-01.
pub struct Training {
    pub bureau: String,
    pub staff: String,
    pub program: String,
    pub cohort: String,
}

impl TestApp {
    pub async fn training(&self, capacity: u32) -> Training {
        let bureau = self.bureau().await;
        let provider = self
            .organisation(&bureau, "training_provider", "额尔古纳市职业技能培训中心")
            .await;
        let staff = self
            .account("provider-staff", Role::ProviderStaff, Some(&provider))
            .await;
        let (status, program) = self
            .post(
                "/api/v1/programs",
                &staff,
                json!({
                    "title": "骑马游向导服务专项能力培训",
                    "hours": 100,
                    "standard_code": "150784-QMY",
                    "min_age": 18,
                    "max_age": 55,
                    "certificates": [
                        {"kind": "completion", "min_attendance_percent": 90, "min_theory_score": 60, "min_practical_score": 60},
                        {"kind": "specialty", "min_theory_score": 60, "min_practical_score": 60}
                    ]
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{program}");
        let program = program["id"].as_str().expect("program id").to_owned();
        let cohort = self.cohort(&staff, &program, "QMY-2026-01", capacity).await;
        Training {
            bureau,
            staff,
            program,
            cohort,
        }
    }

    pub async fn cohort(&self, staff: &str, program: &str, code: &str, capacity: u32) -> String {
        let (status, cohort) = self
            .post(
                "/api/v1/cohorts",
                staff,
                json!({"program_id": program, "code": code, "starts_on": "2026-06-01", "ends_on": "2026-06-30",
                       "capacity": capacity, "location": "黑山头镇", "teachers": ["王建国", "其木格"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{cohort}");
        cohort["id"].as_str().expect("cohort id").to_owned()
    }

    pub async fn enrol(
        &self,
        staff: &str,
        cohort: &str,
        name: &str,
        citizen_id: &str,
    ) -> (StatusCode, Value) {
        self.post(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            staff,
            json!({"name": name, "citizen_id": citizen_id}),
        )
        .await
    }
}

/// Each object of the array `list` as the values of `keys` joined by spaces (strings bare,
/// anything else as JSON), so a whole list can be compared in one assertion.
pub fn pluck(list: &Value, keys: &[&str]) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|item| {
            keys.iter()
                .map(|k| match &item[*k] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}
