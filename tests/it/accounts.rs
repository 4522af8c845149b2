//! Accounts: `newsroom user ...` on the command line, the admin pages, the audit log, and the
//! checks that keep forged requests out.

use crate::helpers::{
    Browser, ServerProcess, StoryBuilder, TestApp, TestSite, location, newsroom, run,
    run_with_input, select, text_of,
};
use newsroom::domain::{AuditAction, AuditEvent, Role, Username};
use reqwest::StatusCode;
use scraper::Html;
use time::macros::datetime;

const PASSWORD: &str = "correct horse battery";

fn user_command(site: &TestSite, args: &[&str]) -> std::process::Command {
    let mut command = newsroom(site);
    command.arg("user").args(args);
    command
}

/// `newsroom user add ...` with the password typed on standard input.
fn add_user(site: &TestSite, args: &[&str], password: &str) -> crate::helpers::Finished {
    let mut full = vec!["add"];
    full.extend_from_slice(args);
    run_with_input(user_command(site, &full), &format!("{password}\n"))
}

/// Sends the accounts page's "add an account" form.
async fn add_account(
    admin: &Browser,
    csrf: &str,
    username: &str,
    role: &str,
    initials: &str,
    password: &str,
) -> reqwest::Response {
    admin
        .post_form(
            "/desk/users",
            &[
                ("csrf", csrf),
                ("username", username),
                ("role", role),
                ("initials", initials),
                ("password", password),
            ],
        )
        .await
}

/// The rows of `newsroom user list`, each split into its columns.
fn listed(site: &TestSite) -> Vec<Vec<String>> {
    let finished = run(user_command(site, &["list"]));
    assert!(finished.status.success(), "{}", finished.stderr);
    finished
        .stdout
        .lines()
        .skip(1)
        .map(|line| line.split_whitespace().map(str::to_owned).collect())
        .collect()
}

fn row_of(html: &Html, username: &str) -> String {
    text_of(html, &format!("tr[id='account-{username}']")).unwrap_or_default()
}

fn user_id(app: &TestApp, username: &str) -> String {
    app.store
        .user_by_name(&Username::parse(username).unwrap())
        .unwrap()
        .expect("the account exists")
        .id
        .to_string()
}

/// The (who, action) of each row of the audit page, top to bottom.
fn audit_rows(html: &Html) -> Vec<(String, String)> {
    select(html, "table.audit tbody tr")
        .iter()
        .map(|row| {
            let cell = |class: &str| {
                let selector = scraper::Selector::parse(&format!("td.{class}")).unwrap();
                row.select(&selector)
                    .next()
                    .map(|c| c.text().collect::<String>().trim().to_owned())
                    .unwrap_or_default()
            };
            (cell("actor"), cell("action"))
        })
        .collect()
}

// --- The command line ---------------------------------------------------------------------------

#[actix_web::test]
async fn user_add_reads_the_password_from_standard_input_and_the_account_can_log_in() {
    let site = TestSite::new();

    let added = add_user(&site, &["zhang.dan", "--role", "editor"], PASSWORD);

    assert!(added.status.success(), "{}", added.stderr);
    assert_eq!(
        added.stdout.trim(),
        "created editor account zhang.dan (initials ZD)"
    );
    let app = TestApp::spawn_in(site, |_| {}).await;
    app.login("zhang.dan", PASSWORD).await;
    let created = app
        .store
        .audit_log(None, 10)
        .unwrap()
        .into_iter()
        .find(|e| e.action == AuditAction::UserCreated)
        .expect("the creation is in the audit log");
    assert_eq!(created.actor_name, "command line");
    assert!(created.detail.contains("zhang.dan"), "{}", created.detail);
}

#[actix_web::test]
async fn user_add_refuses_a_password_under_twelve_characters() {
    let site = TestSite::new();

    let added = add_user(&site, &["ann", "--role", "writer"], "eleven char");

    assert!(!added.status.success());
    assert!(
        added.stderr.contains("at least 12 characters"),
        "{}",
        added.stderr
    );
    assert!(listed(&site).iter().all(|row| row[0] != "ann"));
}

