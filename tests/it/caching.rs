//! HTTP caching of the public site: validators and 304s, Cache-Control, compression, and the
//! rendered-page cache never outliving a change readers can see.

use crate::helpers::{StoryBuilder, TestApp, header};
use newsroom::domain::{Headline, Status, Story};
use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED,
};
use std::io::Read;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const LISTING: &str = "max-age=60, stale-while-revalidate=300";
const ARTICLE_CACHE: &str = "max-age=300, stale-while-revalidate=3600";
const ARTICLE: &str = "/2017/07/15/talks-end";

/// Every public GET page, with the Cache-Control it should carry.
const PUBLIC_PAGES: [(&str, &str); 10] = [
    ("/", LISTING),
    ("/section/world", LISTING),
    (ARTICLE, ARTICLE_CACHE),
    ("/rss.xml", LISTING),
    ("/atom.xml", LISTING),
    ("/section/world/rss.xml", LISTING),
    ("/sitemap.xml", LISTING),
    ("/sitemaps/1.xml", LISTING),
    ("/sitemaps/news.xml", LISTING),
    ("/robots.txt", LISTING),
];

fn publish_talks_end(app: &TestApp) -> Story {
    StoryBuilder::new("Talks end")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .save(app)
}

async fn get_with(app: &TestApp, path: &str, name: &str, value: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header(name, value)
        .send()
        .await
        .expect("request")
}

async fn etag_of(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    header(response.headers(), ETAG).unwrap_or_else(|| panic!("{path} has no ETag"))
}

/// Saves a new revision of `story` after `change`.
fn edit(app: &TestApp, story: &Story, change: impl FnOnce(&mut Story)) -> Story {
    let mut next = story.clone();
    change(&mut next);
    app.store
        .save_story(&next, Some(story.revision))
        .expect("save story")
}

#[actix_web::test]
async fn every_public_page_answers_a_matching_etag_with_304() {
    let app = TestApp::spawn().await;
    publish_talks_end(&app);

    for (path, cache_control) in PUBLIC_PAGES {
        let first = app.get(path).await;
        assert_eq!(first.status(), StatusCode::OK, "{path}");
        let etag = header(first.headers(), ETAG).unwrap_or_else(|| panic!("{path}: no ETag"));
        assert_eq!(
            header(first.headers(), CACHE_CONTROL).as_deref(),
            Some(cache_control),
            "{path}"
        );

        let again = get_with(&app, path, "if-none-match", &etag).await;

        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(header(again.headers(), ETAG), Some(etag), "{path}");
        assert_eq!(
            header(again.headers(), CACHE_CONTROL).as_deref(),
            Some(cache_control),
            "{path}"
        );
        assert!(again.bytes().await.expect("body").is_empty(), "{path}");
    }
}

#[actix_web::test]
async fn a_different_etag_gets_the_whole_page() {
    let app = TestApp::spawn().await;
    publish_talks_end(&app);

    let response = get_with(&app, "/", "if-none-match", "W/\"someone-else\"").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.expect("body").contains("Talks end"));
}

#[actix_web::test]
async fn head_requests_get_the_same_validators_and_304s() {
    let app = TestApp::spawn().await;
    publish_talks_end(&app);
    let etag = etag_of(&app, ARTICLE).await;

    let head = app
        .client
        .head(app.url(ARTICLE))
        .send()
        .await
        .expect("head");
    let conditional = app
        .client
        .head(app.url(ARTICLE))
        .header(IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .expect("head");

    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(header(head.headers(), ETAG), Some(etag));
    assert_eq!(conditional.status(), StatusCode::NOT_MODIFIED);
}

#[actix_web::test]
async fn publishing_editing_and_unpublishing_change_every_pages_validators() {
    let app = TestApp::spawn().await;
    let story = publish_talks_end(&app);
    let pages = [
        "/",
        "/section/world",
        ARTICLE,
        "/rss.xml",
        "/sitemaps/1.xml",
    ];
    let mut before = Vec::new();
    for path in pages {
        before.push(etag_of(&app, path).await);
    }

    // Publish another story.
    StoryBuilder::new("Markets rally")
        .published_at(datetime!(2017-07-15 09:00:00 UTC))
        .save(&app);
    for (path, old) in pages.iter().zip(&before) {
        let response = get_with(&app, path, "if-none-match", old).await;
        assert_eq!(response.status(), StatusCode::OK, "{path} after a publish");
    }
    let (_, front) = app.get_html("/").await;
    assert!(front.html().contains("Markets rally"), "a stale front page");

    // Edit the published story.
    let etag = etag_of(&app, ARTICLE).await;
    let story = edit(&app, &story, |s| {
        s.content.headline = Headline::parse("Talks end in agreement").unwrap();
    });
    let response = get_with(&app, ARTICLE, "if-none-match", &etag).await;
    assert_eq!(response.status(), StatusCode::OK, "after an edit");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Talks end in agreement")
    );
    let rss = app.get("/rss.xml").await.text().await.unwrap();
    assert!(rss.contains("Talks end in agreement"), "a stale feed");

    // Unpublish it.
    let etag = etag_of(&app, "/").await;
    edit(&app, &story, |s| s.status = Status::Unpublished);
    app.assert_not_found(ARTICLE).await;
    let response = get_with(&app, "/", "if-none-match", &etag).await;
    assert_eq!(response.status(), StatusCode::OK, "after an unpublish");
    assert!(!response.text().await.unwrap().contains("Talks end"));
    let sitemap = app.get("/sitemaps/1.xml").await.text().await.unwrap();
    assert!(!sitemap.contains("talks-end"), "a stale sitemap");
}

