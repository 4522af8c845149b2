//! Starting the application for a test and talking to it.

mod site;

use newsroom::clock::Clock;
use newsroom::domain::{Body, Bylines, Headline, Section, Status, Story};
use newsroom::settings::Settings;
use newsroom::startup::Application;
use newsroom::storage::SharedStore;
use reqwest::StatusCode;
use scraper::Html;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

pub use site::{Engine, TestSite, runs_once};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub store: SharedStore,
    /// The server's clock: move it forward instead of sleeping.
    pub clock: Clock,
    /// The first-run setup token, while the database holds no account.
    pub setup_token: Option<String>,
    #[expect(
        dead_code,
        reason = "held so that the site's storage lives as long as the app"
    )]
    pub site: TestSite,
}

impl TestApp {
    /// A server with an empty database and default settings.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
        Self::spawn_in(TestSite::new(), configure).await
    }

    /// A server on `site`'s database, which may already hold stories (written by the
    /// `newsroom` binary, say).
    pub async fn spawn_in(site: TestSite, configure: impl FnOnce(&mut Settings)) -> TestApp {
        let mut settings = Settings::new(site.storage());
        settings.bind = "127.0.0.1:0".into();
        configure(&mut settings);
        let clock = settings.clock.clone();
        let store = site.open_with_clock(clock.clone());
        let app = Application::build_with_store(settings, store.clone()).expect("build app");
        let address = format!("http://127.0.0.1:{}", app.port());
        let setup_token = app.setup_token().map(str::to_owned);
        actix_web::rt::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("client");
        TestApp {
            address,
            client,
            store,
            clock,
            setup_token,
            site,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// GETs `path` and checks that it is the friendly "Page not found" page.
    pub async fn assert_not_found(&self, path: &str) {
        assert_is_not_found_page(self.get(path).await, path).await;
    }

    /// GET a page and parse it; returns the status too.
    pub async fn get_html(&self, path: &str) -> (StatusCode, Html) {
        let response = self.get(path).await;
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, Html::parse_document(&text))
    }
}

/// Checks that `response` is a permanent redirect to `location`.
pub fn assert_is_redirect_to(response: &reqwest::Response, location: &str) {
    assert_eq!(
        response.status(),
        StatusCode::MOVED_PERMANENTLY,
        "{} is not a redirect",
        response.url()
    );
    assert_eq!(
        self::location(response).as_deref(),
        Some(location),
        "{} redirects elsewhere",
        response.url()
    );
}

/// Checks that `response` is the HTML "Page not found" page readers see, not a bare status.
pub async fn assert_is_not_found_page(response: reqwest::Response, what: &str) {
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "{what}");
    let content_type =
        header(response.headers(), reqwest::header::CONTENT_TYPE).unwrap_or_default();
    assert!(
        content_type.starts_with("text/html"),
        "{what}: content type {content_type:?}"
    );
    let html = Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(
        text_of(&html, "h1").as_deref(),
        Some("Page not found"),
        "{what}"
    );
    assert_eq!(
        select(&html, "a[href='/']").len(),
        1,
        "{what}: no way back to the front page"
    );
}

/// Builds stories for tests: `StoryBuilder::new("Headline").published_at(t).save(&app)`.
pub struct StoryBuilder {
    story: Story,
}

impl StoryBuilder {
    pub fn new(headline: &str) -> Self {
        let story = Story::draft(
            Headline::parse(headline).expect("headline"),
            Section::parse("world").expect("section"),
            Bylines::parse("Test Writer").expect("byline"),
            Body::parse("A paragraph of news.").expect("body"),
            OffsetDateTime::now_utc(),
        );
        Self { story }
    }

    pub fn section(mut self, key: &str) -> Self {
        self.story.content.section = Section::parse(key).expect("section");
        self
    }

    pub fn body(mut self, markdown: &str) -> Self {
        self.story.content.body = Body::parse(markdown).expect("body");
        self
    }

    pub fn published_at(mut self, at: OffsetDateTime) -> Self {
        self.story.published_at = Some(at);
        self.story.publish(at, None);
        self
    }

    pub fn status(mut self, status: Status) -> Self {
        self.story.status = status;
        self
    }

    pub fn with(mut self, change: impl FnOnce(&mut Story)) -> Self {
        change(&mut self.story);
        self
    }

    pub fn save(self, app: &TestApp) -> Story {
        app.store.save_story(&self.story, None).expect("save story")
    }

    /// The story unsaved, for `Store::import_stories`.
    pub fn into_story(self) -> Story {
        self.story
    }
}

