//! Attacks on accounts, login, uploads and the control port that once got through, each kept
//! out for good.

use crate::helpers::{Browser, TestApp, input_value, location};
use newsroom::accounts::{self, Actor, NewAccount};
use newsroom::auth::token::digest;
use newsroom::domain::{PasswordHash, Role, Username};
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";

async fn setup_form(browser: &Browser, token: &str) -> (StatusCode, Option<String>) {
    let (status, page) = browser.get_html(&format!("/setup/{token}")).await;
    (status, input_value(&page, "form_token"))
}

// --- The first-run setup link -----------------------------------------------------------------

#[actix_web::test]
async fn the_setup_link_is_refused_once_any_account_exists() {
    let app = TestApp::spawn().await;
    let token = app.setup_token.clone().expect("a setup token");
    let browser = app.browser();
    let (status, form_token) = setup_form(&browser, &token).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the link works while no account exists"
    );

    app.create_user("boss", Role::Admin, PASSWORD);

    let (status, _) = setup_form(&app.browser(), &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = browser
        .post_form(
            &format!("/setup/{token}"),
            &[
                ("username", "intruder"),
                ("initials", ""),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
                ("form_token", &form_token.expect("form token")),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let users = app.store.users().expect("users");
    assert_eq!(users.len(), 1, "no second admin was made");
}

#[actix_web::test]
async fn creating_an_account_deletes_the_setup_token() {
    let app = TestApp::spawn().await;
    let token = app.setup_token.clone().expect("a setup token");
    assert!(
        app.store
            .setup_token_matches(&digest(&token))
            .expect("read")
    );
    let boss = NewAccount {
        username: Username::parse("boss").expect("name"),
        role: Role::Admin,
        initials: None,
    };
    accounts::create(
        &*app.store,
        &Actor::command_line(app.clock.now()),
        boss,
        PasswordHash("$argon2id$test".into()),
    )
    .expect("create");
    assert!(
        !app.store
            .setup_token_matches(&digest(&token))
            .expect("read")
    );
}

// --- Logging in -------------------------------------------------------------------------------

#[actix_web::test]
async fn forty_guesses_sent_at_once_get_no_more_tries_than_five_sent_one_by_one() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let mut guesses = Vec::new();
    for i in 0..40 {
        let browser = app.browser();
        let (_, page) = browser.get_html("/login").await;
        let token = input_value(&page, "form_token").expect("form token");
        // The right password comes last, as a guesser's list would have it.
        let password = if i == 39 {
            PASSWORD
        } else {
            "guess guess guess"
        };
        guesses.push((browser, token, password));
    }
    let sent: Vec<_> = guesses
        .into_iter()
        .map(|(browser, token, password)| {
            actix_web::rt::spawn(async move {
                browser
                    .post_form(
                        "/login",
                        &[
                            ("username", "zhang.dan"),
                            ("password", password),
                            ("form_token", &token),
                            ("next", "/desk"),
                        ],
                    )
                    .await
                    .status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for request in sent {
        statuses.push(request.await.expect("request task"));
    }
    let checked = statuses
        .iter()
        .filter(|s| **s != StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked, 5, "{statuses:?}");
    assert_ne!(statuses[39], StatusCode::SEE_OTHER, "the last guess got in");
}

#[actix_web::test]
async fn login_sends_the_browser_on_only_to_a_plain_local_path() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    for (next, expected) in [
        ("/desk/stories?page=2", "/desk/stories?page=2"),
        ("/\t/evil.example", "/desk"),
        ("/\n/evil.example", "/desk"),
        ("/desk\r\nSet-Cookie: planted=1", "/desk"),
        (" /evil.example", "/desk"),
        ("/ /evil.example", "/desk"),
    ] {
        let browser = app.browser();
        let (_, page) = browser.get_html("/login").await;
        let token = input_value(&page, "form_token").expect("form token");
        let response = browser
            .post_form(
                "/login",
                &[
                    ("username", "zhang.dan"),
                    ("password", PASSWORD),
                    ("form_token", &token),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "next={next:?}");
        assert_eq!(
            location(&response).as_deref(),
            Some(expected),
            "next={next:?}"
        );
    }
}

#[actix_web::test]
async fn the_login_form_never_carries_a_next_that_leaves_the_site() {
    let app = TestApp::spawn().await;
    let (_, page) = app.get_html("/login?next=/%09/evil.example").await;
    assert_eq!(input_value(&page, "next").as_deref(), Some("/desk"));
}
