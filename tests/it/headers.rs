//! Response headers: security headers everywhere, long caching for static files.

use crate::helpers::{StoryBuilder, TestApp, select};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderMap};
use scraper::Html;
use time::macros::datetime;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn assert_security_headers(headers: &HeaderMap, what: &str) {
    let csp = header(headers, "content-security-policy");
    for directive in [
        "default-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{what}: CSP {csp:?}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: CSP {csp:?}");
    assert_eq!(
        header(headers, "x-content-type-options"),
        "nosniff",
        "{what}"
    );
    assert_eq!(header(headers, "x-frame-options"), "DENY", "{what}");
    assert_eq!(
        header(headers, "referrer-policy"),
        "strict-origin-when-cross-origin",
        "{what}"
    );
}

/// The stylesheet URL a page links to.
fn stylesheet_of(html: &str) -> String {
    let page = Html::parse_document(html);
    let links = select(&page, "link[rel=stylesheet]");
    assert_eq!(links.len(), 1, "{html}");
    links[0].value().attr("href").expect("href").to_owned()
}

#[actix_web::test]
async fn pages_carry_the_security_headers() {
    let app = TestApp::spawn().await;
    StoryBuilder::new("Talks end")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .save(&app);

    for path in ["/", "/section/world", "/2017/07/15/talks-end"] {
        let response = app.get(path).await;

        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(response.headers(), "content-type"),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert_security_headers(response.headers(), path);
    }
}

#[actix_web::test]
async fn not_found_pages_and_redirects_carry_the_security_headers_too() {
    let app = TestApp::spawn().await;

    for path in [
        "/no/such/page",
        "/page/abc",
        "/page/2",
        "/section/astrology",
        "/2017/07/15/no-such-story",
        "/static/css/no-such.css",
        "/page/1",
    ] {
        let response = app.get(path).await;

        assert!(
            response.status() == StatusCode::NOT_FOUND
                || response.status() == StatusCode::MOVED_PERMANENTLY,
            "{path}: {}",
            response.status()
        );
        assert_security_headers(response.headers(), path);
    }
}

#[actix_web::test]
async fn the_stylesheet_is_served_from_its_hashed_address_and_kept_for_a_year() {
    let app = TestApp::spawn().await;
    let front = app.get("/").await.text().await.expect("body");
    let css_url = stylesheet_of(&front);
    assert!(css_url.starts_with("/static/"), "{css_url}");
    assert!(css_url.contains("?v="), "no content hash in {css_url}");

    let response = app.get(&css_url).await;

    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(
        header(&headers, CONTENT_TYPE.as_str()),
        "text/css; charset=utf-8"
    );
    let cache = header(&headers, CACHE_CONTROL.as_str());
    assert!(cache.contains("max-age=31536000"), "{cache:?}");
    assert!(cache.contains("immutable"), "{cache:?}");
    assert_security_headers(&headers, &css_url);
    let css = response.text().await.expect("body");
    assert!(css.contains(":root {"), "{css}");
}

#[actix_web::test]
async fn the_not_found_page_links_the_same_stylesheet() {
    let app = TestApp::spawn().await;
    let front = app.get("/").await.text().await.expect("body");

    let missing = app.get("/no/such/page").await.text().await.expect("body");

    assert_eq!(stylesheet_of(&missing), stylesheet_of(&front));
}

#[actix_web::test]
async fn a_head_request_is_answered_like_a_get() {
    let app = TestApp::spawn().await;
    StoryBuilder::new("Talks end")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .save(&app);
    let front = app.get("/").await.text().await.expect("body");
    let css_url = stylesheet_of(&front);

    for path in [
        "/",
        "/page/2",
        "/section/world",
        "/2017/07/15/talks-end",
        &css_url,
    ] {
        let get = app.get(path).await;
        let head = app
            .client
            .head(app.url(path))
            .send()
            .await
            .expect("request");

        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_eq!(
            header(head.headers(), "content-type"),
            header(get.headers(), "content-type"),
            "HEAD {path}"
        );
        assert_security_headers(head.headers(), path);
    }
}

#[actix_web::test]
async fn an_https_site_tells_browsers_to_use_https_for_a_year() {
    let app = TestApp::spawn_with(|s| s.base_url = "https://news.example".into()).await;

    for path in ["/", "/login", "/no-such-page"] {
        let response = app.get(path).await;
        assert_eq!(
            header(response.headers(), "strict-transport-security"),
            "max-age=31536000",
            "{path}"
        );
    }
}

#[actix_web::test]
async fn a_plain_http_site_sends_no_hsts() {
    let app = TestApp::spawn_with(|s| s.base_url = "http://news.example".into()).await;

    let response = app.get("/").await;

    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none()
    );
}
