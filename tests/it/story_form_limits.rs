//! The story form read within limits: a post from another site is refused before its body is
//! read, a form over the size cap is refused, a body that stops arriving is given up on, and a
//! writer whose session ended gets her text back without the server keeping her photo. Also:
//! every field error is tied to its field for screen readers.

use crate::helpers::{Browser, TestApp, input_value, select};
use crate::story_posts::multipart;
use newsroom::domain::Role;
use reqwest::StatusCode;
use scraper::Html;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PASSWORD: &str = "correct horse battery";
const BOUNDARY: &str = "----newsroom-limits";

/// An editor's browser whose session cookie can be read, for requests sent by hand.
async fn editor(app: &TestApp) -> (Browser, String) {
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar.clone())
        .build()
        .expect("client");
    let browser = Browser {
        client,
        address: app.address.clone(),
    };
    let response = browser.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "login");
    let url: reqwest::Url = app.url("/desk").parse().expect("url");
    let cookies = reqwest::cookie::CookieStore::cookies(&*jar, &url).expect("a session cookie");
    (browser, cookies.to_str().expect("ascii").to_owned())
}

/// Sends the head of a story form post that announces `length` bytes of body, then `start` of
/// them, and never the rest. Returns the status the server answers with.
async fn post_unfinished(app: &TestApp, headers: &[(&str, &str)], start: &str) -> u16 {
    let authority = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(authority).await.expect("connect");
    let mut head = format!(
        "POST /desk/stories HTTP/1.1\r\nHost: {authority}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: 1000000\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.push_str(start);
    stream.write_all(head.as_bytes()).await.expect("send");
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    // The server answers, then closes or keeps the connection: the status line is enough.
    while !answer.windows(2).any(|w| w == b"\r\n") {
        let n = stream.read(&mut buf).await.expect("read");
        assert!(n > 0, "the server closed the connection without answering");
        answer.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&answer);
    line.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line")
}

/// Long enough for a sender on loopback, short enough not to hold the suite up.
const SHORT_IDLE: std::time::Duration = std::time::Duration::from_millis(500);

fn first_part(name: &str, value: &str) -> String {
    format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}")
}

#[actix_web::test]
async fn a_post_from_another_site_is_refused_before_its_body_is_read() {
    let app = TestApp::spawn().await;
    let (_browser, cookie) = editor(&app).await;
    let status = post_unfinished(
        &app,
        &[("Cookie", &cookie), ("Origin", "https://elsewhere.example")],
        &first_part("headline", "Forged"),
    )
    .await;
    // Waiting for the body would have ended in 408 once it stalled.
    assert_eq!(status, 403);
}

#[actix_web::test]
async fn a_signed_in_form_that_stops_arriving_is_given_up_on() {
    let app = TestApp::spawn_with(|s| s.form_idle = SHORT_IDLE).await;
    let (_browser, cookie) = editor(&app).await;
    let status = post_unfinished(&app, &[("Cookie", &cookie)], &first_part("body", "Half")).await;
    assert_eq!(status, 408);
}

#[actix_web::test]
async fn an_anonymous_form_that_stops_arriving_is_given_up_on() {
    let app = TestApp::spawn_with(|s| s.form_idle = SHORT_IDLE).await;
    let status = post_unfinished(&app, &[], &first_part("body", "Half")).await;
    assert_eq!(status, 408);
}

/// A multipart body with text fields and a `photo` of `photo_bytes` bytes.
fn form_with_photo(fields: &[(&str, &str)], photo_bytes: usize) -> (String, Vec<u8>) {
    let (content_type, mut body) = multipart(fields);
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a boundary")
        .to_owned();
    // Put the photo before the closing boundary.
    let closing = format!("--{boundary}--\r\n");
    body.truncate(body.len() - closing.len());
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\
             Content-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend(std::iter::repeat_n(0xAB, photo_bytes));
    body.extend_from_slice(format!("\r\n{closing}").as_bytes());
    (content_type, body)
}

async fn post(browser: &Browser, content_type: String, body: Vec<u8>) -> reqwest::Response {
    browser
        .client
        .post(format!("{}/desk/stories", browser.address))
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .expect("post")
}

#[actix_web::test]
async fn a_form_over_the_size_cap_is_refused() {
    let app = TestApp::spawn_with(|s| s.max_photo_bytes = 64 << 10).await;
    let (browser, _cookie) = editor(&app).await;
    let csrf = browser.csrf("/desk/stories/new").await;
    let fields = [("csrf", csrf.as_str()), ("headline", "Huge")];
    let (content_type, body) = form_with_photo(&fields, 3 << 20);
    let response = post(&browser, content_type, body).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[actix_web::test]
async fn an_anonymous_form_over_the_size_cap_is_refused() {
    let app = TestApp::spawn_with(|s| s.max_photo_bytes = 64 << 10).await;
    let (content_type, body) = form_with_photo(&[("headline", "Huge")], 3 << 20);
    let response = post(&app.browser(), content_type, body).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[actix_web::test]
async fn a_writer_whose_session_ended_gets_her_text_back_but_not_her_photo() {
    let app = TestApp::spawn_with(|s| s.max_photo_bytes = 64 << 10).await;
    let fields = [("headline", "Talks end"), ("body", "Every word I typed.")];
    let (content_type, body) = form_with_photo(&fields, 32 << 10);
    let response = post(&app.browser(), content_type, body).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let login = Html::parse_document(&response.text().await.expect("body"));
    let stash = input_value(&login, "stash").expect("the typed text travels with the login form");
    assert!(stash.contains("Every word I typed."));
    let photos = app
        .store
        .photos(newsroom::domain::PageNumber::FIRST, 10)
        .expect("photos");
    assert!(photos.items.is_empty(), "nothing of the photo was stored");
}

#[actix_web::test]
async fn every_field_error_is_tied_to_its_field() {
    let app = TestApp::spawn().await;
    let (browser, _cookie) = editor(&app).await;
    let csrf = browser.csrf("/desk/stories/new").await;
    let fields = [
        ("csrf", csrf.as_str()),
        ("headline", " "),
        ("bylines", " "),
        ("section", "nowhere"),
        ("slug", "Not A Slug"),
        ("body", " "),
        ("caption", " "),
        ("credit", "x".repeat(500).leak() as &str),
        ("action", "save"),
    ];
    let (content_type, body) = multipart(&fields);
    let response = post(&browser, content_type, body).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&response.text().await.expect("body"));
    let errors = select(&page, ".field-error");
    assert!(errors.len() >= 5, "one error a field, got {}", errors.len());
    for error in errors {
        let id = error.value().id().expect("an error has an id");
        let described = select(&page, &format!("[aria-describedby='{id}']"));
        assert_eq!(described.len(), 1, "one field is described by #{id}");
        assert_eq!(described[0].value().attr("aria-invalid"), Some("true"));
    }
}