#[actix_web::test]
async fn scheduled_publication_changes_the_validators() {
    let app = TestApp::spawn().await;
    // An hour ahead, so that the server's own scheduler leaves it to this test.
    let at = OffsetDateTime::now_utc() + Duration::hours(1);
    StoryBuilder::new("Embargo lifts")
        .status(Status::Scheduled(at))
        .save(&app);
    let etag = etag_of(&app, "/").await;

    newsroom::scheduler::publish_due(&*app.store, at).expect("publish due");

    let response = get_with(&app, "/", "if-none-match", &etag).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("Embargo lifts"));
}

#[actix_web::test]
async fn desk_work_on_drafts_leaves_the_public_validators_alone() {
    let app = TestApp::spawn().await;
    publish_talks_end(&app);
    let etag = etag_of(&app, "/").await;

    let draft = StoryBuilder::new("Draft in progress").save(&app);
    edit(&app, &draft, |s| {
        s.content.headline = Headline::parse("Draft, revised").unwrap()
    });

    let response = get_with(&app, "/", "if-none-match", &etag).await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
}

#[actix_web::test]
async fn if_modified_since_is_answered_from_the_last_public_change() {
    let app = TestApp::spawn().await;
    publish_talks_end(&app);

    let old = get_with(
        &app,
        "/",
        "if-modified-since",
        "Sat, 01 Jan 2000 00:00:00 GMT",
    )
    .await;
    assert_eq!(old.status(), StatusCode::OK);

    // Last-Modified is sent once the second of the change is over (so that no later change in
    // that second can hide behind it): move the clock past it rather than wait.
    app.clock.advance(Duration::seconds(1));
    let response = app.get("/").await;
    let last_modified = header(response.headers(), LAST_MODIFIED);
    let last_modified = last_modified.expect("a Last-Modified header");

    let same = get_with(&app, "/", "if-modified-since", &last_modified).await;
    assert_eq!(same.status(), StatusCode::NOT_MODIFIED);

    // If-None-Match wins over If-Modified-Since.
    let both = app
        .client
        .get(app.url("/"))
        .header(IF_NONE_MATCH, "W/\"stale\"")
        .header(IF_MODIFIED_SINCE, last_modified.clone())
        .send()
        .await
        .expect("request");
    assert_eq!(both.status(), StatusCode::OK);

    StoryBuilder::new("Markets rally")
        .published_at(datetime!(2017-07-15 09:00:00 UTC))
        .save(&app);
    let after = get_with(&app, "/", "if-modified-since", &last_modified).await;
    assert_eq!(
        after.status(),
        StatusCode::OK,
        "a publish is a modification"
    );
}

#[actix_web::test]
async fn not_found_pages_and_desk_pages_are_never_cached() {
    let app = TestApp::spawn().await;

    let missing = app.get(ARTICLE).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(missing.headers(), ETAG), None);

    // The same address once the story exists: the 404 was not kept.
    publish_talks_end(&app);
    assert_eq!(app.get(ARTICLE).await.status(), StatusCode::OK);

    for path in ["/login", "/desk"] {
        let response = app.get(path).await;
        assert_eq!(header(response.headers(), ETAG), None, "{path}");
        let cache_control = header(response.headers(), CACHE_CONTROL).unwrap_or_default();
        assert!(
            cache_control.contains("no-store"),
            "{path}: {cache_control:?}"
        );
    }
}

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .expect("gunzip");
    out
}

