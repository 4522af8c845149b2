//! Logging in and out of the desk, first-run setup, and the attacks each must withstand.

use crate::helpers::{TestApp, input_value, location, select, text_of};
use newsroom::domain::Role;
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";

async fn app_with_editor() -> TestApp {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    app
}

/// The session cookie a response sets, as the raw `Set-Cookie` header.
fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("newsroom_session="))
        .map(str::to_owned)
}

fn cookie_value(set_cookie: &str) -> &str {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map_or("", |(_, value)| value)
}

#[actix_web::test]
async fn the_login_page_has_labelled_fields() {
    let app = TestApp::spawn().await;
    let (status, page) = app.get_html("/login").await;
    assert_eq!(status, StatusCode::OK);
    for field in ["username", "password"] {
        assert_eq!(
            select(&page, &format!("label[for='{field}']")).len(),
            1,
            "a label for {field}"
        );
        assert_eq!(
            select(&page, &format!("input#{field}[name='{field}']")).len(),
            1
        );
    }
    assert_eq!(
        select(&page, "input#password[type='password']").len(),
        1,
        "the password is not shown as it is typed"
    );
}

#[actix_web::test]
async fn an_editor_logs_in_and_reaches_the_desk() {
    let app = app_with_editor().await;
    let browser = app.browser();
    let response = browser.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response).as_deref(), Some("/desk"));
    let (status, page) = browser.get_html("/desk").await;
    assert_eq!(status, StatusCode::OK);
    let bar = text_of(&page, "header").unwrap_or_default();
    assert!(
        bar.contains("zhang.dan"),
        "the desk names who is signed in: {bar}"
    );
}

#[actix_web::test]
async fn the_session_cookie_is_http_only_same_site_and_scoped_to_the_desk() {
    let app = app_with_editor().await;
    let response = app.browser().try_login("zhang.dan", PASSWORD).await;
    let cookie = session_cookie(&response).expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/desk"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http on loopback cannot use Secure cookies: {cookie}"
    );
    assert!(
        cookie_value(&cookie).len() >= 43,
        "at least 256 random bits: {cookie}"
    );
}

#[actix_web::test]
async fn the_session_cookie_is_secure_when_the_site_is_served_over_https() {
    let app = TestApp::spawn_with(|s| s.base_url = "https://news.example".into()).await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let response = app.browser().try_login("zhang.dan", PASSWORD).await;
    let cookie = session_cookie(&response).expect("a session cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
    let known_browser = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("newsroom_device="))
        .expect("a known-browser cookie");
    assert!(known_browser.contains("Secure"), "{known_browser}");
}

#[actix_web::test]
async fn a_setup_form_with_a_planted_token_pair_is_refused_and_a_genuine_one_works() {
    let app = TestApp::spawn().await;
    let token = app.setup_token.clone().expect("a setup token");
    let path = format!("/setup/{token}");
    let fields = |form_token: &str| {
        [
            ("username", "zhang.dan".to_owned()),
            ("initials", "ZD".to_owned()),
            ("password", PASSWORD.to_owned()),
            ("confirm", PASSWORD.to_owned()),
            ("form_token", form_token.to_owned()),
        ]
    };
    // A pair of someone's own making, in the cookie and the form alike, is not one the site signed.
    let forged = "cd".repeat(32);
    let refused = reqwest::Client::new()
        .post(app.url(&path))
        .header("cookie", format!("newsroom_form={forged}"))
        .form(&fields(&forged))
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(app.store.users().unwrap().is_empty());

    let browser = app.browser();
    let (_, page) = browser.get_html(&path).await;
    let genuine = input_value(&page, "form_token").expect("the setup form");
    let fields = fields(&genuine);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let created = browser.post_form(&path, &fields).await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn every_login_gets_a_new_session_id() {
    let app = app_with_editor().await;
    let browser = app.browser();
    let first = session_cookie(&browser.try_login("zhang.dan", PASSWORD).await).expect("first");
    let second = session_cookie(&browser.try_login("zhang.dan", PASSWORD).await).expect("second");
    assert_ne!(cookie_value(&first), cookie_value(&second));
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = app_with_editor().await;
    let wrong_password = app
        .browser()
        .try_login("zhang.dan", "not the password")
        .await;
    let unknown_user = app.browser().try_login("nobody.here", PASSWORD).await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_user.status(), StatusCode::UNAUTHORIZED);
    let error = |html: String| {
        text_of(&scraper::Html::parse_document(&html), ".error").expect("an error message")
    };
    let a = error(wrong_password.text().await.expect("body"));
    let b = error(unknown_user.text().await.expect("body"));
    assert_eq!(a, b);
    assert_eq!(a, "Wrong username or password.");
}

