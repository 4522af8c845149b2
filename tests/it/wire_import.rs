//! `newsroom import-wire`, run as the real binary, and what readers then see.

use crate::helpers::{
    ServerProcess, TestApp, TestSite, fixture, import_wire, newsroom, run, select, text_of,
};
use reqwest::StatusCode;
use scraper::Html;
use std::path::PathBuf;

const FIXTURE: &str = "wire-story-syria-talks.txt";
const HEADLINE: &str = "Latest peace talks on Syria end without major breakthrough";
const ARTICLE: &str = "/2017/07/15/latest-peace-talks-on-syria-end-without-major-breakthrough";

/// Imports the Syria talks fixture with the binary, then serves the same site.
async fn serve_imported_fixture() -> TestApp {
    let site = TestSite::new();
    let import = import_wire(&site, &[&fixture(FIXTURE)]);
    assert!(import.status.success(), "import failed: {}", import.stderr);
    TestApp::spawn_in(site, |_| {}).await
}

async fn fixture_article() -> Html {
    let app = serve_imported_fixture().await;
    let (status, html) = app.get_html(ARTICLE).await;
    assert_eq!(status, StatusCode::OK);
    html
}

/// Writes `text` to a file in `site`'s temp dir and returns its path.
fn write_file(site: &TestSite, name: &str, text: &str) -> PathBuf {
    let path = site.path().join(name);
    std::fs::write(&path, text).expect("write file");
    path
}

#[actix_web::test]
async fn imported_wire_copy_shows_its_headline_meta_line_and_byline() {
    let article = fixture_article().await;

    assert_eq!(text_of(&article, "h1").as_deref(), Some(HEADLINE));
    assert_eq!(
        text_of(&article, ".meta-line").as_deref(),
        Some("Source: Xinhua | 15 July 2017, 07:11 | Editor: ZD")
    );
    assert_eq!(text_of(&article, ".byline").as_deref(), Some("By Xinhua"));
}

#[actix_web::test]
async fn the_caption_of_a_wire_photo_not_sent_is_not_shown_to_readers() {
    let article = fixture_article().await;

    // Wire copy carries the caption of a picture it does not send: a caption alone would
    // describe nothing the reader can see.
    assert!(select(&article, "figure, figcaption").is_empty());
    assert!(
        !text_of(&article, "main")
            .unwrap_or_default()
            .contains("Xinhua/POOL/Xu Jinquan"),
        "the credit is not shown"
    );
    // Nor is the caption taken for the story's first paragraph.
    let first = text_of(&article, ".story-body p").expect("a paragraph");
    assert!(!first.contains("press conference at Palais des Nations"));
}

#[actix_web::test]
async fn the_dateline_leads_the_first_paragraph_and_the_body_runs_to_its_end() {
    let article = fixture_article().await;

    let paragraphs: Vec<String> = select(&article, ".story-body p")
        .iter()
        .map(|p| p.text().collect::<String>())
        .collect();
    assert_eq!(paragraphs.len(), 11, "{paragraphs:#?}");
    assert_eq!(
        text_of(&article, ".story-body p:first-child .dateline").as_deref(),
        Some("GENEVA, July 14 (Xinhua) --")
    );
    assert!(
        paragraphs[0].starts_with(
            "GENEVA, July 14 (Xinhua) -- The UN Special Envoy for Syria Staffan de Mistura on Friday night announced"
        ),
        "{}",
        paragraphs[0]
    );
    let last = &paragraphs[10];
    assert!(
        last.starts_with("De Mistura cited President Macron as saying that"),
        "{last}"
    );
    assert!(last.ends_with("through the UN process.\u{201d}"), "{last}");
}

#[actix_web::test]
async fn the_agency_page_navigation_is_left_out() {
    let article = fixture_article().await;

    let body = text_of(&article, ".story-body").expect("a story body");
    assert!(body.ends_with("through the UN process.\u{201d}"), "{body}");
    assert!(!body.contains("1 2 3 4"), "{body}");
    assert!(!body.contains("Next"), "{body}");
    assert!(select(&article, ".pager").is_empty());
}

