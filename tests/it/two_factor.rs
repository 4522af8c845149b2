//! Two-factor sign-in: setting it up from the account page, the code asked after the password,
//! recovery codes, the throttle on wrong codes, the admin's setting that requires it, and the
//! admin's and the command line's reset.

use crate::helpers::{
    Browser, ServerProcess, TestApp, TestSite, input_value, location, newsroom, run,
    run_with_input, select, text_of,
};
use newsroom::auth::second_factor::{code_at, parse_secret};
use newsroom::domain::{AuditAction, Role, TotpSecret, Username};
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";

fn unix(app: &TestApp) -> u64 {
    app.clock.now().unix_timestamp() as u64
}

/// Moves the server's clock to the next 30-second step, so that a new code is due.
fn next_step(app: &TestApp) {
    app.clock.advance(time::Duration::seconds(31));
}

/// Sets up a second factor from the account page of `browser`; the secret and the recovery
/// codes shown.
pub async fn enrol(app: &TestApp, browser: &Browser) -> (TotpSecret, Vec<String>) {
    let (status, page) = browser.get_html("/desk/account/two-factor").await;
    assert_eq!(status, StatusCode::OK);
    let shown = text_of(&page, "#two-factor-secret").expect("the secret in text");
    let secret = parse_secret(&shown.replace(' ', "")).expect("a base32 secret");
    // The QR code comes from this site, as an SVG drawn here.
    let qr = browser.get("/desk/account/two-factor/qr.svg").await;
    assert_eq!(qr.status(), StatusCode::OK);
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));

    let csrf = input_value(&page, "csrf").unwrap();
    let wrong = browser
        .post_form(
            "/desk/account/two-factor",
            &[("csrf", &csrf), ("code", "000000")],
        )
        .await;
    assert_eq!(
        wrong.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a wrong code"
    );
    let code = code_at(&secret, unix(app));
    let done = browser
        .post_form(
            "/desk/account/two-factor",
            &[("csrf", &csrf), ("code", &code)],
        )
        .await;
    assert_eq!(done.status(), StatusCode::OK);
    let page = scraper::Html::parse_document(&done.text().await.unwrap());
    let codes: Vec<String> = select(&page, "#recovery-codes code")
        .iter()
        .map(|c| c.text().collect())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// Password, then `code`: the response to the code.
async fn login_with_code(browser: &Browser, username: &str, code: &str) -> reqwest::Response {
    let response = browser.try_login(username, PASSWORD).await;
    assert_eq!(location(&response).as_deref(), Some("/desk/login/code"));
    send_code(browser, code).await
}

async fn send_code(browser: &Browser, code: &str) -> reqwest::Response {
    let (status, page) = browser.get_html("/desk/login/code").await;
    assert_eq!(status, StatusCode::OK);
    let token = input_value(&page, "form_token").unwrap();
    browser
        .post_form(
            "/desk/login/code",
            &[("form_token", &token), ("code", code)],
        )
        .await
}

#[actix_web::test]
async fn after_the_password_a_code_is_asked_and_each_code_works_once() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let first = app.login("zhang.dan", PASSWORD).await;
    let (secret, _) = enrol(&app, &first).await;
    next_step(&app);

    let browser = app.browser();
    let response = browser.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(location(&response).as_deref(), Some("/desk/login/code"));
    // Half-way in opens no desk page.
    for path in ["/desk", "/desk/account", "/desk/stories/new"] {
        let page = browser.get(path).await;
        assert_eq!(page.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&page).unwrap().starts_with("/login"), "{path}");
    }
    let code = code_at(&secret, unix(&app));
    let signed_in = send_code(&browser, &code).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&signed_in).as_deref(), Some("/desk"));
    assert_eq!(browser.get("/desk").await.status(), StatusCode::OK);

    // The same code, in the same window, from another browser: refused.
    let again = login_with_code(&app.browser(), "zhang.dan", &code).await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    let log = app.store.audit_log(None, 5).unwrap();
    assert_eq!(log[0].action, AuditAction::LoginFailed);
    assert!(log[0].detail.contains("second-factor"), "{}", log[0].detail);
}

