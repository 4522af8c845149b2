//! Starting the application for a test and talking to it.

use newsroom::domain::{Body, Bylines, Headline, Section, Status, Story};
use newsroom::settings::Settings;
use newsroom::startup::Application;
use newsroom::storage::{SharedStore, SledStore};
use reqwest::StatusCode;
use scraper::Html;
use std::sync::Arc;
use tempfile::TempDir;
use time::OffsetDateTime;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub store: SharedStore,
    pub dir: TempDir,
}

impl TestApp {
    /// A server with an empty database and default settings.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings::new(dir.path().join("data"));
        settings.bind = "127.0.0.1:0".into();
        settings.cache_bytes = 8 << 20;
        configure(&mut settings);
        let store: SharedStore = Arc::new(
            SledStore::open(&settings.data_dir, settings.cache_bytes).expect("open store"),
        );
        let app = Application::build_with_store(settings, store.clone()).expect("build app");
        let address = format!("http://127.0.0.1:{}", app.port());
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
            dir,
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

    /// GET a page and parse it; returns the status too.
    pub async fn get_html(&self, path: &str) -> (StatusCode, Html) {
        let response = self.get(path).await;
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, Html::parse_document(&text))
    }
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
        self.story.section = Section::parse(key).expect("section");
        self
    }

    pub fn body(mut self, markdown: &str) -> Self {
        self.story.body = Body::parse(markdown).expect("body");
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
