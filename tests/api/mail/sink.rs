//! A real SMTP server for the tests: `tests/smtp_sink.py` (aiosmtpd) in its own process,
//! writing each accepted message as JSON into a directory; it can be stopped and started
//! again on the same port, and told to refuse recipients with 550.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
};

use serde_json::Value;

pub struct Sink {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

/// A port nobody listens on yet.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Sink {
    /// A sink on a fresh port writing under `dir`, not started.
    pub fn new(dir: PathBuf) -> Self {
        std::fs::create_dir_all(&dir).expect("the sink's directory");
        Self {
            port: free_port(),
            dir,
            child: None,
        }
    }

    /// The URL the registry sends to.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the server, refusing `refuse` with 550; returns once it listens.
    pub fn start(&mut self, refuse: &[&str]) {
        assert!(self.child.is_none(), "the sink is running already");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_sink.py");
        let mut command = Command::new("python3");
        command
            .arg(script)
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::piped());
        for r in refuse {
            command.arg("--refuse").arg(r);
        }
        let mut child = command
            .spawn()
            .expect("python3 tests/smtp_sink.py (pip install aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the sink's first line");
        assert_eq!(line.trim(), "READY", "the SMTP sink did not start");
        self.child = Some(child);
    }

    /// Stops the server (the port then refuses connections).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Every message accepted so far, in order of arrival.
    pub fn received(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .expect("the sink's directory")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).expect("read")).expect("json"))
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