#[actix_web::test]
async fn user_add_refuses_a_taken_username() {
    let site = TestSite::new();
    assert!(
        add_user(&site, &["ann", "--role", "writer"], PASSWORD)
            .status
            .success()
    );

    let again = add_user(&site, &["ann", "--role", "admin"], PASSWORD);

    assert!(!again.status.success());
    assert!(
        again.stderr.contains(r#"the username "ann" is taken"#),
        "{}",
        again.stderr
    );
    assert_eq!(listed(&site), [["ann", "writer", "A", "active"]]);
}

#[actix_web::test]
async fn user_list_shows_username_role_initials_and_status() {
    let site = TestSite::new();
    for (args, password) in [
        (&["zhang.dan", "--role", "editor"][..], PASSWORD),
        (
            &["boss", "--role", "admin", "--initials", "bb"][..],
            PASSWORD,
        ),
    ] {
        let added = add_user(&site, args, password);
        assert!(added.status.success(), "{}", added.stderr);
    }
    let disabled = run(user_command(&site, &["disable", "zhang.dan"]));
    assert!(disabled.status.success(), "{}", disabled.stderr);

    assert_eq!(
        listed(&site),
        [
            ["boss", "admin", "BB", "active"],
            ["zhang.dan", "editor", "ZD", "disabled"],
        ]
    );
}

#[actix_web::test]
async fn user_passwd_replaces_the_password() {
    let site = TestSite::new();
    assert!(
        add_user(&site, &["ann", "--role", "writer"], PASSWORD)
            .status
            .success()
    );

    let changed = run_with_input(
        user_command(&site, &["passwd", "ann"]),
        "a brand new passphrase\n",
    );

    assert!(changed.status.success(), "{}", changed.stderr);
    let app = TestApp::spawn_in(site, |_| {}).await;
    let old = app.browser().try_login("ann", PASSWORD).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    app.login("ann", "a brand new passphrase").await;
}

#[actix_web::test]
async fn user_commands_reach_the_server_holding_the_database() {
    // sled allows one process at a time in its directory: the command runs in the server.
    let site = TestSite::sled();
    let _server = ServerProcess::start(&site, site.path().join("serve.log")).await;

    let listed = run(user_command(&site, &["list"]));

    assert!(listed.status.success(), "{}", listed.stderr);
    assert!(
        !listed.stderr.contains("in use by a running server"),
        "{}",
        listed.stderr
    );
    assert!(listed.stdout.starts_with("USERNAME"), "{}", listed.stdout);
}

#[actix_web::test]
async fn user_disable_ends_the_account_s_sessions() {
    let site = TestSite::new();
    for name in ["boss", "ann"] {
        assert!(
            add_user(&site, &[name, "--role", "admin"], PASSWORD)
                .status
                .success()
        );
    }
    let mut server = ServerProcess::start(&site, site.path().join("serve-1.log")).await;
    let mut ann = Browser::new(&server.address);
    assert_eq!(
        ann.try_login("ann", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(ann.get("/desk/users").await.status(), StatusCode::OK);
    server.stop().await;

    let disabled = run(user_command(&site, &["disable", "ann"]));

    assert!(disabled.status.success(), "{}", disabled.stderr);
    assert_eq!(disabled.stdout.trim(), "disabled ann; 1 session ended");
    let server = ServerProcess::start(&site, site.path().join("serve-2.log")).await;
    ann.address = server.address.clone();
    let response = ann.get("/desk/users").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&response).is_some_and(|to| to.starts_with("/login")),
        "{:?}",
        location(&response)
    );
}

// --- Who may see the admin pages ----------------------------------------------------------------

#[actix_web::test]
async fn writers_and_editors_are_refused_the_admin_pages() {
    let app = TestApp::spawn().await;
    app.create_user("ann", Role::Writer, PASSWORD);
    app.create_user("edna", Role::Editor, PASSWORD);
    for name in ["ann", "edna"] {
        let browser = app.login(name, PASSWORD).await;
        for path in ["/desk/users", "/desk/audit"] {
            assert_eq!(
                browser.get(path).await.status(),
                StatusCode::FORBIDDEN,
                "{name} on {path}"
            );
        }
    }
}

#[actix_web::test]
async fn an_anonymous_visitor_is_sent_to_log_in_first() {
    let app = TestApp::spawn().await;
    for path in ["/desk/users", "/desk/audit"] {
        let response = app.browser().get(path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        let expected = format!("/login?next=%2Fdesk%2F{}", &path[6..]);
        assert_eq!(location(&response), Some(expected));
    }
}

// --- The accounts page --------------------------------------------------------------------------

#[actix_web::test]
async fn an_admin_adds_an_account_that_can_then_log_in() {
    let app = TestApp::spawn().await;
    app.create_user("boss", Role::Admin, PASSWORD);
    let boss = app.login("boss", PASSWORD).await;
    let csrf = boss.csrf("/desk/users").await;

    let response = add_account(
        &boss,
        &csrf,
        "new.writer",
        "editor",
        "",
        "a fresh long password",
    )
    .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response).as_deref(), Some("/desk/users"));
    let (_, page) = boss.get_html("/desk/users").await;
    assert!(
        text_of(&page, ".notice")
            .unwrap_or_default()
            .contains("Account new.writer created"),
        "{:?}",
        text_of(&page, ".notice")
    );
    let row = row_of(&page, "new.writer");
    assert!(row.contains("NW") && row.contains("Active"), "{row}");
    let new_user = app
        .store
        .user_by_name(&Username::parse("new.writer").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(new_user.role, Role::Editor);
    app.login("new.writer", "a fresh long password").await;
    let (_, again) = boss.get_html("/desk/users").await;
    assert!(
        text_of(&again, ".notice").is_none(),
        "a notice is shown once"
    );
}

#[actix_web::test]
async fn an_account_and_its_audit_entry_carry_the_site_clock_s_time() {
    let app = TestApp::spawn().await;
    app.create_user("boss", Role::Admin, PASSWORD);
    app.clock.advance(time::Duration::days(400));
    let now = app.clock.now();
    let boss = app.login("boss", PASSWORD).await;
    let csrf = boss.csrf("/desk/users").await;

    let response = add_account(&boss, &csrf, "ann", "writer", "", "a fresh long password").await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let ann = app
        .store
        .user_by_name(&Username::parse("ann").unwrap())
        .unwrap()
        .unwrap();
    assert!(ann.created_at >= now, "{} before {now}", ann.created_at);
    let events = app.store.audit_log(None, 10).unwrap();
    let created = events
        .iter()
        .find(|e| e.action == AuditAction::UserCreated)
        .expect("the creation is in the audit log");
    assert!(created.at >= now, "{} before {now}", created.at);
}

#[actix_web::test]
async fn a_refused_new_account_shows_errors_by_the_fields_and_keeps_all_but_the_password() {
    let app = TestApp::spawn().await;
    app.create_user("boss", Role::Admin, PASSWORD);
    let boss = app.login("boss", PASSWORD).await;
    let csrf = boss.csrf("/desk/users").await;

    let response = add_account(&boss, &csrf, "Not Valid!", "editor", "QX", "short").await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&response.text().await.unwrap());
    let value = |selector: &str| {
        select(&page, selector)
            .first()
            .and_then(|e| e.value().attr("value"))
            .map(str::to_owned)
    };
    assert_eq!(value("#username").as_deref(), Some("Not Valid!"));
    assert_eq!(value("#initials").as_deref(), Some("QX"));
    assert_eq!(value("#password"), None, "the password is never sent back");
    assert_eq!(
        select(&page, "#role option[selected]")[0]
            .value()
            .attr("value"),
        Some("editor")
    );
    assert!(text_of(&page, "#username-error").is_some());
    assert!(
        text_of(&page, "#password-error")
            .unwrap_or_default()
            .contains("at least 12 characters")
    );
    for field in ["username", "role", "initials", "password"] {
        assert_eq!(
            select(&page, &format!("label[for='{field}']")).len(),
            1,
            "{field} has a label"
        );
    }
    assert_eq!(app.store.users().unwrap().len(), 1);
}

