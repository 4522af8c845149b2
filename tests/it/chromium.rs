//! Headless Chromium driven over WebDriver: Debian's `chromedriver` started on a free port for
//! each test, with a profile of its own in a temp dir. When a journey fails, what the browser
//! showed (a screenshot and the page source) is kept under `target/browser-failures/`.

use std::any::Any;
use std::future::Future;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use thirtyfour::prelude::*;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// How long to wait for something the browser is expected to do (a page to load, a window to
/// open). Generous: a loaded CI machine is slow, and a passing test never waits this long.
const PATIENCE: Duration = Duration::from_secs(30);

/// One browser: a chromedriver process, the Chromium it drives, and a session with it.
pub struct Chromium {
    driver: Option<WebDriver>,
    name: String,
    chromedriver: Child,
    #[expect(
        dead_code,
        reason = "held so that the profile lives as long as the browser"
    )]
    profile: TempDir,
}

impl Chromium {
    /// Starts chromedriver and a headless Chromium. `name` names the failure files.
    pub async fn start(name: &str) -> Chromium {
        for program in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(program).exists(),
                "{program} is missing: the browser tests need Debian's Chromium and its driver. \
                 Install them with `apt-get install -y chromium chromium-driver` (.ci/run does this)."
            );
        }
        let port = free_port();
        // A process group of its own, so that dropping the browser also ends the Chromium
        // processes chromedriver started, even when the test failed half-way.
        let chromedriver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("temp dir for the browser profile");
        let mut browser_driver = ChromiumStarting {
            chromedriver: Some(chromedriver),
        };
        let server = format!("http://127.0.0.1:{port}");
        wait_until_ready(&server).await;

        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(CHROMIUM).expect("binary");
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-dev-shm-usage",
            "--window-size=1280,1024",
        ] {
            caps.add_arg(arg).expect("browser argument");
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))
            .expect("profile argument");
        let driver = WebDriver::new(&server, caps)
            .await
            .expect("a Chromium session from chromedriver");
        Chromium {
            driver: Some(driver),
            name: name.to_owned(),
            chromedriver: browser_driver.chromedriver.take().expect("chromedriver"),
            profile,
        }
    }

    pub fn driver(&self) -> &WebDriver {
        self.driver.as_ref().expect("a browser session")
    }

    /// Opens `url` and waits for it to load.
    pub async fn open(&self, url: &str) {
        self.driver().goto(url).await.expect("open a page");
    }

    /// The first element matching the CSS `selector`, waiting for it to appear.
    pub async fn find(&self, selector: &str) -> WebElement {
        self.driver()
            .query(By::Css(selector))
            .wait(PATIENCE, Duration::from_millis(50))
            .first()
            .await
            .unwrap_or_else(|e| panic!("no element {selector:?} on the page: {e}"))
    }

    /// Every element matching `selector` on the page as it is now.
    pub async fn find_all(&self, selector: &str) -> Vec<WebElement> {
        self.driver()
            .find_all(By::Css(selector))
            .await
            .expect("find elements")
    }

    /// The visible text of the first element matching `selector`.
    pub async fn text(&self, selector: &str) -> String {
        self.find(selector)
            .await
            .text()
            .await
            .expect("element text")
    }

    /// The current value of a form field.
    pub async fn value(&self, selector: &str) -> String {
        self.find(selector)
            .await
            .prop("value")
            .await
            .expect("field value")
            .unwrap_or_default()
    }

    /// Types `text` into the field `selector` after emptying it, as a person would.
    pub async fn type_into(&self, selector: &str, text: &str) {
        let field = self.find(selector).await;
        field.clear().await.expect("clear a field");
        field.send_keys(text).await.expect("type into a field");
    }

    /// Picks the option with `value` in the select `selector`.
    pub async fn choose(&self, selector: &str, value: &str) {
        self.find(&format!("{selector} option[value='{value}']"))
            .await
            .click()
            .await
            .expect("choose an option");
    }

    /// Clicks the link or submit button `selector` and waits for the page it leads to.
    pub async fn click(&self, selector: &str) {
        let element = self.find(selector).await;
        self.follow(element).await;
    }

    /// Clicks `selector` when that leaves this window's page where it is (a button whose
    /// result opens in another window).
    pub async fn click_in_place(&self, selector: &str) {
        self.find(selector).await.click().await.expect("click");
    }

    /// Clicks the link whose text is exactly `text` inside `within` and waits for its page.
    pub async fn click_link(&self, within: &str, text: &str) {
        let links = self.find_all(&format!("{within} a")).await;
        for link in links {
            if link.text().await.expect("link text").trim() == text {
                self.follow(link).await;
                return;
            }
        }
        panic!("no link {text:?} in {within}");
    }

    /// Clicks `element` and waits until the page that held it is gone. WebDriver's click does
    /// not always wait for the navigation a form submission starts, and a page read too soon
    /// would be the old one.
    async fn follow(&self, element: WebElement) {
        let old_page = self
            .driver()
            .find(By::Css("html"))
            .await
            .expect("the page's root");
        element.click().await.expect("click");
        let deadline = Instant::now() + PATIENCE;
        while old_page.is_present().await.unwrap_or(false) {
            assert!(Instant::now() < deadline, "the click led to no new page");
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The path (and query) of the page the browser shows.
    pub async fn path(&self) -> String {
        let url = self.driver().current_url().await.expect("current url");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits for a window other than `known` to open and switches to it.
    pub async fn switch_to_new_window(&self, known: &[WindowHandle]) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let windows = self.driver().windows().await.expect("windows");
            if let Some(new) = windows.into_iter().find(|w| !known.contains(w)) {
                self.driver()
                    .switch_to_window(new)
                    .await
                    .expect("switch window");
                return;
            }
            assert!(Instant::now() < deadline, "no new window opened");
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Logs in through the login page.
    pub async fn login(&self, address: &str, username: &str, password: &str) {
        self.open(&format!("{address}/login")).await;
        self.fill_login(username, password).await;
        assert!(
            self.path().await.starts_with("/desk"),
            "logging in as {username} did not lead to the desk but to {}",
            self.path().await
        );
    }

    /// Fills in and sends the login form on the page shown.
    pub async fn fill_login(&self, username: &str, password: &str) {
        self.type_into("#username", username).await;
        self.type_into("#password", password).await;
        self.click("form button[type='submit']").await;
    }

    /// Saves a screenshot and the page source of every window; returns the files written.
    async fn save_failure(&self) -> Vec<PathBuf> {
        let dir = failure_dir();
        let _ = std::fs::create_dir_all(&dir);
        let mut saved = Vec::new();
        let windows = self.driver().windows().await.unwrap_or_default();
        for (n, window) in windows.into_iter().enumerate() {
            if self.driver().switch_to_window(window).await.is_err() {
                continue;
            }
            let stem = dir.join(format!("{}-window{n}", self.name));
            let png = stem.with_extension("png");
            if self.driver().screenshot(&png).await.is_ok() {
                saved.push(png);
            }
            if let Ok(source) = self.driver().source().await {
                let html = stem.with_extension("html");
                if std::fs::write(&html, source).is_ok() {
                    saved.push(html);
                }
            }
        }
        saved
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // A session that `journey` did not quit (the test failed before it) is not ended over
        // WebDriver here: thirtyfour's blocking fallback for that waits out a two-minute timeout.
        // Killing the process group ends the browser just as surely.
        if let Some(driver) = self.driver.take() {
            let _ = driver.leak();
        }
        end_group(&mut self.chromedriver);
    }
}

/// chromedriver while the session is being set up: ended if setting up fails.
struct ChromiumStarting {
    chromedriver: Option<Child>,
}

impl Drop for ChromiumStarting {
    fn drop(&mut self) {
        if let Some(child) = self.chromedriver.as_mut() {
            end_group(child);
        }
    }
}

/// Kills chromedriver and everything it started (its process group).
fn end_group(child: &mut Child) {
    let group = format!("-{}", child.id());
    let _ = Command::new("kill")
        .args(["-KILL", "--", &group])
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs a journey's `steps`. If they fail, every browser's windows are saved to
/// `target/browser-failures/`, the paths printed, and the test fails with the original message.
/// The browsers' sessions are ended either way.
pub async fn journey(browsers: &[&Chromium], steps: impl Future<Output = ()>) {
    let outcome = CatchUnwind(Box::pin(steps)).await;
    if outcome.is_err() {
        for browser in browsers {
            for file in browser.save_failure().await {
                eprintln!("browser failure saved: {}", file.display());
            }
        }
    }
    for browser in browsers {
        let _ = browser.driver().clone().quit().await;
    }
    if let Err(panic) = outcome {
        resume_unwind(panic);
    }
}

/// A future whose panics are caught and returned, so that the browser can be photographed
/// before the test fails.
struct CatchUnwind<'a>(Pin<Box<dyn Future<Output = ()> + 'a>>);

impl Future for CatchUnwind<'_> {
    type Output = Result<(), Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(())) => Poll::Ready(Ok(())),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

fn failure_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("browser-failures")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Waits until chromedriver answers its status request.
async fn wait_until_ready(server: &str) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(response) = client.get(format!("{server}/status")).send().await
            && response.status().is_success()
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not start on {server}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}
