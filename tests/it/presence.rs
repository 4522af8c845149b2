//! Who has a story open: the story form names the others who have it open now, with or
//! without the script; the autosave and the form's ping keep one seen and answer who else is
//! there; entries expire and go, and leaving the form ends one early. Kept in the database, so
//! every server sees everyone.

use crate::helpers::{
    Browser, Engine, ServerProcess, StoryBuilder, TestApp, TestSite, newsroom, run_with_input,
    runs_once, select, text_of,
};
use newsroom::domain::{Role, StoryId};
use newsroom::storage::RecordKind;
use reqwest::StatusCode;
use scraper::Html;

const PASSWORD: &str = "correct horse battery";

fn form_path(id: StoryId) -> String {
    format!("/desk/stories/{id}")
}

/// What the form's presence line says; `None` when it is hidden (nobody else).
fn presence_line(form: &Html) -> Option<String> {
    let line = select(form, "[data-presence]");
    assert_eq!(line.len(), 1, "the form has a presence line");
    if line[0].value().attr("hidden").is_some() {
        return None;
    }
    text_of(form, "[data-presence]")
}

async fn ping(who: &Browser, id: StoryId, leave: bool) -> reqwest::Response {
    let csrf = who.csrf(&form_path(id)).await;
    let story = id.to_string();
    let mut form = vec![("csrf", csrf.as_str()), ("story", story.as_str())];
    if leave {
        form.push(("leave", "1"));
    }
    who.post_form("/desk/presence", &form).await
}

async fn autosave(who: &Browser, id: StoryId) -> reqwest::Response {
    let csrf = who.csrf(&form_path(id)).await;
    let story = id.to_string();
    who.post_form(
        "/desk/autosave",
        &[
            ("csrf", csrf.as_str()),
            ("story", story.as_str()),
            ("headline", "Council passes the budget"),
            ("body", "Words typed."),
        ],
    )
    .await
}

struct Room {
    app: TestApp,
    ann: Browser,
    bo: Browser,
    story: StoryId,
}

async fn room() -> Room {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee", Role::Editor, PASSWORD);
    app.create_user("bo.chen", Role::Editor, PASSWORD);
    let ann = app.login("ann.lee", PASSWORD).await;
    let bo = app.login("bo.chen", PASSWORD).await;
    let story = StoryBuilder::new("Council passes the budget").save(&app).id;
    Room {
        app,
        ann,
        bo,
        story,
    }
}

#[actix_web::test]
async fn the_story_form_names_who_else_has_it_open_and_since_when() {
    let room = room().await;
    let (_, alone) = room.ann.get_html(&form_path(room.story)).await;
    assert_eq!(presence_line(&alone), None, "nobody else yet");

    let since = room.app.clock.now().to_offset(time::UtcOffset::UTC);
    let (_, form) = room.bo.get_html(&form_path(room.story)).await;
    let line = presence_line(&form).expect("Ann is named");
    let expected = format!(
        "ann.lee is editing, since {:02}:{:02} UTC.",
        since.hour(),
        since.minute()
    );
    assert_eq!(line, expected);

    // Ann's autosave keeps her seen and tells her Bo is there.
    let answer = autosave(&room.ann, room.story).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let json: serde_json::Value = answer.json().await.expect("JSON");
    let said = json["presence"].as_str().expect("a presence line");
    assert!(said.starts_with("bo.chen is editing, since "), "{said}");
    // On a story nobody else has open, the autosave answers as it always did.
    let other = StoryBuilder::new("Another story").save(&room.app).id;
    assert_eq!(
        autosave(&room.ann, other).await.status(),
        StatusCode::NO_CONTENT
    );
}

#[actix_web::test]
async fn a_presence_expires_two_minutes_after_the_last_sign_of_life_and_is_deleted() {
    let room = room().await;
    room.ann.get_html(&form_path(room.story)).await;
    room.app.clock.advance(time::Duration::seconds(90));
    // A ping keeps Ann seen, from when she came.
    assert_eq!(
        ping(&room.ann, room.story, false).await.status(),
        StatusCode::NO_CONTENT
    );
    room.app.clock.advance(time::Duration::seconds(90));
    let (_, form) = room.bo.get_html(&form_path(room.story)).await;
    assert!(
        presence_line(&form).is_some(),
        "three minutes in, pinged 90 s ago"
    );

    room.app.clock.advance(time::Duration::seconds(121));
    // Bo's own ping answers that nobody else is there any more.
    assert_eq!(
        ping(&room.bo, room.story, false).await.status(),
        StatusCode::NO_CONTENT
    );
    let records = room
        .app
        .store
        .site_records(RecordKind::Presence, "", None, 10)
        .expect("records");
    assert_eq!(
        records.len(),
        1,
        "Ann's expired entry was deleted, Bo's kept"
    );
}

#[actix_web::test]
async fn leaving_the_form_ends_a_presence_at_once() {
    let room = room().await;
    room.ann.get_html(&form_path(room.story)).await;
    assert_eq!(
        ping(&room.ann, room.story, true).await.status(),
        StatusCode::NO_CONTENT
    );
    let (_, form) = room.bo.get_html(&form_path(room.story)).await;
    assert_eq!(presence_line(&form), None);
}