#[actix_web::test]
async fn a_taken_username_is_reported_next_to_the_field() {
    let app = TestApp::spawn().await;
    app.create_user("boss", Role::Admin, PASSWORD);
    app.create_user("ann", Role::Writer, PASSWORD);
    let boss = app.login("boss", PASSWORD).await;
    let csrf = boss.csrf("/desk/users").await;

    let response = add_account(&boss, &csrf, "ann", "admin", "", PASSWORD).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&response.text().await.unwrap());
    assert!(
        text_of(&page, "#username-error")
            .unwrap_or_default()
            .contains("ann is taken")
    );
    let ann = app
        .store
        .user_by_name(&Username::parse("ann").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(ann.role, Role::Writer);
}

#[actix_web::test]
async fn an_admin_changes_a_role_and_resets_a_password() {
    let app = TestApp::spawn().await;
    app.create_user("boss", Role::Admin, PASSWORD);
    app.create_user("ann", Role::Writer, PASSWORD);
    let boss = app.login("boss", PASSWORD).await;
    let ann_browser = app.login("ann", PASSWORD).await;
    let csrf = boss.csrf("/desk/users").await;
    let ann = user_id(&app, "ann");
    let story = StoryBuilder::new("Talks end").save(&app);
    let story_history = format!("/desk/stories/{}/history", story.id);

    let promoted = boss
        .post_form(
            &format!("/desk/users/{ann}/role"),
            &[("csrf", &csrf), ("role", "editor")],
        )
        .await;
    assert_eq!(
        ann_browser.get(&story_history).await.status(),
        StatusCode::OK,
        "as an editor, ann sees any story's history"
    );
    let reset = boss
        .post_form(
            &format!("/desk/users/{ann}/password"),
            &[("csrf", &csrf), ("password", "another long password")],
        )
        .await;

    assert_eq!(promoted.status(), StatusCode::SEE_OTHER);
    assert_eq!(reset.status(), StatusCode::SEE_OTHER);
    let (_, page) = boss.get_html("/desk/users").await;
    assert_eq!(
        select(&page, &format!("#role-{ann} option[selected]"))[0]
            .value()
            .attr("value"),
        Some("editor")
    );
    assert!(
        text_of(&page, ".notice")
            .unwrap_or_default()
            .contains("Password of ann reset; 1 session ended")
    );
    let old = app.browser().try_login("ann", PASSWORD).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    app.login("ann", "another long password").await;
    let ended = ann_browser.get(&story_history).await;
    assert_eq!(
        ended.status(),
        StatusCode::SEE_OTHER,
        "ann's old session ended"
    );
    let actions: Vec<AuditAction> = app
        .store
        .audit_log(None, 20)
        .unwrap()
        .iter()
        .filter(|e| e.actor_name == "boss")
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&AuditAction::UserChanged));
    assert!(actions.contains(&AuditAction::PasswordChanged));
}

