//! Login throttling that slows guessing without locking a newsroom out: counts per account and
//! address, per address, per account, and browsers that signed in before.

use crate::helpers::{Browser, TestApp, input_value, text_of};
use newsroom::accounts::{self, Actor};
use newsroom::auth::throttle::{Limits, Rule};
use newsroom::domain::{AuditAction, Role};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";
const WRONG: &str = "guess guess guess";

/// Failed logins the audit log holds: each is a password that was actually checked.
fn checked_failures(app: &TestApp) -> usize {
    app.store
        .audit_log(None, 1000)
        .expect("audit log")
        .iter()
        .filter(|e| e.action == AuditAction::LoginFailed)
        .count()
}

/// Small allowances, so that a test reaches each limit in a few requests.
fn small_limits() -> Limits {
    let rule = |free| Rule {
        free,
        first_wait: Duration::from_secs(60),
        max_wait: Duration::from_secs(600),
    };
    Limits {
        pair: rule(3),
        account: rule(6),
        address: rule(9),
        ..Limits::default()
    }
}

/// A server behind a trusted proxy (this machine), with small allowances and two accounts.
async fn app_behind_proxy() -> TestApp {
    let app = TestApp::spawn_with(|s| {
        s.trusted_proxies = vec!["127.0.0.1".parse().expect("address")];
        s.login_limits = small_limits();
    })
    .await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    app.create_user("xu.jinquan", Role::Writer, PASSWORD);
    app
}

/// A browser whose requests the proxy says came from `client`.
fn browser_at(app: &TestApp, client: &str) -> Browser {
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-forwarded-for",
        HeaderValue::from_str(client).expect("header"),
    );
    Browser {
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .default_headers(headers)
            .build()
            .expect("client"),
        address: app.address.clone(),
    }
}

async fn fail_until_throttled(browser: &Browser, username: &str, failures: usize) {
    for _ in 0..failures {
        let response = browser.try_login(username, WRONG).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = browser.try_login(username, WRONG).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[actix_web::test]
async fn another_accounts_right_password_gets_in_from_where_one_account_is_throttled() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    app.create_user("xu.jinquan", Role::Writer, PASSWORD);
    let guesser = app.browser();
    fail_until_throttled(&guesser, "zhang.dan", 5).await;

    let colleague = app.browser();
    let response = colleague.try_login("xu.jinquan", PASSWORD).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn the_throttled_page_shows_the_wait_and_keeps_the_username() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let browser = app.browser();
    fail_until_throttled(&browser, "zhang.dan", 5).await;

    let response = browser.try_login("zhang.dan", PASSWORD).await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(
        text_of(&page, ".error").as_deref(),
        Some("Too many attempts: try again in 1 minute.")
    );
    assert_eq!(input_value(&page, "username").as_deref(), Some("zhang.dan"));
    assert_eq!(input_value(&page, "password"), None);
}

#[actix_web::test]
async fn a_throttled_account_still_gets_in_from_a_browser_it_signed_in_from_before() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let laptop = app.login("zhang.dan", PASSWORD).await;
    let guesser = app.browser();
    fail_until_throttled(&guesser, "zhang.dan", 5).await;
    // The right password from a browser the account never used waits like any guess...
    let stranger = app.browser();
    let response = stranger.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);

    // ...but not from the writer's own laptop.
    let response = laptop.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // A wrong password from it is refused all the same.
    let response = laptop.try_login("zhang.dan", WRONG).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn the_known_browser_cookie_is_http_only_same_site_and_long_lived() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let response = app.browser().try_login("zhang.dan", PASSWORD).await;
    let cookie = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("newsroom_device="))
        .expect("a known-browser cookie")
        .to_owned();
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/login",
        "Max-Age=31536000",
    ] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    assert!(!cookie.contains("zhang.dan"));
}

#[actix_web::test]
async fn a_known_browser_of_one_account_is_a_stranger_to_another() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    app.create_user("xu.jinquan", Role::Writer, PASSWORD);
    let laptop = app.login("zhang.dan", PASSWORD).await;
    fail_until_throttled(&app.browser(), "xu.jinquan", 5).await;

    let response = laptop.try_login("xu.jinquan", PASSWORD).await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[actix_web::test]