#[actix_web::test]
async fn a_ping_needs_the_session_s_token_and_a_story_the_account_may_edit() {
    let room = room().await;
    let story = room.story.to_string();
    let forged = room
        .ann
        .post_form("/desk/presence", &[("csrf", "forged"), ("story", &story)])
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // A writer may not edit an editor's draft: her ping is refused and records nothing.
    room.app.create_user("cy.writer", Role::Writer, PASSWORD);
    let writer = room.app.login("cy.writer", PASSWORD).await;
    let csrf = writer.csrf("/desk").await;
    let refused = writer
        .post_form("/desk/presence", &[("csrf", &csrf), ("story", &story)])
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let (_, form) = room.bo.get_html(&form_path(room.story)).await;
    assert_eq!(presence_line(&form), None);
}

#[actix_web::test]
async fn an_editor_on_one_server_sees_a_writer_on_another() {
    if !runs_once("an_editor_on_one_server_sees_a_writer_on_another") {
        return;
    }
    let site = TestSite::on(Engine::Postgres);
    for (name, role) in [("ann.lee", "editor"), ("wu.writer", "writer")] {
        let mut add = newsroom(&site);
        add.args(["user", "add", name, "--role", role]);
        let added = run_with_input(add, &format!("{PASSWORD}\n"));
        assert!(added.status.success(), "{}", added.stderr);
    }
    let story = {
        let store = site.open();
        let writer = store
            .user_by_name(&newsroom::domain::Username::parse("wu.writer").unwrap())
            .unwrap()
            .expect("the writer");
        let story = StoryBuilder::new("Council passes the budget")
            .with(|s| s.author = Some(writer.id))
            .into_story();
        store.save_story(&story, None).expect("save").id
    };
    let a = ServerProcess::start(&site, site.path().join("a.log")).await;
    let b = ServerProcess::start(&site, site.path().join("b.log")).await;
    let login = |server: &ServerProcess, name: &'static str| {
        let browser = Browser::new(&server.address);
        async move {
            let response = browser.try_login(name, PASSWORD).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name} logs in");
            browser
        }
    };
    let writer = login(&b, "wu.writer").await;
    let editor = login(&a, "ann.lee").await;

    let (status, _) = writer.get_html(&form_path(story)).await;
    assert_eq!(status, StatusCode::OK, "the writer has her draft open on B");
    let (_, form) = editor.get_html(&form_path(story)).await;
    let line = presence_line(&form).expect("the writer is named on A");
    assert!(line.starts_with("wu.writer is editing, since "), "{line}");

    // And the writer's autosave on B names the editor on A.
    let answer = autosave(&writer, story).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let json: serde_json::Value = answer.json().await.expect("JSON");
    assert!(
        json["presence"]
            .as_str()
            .unwrap_or_default()
            .starts_with("ann.lee is editing"),
        "{json}"
    );
}

#[actix_web::test]
async fn the_story_form_naming_others_and_warning_of_a_new_slug_renders_for_the_checkers() {
    if !runs_once("the_story_form_naming_others_and_warning_of_a_new_slug_renders_for_the_checkers")
    {
        return;
    }
    let room = room().await;
    let live = StoryBuilder::new("Talks end in Geneva")
        .published_at(time::OffsetDateTime::now_utc() - time::Duration::hours(1))
        .save(&room.app);
    room.ann.get_html(&form_path(live.id)).await;
    let (_, page) = room.bo.get_html(&form_path(live.id)).await;
    let mut fields = crate::merging::form_fields(&page, "form.story-form");
    crate::merging::set(&mut fields, "slug", "geneva-talks-end");
    let staged = crate::merging::submit(&room.bo, &form_path(live.id), &fields, "save").await;
    assert_eq!(staged.status(), StatusCode::SEE_OTHER);
    let form = room
        .bo
        .get(&form_path(live.id))
        .await
        .text()
        .await
        .expect("body");
    let html = Html::parse_document(&form);
    assert!(presence_line(&html).is_some(), "others are named");
    assert!(
        select(&html, "#slug-warning:not([hidden])").len() == 1,
        "the warning shows"
    );
    if let Some(dir) = std::env::var_os("NEWSROOM_MARKUP_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("story-form-watched.html"), form).unwrap();
    }
}

#[actix_web::test]
async fn in_a_browser_the_autosave_brings_news_of_who_else_opened_the_story() {
    use crate::chromium::{Chromium, journey};
    if !runs_once("in_a_browser_the_autosave_brings_news_of_who_else_opened_the_story") {
        return;
    }
    let room = room().await;
    let ann = Chromium::start("presence_ann").await;
    let bo = Chromium::start("presence_bo").await;
    let form = room.app.url(&form_path(room.story));

    journey(&[&ann, &bo], async {
        ann.login(&room.app.address, "ann.lee", PASSWORD).await;
        ann.open(&form).await;
        let line = ann.find("[data-presence]").await;
        assert!(
            !line.is_displayed().await.expect("shown?"),
            "alone at first"
        );

        bo.login(&room.app.address, "bo.chen", PASSWORD).await;
        bo.open(&form).await;
        assert!(
            bo.text("[data-presence]")
                .await
                .starts_with("ann.lee is editing, since "),
            "Bo's form names Ann as it loads"
        );

        // Ann types; her next autosave answers that Bo is there, and her page says so.
        ann.type_into("#headline", "Council passes the budget, just")
            .await;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !line.is_displayed().await.expect("shown?") {
            assert!(
                std::time::Instant::now() < deadline,
                "the autosave never named Bo"
            );
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let said = line.text().await.expect("text");
        assert!(said.starts_with("bo.chen is editing, since "), "{said}");
    })
    .await;
}
