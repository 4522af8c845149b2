//! Several app servers on one PostgreSQL database, as real `newsroom serve` processes: what one
//! does, every other sees. These need PostgreSQL whatever the pass, and run in the first pass
//! only (`runs_once`).

use crate::helpers::{
    Browser, Engine, ServerProcess, TestSite, input_value, newsroom, run_with_input, runs_once,
};
use newsroom::domain::{AuditAction, Status, StoryId};
use reqwest::StatusCode;
use reqwest::multipart::Form;
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery";

/// Two servers on one fresh database, with an editor account made by the command line.
async fn two_servers() -> (TestSite, ServerProcess, ServerProcess) {
    let site = TestSite::on(Engine::Postgres);
    let mut add = newsroom(&site);
    add.args(["user", "add", "zhang.dan", "--role", "editor"]);
    let added = run_with_input(add, &format!("{PASSWORD}\n"));
    assert!(added.status.success(), "{}", added.stderr);
    // One public address, as behind a balancer: it is part of how pages look, so of their
    // validators.
    let public = ["--base-url", "http://newsroom.test"];
    let a = ServerProcess::start_with(&site, site.path().join("a.log"), &public).await;
    let b = ServerProcess::start_with(&site, site.path().join("b.log"), &public).await;
    (site, a, b)
}

async fn editor_on(server: &ServerProcess) -> Browser {
    let browser = Browser::new(&server.address);
    let response = browser.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "login");
    browser
}

/// The same browser (its cookies) talking to another server.
fn same_browser_on(browser: &Browser, server: &ServerProcess) -> Browser {
    Browser {
        client: browser.client.clone(),
        address: server.address.clone(),
    }
}

/// Fills in and sends the new-story form with `action`; the id of the story saved.
async fn new_story(browser: &Browser, headline: &str, action: &str) -> Result<StoryId, String> {
    // A server killed under the test answers nothing: an error, not a panic.
    let form = browser
        .client
        .get(format!("{}/desk/stories/new", browser.address))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if form.status() != StatusCode::OK {
        return Err(format!("the form: {}", form.status()));
    }
    let page = scraper::Html::parse_document(&form.text().await.map_err(|e| e.to_string())?);
    let csrf = input_value(&page, "csrf").ok_or("no csrf field")?;
    let form = Form::new()
        .text("csrf", csrf)
        .text("revision", "")
        .text("action", action.to_owned())
        .text("headline", headline.to_owned())
        .text("bylines", "Xu Jinquan")
        .text("section", "world")
        .text("slug", "")
        .text("body", "Both sides will meet again next month.");
    let response = browser
        .client
        // The form is at /desk/stories/new and sends a new story to /desk/stories.
        .post(format!("{}/desk/stories", browser.address))
        .multipart(form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != StatusCode::SEE_OTHER {
        return Err(format!("the save: {}", response.status()));
    }
    let location = crate::helpers::location(&response).ok_or("no location")?;
    location
        .trim_start_matches("/desk/stories/")
        .split(['?', '/'])
        .next()
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| format!("no story id in {location}"))
}