#[actix_web::test]
async fn imported_wire_copy_is_listed_on_the_front_and_its_section() {
    let app = serve_imported_fixture().await;

    for listing in ["/", "/section/world"] {
        let (_, html) = app.get_html(listing).await;
        let links = select(&html, ".story-list h2 a");
        assert_eq!(links.len(), 1, "{listing}");
        assert_eq!(links[0].value().attr("href"), Some(ARTICLE), "{listing}");
        assert_eq!(links[0].text().collect::<String>(), HEADLINE, "{listing}");
    }
}

#[actix_web::test]
async fn importing_tells_where_readers_find_the_story() {
    let site = TestSite::new();
    let file = fixture(FIXTURE);

    let first = import_wire(&site, &[&file]);
    let second = import_wire(&site, &[&file]);

    assert_eq!(
        first.stdout,
        format!("{}: published {HEADLINE:?} as {ARTICLE}\n", file.display())
    );
    assert_eq!(
        second.stdout,
        format!(
            "{}: already imported as {ARTICLE}; skipped\n",
            file.display()
        )
    );
}

#[actix_web::test]
async fn an_import_can_go_to_another_section() {
    let site = TestSite::new();
    let mut command = newsroom(&site);
    command
        .args(["import-wire", "--section", "politics"])
        .arg(fixture(FIXTURE));

    let import = run(command);

    assert!(import.status.success(), "{}", import.stderr);
    let app = TestApp::spawn_in(site, |_| {}).await;
    let (_, politics) = app.get_html("/section/politics").await;
    let (_, world) = app.get_html("/section/world").await;
    assert_eq!(select(&politics, ".story-list li").len(), 1);
    assert!(select(&world, ".story-list li").is_empty());
}

#[actix_web::test]
async fn a_malformed_file_is_refused_with_its_name_and_line_and_nothing_of_it_is_saved() {
    let site = TestSite::new();
    let text = std::fs::read_to_string(fixture(FIXTURE))
        .expect("fixture")
        .replace(HEADLINE, "Talks collapse in Geneva")
        .replace(
            "Source: Xinhua| 2017-07-15 07:11:57|Editor: ZD",
            "Source Xinhua",
        );
    let file = write_file(&site, "broken.txt", &text);

    let import = import_wire(&site, &[&file]);

    assert!(!import.status.success(), "a broken file was accepted");
    let reported = format!("{}: line 3: expected `Source:", file.display());
    assert!(import.stderr.contains(&reported), "{}", import.stderr);
    assert!(!import.stderr.contains("panicked"), "{}", import.stderr);
    let app = TestApp::spawn_in(site, |_| {}).await;
    let (_, front) = app.get_html("/").await;
    assert!(select(&front, ".story-list li").is_empty());
    app.assert_not_found("/2017/07/15/talks-collapse-in-geneva")
        .await;
}

#[actix_web::test]
async fn a_good_file_is_imported_even_when_another_is_malformed() {
    let site = TestSite::new();
    let broken = write_file(&site, "broken.txt", "Only a headline\n");

    let import = import_wire(&site, &[&broken, &fixture(FIXTURE)]);

    assert!(!import.status.success());
    assert!(
        import
            .stderr
            .contains(&format!("{}: line 2:", broken.display())),
        "{}",
        import.stderr
    );
    assert!(
        import.stderr.contains("1 of 2 files could not be imported"),
        "{}",
        import.stderr
    );
    let app = TestApp::spawn_in(site, |_| {}).await;
    let (status, article) = app.get_html(ARTICLE).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&article, "h1").as_deref(), Some(HEADLINE));
}

#[actix_web::test]
async fn a_missing_file_is_named_in_the_error() {
    let site = TestSite::new();
    let missing = site.path().join("no-such-story.txt");

    let import = import_wire(&site, &[&missing]);

    assert!(!import.status.success());
    assert!(
        import
            .stderr
            .contains(&format!("cannot read {}", missing.display())),
        "{}",
        import.stderr
    );
}