/// The text of the first element matching `selector`, whitespace collapsed.
pub fn text_of(html: &Html, selector: &str) -> Option<String> {
    let selector = scraper::Selector::parse(selector).expect("selector");
    html.select(&selector).next().map(|e| {
        e.text()
            .collect::<Vec<_>>()
            .join("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// Every element matching `selector`.
pub fn select<'a>(html: &'a Html, selector: &str) -> Vec<scraper::ElementRef<'a>> {
    let selector = scraper::Selector::parse(selector).expect("selector");
    html.select(&selector).collect()
}

// --- The `newsroom` binary ------------------------------------------------------------------

/// A file in `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The `newsroom` binary on `site`'s database, deaf to any `NEWSROOM_*` variables of the
/// environment the tests run in.
pub fn newsroom(site: &TestSite) -> Command {
    // `NEWSROOM_TEST_BIN` names another copy of the binary: the one in a target directory
    // shared between checkouts may be another checkout's build.
    let binary = std::env::var_os("NEWSROOM_TEST_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_newsroom").into());
    let mut command = Command::new(binary);
    for var in [
        "NEWSROOM_DATA",
        "NEWSROOM_CACHE_MB",
        "NEWSROOM_DATABASE_URL",
        "NEWSROOM_BIND",
        "NEWSROOM_BASE_URL",
        "NEWSROOM_SITE_NAME",
        "NEWSROOM_PER_PAGE",
        "NEWSROOM_TIME_ZONE",
    ] {
        command.env_remove(var);
    }
    command
        .env("RUST_LOG", "info,sled=warn")
        .env("NO_COLOR", "1")
        .args(site.cli_args())
        .stdin(Stdio::null());
    command
}

/// What a command that ran to its end printed, and how it ended.
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `command` to its end.
pub fn run(mut command: Command) -> Finished {
    let output = command.output().expect("run newsroom");
    Finished {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `newsroom import-wire FILE...` on `site`'s database.
pub fn import_wire(site: &TestSite, files: &[&Path]) -> Finished {
    let mut command = newsroom(site);
    command.arg("import-wire").args(files);
    run(command)
}

/// `newsroom serve` running in its own process on a free port. Killed when dropped, so a
/// failing test leaves nothing behind.
pub struct ServerProcess {
    child: Child,
    log: PathBuf,
    pub address: String,
    pub client: reqwest::Client,
}

impl ServerProcess {
    /// Starts `newsroom serve` on `site`'s database, its log going to `log`, and waits until it
    /// listens.
    pub async fn start(site: &TestSite, log: PathBuf) -> ServerProcess {
        Self::start_with(site, log, &[]).await
    }

    /// [`ServerProcess::start`] with more arguments for `serve`.
    pub async fn start_with(site: &TestSite, log: PathBuf, args: &[&str]) -> ServerProcess {
        let log_file = File::create(&log).expect("create log file");
        let mut command = newsroom(site);
        command.arg("serve");
        // A port of the test's choosing, or any free one.
        if !args.contains(&"--bind") {
            command.args(["--bind", "127.0.0.1:0"]);
        }
        let child = command
            .args(args)
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .expect("start newsroom serve");
        // No idle connections: the server's graceful stop would wait for them to time out.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .build()
            .expect("client");
        let mut server = ServerProcess {
            child,
            log,
            address: String::new(),
            client,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(port) = listening_port(&server.log()) {
                server.address = format!("http://127.0.0.1:{port}");
                return server;
            }
            if let Some(status) = server.child.try_wait().expect("poll server") {
                panic!(
                    "the server ended ({status}) before listening:\n{}",
                    server.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the server did not say where it listens:\n{}",
                server.log()
            );
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Everything the server has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .expect("request")
    }

    /// Sends SIGTERM, as a service manager does, and waits for the process to end.
    pub async fn stop(&mut self) -> ExitStatus {
        self.terminate();
        self.wait_for_exit().await
    }

    /// Sends SIGTERM and returns at once.
    pub fn terminate(&self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM {pid} failed");
    }

    /// Ends the process at once with SIGKILL, as a crash would, and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether the process has ended.
    pub fn has_exited(&mut self) -> bool {
        self.child.try_wait().expect("poll server").is_some()
    }

    /// Waits (up to 10 seconds) for the process to end.
    pub async fn wait_for_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("poll server") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop on SIGTERM:\n{}",
                self.log()
            );
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The port in the start-up line `serving Newsroom on http://127.0.0.1:PORT`.
fn listening_port(log: &str) -> Option<u16> {
    const MARK: &str = " on http://127.0.0.1:";
    log.lines()
        .filter(|line| line.contains("serving "))
        .find_map(|line| {
            let rest = &line[line.find(MARK)? + MARK.len()..];
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
}

/// The headlines a listing page links to, in order.
pub fn listed_headlines(html: &Html) -> Vec<String> {
    select(html, ".story-list h2 a")
        .iter()
        .map(|a| a.text().collect())
        .collect()
}

/// The `href` of the pager's link with `rel` ("prev" or "next"), if there is one.
pub fn pager_rel(html: &Html, rel: &str) -> Option<String> {
    let links = select(html, &format!(".pager a[rel='{rel}']"));
    assert!(links.len() <= 1, "{} links with rel={rel}", links.len());
    links
        .first()
        .and_then(|a| a.value().attr("href"))
        .map(str::to_owned)
}

/// The pager's numbered links as (number, href), and the number marked current.
pub fn pager_numbers(html: &Html) -> (Vec<(String, String)>, Option<String>) {
    let numbered: Vec<(String, String)> = select(html, ".pager a:not([rel])")
        .iter()
        .map(|a| {
            (
                a.text().collect(),
                a.value().attr("href").unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let current = text_of(html, ".pager a[aria-current='page']");
    (numbered, current)
}

// --- Desk accounts and signed-in browsers -----------------------------------------------------

impl TestApp {
    /// Creates an account straight in the database, as `newsroom user add` would.
    pub fn create_user(
        &self,
        username: &str,
        role: newsroom::domain::Role,
        password: &str,
    ) -> newsroom::domain::User {
        let username = newsroom::domain::Username::parse(username).expect("username");
        let password = newsroom::domain::Password::new(password).expect("password");
        let user = newsroom::domain::User {
            id: newsroom::domain::UserId::new(),
            initials: newsroom::domain::User::initials_for(&username),
            username,
            role,
            password_hash: newsroom::auth::password::hash_blocking(&password).expect("hash"),
            disabled: false,
            created_at: OffsetDateTime::now_utc(),
            two_factor: None,
        };
        self.store.create_user(&user).expect("create user");
        user
    }

    /// A browser of its own (its own cookies), not logged in.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    /// A browser of its own, logged in as `username`; panics if the login fails.
    pub async fn login(&self, username: &str, password: &str) -> Browser {
        let browser = self.browser();
        let response = browser.try_login(username, password).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "login as {username} failed"
        );
        browser
    }
}

/// An HTTP client with its own cookie jar, talking to one server.
pub struct Browser {
    pub client: reqwest::Client,
    pub address: String,
}

impl Browser {
    pub fn new(address: &str) -> Browser {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .pool_max_idle_per_host(0)
            .build()
            .expect("client");
        Browser {
            client,
            address: address.to_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_html(&self, path: &str) -> (StatusCode, Html) {
        let response = self.get(path).await;
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, Html::parse_document(&text))
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{}", self.address, path))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Fills in and sends the login form, as a person would: the form's hidden token first.
    pub async fn try_login(&self, username: &str, password: &str) -> reqwest::Response {
        let (status, page) = self.get_html("/login").await;
        assert_eq!(status, StatusCode::OK, "the login page");
        let token = input_value(&page, "form_token").expect("form_token in the login form");
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("form_token", &token),
                ("next", "/desk"),
            ],
        )
        .await
    }

    /// The CSRF token of the session, read from the forms of a desk page at `path`.
    pub async fn csrf(&self, path: &str) -> String {
        let (status, page) = self.get_html(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        input_value(&page, "csrf").expect("a csrf field")
    }
}

/// The value of the first `<input name=NAME>`.
pub fn input_value(html: &Html, name: &str) -> Option<String> {
    select(html, &format!("input[name='{name}']"))
        .first()
        .and_then(|input| input.value().attr("value"))
        .map(str::to_owned)
}

/// A header's value as text; `None` when it is absent or not text.
pub fn header(
    headers: &reqwest::header::HeaderMap,
    name: impl reqwest::header::AsHeaderName,
) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The `Location` a response sends the browser to.
pub fn location(response: &reqwest::Response) -> Option<String> {
    header(response.headers(), reqwest::header::LOCATION)
}

/// Runs `command` with `input` on its standard input, to its end.
pub fn run_with_input(mut command: Command, input: &str) -> Finished {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run newsroom");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let output = child.wait_with_output().expect("wait for newsroom");
    Finished {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