#[actix_web::test]
async fn an_admin_changes_their_own_password_on_the_account_page_not_by_a_reset() {
    let app = TestApp::spawn().await;
    let boss = app.create_user("boss", Role::Admin, PASSWORD);
    let here = app.login("boss", PASSWORD).await;
    let csrf = here.csrf("/desk/users").await;

    let response = here
        .post_form(
            &format!("/desk/users/{}/password", boss.id),
            &[
                ("csrf", csrf.as_str()),
                ("password", "my new long password"),
            ],
        )
        .await;

    // A session left open is not enough to change its password: the account page asks for
    // the current one first.
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response).as_deref(), Some("/desk/account"));
    assert_eq!(here.get("/desk/users").await.status(), StatusCode::OK);
    assert_eq!(
        app.browser()
            .try_login("boss", "my new long password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED,
        "nothing changed"
    );
    let refused = here
        .post_form(
            &format!("/desk/users/{}/two-factor/reset", boss.id),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(location(&refused).as_deref(), Some("/desk/account"));
}

#[actix_web::test]
async fn disabling_an_account_ends_its_sessions_at_once() {
    let app = TestApp::spawn().await;
    app.create_user("boss", Role::Admin, PASSWORD);
    app.create_user("deputy", Role::Admin, PASSWORD);
    let boss = app.login("boss", PASSWORD).await;
    let deputy_browser = app.login("deputy", PASSWORD).await;
    assert_eq!(
        deputy_browser.get("/desk/users").await.status(),
        StatusCode::OK
    );
    let csrf = boss.csrf("/desk/users").await;
    let deputy = user_id(&app, "deputy");

    let disabled = boss
        .post_form(
            &format!("/desk/users/{deputy}/disable"),
            &[("csrf", csrf.as_str())],
        )
        .await;

    assert_eq!(disabled.status(), StatusCode::SEE_OTHER);
    let (_, page) = boss.get_html("/desk/users").await;
    assert!(row_of(&page, "deputy").contains("Disabled"));
    assert!(
        text_of(&page, ".notice")
            .unwrap_or_default()
            .contains("deputy disabled; 1 session ended")
    );
    assert_eq!(
        app.browser().try_login("deputy", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED,
        "a disabled account cannot log in"
    );
    // Enabled again before the old browser comes back, the account must still log in afresh:
    // its session was ended, not merely refused while the account was disabled.
    let enabled = boss
        .post_form(
            &format!("/desk/users/{deputy}/enable"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(enabled.status(), StatusCode::SEE_OTHER);
    let shut_out = deputy_browser.get("/desk/users").await;
    assert_eq!(shut_out.status(), StatusCode::SEE_OTHER);
    assert!(location(&shut_out).is_some_and(|to| to.starts_with("/login")));
    app.login("deputy", PASSWORD).await;
}

#[actix_web::test]
async fn an_admin_cannot_disable_their_own_account() {
    let app = TestApp::spawn().await;
    let boss = app.create_user("boss", Role::Admin, PASSWORD);
    app.create_user("deputy", Role::Admin, PASSWORD);
    let browser = app.login("boss", PASSWORD).await;
    let (_, page) = browser.get_html("/desk/users").await;
    assert!(
        select(
            &page,
            &format!("form[action='/desk/users/{}/disable']", boss.id)
        )
        .is_empty(),
        "no disable button on one's own row"
    );
    let csrf = browser.csrf("/desk/users").await;

    let response = browser
        .post_form(
            &format!("/desk/users/{}/disable", boss.id),
            &[("csrf", csrf.as_str())],
        )
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&response.text().await.unwrap());
    assert!(
        text_of(&page, "tr[id='account-boss'] .field-error")
            .unwrap_or_default()
            .contains("You cannot disable your own account")
    );
    assert!(!app.store.user(boss.id).unwrap().unwrap().disabled);
}

// --- Forged requests ----------------------------------------------------------------------------

#[actix_web::test]
async fn a_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.create_user("boss", Role::Admin, PASSWORD);
    app.create_user("ann", Role::Writer, PASSWORD);
    let boss = app.login("boss", PASSWORD).await;
    let ann = user_id(&app, "ann");

    let create = boss
        .post_form(
            "/desk/users",
            &[
                ("username", "intruder"),
                ("role", "admin"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let wrong_token = boss
        .post_form(
            &format!("/desk/users/{ann}/disable"),
            &[("csrf", "0".repeat(64).as_str())],
        )
        .await;

    assert_eq!(create.status(), StatusCode::FORBIDDEN);
    assert_eq!(wrong_token.status(), StatusCode::FORBIDDEN);
    let users = app.store.users().unwrap();
    assert_eq!(users.len(), 2);
    assert!(users.iter().all(|u| !u.disabled));
}

#[actix_web::test]
async fn a_post_from_another_site_is_refused_even_with_the_right_token() {
    let app = TestApp::spawn().await;
    app.create_user("boss", Role::Admin, PASSWORD);
    app.create_user("ann", Role::Writer, PASSWORD);
    let boss = app.login("boss", PASSWORD).await;
    let csrf = boss.csrf("/desk/users").await;
    let ann = user_id(&app, "ann");

    let response = boss
        .client
        .post(format!("{}/desk/users/{ann}/role", boss.address))
        .header("Origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str()), ("role", "admin")])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let ann = app
        .store
        .user_by_name(&Username::parse("ann").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(ann.role, Role::Writer);
}

// --- The audit log ------------------------------------------------------------------------------

#[actix_web::test]
async fn logins_and_failed_logins_appear_in_the_audit_log_newest_first() {
    let app = TestApp::spawn().await;
    app.create_user("boss", Role::Admin, PASSWORD);
    app.create_user("ann", Role::Writer, PASSWORD);
    let failed = app.browser().try_login("ann", "not her password").await;
    assert_eq!(failed.status(), StatusCode::UNAUTHORIZED);
    app.login("ann", PASSWORD).await;
    let boss = app.login("boss", PASSWORD).await;

    let (status, page) = boss.get_html("/desk/audit").await;

    assert_eq!(status, StatusCode::OK);
    let rows = audit_rows(&page);
    let expected = [
        ("boss", "Logged in"),
        ("ann", "Logged in"),
        ("ann", "Failed login"),
    ];
    assert_eq!(
        rows.iter()
            .map(|(who, action)| (who.as_str(), action.as_str()))
            .collect::<Vec<_>>(),
        expected
    );
}

#[actix_web::test]
async fn the_audit_log_pages_back_with_an_older_link() {
    let app = TestApp::spawn().await;
    app.create_user("boss", Role::Admin, PASSWORD);
    let start = datetime!(2024-03-01 09:00 UTC);
    for i in 0..60 {
        app.store
            .record_audit(&AuditEvent {
                at: start + time::Duration::seconds(i),
                actor: None,
                actor_name: "command line".into(),
                action: AuditAction::UserChanged,
                detail: format!("event {i}"),
            })
            .unwrap();
    }
    let boss = app.login("boss", PASSWORD).await;

    let (_, first) = boss.get_html("/desk/audit").await;
    let older = select(&first, "a[rel='next']")[0]
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    let (status, second) = boss.get_html(&older).await;

    assert_eq!(status, StatusCode::OK);
    let first_rows = audit_rows(&first);
    let second_rows = audit_rows(&second);
    assert_eq!(first_rows.len(), 50);
    assert_eq!(first_rows[0], ("boss".into(), "Logged in".into()));
    assert_eq!(second_rows.len(), 11, "60 events and the login");
    assert!(select(&second, "a[rel='next']").is_empty(), "no older page");
    assert_eq!(select(&second, ".pager a[href='/desk/audit']").len(), 1);
    let details: Vec<String> = select(&first, "td.detail")
        .iter()
        .chain(select(&second, "td.detail").iter())
        .map(|td| td.text().collect())
        .filter(|d: &String| d.starts_with("event "))
        .collect();
    let expected: Vec<String> = (0..60).rev().map(|i| format!("event {i}")).collect();
    assert_eq!(details, expected, "every event once, newest first");
    assert_eq!(
        boss.get("/desk/audit?before=yesterday").await.status(),
        StatusCode::NOT_FOUND
    );
}