fn unbrotli(bytes: &[u8]) -> String {
    let mut out = String::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_string(&mut out)
        .expect("brotli");
    out
}

/// Cached pages are kept compressed: each answer must still be the current page, in the coding
/// asked for, and say that it varies with Accept-Encoding.
#[actix_web::test]
async fn compressed_copies_of_cached_pages_follow_every_change() {
    let app = TestApp::spawn().await;
    let story = publish_talks_end(&app);

    for path in ["/", ARTICLE, "/rss.xml"] {
        let plain = app.get(path).await;
        assert_eq!(
            header(plain.headers(), reqwest::header::VARY).as_deref(),
            Some("Accept-Encoding"),
            "{path}"
        );
        assert_eq!(header(plain.headers(), CONTENT_ENCODING), None, "{path}");
        let plain = plain.text().await.expect("body");
        // Twice each: made on the first request, from the cache on the second.
        for _ in 0..2 {
            let gzip = get_with(&app, path, ACCEPT_ENCODING.as_str(), "gzip, deflate").await;
            assert_eq!(
                header(gzip.headers(), reqwest::header::VARY).as_deref(),
                Some("Accept-Encoding"),
                "{path}"
            );
            assert_eq!(gunzip(&gzip.bytes().await.expect("body")), plain, "{path}");
            let brotli = get_with(&app, path, ACCEPT_ENCODING.as_str(), "gzip;q=0.5, br").await;
            assert_eq!(
                header(brotli.headers(), CONTENT_ENCODING).as_deref(),
                Some("br"),
                "{path}"
            );
            assert_eq!(
                unbrotli(&brotli.bytes().await.expect("body")),
                plain,
                "{path}"
            );
        }
    }

    edit(&app, &story, |s| {
        s.content.headline = Headline::parse("Talks end in agreement").unwrap();
    });
    for path in ["/", ARTICLE, "/rss.xml"] {
        let gzip = get_with(&app, path, ACCEPT_ENCODING.as_str(), "gzip").await;
        assert!(
            gunzip(&gzip.bytes().await.expect("body")).contains("Talks end in agreement"),
            "{path} is stale in gzip after an edit"
        );
        let brotli = get_with(&app, path, ACCEPT_ENCODING.as_str(), "br").await;
        assert!(
            unbrotli(&brotli.bytes().await.expect("body")).contains("Talks end in agreement"),
            "{path} is stale in Brotli after an edit"
        );
    }

    // A client whose copy is current gets a 304 that varies like the page, in any coding.
    let etag = etag_of(&app, ARTICLE).await;
    let revalidated = app
        .client
        .get(app.url(ARTICLE))
        .header(ACCEPT_ENCODING, "br")
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .expect("request");
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        header(revalidated.headers(), reqwest::header::VARY).as_deref(),
        Some("Accept-Encoding")
    );
    assert_eq!(header(revalidated.headers(), CONTENT_ENCODING), None);

    // A client asking only for a coding we do not make gets the page as it is.
    let other = get_with(&app, "/", ACCEPT_ENCODING.as_str(), "zstd").await;
    assert_eq!(other.status(), StatusCode::OK);
    assert_eq!(header(other.headers(), CONTENT_ENCODING), None);
}

#[actix_web::test]
async fn html_css_and_xml_are_compressed_with_gzip_and_brotli() {
    let app = TestApp::spawn().await;
    publish_talks_end(&app);
    let (_, front) = app.get_html("/").await;
    let css = crate::helpers::select(&front, "link[rel=stylesheet]")[0]
        .value()
        .attr("href")
        .expect("href")
        .to_owned();

    for path in [
        "/",
        ARTICLE,
        css.as_str(),
        "/rss.xml",
        "/atom.xml",
        "/sitemap.xml",
    ] {
        let plain = app.get(path).await.bytes().await.expect("body");

        let gzip = get_with(&app, path, ACCEPT_ENCODING.as_str(), "gzip").await;
        assert_eq!(
            header(gzip.headers(), CONTENT_ENCODING).as_deref(),
            Some("gzip"),
            "{path}"
        );
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&gzip.bytes().await.expect("body")[..])
            .read_to_end(&mut unzipped)
            .expect("gunzip");
        assert_eq!(unzipped, plain, "{path}");

        let brotli = get_with(&app, path, ACCEPT_ENCODING.as_str(), "br").await;
        assert_eq!(
            header(brotli.headers(), CONTENT_ENCODING).as_deref(),
            Some("br"),
            "{path}"
        );
    }
}
