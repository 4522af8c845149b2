//! The account page every role has: one's own password, second factor and sessions.

use crate::helpers::{TestApp, input_value, location, select, text_of};
use newsroom::domain::{AuditAction, Role};
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "another long passphrase";

#[actix_web::test]
async fn every_role_reaches_its_account_page_from_the_desk() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee", Role::Writer, PASSWORD);
    let writer = app.login("ann.lee", PASSWORD).await;
    let (_, desk) = writer.get_html("/desk").await;
    assert_eq!(select(&desk, ".desk-nav a[href='/desk/account']").len(), 1);
    let (status, page) = writer.get_html("/desk/account").await;
    assert_eq!(status, StatusCode::OK);
    for form in [
        "/desk/account/password",
        "/desk/account/sign-out-everywhere",
    ] {
        let found = select(&page, &format!("form[action='{form}'] input[name='csrf']"));
        assert_eq!(found.len(), 1, "{form} carries a CSRF token");
    }
    assert!(
        text_of(&page, "#two-factor-status")
            .unwrap()
            .contains("Set up a second factor")
    );
}

#[actix_web::test]
async fn a_wrong_current_password_changes_nothing_and_keeps_nothing_typed() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee", Role::Writer, PASSWORD);
    let writer = app.login("ann.lee", PASSWORD).await;
    let csrf = writer.csrf("/desk/account").await;
    let refused = writer
        .post_form(
            "/desk/account/password",
            &[
                ("csrf", &csrf),
                ("current", "not it at all"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.unwrap();
    assert!(body.contains("That is not your current password."));
    assert!(body.contains("at least 12 characters"));
    assert!(
        !body.contains("not it at all"),
        "the password typed is not shown"
    );
    let forged = writer
        .post_form(
            "/desk/account/password",
            &[
                ("csrf", "forged"),
                ("current", PASSWORD),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        location(&app.browser().try_login("ann.lee", PASSWORD).await).as_deref(),
        Some("/desk")
    );
}

#[actix_web::test]
async fn ones_own_password_change_ends_the_other_sessions_and_keeps_this_one() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee", Role::Writer, PASSWORD);
    let here = app.login("ann.lee", PASSWORD).await;
    let elsewhere = app.login("ann.lee", PASSWORD).await;
    assert_eq!(elsewhere.get("/desk").await.status(), StatusCode::OK);

    let csrf = here.csrf("/desk/account").await;
    let changed = here
        .post_form(
            "/desk/account/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(location(&changed).as_deref(), Some("/desk/account"));

    assert_eq!(
        here.get("/desk").await.status(),
        StatusCode::OK,
        "this one stays"
    );
    assert_eq!(
        elsewhere.get("/desk").await.status(),
        StatusCode::SEE_OTHER,
        "the other ends"
    );
    let log = app.store.audit_log(None, 1).unwrap();
    assert_eq!(log[0].action, AuditAction::PasswordChanged);
    assert_eq!(
        location(&app.browser().try_login("ann.lee", NEW_PASSWORD).await).as_deref(),
        Some("/desk")
    );
}

#[actix_web::test]
async fn the_sessions_are_listed_with_browser_and_address_and_each_can_be_ended() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee", Role::Writer, PASSWORD);
    let here = app.login("ann.lee", PASSWORD).await;
    let elsewhere = app.login("ann.lee", PASSWORD).await;
    assert_eq!(elsewhere.get("/desk").await.status(), StatusCode::OK);

    let (_, page) = here.get_html("/desk/account").await;
    let rows = select(&page, "tr.session");
    assert_eq!(rows.len(), 2, "{}", page.html());
    let text: String = rows[0].text().collect();
    assert!(text.contains("(this one)"), "{text}");
    assert!(text.contains("127.0.0.1"), "{text}");
    let other = select(&page, "tr.session form")[1]
        .value()
        .attr("action")
        .unwrap()
        .to_owned();
    let csrf = input_value(&page, "csrf").unwrap();
    let ended = here.post_form(&other, &[("csrf", &csrf)]).await;
    assert_eq!(ended.status(), StatusCode::SEE_OTHER);
    assert_eq!(elsewhere.get("/desk").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(here.get("/desk").await.status(), StatusCode::OK);

    // Someone else's session cannot be ended from here.
    app.create_user("ben", Role::Writer, PASSWORD);
    let ben = app.login("ben", PASSWORD).await;
    let (_, page) = ben.get_html("/desk/account").await;
    let bens = select(&page, "tr.session form")[0]
        .value()
        .attr("action")
        .unwrap()
        .to_owned();
    let refused = here.post_form(&bens, &[("csrf", &csrf)]).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert_eq!(ben.get("/desk").await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn sign_out_everywhere_ends_every_session_and_is_in_the_audit_log() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee", Role::Editor, PASSWORD);
    let here = app.login("ann.lee", PASSWORD).await;
    let elsewhere = app.login("ann.lee", PASSWORD).await;
    let csrf = here.csrf("/desk/account").await;
    let out = here
        .post_form("/desk/account/sign-out-everywhere", &[("csrf", &csrf)])
        .await;
    assert_eq!(location(&out).as_deref(), Some("/login?logged_out=1"));
    for browser in [&here, &elsewhere] {
        assert_eq!(browser.get("/desk").await.status(), StatusCode::SEE_OTHER);
    }
    let log = app.store.audit_log(None, 1).unwrap();
    assert_eq!(log[0].action, AuditAction::SessionsEnded);
    assert!(
        log[0].detail.contains("2 sessions ended"),
        "{}",
        log[0].detail
    );
}

#[actix_web::test]
async fn disabling_an_account_ends_its_sessions_at_once() {
    let app = TestApp::spawn().await;
    app.create_user("boss", Role::Admin, PASSWORD);
    let ann = app.create_user("ann.lee", Role::Writer, PASSWORD);
    let writer = app.login("ann.lee", PASSWORD).await;
    let admin = app.login("boss", PASSWORD).await;
    let csrf = admin.csrf("/desk/users").await;
    admin
        .post_form(
            &format!("/desk/users/{}/disable", ann.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(writer.get("/desk").await.status(), StatusCode::SEE_OTHER);
}