#[actix_web::test]
async fn a_refused_login_keeps_the_username_but_never_echoes_the_password() {
    let app = app_with_editor().await;
    let response = app
        .browser()
        .try_login("zhang.dan", "not the password")
        .await;
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(input_value(&page, "username").as_deref(), Some("zhang.dan"));
    assert_eq!(input_value(&page, "password"), None);
}

#[actix_web::test]
async fn twenty_five_wrong_passwords_are_throttled_and_the_right_one_waits_too() {
    let app = app_with_editor().await;
    let browser = app.browser();
    let mut statuses = Vec::new();
    for _ in 0..25 {
        statuses.push(
            browser
                .try_login("zhang.dan", "guess guess guess")
                .await
                .status(),
        );
    }
    assert!(
        statuses[..5].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert!(
        statuses[5..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let response = browser.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let text = response.text().await.expect("body");
    assert!(text.contains("try again in 1 minute"), "{text}");
    let (status, _) = browser.get_html("/desk").await;
    assert_ne!(status, StatusCode::OK, "no session was opened");
}

#[actix_web::test]
async fn throttling_answers_alike_for_accounts_that_do_not_exist() {
    let app = app_with_editor().await;
    let browser = app.browser();
    for _ in 0..5 {
        browser.try_login("nobody.here", "guess guess guess").await;
    }
    let response = browser.try_login("nobody.here", "guess guess guess").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[actix_web::test]
async fn a_login_form_posted_from_elsewhere_is_refused() {
    let app = app_with_editor().await;
    let response = app
        .browser()
        .post_form(
            "/login",
            &[
                ("username", "zhang.dan"),
                ("password", PASSWORD),
                ("form_token", "forged"),
                ("next", "/desk"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(session_cookie(&response).is_none());
}

#[actix_web::test]
async fn an_anonymous_desk_request_goes_to_login_and_comes_back_after() {
    let app = app_with_editor().await;
    let browser = app.browser();
    let response = browser.get("/desk/stories/new").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response).expect("a redirect");
    assert!(to.starts_with("/login?next="), "{to}");

    let (_, page) = browser.get_html(&to).await;
    let next = input_value(&page, "next").expect("next in the form");
    assert_eq!(next, "/desk/stories/new");
    let token = input_value(&page, "form_token").expect("form token");
    let response = browser
        .post_form(
            "/login",
            &[
                ("username", "zhang.dan"),
                ("password", PASSWORD),
                ("form_token", &token),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(location(&response).as_deref(), Some("/desk/stories/new"));
}

#[actix_web::test]
async fn login_never_sends_the_browser_to_another_site() {
    let app = app_with_editor().await;
    let browser = app.browser();
    let (_, page) = browser.get_html("/login").await;
    let token = input_value(&page, "form_token").expect("form token");
    for next in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
    ] {
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
        assert_eq!(location(&response).as_deref(), Some("/desk"), "next={next}");
    }
}

#[actix_web::test]
async fn logging_out_ends_the_session_on_the_server_so_a_copied_cookie_is_worthless() {
    let app = app_with_editor().await;
    let browser = app.browser();
    let cookie = session_cookie(&browser.try_login("zhang.dan", PASSWORD).await).expect("cookie");
    let stolen = format!("newsroom_session={}", cookie_value(&cookie));
    let csrf = browser.csrf("/desk").await;

    let response = browser.post_form("/desk/logout", &[("csrf", &csrf)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(app.url("/desk"))
        .header(reqwest::header::COOKIE, stolen)
        .send()
        .await
        .expect("request");
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
    assert!(location(&replay).unwrap_or_default().starts_with("/login"));
}

#[actix_web::test]
async fn logout_is_a_form_with_a_button_on_every_desk_page() {
    let app = app_with_editor().await;
    let browser = app.login("zhang.dan", PASSWORD).await;
    for path in ["/desk", "/desk/stories/new"] {
        let (_, page) = browser.get_html(path).await;
        assert_eq!(
            select(&page, "form[method='post'][action='/desk/logout'] button").len(),
            1,
            "{path}"
        );
    }
}

#[actix_web::test]
async fn logging_out_needs_the_csrf_token() {
    let app = app_with_editor().await;
    let browser = app.login("zhang.dan", PASSWORD).await;
    let response = browser
        .post_form("/desk/logout", &[("csrf", "forged")])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (status, _) = browser.get_html("/desk").await;
    assert_eq!(status, StatusCode::OK, "still signed in");
}

#[actix_web::test]
async fn an_expired_session_sends_the_user_to_log_in_again() {
    let app = TestApp::spawn_with(|s| s.session_idle = std::time::Duration::from_secs(1)).await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let browser = app.login("zhang.dan", PASSWORD).await;
    app.clock.advance(time::Duration::seconds(2)); // past the one-second idle limit
    let response = browser.get("/desk").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&response)
            .unwrap_or_default()
            .starts_with("/login")
    );
}

// --- First run --------------------------------------------------------------------------------

async fn post_setup(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    let browser = app.browser();
    let path = format!("/setup/{token}");
    let (status, page) = browser.get_html(&path).await;
    assert_eq!(status, StatusCode::OK, "the setup page");
    let form_token = input_value(&page, "form_token").expect("form token");
    browser
        .post_form(
            &path,
            &[
                ("username", "chief.editor"),
                ("initials", ""),
                ("password", password),
                ("confirm", password),
                ("form_token", &form_token),
            ],
        )
        .await
}

#[actix_web::test]
async fn the_setup_link_creates_the_first_admin_once_only() {
    let app = TestApp::spawn().await;
    let token = app
        .setup_token
        .clone()
        .expect("a setup token while no account exists");
    let response = post_setup(&app, &token, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let user = app
        .store
        .user_by_name(&newsroom::domain::Username::parse("chief.editor").expect("name"))
        .expect("read")
        .expect("the account exists");
    assert_eq!(user.role, Role::Admin);
    assert!(
        user.password_hash.0.starts_with("$argon2id$"),
        "argon2id PHC string"
    );

    let again = app.browser().get(&format!("/setup/{token}")).await;
    assert_eq!(
        again.status(),
        StatusCode::NOT_FOUND,
        "the token is single-use"
    );
    app.browser().try_login("chief.editor", PASSWORD).await;
}

#[actix_web::test]
async fn a_wrong_setup_token_is_a_404() {
    let app = TestApp::spawn().await;
    let response = app.browser().get("/setup/not-the-token").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_short_setup_password_is_refused_and_the_token_still_works() {
    let app = TestApp::spawn().await;
    let token = app.setup_token.clone().expect("a setup token");
    let response = post_setup(&app, &token, "short").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = response.text().await.expect("body");
    assert!(
        text.contains("12"),
        "says how long a password must be: {text}"
    );
    let response = post_setup(&app, &token, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn a_malformed_form_gets_the_site_s_error_page_not_a_bare_message() {
    let app = app_with_editor().await;
    let response = app
        .browser()
        .post_form("/login", &[("username", "zhang.dan")])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let content_type = response.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(
        text_of(&page, "h1").as_deref(),
        Some("The request could not be read")
    );
}

#[actix_web::test]
async fn serve_prints_a_setup_link_that_works_while_no_account_exists() {
    use std::io::{BufRead, BufReader};
    let site = crate::helpers::TestSite::new();
    // On a terminal, as a person starting the site sees it: `script` gives it one.
    let serve = crate::helpers::newsroom(&site);
    let mut line = vec![serve.get_program().to_owned()];
    line.extend(serve.get_args().map(ToOwned::to_owned));
    line.extend(["serve", "--bind", "127.0.0.1:0"].map(Into::into));
    let line: Vec<String> = line
        .iter()
        .map(|a| format!("'{}'", a.to_string_lossy()))
        .collect();
    let mut child = std::process::Command::new("script")
        .args(["-qefc", &line.join(" "), "/dev/null"])
        .envs(serve.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start newsroom serve");
    let stdout = child.stdout.take().expect("stdout");
    // The link is printed once the server listens; read lines until it comes (or stdout ends).
    let reader = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| {
                let line = line.trim();
                line.starts_with("http://").then(|| line.to_owned())
            })
    });
    let link = tokio::time::timeout(std::time::Duration::from_secs(20), reader).await;
    let Ok(Ok(Some(link))) = link else {
        child.kill().expect("stop the server");
        panic!("serve printed no setup link: {link:?}");
    };
    assert!(link.contains("/setup/"), "{link}");

    let response = reqwest::get(&link).await.expect("request");
    let status = response.status();
    child.kill().expect("stop the server");
    child.wait().expect("wait for the server");
    assert_eq!(status, StatusCode::OK, "{link}");
}

// --- Renewal ----------------------------------------------------------------------------------

/// Signed in with an idle limit of 80 seconds: a session is renewed at most every 10.
async fn signed_in_for_80_seconds() -> (TestApp, crate::helpers::Browser) {
    let app = TestApp::spawn_with(|s| s.session_idle = std::time::Duration::from_secs(80)).await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let browser = app.login("zhang.dan", PASSWORD).await;
    (app, browser)
}

#[actix_web::test]
async fn a_desk_request_soon_after_the_last_renewal_writes_nothing() {
    let (app, browser) = signed_in_for_80_seconds().await;
    app.clock.advance(time::Duration::seconds(5));
    assert_eq!(browser.get("/desk").await.status(), StatusCode::OK);

    // Had that request renewed the session, it would last until 85 seconds.
    app.clock.advance(time::Duration::seconds(76));
    let response = browser.get("/desk").await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "ended at 80 seconds"
    );
}

#[actix_web::test]
async fn a_desk_request_after_a_while_renews_the_session() {
    let (app, browser) = signed_in_for_80_seconds().await;
    app.clock.advance(time::Duration::seconds(20));
    assert_eq!(browser.get("/desk").await.status(), StatusCode::OK);

    app.clock.advance(time::Duration::seconds(61));
    assert_eq!(
        browser.get("/desk").await.status(),
        StatusCode::OK,
        "renewed at 20 seconds, so alive at 81"
    );
}

#[test]
fn setup_link_makes_a_new_link_while_no_account_exists_and_refuses_after() {
    let site = crate::helpers::TestSite::new();
    let mut command = crate::helpers::newsroom(&site);
    command.args(["setup-link", "--base-url", "https://news.example/"]);
    let made = crate::helpers::run(command);
    assert!(made.status.success(), "{}", made.stderr);
    assert!(
        made.stdout.contains("https://news.example/setup/"),
        "{}",
        made.stdout
    );

    let mut add = crate::helpers::newsroom(&site);
    add.args(["user", "add", "zhang.dan", "--role", "admin"]);
    let added = crate::helpers::run_with_input(add, &format!("{PASSWORD}\n"));
    assert!(added.status.success(), "{}", added.stderr);
    let mut again = crate::helpers::newsroom(&site);
    again.arg("setup-link");
    let refused = crate::helpers::run(again);
    assert!(!refused.status.success());
    assert!(
        refused.stderr.contains("already has accounts"),
        "{}",
        refused.stderr
    );
}

#[test]
fn serve_off_a_terminal_names_setup_link_and_never_prints_the_token() {
    let site = crate::helpers::TestSite::new();
    let mut child = crate::helpers::newsroom(&site)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start newsroom serve");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).expect("a line");
    child.kill().expect("stop the server");
    child.wait().expect("wait for the server");
    assert!(first.contains("newsroom setup-link"), "{first}");
    assert!(!first.contains("/setup/"), "{first}");
}

/// Every request a setup link brings (the page, its form sent wrong and right, odd spellings
/// of its path, a page under it), through the real binary's log in both formats: no line
/// holds the token.
#[actix_web::test]
async fn no_log_line_of_any_setup_request_holds_the_token() {
    for format in ["text", "json"] {
        let site = crate::helpers::TestSite::new();
        let mut command = crate::helpers::newsroom(&site);
        command.arg("setup-link");
        let made = crate::helpers::run(command);
        assert!(made.status.success(), "{}", made.stderr);
        let token = made
            .stdout
            .split("/setup/")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("a setup link")
            .to_owned();
        let log = site.path().join(format!("{format}.log"));
        let mut server =
            crate::helpers::ServerProcess::start_with(&site, log, &["--log-format", format]).await;
        let browser = crate::helpers::Browser::new(&server.address);
        for path in [
            format!("/setup/{token}"),
            format!("/setup/{token}?from=mail"),
            format!("//setup/{token}"),
            format!("/%73etup/{token}"),
            format!("/setup/{token}/more"),
            format!("/setup/{token}/"),
        ] {
            browser.get(&path).await;
        }
        let (_, page) = browser.get_html(&format!("/setup/{token}")).await;
        let form_token = input_value(&page, "form_token").expect("the setup form");
        let path = format!("/setup/{token}");
        // A forged form, one that is too short, one with too short a password, then the real one.
        browser.post_form(&path, &[("form_token", "forged")]).await;
        browser.post_form(&path, &[("username", "x")]).await;
        let mut fields = vec![
            ("username", "zhang.dan"),
            ("initials", "ZD"),
            ("password", "short"),
            ("confirm", "short"),
            ("form_token", form_token.as_str()),
        ];
        browser.post_form(&path, &fields).await;
        fields[2] = ("password", PASSWORD);
        fields[3] = ("confirm", PASSWORD);
        let created = browser.post_form(&path, &fields).await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER, "{format}");
        browser.get(&path).await;
        server.stop().await;

        let written = server.log();
        assert!(
            written.contains("/setup/…"),
            "{format}: requests are logged:\n{written}"
        );
        for line in written.lines() {
            assert!(!line.contains(&token), "{format}: the token in {line}");
        }
    }
}
