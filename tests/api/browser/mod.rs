//! Pages in a real browser: headless Chromium driven through chromedriver with
//! thirtyfour. One chromedriver serves the whole test binary; each test opens its own
//! browser session, which thirtyfour closes when the test ends, also when it fails. The
//! driver runs in a process group of its own under a watchdog that ends the group (the
//! driver and every Chromium it started) once this test binary has exited, however it
//! exited. Needs the Debian packages chromium and chromium-driver (`.ci/run` installs
//! them).

mod apprenticeships;
mod bureau;
mod certificates;
mod homes;
mod lookup;
mod orders;
mod outbox;
mod provider;
mod reports;
mod staff;
mod trainee;
mod verify;

use std::{
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    sync::OnceLock,
    time::Duration,
};

use serde_json::{Value, json};
use thirtyfour::{
    ChromiumLikeCapabilities, DesiredCapabilities, WebDriver, prelude::ElementQueryable,
};

/// The address of the one chromedriver of this test binary, started on first use.
fn driver_url() -> &'static str {
    static DRIVER: OnceLock<(Child, String)> = OnceLock::new();
    &DRIVER
        .get_or_init(|| {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            // `setsid` gives the driver a process group; the shell waits for this process to
            // end and then signals the whole group.
            let script = "chromedriver --port=\"$1\" >/dev/null 2>&1 & \
             while kill -0 \"$2\" 2>/dev/null; do sleep 0.5; done; kill -TERM 0";
            #[expect(
                clippy::zombie_processes,
                reason = "on the panic path the test binary is failing anyway"
            )]
            let watchdog = Command::new("setsid")
                .args(["sh", "-c", script, "sh"])
                .arg(port.to_string())
                .arg(std::process::id().to_string())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts (Debian package chromium-driver)");
            for _ in 0..200 {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    // Kept, never waited for: the watchdog ends after this process does.
                    return (watchdog, format!("http://127.0.0.1:{port}"));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            panic!("chromedriver did not answer on port {port}");
        })
        .1
}

/// A browser session; closed when dropped.
pub struct Browser {
    pub driver: WebDriver,
}

impl Browser {
    /// Chromium with the metrics of a 390 × 844 phone (CSS pixels, 3× density).
    pub async fn phone() -> Self {
        Self::start(Some(json!({"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3.0, "mobile": true, "touch": true}})), None).await
    }

    /// Chromium in a 1280 × 900 window.
    pub async fn laptop() -> Self {
        Self::start(None, Some("--window-size=1280,900")).await
    }

    async fn start(mobile: Option<Value>, window: Option<&str>) -> Self {
        let url = driver_url();
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary("/usr/bin/chromium").expect("binary");
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
        ]
        .into_iter()
        .chain(window)
        {
            caps.add_arg(arg).expect("arg");
        }
        if let Some(metrics) = mobile {
            caps.add_experimental_option("mobileEmulation", metrics)
                .expect("mobile emulation");
        }
        let driver = WebDriver::new(url, caps).await.expect("a browser session");
        Self { driver }
    }

    pub async fn open(&self, url: &str) {
        self.driver.goto(url).await.expect("page opens");
    }

    /// Runs `script` in the page and returns what it returns.
    pub async fn eval(&self, script: &str) -> Value {
        self.driver
            .execute(script, Vec::new())
            .await
            .expect("script runs")
            .json()
            .clone()
    }

    /// Runs `script` until it returns something other than null (up to 5 s).
    pub async fn wait_for(&self, script: &str) -> Value {
        for _ in 0..50 {
            if let Ok(ret) = self.driver.execute(script, Vec::new()).await
                && !ret.json().is_null()
            {
                return ret.json().clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Value::Null
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self
            .driver
            .query(thirtyfour::By::Css(css))
            .first()
            .await
            .unwrap_or_else(|e| panic!("no field {css}: {e}"));
        field.clear().await.expect("cleared");
        field.send_keys(text).await.expect("typed");
    }

    pub async fn click(&self, css: &str) {
        self.driver
            .query(thirtyfour::By::Css(css))
            .first()
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
            .click()
            .await
            .expect("clicked");
    }

    /// Clicks `css` (a submit button) and waits until the answer has loaded as a new page.
    pub async fn submit(&self, css: &str) {
        self.eval("window.__leaving = true; return null").await;
        self.click(css).await;
        let loaded = self
            .wait_for("return (window.__leaving === undefined && document.readyState === 'complete') || null")
            .await;
        assert!(!loaded.is_null(), "the form's answer did not load");
    }

    /// The page's text as shown.
    pub async fn text(&self) -> String {
        self.eval("return document.body.innerText")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Whether the page scrolls sideways (its content is wider than the window).
    pub async fn scrolls_sideways(&self) -> bool {
        let sizes = self
            .eval("return [document.documentElement.scrollWidth, window.innerWidth]")
            .await;
        sizes[0].as_f64() > sizes[1].as_f64()
    }

    /// Signs in through the form with the test password and waits for the home page.
    pub async fn sign_in_as(&self, app: &crate::helpers::TestApp, login: &str) {
        self.open(&format!("{}/sign-in", app.base)).await;
        self.type_into("#login", login).await;
        self.type_into("#password", crate::helpers::PASSWORD).await;
        self.submit("form button[type=submit]").await;
        self.wait_for_path("/").await;
    }

    /// Asserts the page does not scroll sideways and keeps a screenshot of it.
    pub async fn fits(&self, name: &str) {
        assert!(!self.scrolls_sideways().await, "{name} scrolls sideways");
        self.keep_screenshot(name).await;
    }

    /// Waits until the address bar's path is `path`.
    pub async fn wait_for_path(&self, path: &str) {
        let script = format!("return location.pathname === '{path}' || null");
        assert!(
            !self.wait_for(&script).await.is_null(),
            "the browser did not reach {path}"
        );
    }
}