#[actix_web::test]
async fn importing_the_same_file_twice_keeps_one_story() {
    let site = TestSite::new();
    let first = import_wire(&site, &[&fixture(FIXTURE)]);
    assert!(first.status.success(), "{}", first.stderr);

    let second = import_wire(&site, &[&fixture(FIXTURE)]);

    assert!(second.status.success(), "{}", second.stderr);
    assert!(
        second.stdout.contains("already imported"),
        "{}",
        second.stdout
    );
    let app = TestApp::spawn_in(site, |_| {}).await;
    let (_, front) = app.get_html("/").await;
    assert_eq!(select(&front, ".story-list li").len(), 1);
    app.assert_not_found(&format!("{ARTICLE}-2")).await;
}

#[actix_web::test]
async fn import_wire_on_a_directory_held_by_the_server_publishes_through_it() {
    // sled allows one process at a time in its directory: the command runs in the server.
    let site = TestSite::sled();
    let server = ServerProcess::start(&site, site.path().join("serve.log")).await;

    let import = import_wire(&site, &[&fixture(FIXTURE)]);

    assert!(import.status.success(), "{}", import.stderr);
    assert!(
        import
            .stdout
            .contains(&format!("published {HEADLINE:?} as {ARTICLE}")),
        "{}",
        import.stdout
    );
    for raw in [
        "stop it first",
        "panicked",
        "WouldBlock",
        "os error",
        "temporarily unavailable",
    ] {
        assert!(!import.stderr.contains(raw), "{}", import.stderr);
    }
    assert_eq!(server.get(ARTICLE).await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn a_second_server_on_the_same_directory_is_refused() {
    // sled allows one process at a time in its directory; a database server has no such rule.
    let site = TestSite::sled();
    let _server = ServerProcess::start(&site, site.path().join("serve.log")).await;

    let mut second = newsroom(&site);
    second.args(["serve", "--bind", "127.0.0.1:0"]);
    let second = run(second);

    assert!(!second.status.success());
    assert!(
        second
            .stderr
            .contains("is in use by a running server; stop it first"),
        "{}",
        second.stderr
    );
}

#[actix_web::test]
async fn a_restarted_server_still_serves_what_was_imported() {
    let site = TestSite::new();
    let import = import_wire(&site, &[&fixture(FIXTURE)]);
    assert!(import.status.success(), "{}", import.stderr);
    let mut server = ServerProcess::start(&site, site.path().join("first.log")).await;
    assert_eq!(server.get(ARTICLE).await.status(), StatusCode::OK);

    let stopped = server.stop().await;
    assert!(stopped.success(), "SIGTERM ended the server with {stopped}");
    // Once stopped, the server no longer holds the directory.
    let later = std::fs::read_to_string(fixture(FIXTURE))
        .expect("fixture")
        .replace(HEADLINE, "Envoy plans September round");
    let later = write_file(&site, "later.txt", &later);
    let import = import_wire(&site, &[&later]);
    assert!(import.status.success(), "{}", import.stderr);
    let server = ServerProcess::start(&site, site.path().join("second.log")).await;

    let (_, front) = {
        let response = server.get("/").await;
        (
            response.status(),
            Html::parse_document(&response.text().await.expect("body")),
        )
    };
    let headlines: Vec<String> = select(&front, ".story-list h2 a")
        .iter()
        .map(|a| a.text().collect())
        .collect();
    assert_eq!(headlines.len(), 2, "{headlines:?}");
    assert!(headlines.iter().any(|h| h == HEADLINE), "{headlines:?}");
    assert!(
        headlines.iter().any(|h| h == "Envoy plans September round"),
        "{headlines:?}"
    );
    let response = server.get(ARTICLE).await;
    assert_eq!(response.status(), StatusCode::OK);
    let article = Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(text_of(&article, "h1").as_deref(), Some(HEADLINE));
    assert_eq!(
        text_of(&article, ".meta-line").as_deref(),
        Some("Source: Xinhua | 15 July 2017, 07:11 | Editor: ZD")
    );
}