#[actix_web::test]
async fn a_recovery_code_lets_in_once() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee", Role::Writer, PASSWORD);
    let first = app.login("ann.lee", PASSWORD).await;
    let (_, codes) = enrol(&app, &first).await;

    let browser = app.browser();
    let response = login_with_code(&browser, "ann.lee", &codes[4].to_uppercase()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = browser.get_html("/desk/account").await;
    assert!(
        text_of(&page, "#two-factor-status")
            .unwrap()
            .contains("9 recovery codes left"),
        "{:?}",
        text_of(&page, "#two-factor-status")
    );
    let again = login_with_code(&app.browser(), "ann.lee", &codes[4]).await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn wrong_codes_are_counted_by_the_login_throttle() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee", Role::Writer, PASSWORD);
    let first = app.login("ann.lee", PASSWORD).await;
    enrol(&app, &first).await;

    let browser = app.browser();
    let response = browser.try_login("ann.lee", PASSWORD).await;
    assert_eq!(location(&response).as_deref(), Some("/desk/login/code"));
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(send_code(&browser, "123456").await.status());
    }
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
    // A fresh browser with the password gets as far as the code, and no further: the codes
    // are counted apart from the password, so knowing it buys no new guesses.
    let again = app.browser();
    let response = again.try_login("ann.lee", PASSWORD).await;
    assert_eq!(location(&response).as_deref(), Some("/desk/login/code"));
    assert_eq!(
        send_code(&again, "654321").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[actix_web::test]
async fn when_an_admin_requires_it_editors_must_set_it_up_before_anything_else() {
    let app = TestApp::spawn().await;
    app.create_user("boss", Role::Admin, PASSWORD);
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    app.create_user("ann.lee", Role::Writer, PASSWORD);
    let admin = app.login("boss", PASSWORD).await;
    let csrf = admin.csrf("/desk/users").await;
    let saved = admin
        .post_form(
            "/desk/users/two-factor-required",
            &[("csrf", &csrf), ("required", "yes")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let log = app.store.audit_log(None, 1).unwrap();
    assert_eq!(log[0].action, AuditAction::SettingChanged);
    // The admin is one of those it applies to.
    assert_eq!(
        location(&admin.get("/desk/users").await).as_deref(),
        Some("/desk/account/two-factor")
    );
    enrol(&app, &admin).await;
    let (_, page) = admin.get_html("/desk/users").await;
    assert_eq!(select(&page, "#required[checked]").len(), 1);

    let editor = app.login("zhang.dan", PASSWORD).await;
    for path in ["/desk", "/desk/account", "/desk/stories/new"] {
        let page = editor.get(path).await;
        assert_eq!(
            location(&page).as_deref(),
            Some("/desk/account/two-factor"),
            "{path}"
        );
    }
    enrol(&app, &editor).await;
    assert_eq!(editor.get("/desk").await.status(), StatusCode::OK);

    // Writers are not asked.
    let writer = app.login("ann.lee", PASSWORD).await;
    assert_eq!(writer.get("/desk").await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn an_admins_reset_ends_the_accounts_sessions_and_is_in_the_audit_log() {
    let app = TestApp::spawn().await;
    app.create_user("boss", Role::Admin, PASSWORD);
    let ann = app.create_user("ann.lee", Role::Writer, PASSWORD);
    let writer = app.login("ann.lee", PASSWORD).await;
    enrol(&app, &writer).await;
    assert_eq!(writer.get("/desk").await.status(), StatusCode::OK);

    let admin = app.login("boss", PASSWORD).await;
    let (_, page) = admin.get_html("/desk/users").await;
    assert_eq!(
        select(
            &page,
            &format!("form[action='/desk/users/{}/two-factor/reset']", ann.id)
        )
        .len(),
        1
    );
    let csrf = input_value(&page, "csrf").unwrap();
    let reset = admin
        .post_form(
            &format!("/desk/users/{}/two-factor/reset", ann.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(reset.status(), StatusCode::SEE_OTHER);

    assert_eq!(writer.get("/desk").await.status(), StatusCode::SEE_OTHER);
    assert!(
        app.store
            .user(ann.id)
            .unwrap()
            .unwrap()
            .two_factor
            .is_none()
    );
    let log = app.store.audit_log(None, 1).unwrap();
    assert_eq!(log[0].action, AuditAction::TwoFactorReset);
    assert!(
        log[0].detail.contains("ann.lee; 1 session ended"),
        "{}",
        log[0].detail
    );
    // The password alone lets in again.
    assert_eq!(
        location(&app.browser().try_login("ann.lee", PASSWORD).await).as_deref(),
        Some("/desk")
    );
}

#[actix_web::test]
async fn a_second_factor_is_in_backups_and_restored_on_either_engine() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann.lee", Role::Editor, PASSWORD);
    let browser = app.login("ann.lee", PASSWORD).await;
    let (secret, _) = enrol(&app, &browser).await;
    let admin = app.create_user("boss", Role::Admin, PASSWORD);
    newsroom::accounts::set_two_factor_required(
        &*app.store,
        &newsroom::accounts::Actor::user(&admin, app.clock.now()),
        true,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    app.store.backup(dir.path()).unwrap();

    let target = TestSite::new();
    let copy = target.open();
    copy.restore_backup(dir.path()).unwrap();
    let restored = copy.user(ann.id).unwrap().unwrap();
    let two_factor = restored.two_factor.expect("the second factor");
    assert_eq!(two_factor.secret, secret);
    assert_eq!(two_factor.recovery.len(), 10);
    assert!(newsroom::accounts::two_factor_required(&*copy).unwrap());
    assert_eq!(
        copy.user_by_name(&Username::parse("ann.lee").unwrap())
            .unwrap()
            .unwrap()
            .id,
        ann.id
    );
}

/// `newsroom user reset-2fa` for the admin who lost both phone and codes, while a sled server
/// holds the database (so through the server's control port), or straight on PostgreSQL.
#[actix_web::test]
async fn the_command_line_resets_a_second_factor_while_the_server_runs() {
    let site = TestSite::new();
    let mut add = newsroom(&site);
    add.args(["user", "add", "boss", "--role", "admin"]);
    let added = run_with_input(add, &format!("{PASSWORD}\n"));
    assert!(added.status.success(), "{}", added.stderr);
    let mut server = ServerProcess::start(&site, site.path().join("server.log")).await;
    let browser = Browser::new(&server.address);
    assert_eq!(
        location(&browser.try_login("boss", PASSWORD).await).as_deref(),
        Some("/desk")
    );
    let (status, page) = browser.get_html("/desk/account/two-factor").await;
    let shown = text_of(&page, "#two-factor-secret")
        .unwrap_or_else(|| panic!("{status}: {}\n{}", page.html(), server.log()));
    let secret = parse_secret(&shown.replace(' ', "")).unwrap();
    let csrf = input_value(&page, "csrf").unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    let enrolled = browser
        .post_form(
            "/desk/account/two-factor",
            &[("csrf", &csrf), ("code", &code_at(&secret, now))],
        )
        .await;
    assert_eq!(enrolled.status(), StatusCode::OK);

    let mut reset = newsroom(&site);
    reset.args(["user", "reset-2fa", "boss"]);
    let done = run(reset);
    assert!(done.status.success(), "{}", done.stderr);
    assert!(
        done.stdout
            .contains("reset the second factor of boss; 1 session ended"),
        "{}",
        done.stdout
    );
    assert_eq!(browser.get("/desk").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(
            &Browser::new(&server.address)
                .try_login("boss", PASSWORD)
                .await
        )
        .as_deref(),
        Some("/desk"),
        "the password alone lets in again"
    );
    server.stop().await;
}

#[test]
fn the_same_code_sent_many_times_at_once_is_accepted_once() {
    use newsroom::accounts::{SecondFactor, check_second_factor};
    use std::sync::{Arc, Barrier};
    let site = TestSite::new();
    let store = site.open();
    let secret = newsroom::auth::second_factor::new_secret();
    let now = time::OffsetDateTime::now_utc();
    let user = newsroom::domain::User {
        id: newsroom::domain::UserId::new(),
        username: Username::parse("ann.lee").unwrap(),
        initials: newsroom::domain::Initials::parse("AL").unwrap(),
        role: Role::Writer,
        password_hash: newsroom::domain::PasswordHash("$argon2id$x".into()),
        disabled: false,
        created_at: now,
        two_factor: Some(newsroom::domain::TwoFactor {
            secret: secret.clone(),
            last_step: 0,
            recovery: Vec::new(),
            enrolled_at: now,
        }),
    };
    store.create_user(&user).unwrap();
    let code = code_at(&secret, now.unix_timestamp() as u64);
    let start = Arc::new(Barrier::new(8));
    let tries: Vec<_> = (0..8)
        .map(|_| {
            let (store, start, code) = (store.clone(), start.clone(), code.clone());
            std::thread::spawn(move || {
                start.wait();
                check_second_factor(&*store, user.id, &code, now).unwrap()
            })
        })
        .collect();
    let outcomes: Vec<SecondFactor> = tries.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == SecondFactor::Code)
            .count(),
        1,
        "{outcomes:?}"
    );
}

#[actix_web::test]
async fn turning_off_ones_own_second_factor_asks_for_the_password_first() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee", Role::Writer, PASSWORD);
    let writer = app.login("ann.lee", PASSWORD).await;
    enrol(&app, &writer).await;
    let csrf = writer.csrf("/desk/account").await;

    let refused = writer
        .post_form(
            "/desk/account/two-factor/reset",
            &[("csrf", &csrf), ("password", "not my password at all")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&refused.text().await.unwrap());
    assert!(
        text_of(&page, "#turn-off-error")
            .unwrap()
            .contains("not your current password")
    );
    assert_eq!(
        input_value(&page, "password"),
        None,
        "nothing typed is sent back"
    );
    let user = app
        .store
        .user_by_name(&Username::parse("ann.lee").unwrap())
        .unwrap();
    assert!(user.unwrap().two_factor.is_some(), "still on");

    let done = writer
        .post_form(
            "/desk/account/two-factor/reset",
            &[("csrf", &csrf), ("password", PASSWORD)],
        )
        .await;
    assert!(done.status().is_redirection() || done.status().is_success());
    let user = app
        .store
        .user_by_name(&Username::parse("ann.lee").unwrap())
        .unwrap();
    assert!(user.unwrap().two_factor.is_none(), "off");
}

#[actix_web::test]
async fn names_typed_into_the_password_form_never_reach_the_count_of_wrong_codes() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann.lee", Role::Writer, PASSWORD);
    let first = app.login("ann.lee", PASSWORD).await;
    let (secret, _) = enrol(&app, &first).await;
    next_step(&app);

    // Whatever names the code step might count under, typed as usernames many times over.
    let stranger = app.browser();
    for name in [
        "second-factor:ann.lee".to_owned(),
        format!("code-account:{}", ann.id),
        format!("code-pair:{}", ann.id),
    ] {
        for _ in 0..25 {
            stranger.try_login(&name, "a wrong password here").await;
        }
    }

    let browser = app.browser();
    let response = login_with_code(&browser, "ann.lee", &code_at(&secret, unix(&app))).await;
    assert_eq!(location(&response).as_deref(), Some("/desk"));
}

#[actix_web::test]
async fn guessing_ones_own_password_on_the_account_page_is_throttled_like_a_login() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee", Role::Writer, PASSWORD);
    let writer = app.login("ann.lee", PASSWORD).await;
    let csrf = writer.csrf("/desk/account").await;
    let mut messages = Vec::new();
    for _ in 0..6 {
        let refused = writer
            .post_form(
                "/desk/account/password",
                &[
                    ("csrf", csrf.as_str()),
                    ("current", "not the password"),
                    ("password", "a brand new long password"),
                ],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = scraper::Html::parse_document(&refused.text().await.unwrap());
        messages.push(text_of(&page, "#current-error").unwrap());
    }
    assert!(
        messages[..5]
            .iter()
            .all(|m| m.contains("not your current password"))
    );
    assert!(
        messages[5].contains("Too many wrong passwords"),
        "{messages:?}"
    );
}

#[actix_web::test]
async fn a_login_half_way_through_starts_again_once_the_password_has_changed() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann.lee", Role::Writer, PASSWORD);
    let first = app.login("ann.lee", PASSWORD).await;
    let (secret, _) = enrol(&app, &first).await;
    next_step(&app);

    // Someone with the old password gets as far as the code...
    let browser = app.browser();
    let response = browser.try_login("ann.lee", PASSWORD).await;
    assert_eq!(location(&response).as_deref(), Some("/desk/login/code"));
    // ...when the password changes.
    let hash = newsroom::auth::password::hash_blocking(
        &newsroom::domain::Password::new("a brand new long password").unwrap(),
    )
    .unwrap();
    newsroom::accounts::set_password(
        &*app.store,
        &newsroom::accounts::Actor::command_line(app.clock.now()),
        ann.id,
        hash,
    )
    .unwrap();

    let refused = send_code(&browser, &code_at(&secret, unix(&app))).await;
    assert_eq!(location(&refused).as_deref(), Some("/login"));
    assert_eq!(
        browser.get("/desk").await.status(),
        StatusCode::SEE_OTHER,
        "not signed in"
    );
}
