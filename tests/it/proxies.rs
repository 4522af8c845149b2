//! Behind a reverse proxy: whom the site believes a request came from.

use crate::helpers::{Browser, TestApp};
use newsroom::domain::Role;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};

const PASSWORD: &str = "correct horse battery";

/// A browser whose requests arrive through a proxy that says they came from `client`.
fn through_proxy(app: &TestApp, client: &str) -> Browser {
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", HeaderValue::from_str(client).unwrap());
    Browser {
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .default_headers(headers)
            .build()
            .unwrap(),
        address: app.address.clone(),
    }
}

/// Five wrong passwords for zhang.dan from `client`: the account is throttled from there.
async fn five_failures_from(app: &TestApp, client: &str) {
    let browser = through_proxy(app, client);
    for _ in 0..5 {
        let response = browser.try_login("zhang.dan", "wrong wrong wrong").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = browser.try_login("zhang.dan", "wrong wrong wrong").await;
    assert_eq!(
        locked.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "{client} is throttled"
    );
}

#[actix_web::test]
async fn behind_a_trusted_proxy_one_clients_typos_throttle_that_client_alone() {
    let app = TestApp::spawn_with(|s| s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);

    five_failures_from(&app, "198.51.100.1").await;

    let colleague = through_proxy(&app, "198.51.100.2");
    let response = colleague.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "another client signs in"
    );
}

#[actix_web::test]
async fn forwarding_headers_from_anyone_else_are_ignored() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);

    five_failures_from(&app, "198.51.100.1").await;

    // Claiming another address changes nothing: the connection is the same.
    let claimed = through_proxy(&app, "198.51.100.2");
    let response = claimed.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}
