//! What the server leaves on disk and in its log: the data directory, the database file
//! and the keys readable by their owner only; and a flood of refused requests does not
//! write a log line per refusal.

use std::{
    io::Read,
    os::unix::fs::PermissionsExt,
    path::Path,
    process::{Command, Stdio},
};

use reqwest::StatusCode;

use crate::helpers::TestApp;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn the_data_directory_database_and_keys_are_readable_by_the_owner_only() {
    let app = TestApp::spawn().await;
    app.bureau().await;
    let dir = &app.data_dir;
    assert_eq!(mode(dir), 0o700, "data directory");
    assert_eq!(mode(&dir.join("keys")), 0o700);
    assert_eq!(mode(&dir.join("keys/pii.key")), 0o600);
    for entry in std::fs::read_dir(dir.join("keys/signing")).expect("signing keys") {
        let path = entry.expect("entry").path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    if app.database_url.starts_with("sqlite:") {
        for name in ["registry.db", "registry.db-wal", "registry.db-shm"] {
            let path = dir.join(name);
            if name == "registry.db" || path.exists() {
                assert_eq!(mode(&path), 0o600, "{name}");
            }
        }
    }
}

#[tokio::test]
async fn a_flood_of_refused_requests_is_logged_as_a_summary_not_line_by_line() {
    // The server as run in production (on its own SQLite file), its log captured.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let data_dir =
        std::env::temp_dir().join(format!("registry-flood-{}", uuid::Uuid::new_v4().simple()));
    let mut server = Command::new(env!("CARGO_BIN_EXE_registry"))
        .arg("serve")
        .env("REGISTRY_DATA_DIR", &data_dir)
        .env_remove("DATABASE_URL")
        .env("REGISTRY_BIND", format!("127.0.0.1:{port}"))
        .env("REGISTRY_VERIFY_RATE_PER_MINUTE", "4")
        .env("REGISTRY_LOG", "info")
        .env("REGISTRY_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start registry serve");
    // Read the log as it is written, so a full pipe never stalls the server.
    let mut stderr = server.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        let _ = stderr.read_to_string(&mut log);
        log
    });
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..300 {
        if client.get(format!("{base}/health")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "the server started");
    let mut refused = 0;
    for _ in 0..200 {
        let resp = client
            .get(format!("{base}/api/v1/verify/NoSuchToken0000000000A"))
            .send()
            .await
            .expect("sent");
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert!(refused >= 190, "{refused}");
    server.kill().expect("stop the server");
    server.wait().expect("stopped");
    let log = reader.join().expect("the log");
    let _ = std::fs::remove_dir_all(&data_dir);
    // The lines that report a 429: one JSON object each, the status among its fields.
    let lines: Vec<&str> = log
        .lines()
        .filter(|line| {
            serde_json::from_str::<serde_json::Value>(line).is_ok_and(|entry| {
                let status = &entry["fields"]["status"];
                status == 429 || status == "429"
            })
        })
        .collect();
    assert!(
        !lines.is_empty() && lines.len() <= 2,
        "one line when refusing starts, a summary at most once a minute: {} lines\n{}",
        lines.len(),
        lines.join("\n")
    );
}