/// Polls `path` on `server` until its body holds `needle`; a generous limit, not a timing.
async fn eventually_shows(server: &ServerProcess, path: &str, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let body = server.get(path).await.text().await.unwrap_or_default();
        if body.contains(needle) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{path} on {} never showed {needle:?}",
            server.address
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn a_story_published_through_one_server_is_on_the_others_pages_soon() {
    if !runs_once("multi_server") {
        return;
    }
    let (_site, a, b) = two_servers().await;
    // B has the front page rendered and cached before the story exists.
    assert_eq!(b.get("/").await.status(), StatusCode::OK);
    let editor = editor_on(&a).await;

    new_story(&editor, "Talks resume in Geneva", "publish")
        .await
        .unwrap();

    eventually_shows(&b, "/", "Talks resume in Geneva").await;
    eventually_shows(&b, "/section/world", "Talks resume in Geneva").await;
    // One version, one set of validators, whichever server answers.
    let tag = |r: &reqwest::Response| r.headers().get("etag").cloned();
    let (from_a, from_b) = (a.get("/").await, b.get("/").await);
    assert_eq!(tag(&from_a), tag(&from_b));
    assert!(tag(&from_a).is_some());
    assert_eq!(
        from_a.headers().get("last-modified"),
        from_b.headers().get("last-modified")
    );
}

#[actix_web::test]
async fn a_session_made_on_one_server_works_on_the_other_and_a_logout_on_one_ends_it_on_both() {
    if !runs_once("multi_server") {
        return;
    }
    let (_site, a, b) = two_servers().await;
    let on_a = editor_on(&a).await;
    let on_b = same_browser_on(&on_a, &b);
    assert_eq!(
        on_b.get("/desk").await.status(),
        StatusCode::OK,
        "B knows A's session"
    );

    let csrf = on_b.csrf("/desk").await;
    let out = on_b.post_form("/desk/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);

    for browser in [&on_a, &on_b] {
        let response = browser.get("/desk").await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "signed out on {}",
            browser.address
        );
    }
}

#[actix_web::test]
async fn twenty_stories_due_at_once_are_each_published_exactly_once() {
    if !runs_once("multi_server") {
        return;
    }
    let (site, _a, _b) = two_servers().await;
    let store = site.open();
    let due = time::OffsetDateTime::now_utc() + time::Duration::seconds(2);
    let ids: Vec<StoryId> = (0..20)
        .map(|n| {
            crate::helpers::StoryBuilder::new(&format!("Due story {n}"))
                .status(Status::Scheduled(due))
                .into_story()
        })
        .map(|story| store.save_story(&story, None).expect("save").id)
        .collect();

    let deadline = Instant::now() + Duration::from_secs(20);
    while !ids
        .iter()
        .all(|id| store.story(*id).unwrap().unwrap().is_public())
    {
        assert!(Instant::now() < deadline, "not all were published");
        std::thread::sleep(Duration::from_millis(200));
    }
    // Give a late second publication the chance to show itself before counting.
    std::thread::sleep(Duration::from_secs(2));

    for id in &ids {
        let revisions = store.story_revisions(*id).unwrap();
        let published = revisions
            .iter()
            .filter(|r| r.status == Status::Published)
            .count();
        assert_eq!(published, 1, "story {id} published {published} times");
    }
    let publications = store
        .audit_log(None, 1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::Publish)
        .count();
    assert_eq!(publications, 20);
}

#[actix_web::test]
async fn with_one_server_killed_under_load_the_other_keeps_answering_and_no_save_is_lost() {
    if !runs_once("multi_server") {
        return;
    }
    let (site, mut a, b) = two_servers().await;
    let on_a = editor_on(&a).await;
    let on_b = editor_on(&b).await;
    let readers = b.address.clone();

    // Readers on B all along; an editor saving through A, then through B once A is gone.
    let reading = actix_web::rt::spawn(async move {
        let client = reqwest::Client::new();
        let mut answers = Vec::new();
        let until = Instant::now() + Duration::from_secs(6);
        while Instant::now() < until {
            let status = client
                .get(format!("{readers}/"))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            answers.push(status);
        }
        answers
    });
    // Saves through A until it dies under them: those it acknowledged must all be stored.
    let writing = actix_web::rt::spawn(async move {
        let mut acknowledged = Vec::new();
        for n in 0.. {
            match new_story(&on_a, &format!("Through A {n}"), "save").await {
                Ok(id) => acknowledged.push(id),
                Err(_) => break,
            }
        }
        acknowledged
    });
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    a.kill();
    let mut saved = writing.await.unwrap();
    assert!(!saved.is_empty(), "A saved before it died");
    for n in 0..10 {
        saved.push(
            new_story(&on_b, &format!("Through B {n}"), "save")
                .await
                .expect("B saves"),
        );
    }
    let answers = reading.await.unwrap();

    assert!(answers.len() > 10, "readers were served");
    assert!(
        answers.iter().all(|s| *s == 200),
        "B answered every reader: {:?}",
        answers.iter().filter(|s| **s != 200).collect::<Vec<_>>()
    );
    assert!(saved.len() > 10, "saves went through");
    let store = site.open();
    for id in saved {
        assert!(
            store.story(id).unwrap().is_some(),
            "acknowledged save {id} lost"
        );
    }
}

#[actix_web::test]
async fn guesses_spread_over_two_servers_share_one_allowance() {
    if !runs_once("multi_server") {
        return;
    }
    let (site, a, b) = two_servers().await;
    let browsers: Vec<Browser> = (0..40)
        .map(|n| Browser::new(if n % 2 == 0 { &a.address } else { &b.address }))
        .collect();

    let statuses = futures_util::future::join_all(browsers.iter().map(|browser| async move {
        browser
            .try_login("zhang.dan", "guess guess guess")
            .await
            .status()
    }))
    .await;

    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(checked, 5, "{statuses:?}");
    let store = site.open();
    let failures = store
        .audit_log(None, 100)
        .unwrap()
        .iter()
        .filter(|e| e.action == AuditAction::LoginFailed)
        .count();
    assert_eq!(failures, 5);
}

/// Logs `username` in on `server` through a browser of its own.
async fn login_on(server: &ServerProcess, username: &str, password: &str) -> Browser {
    let browser = Browser::new(&server.address);
    let response = browser.try_login(username, password).await;
    assert_eq!(
        crate::helpers::location(&response).as_deref(),
        Some("/desk"),
        "login as {username}"
    );
    browser
}

#[actix_web::test]
async fn a_password_change_a_second_factor_reset_and_a_disable_end_sessions_on_every_server() {
    if !runs_once("multi_server") {
        return;
    }
    let (site, a, b) = two_servers().await;
    let mut add = newsroom(&site);
    add.args(["user", "add", "boss", "--role", "admin"]);
    assert!(
        run_with_input(add, &format!("{PASSWORD}\n"))
            .status
            .success()
    );
    let on_b = |browser: &Browser| same_browser_on(browser, &b);
    let desk = |browser: Browser| async move { browser.get("/desk").await.status() };

    // Her own password change on A: her session on B ends, the one she changed it from stays.
    let elsewhere = editor_on(&b).await;
    let here = editor_on(&a).await;
    let csrf = here.csrf("/desk/account").await;
    let new_password = "another long passphrase";
    let changed = here
        .post_form(
            "/desk/account/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("password", new_password),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(desk(on_b(&elsewhere)).await, StatusCode::SEE_OTHER);
    assert_eq!(desk(on_b(&here)).await, StatusCode::OK, "this one stays");

    // An admin on A resets her second factor: her sessions end on B.
    let (_, page) = here.get_html("/desk/account/two-factor").await;
    let shown = crate::helpers::text_of(&page, "#two-factor-secret").unwrap();
    let secret = newsroom::auth::second_factor::parse_secret(&shown.replace(' ', "")).unwrap();
    let csrf = input_value(&page, "csrf").unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    let code = newsroom::auth::second_factor::code_at(&secret, now);
    let enrolled = here
        .post_form(
            "/desk/account/two-factor",
            &[("csrf", &csrf), ("code", &code)],
        )
        .await;
    assert_eq!(enrolled.status(), StatusCode::OK);
    let admin = login_on(&a, "boss", PASSWORD).await;
    let (_, users) = admin.get_html("/desk/users").await;
    let reset = crate::helpers::select(&users, "td.two-factor form")[0]
        .value()
        .attr("action")
        .unwrap()
        .to_owned();
    let admin_csrf = input_value(&users, "csrf").unwrap();
    let done = admin.post_form(&reset, &[("csrf", &admin_csrf)]).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(desk(on_b(&here)).await, StatusCode::SEE_OTHER);
    let audit = site.open().audit_log(None, 1).unwrap();
    assert_eq!(audit[0].action, AuditAction::TwoFactorReset);

    // Disabled by the admin on A: her session on B ends.
    let again = login_on(&b, "zhang.dan", new_password).await;
    let disable = crate::helpers::select(&users, "form[action$='/disable']")
        .iter()
        .filter_map(|f| f.value().attr("action"))
        .find(|action| !action.is_empty())
        .unwrap()
        .to_owned();
    let disabled = admin.post_form(&disable, &[("csrf", &admin_csrf)]).await;
    assert_eq!(disabled.status(), StatusCode::SEE_OTHER);
    assert_eq!(desk(again).await, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn sections_renamed_through_one_server_show_on_the_other() {
    if !runs_once("multi_server") {
        return;
    }
    let (site, a, b) = two_servers().await;
    let mut add = newsroom(&site);
    add.args(["user", "add", "boss", "--role", "admin"]);
    let added = run_with_input(add, &format!("{PASSWORD}\n"));
    assert!(added.status.success(), "{}", added.stderr);
    // B has its front page cached with the old names.
    assert!(
        b.get("/")
            .await
            .text()
            .await
            .unwrap()
            .contains(">Culture</a>")
    );
    let admin = Browser::new(&a.address);
    assert_eq!(
        admin.try_login("boss", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, form) = admin.get_html("/desk/sections").await;
    let mut fields: Vec<(String, String)> =
        crate::helpers::select(&form, "form.sections-form input")
            .into_iter()
            .filter(|i| i.attr("type") != Some("checkbox") || i.attr("checked").is_some())
            .filter_map(|i| {
                Some((
                    i.attr("name")?.to_owned(),
                    i.attr("value").unwrap_or("").to_owned(),
                ))
            })
            .collect();
    for field in &mut fields {
        if field.0 == "name:culture" {
            field.1 = "Arts and culture".into();
        }
    }
    let saved = admin
        .client
        .post(format!("{}/desk/sections", a.address))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);

    eventually_shows(&b, "/", ">Arts and culture</a>").await;
    eventually_shows(&b, "/section/culture", "Arts and culture").await;
}