async fn a_password_change_forgets_the_known_browsers() {
    let app = TestApp::spawn().await;
    let user = app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let laptop = app.login("zhang.dan", PASSWORD).await;
    let hash = newsroom::auth::password::hash_blocking(
        &newsroom::domain::Password::new(PASSWORD).expect("password"),
    )
    .expect("hash");
    accounts::set_password(
        &*app.store,
        &Actor::command_line(app.clock.now()),
        user.id,
        hash,
    )
    .expect("new password");
    fail_until_throttled(&app.browser(), "zhang.dan", 5).await;

    let response = laptop.try_login("zhang.dan", PASSWORD).await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[actix_web::test]
async fn signing_out_everywhere_ends_every_session_and_forgets_the_known_browsers() {
    let app = TestApp::spawn().await;
    let user = app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let laptop = app.login("zhang.dan", PASSWORD).await;
    let phone = app.login("zhang.dan", PASSWORD).await;

    let ended =
        accounts::sign_out_everywhere(&*app.store, &Actor::user(&user, app.clock.now()), user.id)
            .expect("signed out");

    assert_eq!(ended, 2);
    for browser in [&laptop, &phone] {
        assert_eq!(browser.get("/desk").await.status(), StatusCode::SEE_OTHER);
    }
    fail_until_throttled(&app.browser(), "zhang.dan", 5).await;
    let response = laptop.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[actix_web::test]
async fn forty_guesses_at_once_get_only_the_free_ones_checked() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let browsers: Vec<Browser> = (0..40).map(|_| app.browser()).collect();

    let statuses = futures_util::future::join_all(
        browsers
            .iter()
            .map(|browser| async move { browser.try_login("zhang.dan", WRONG).await.status() }),
    )
    .await;

    let refused = |status| statuses.iter().filter(|s| **s == status).count();
    assert_eq!(refused(StatusCode::UNAUTHORIZED), 5, "{statuses:?}");
    assert_eq!(refused(StatusCode::TOO_MANY_REQUESTS), 35, "{statuses:?}");
    assert_eq!(checked_failures(&app), 5);
}

#[actix_web::test]
async fn spraying_one_guess_at_many_accounts_from_one_address_is_throttled_there_alone() {
    let app = app_behind_proxy().await;
    let sprayer = browser_at(&app, "198.51.100.7");
    for n in 0..9 {
        let response = sprayer.try_login(&format!("name.{n}"), WRONG).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "guess {n}");
    }

    let response = sprayer.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = browser_at(&app, "198.51.100.8");
    let response = elsewhere.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn guessing_one_account_from_many_addresses_is_throttled_for_that_account_alone() {
    let app = app_behind_proxy().await;
    let laptop = browser_at(&app, "203.0.113.1");
    assert_eq!(
        laptop.try_login("zhang.dan", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    for n in 0..6 {
        let guesser = browser_at(&app, &format!("198.51.100.{n}"));
        let response = guesser.try_login("zhang.dan", WRONG).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "guess {n}");
    }

    let fresh = browser_at(&app, "198.51.100.99");
    let response = fresh.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another account from the same address, and the account from its own laptop, get in.
    let response = fresh.try_login("xu.jinquan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = laptop.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn the_wait_ends_and_grows_with_each_further_failure() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let browser = app.browser();
    fail_until_throttled(&browser, "zhang.dan", 5).await;

    app.clock.advance(time::Duration::seconds(61));
    assert_eq!(
        browser.try_login("zhang.dan", WRONG).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let response = browser.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let text = response.text().await.expect("body");
    assert!(text.contains("try again in 2 minutes"), "{text}");
    app.clock.advance(time::Duration::seconds(121));
    assert_eq!(
        browser.try_login("zhang.dan", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[actix_web::test]
async fn a_forged_form_token_pair_is_refused_with_a_clear_page() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    // Someone who can set a cookie for the site plants a pair of their own making.
    let forged = "ab".repeat(32);
    let response = app
        .client
        .post(app.url("/login"))
        .header("cookie", format!("newsroom_form={forged}"))
        .form(&[
            ("username", "zhang.dan"),
            ("password", PASSWORD),
            ("form_token", forged.as_str()),
            ("next", "/desk"),
        ])
        .send()
        .await
        .expect("request");

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    let message = text_of(&page, "main").unwrap_or_default();
    assert!(message.contains("reload the page"), "{message}");
}
