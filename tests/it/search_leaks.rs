//! Readers find a story exactly while it is public, by its public text only, whatever moved it:
//! the desk's buttons, the scheduler, an embargo, a withdrawal, a restored revision, the import
//! commands and a restored backup. Both of the readers' searches are asked each time: the site's
//! `/search` and the API's `?q=`. Text that only waits as pending changes is never found.

use crate::helpers::{
    Browser, StoryBuilder, TestApp, TestSite, fixture, import_wire, location, newsroom, run,
    run_with_input,
};
use crate::merging::{form_fields, set, submit};
use crate::search::found;
use newsroom::domain::{Role, Status, StoryId};
use reqwest::StatusCode;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

const PASSWORD: &str = "correct horse battery";
const HEADLINE: &str = "Council meets at the town hall";

/// A site with an editor and an administrator signed in.
struct Room {
    app: TestApp,
    editor: Browser,
    admin: Browser,
}

impl Room {
    async fn new() -> Room {
        let app = TestApp::spawn().await;
        app.create_user("edna", Role::Editor, PASSWORD);
        app.create_user("ada", Role::Admin, PASSWORD);
        let editor = app.login("edna", PASSWORD).await;
        let admin = app.login("ada", PASSWORD).await;
        Room { app, editor, admin }
    }

    /// Writes a new story with `body` on the desk's form and presses `action`; its id.
    async fn write(&self, body: &str, action: &str, extra: &[(&str, &str)]) -> StoryId {
        let (status, page) = self.editor.get_html("/desk/stories/new").await;
        assert_eq!(status, StatusCode::OK);
        let mut fields = form_fields(&page, "form.story-form");
        set(&mut fields, "headline", HEADLINE);
        set(&mut fields, "bylines", "Ann Writer");
        set(&mut fields, "body", body);
        for (name, value) in extra {
            set(&mut fields, name, value);
        }
        let response = submit(&self.editor, &form_action(&page), &fields, action).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{action} refused");
        let to = location(&response).expect("where the story is");
        to.trim_start_matches("/desk/stories/")
            .split(['?', '/'])
            .next()
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("no story id in {to}"))
    }

    /// Opens the story's form as the editor, sets the body when given, and presses `action`.
    async fn act(&self, id: StoryId, body: Option<&str>, action: &str) {
        let path = format!("/desk/stories/{id}");
        let (status, page) = self.editor.get_html(&path).await;
        assert_eq!(status, StatusCode::OK);
        let mut fields = form_fields(&page, "form.story-form");
        if let Some(body) = body {
            set(&mut fields, "body", body);
        }
        if action == "unpublish" {
            // Confirmed, as from the page that asks first.
            fields.push(("confirm".into(), "yes".into()));
        }
        let response = submit(&self.editor, &form_action(&page), &fields, action).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{action} refused");
    }

    fn status(&self, id: StoryId) -> Status {
        self.app.store.story(id).unwrap().unwrap().status
    }

    /// Whether readers find the story by `word`, asserting that the site and the API agree.
    async fn readers_find(&self, word: &str) -> bool {
        readers_find(&self.app, word).await
    }

    /// Whether the desk's search finds the story by `word`.
    async fn desk_finds(&self, word: &str) -> bool {
        let path = format!("/desk?q={word}");
        let (status, page) = self.editor.get_html(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        crate::search_desk::desk_headlines(&page)
            .iter()
            .any(|h| h == HEADLINE)
    }
}

/// Where the story form on `page` is sent.
pub fn form_action(page: &scraper::Html) -> String {
    crate::helpers::select(page, "form.story-form")
        .first()
        .and_then(|form| form.value().attr("action"))
        .expect("the story form")
        .to_owned()
}

/// Whether readers find [`HEADLINE`] by `word`, on the site and in the API alike.
async fn readers_find(app: &TestApp, word: &str) -> bool {
    let on_site = found(app, word).await.iter().any(|h| h == HEADLINE);
    let in_api = api_headlines(app, word).await.iter().any(|h| h == HEADLINE);
    assert_eq!(on_site, in_api, "the site and the API disagree on {word:?}");
    on_site
}

pub async fn api_headlines(app: &TestApp, q: &str) -> Vec<String> {
    let path = newsroom::urls::api_search(q, 100, None);
    let response = app.get(&path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let body: Value = response.json().await.expect("JSON");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|doc| doc["headlines"][0]["value"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn a_saved_draft_is_the_desks_alone() {
    let room = Room::new().await;
    room.write("The pelican nests on the roof.", "save", &[])
        .await;

    assert!(
        room.desk_finds("pelican").await,
        "the desk finds it at once"
    );
    assert!(!room.readers_find("pelican").await);
}

#[actix_web::test]
async fn readers_find_the_live_text_and_never_the_pending_text_until_it_goes_live() {
    let room = Room::new().await;
    let id = room
        .write("The pelican nests on the roof.", "publish", &[])
        .await;
    assert!(room.readers_find("pelican").await, "published");

    room.act(id, Some("The walrus sleeps on the roof."), "save")
        .await;
    assert_eq!(room.status(id), Status::Published);
    assert!(
        room.app.store.story(id).unwrap().unwrap().pending.is_some(),
        "the save waits as pending changes"
    );
    assert!(room.readers_find("pelican").await, "the live text still");
    assert!(!room.readers_find("walrus").await, "never the pending text");
    assert!(
        room.desk_finds("walrus").await,
        "the desk finds pending text"
    );
    assert!(room.desk_finds("pelican").await);

    room.act(id, None, "update-live").await;
    assert!(room.readers_find("walrus").await, "live now");
    assert!(!room.readers_find("pelican").await, "the old text is gone");
}

#[actix_web::test]
async fn an_unpublished_story_is_not_found_at_once_and_a_republished_one_is() {
    let room = Room::new().await;
    let id = room
        .write("The pelican nests on the roof.", "publish", &[])
        .await;
    assert!(room.readers_find("pelican").await);

    room.act(id, None, "unpublish").await;
    assert_eq!(room.status(id), Status::Unpublished);
    assert!(!room.readers_find("pelican").await, "gone at once");
    assert!(room.desk_finds("pelican").await);

    room.act(id, None, "publish").await;
    assert!(room.readers_find("pelican").await);
}

#[actix_web::test]
async fn a_scheduled_story_is_found_once_the_scheduler_publishes_it() {
    let room = Room::new().await;
    let at = room.app.clock.now() + Duration::hours(1);
    let at_text = newsroom::web::desk::story_form::format_local(at);
    let id = room
        .write(
            "The pelican nests on the roof.",
            "schedule",
            &[("schedule_at", at_text.as_str())],
        )
        .await;
    assert!(matches!(room.status(id), Status::Scheduled(_)));
    assert!(!room.readers_find("pelican").await, "not before its time");
    assert!(room.desk_finds("pelican").await);

    room.app.clock.advance(Duration::hours(2));
    let published =
        newsroom::scheduler::publish_due(&*room.app.store, room.app.clock.now()).expect("due");
    assert_eq!(published.len(), 1);
    assert!(room.readers_find("pelican").await, "published by the clock");
}

#[actix_web::test]
async fn an_embargoed_story_is_found_only_from_its_embargo() {
    let room = Room::new().await;
    let until = (room.app.clock.now() + Duration::hours(2))
        .replace_nanosecond(0)
        .unwrap();
    let embargo = newsroom::web::desk::story_form::format_local(until);
    room.write(
        "The pelican nests on the roof.",
        "schedule-embargo",
        &[("embargo", embargo.as_str())],
    )
    .await;
    assert!(!room.readers_find("pelican").await, "under embargo");

    room.app.clock.advance(Duration::minutes(119));
    newsroom::scheduler::publish_due(&*room.app.store, room.app.clock.now()).expect("due");
    assert!(!room.readers_find("pelican").await, "a minute before");

    room.app.clock.advance(Duration::minutes(2));
    newsroom::scheduler::publish_due(&*room.app.store, room.app.clock.now()).expect("due");
    assert!(room.readers_find("pelican").await, "from its embargo");
}

#[actix_web::test]
async fn a_withdrawn_story_is_not_found_and_a_reinstated_one_only_once_published_again() {
    let room = Room::new().await;
    let id = room
        .write("The pelican nests on the roof.", "publish", &[])
        .await;
    assert!(room.readers_find("pelican").await);

    let csrf = room.editor.csrf("/desk/stories/new").await;
    let withdrawn = room
        .editor
        .post_form(
            &format!("/desk/stories/{id}/withdraw"),
            &[
                ("csrf", &csrf),
                ("reason", "Court order"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);
    assert!(!room.readers_find("pelican").await, "withdrawn");
    assert!(
        !room.readers_find("court").await,
        "the reason is the desk's"
    );

    let csrf = room.admin.csrf("/desk/stories/new").await;
    let reinstated = room
        .admin
        .post_form(&format!("/desk/stories/{id}/reinstate"), &[("csrf", &csrf)])
        .await;
    assert_eq!(reinstated.status(), StatusCode::SEE_OTHER);
    assert_eq!(room.status(id), Status::Unpublished);
    assert!(
        !room.readers_find("pelican").await,
        "reinstated unpublished"
    );

    room.act(id, None, "publish").await;
    assert!(room.readers_find("pelican").await);
}

#[actix_web::test]
async fn a_restored_revision_of_a_live_story_waits_like_any_pending_change() {
    let room = Room::new().await;
    let id = room
        .write("The pelican nests on the roof.", "publish", &[])
        .await;
    room.act(id, Some("The walrus sleeps on the roof."), "save")
        .await;
    room.act(id, None, "update-live").await;
    assert!(room.readers_find("walrus").await);
    assert!(!room.readers_find("pelican").await);
    let current = room.app.store.story(id).unwrap().unwrap().revision;

    let csrf = room.editor.csrf("/desk/stories/new").await;
    let restored = room
        .editor
        .post_form(
            &format!("/desk/stories/{id}/restore/1"),
            &[("csrf", &csrf), ("current", &current.to_string())],
        )
        .await;
    assert_eq!(restored.status(), StatusCode::SEE_OTHER);

    assert!(
        !room.readers_find("pelican").await,
        "the restored words wait"
    );
    assert!(
        room.readers_find("walrus").await,
        "readers keep the live text"
    );
    assert!(room.desk_finds("pelican").await);

    room.act(id, None, "update-live").await;
    assert!(room.readers_find("pelican").await);
    assert!(!room.readers_find("walrus").await);
}

#[actix_web::test]
async fn a_restored_revision_of_an_unpublished_story_is_not_found_by_readers() {
    let room = Room::new().await;
    let id = room
        .write("The pelican nests on the roof.", "save", &[])
        .await;
    room.act(id, Some("The walrus sleeps on the roof."), "save")
        .await;
    let current = room.app.store.story(id).unwrap().unwrap().revision;
    let csrf = room.editor.csrf("/desk/stories/new").await;
    let restored = room
        .editor
        .post_form(
            &format!("/desk/stories/{id}/restore/1"),
            &[("csrf", &csrf), ("current", &current.to_string())],
        )
        .await;
    assert_eq!(restored.status(), StatusCode::SEE_OTHER);

    assert!(room.desk_finds("pelican").await, "the restored text");
    assert!(!room.readers_find("pelican").await);
}

const WIRE_HEADLINE: &str = "Latest peace talks on Syria end without major breakthrough";

#[actix_web::test]
async fn wire_copy_imported_with_the_command_is_found() {
    let site = TestSite::new();
    let imported = import_wire(&site, &[&fixture("wire-story-syria-talks.txt")]);
    assert!(imported.status.success(), "{}", imported.stderr);
    let app = TestApp::spawn_in(site, |_| {}).await;

    assert!(
        found(&app, "Syria")
            .await
            .iter()
            .any(|h| h == WIRE_HEADLINE)
    );
    assert!(
        found(&app, "breakthroughs")
            .await
            .iter()
            .any(|h| h == WIRE_HEADLINE)
    );
}

#[actix_web::test]
async fn stories_imported_as_ninjs_are_found_when_public_only() {
    let source = TestSite::new();
    {
        let store = source.open();
        for story in [
            StoryBuilder::new("Pelicans return to the bay")
                .body("The pelican colony grew.")
                .published_at(OffsetDateTime::now_utc() - Duration::hours(1))
                .into_story(),
            StoryBuilder::new("A walrus draft")
                .body("The walrus waits.")
                .into_story(),
        ] {
            store.save_story(&story, None).expect("save");
        }
    }
    let file = source.path().join("out.jsonl");
    let mut export = newsroom(&source);
    export.args(["export", "--format", "ninjs"]).arg(&file);
    assert!(run(export).status.success());

    let site = TestSite::new();
    let mut import = newsroom(&site);
    import.args(["import", "--format", "ninjs"]).arg(&file);
    let imported = run(import);
    assert!(imported.status.success(), "{}", imported.stderr);
    let app = TestApp::spawn_in(site, |_| {}).await;

    assert_eq!(found(&app, "pelican").await, ["Pelicans return to the bay"]);
    assert!(found(&app, "walrus").await.is_empty());
}

#[actix_web::test]
async fn a_restored_backup_is_searched_as_the_site_was() {
    let site = TestSite::new();
    {
        let store = site.open();
        let mut pending = StoryBuilder::new(HEADLINE)
            .body("The pelican nests on the roof.")
            .published_at(OffsetDateTime::now_utc() - Duration::hours(1))
            .into_story();
        let mut staged = pending.content.clone();
        staged.body = newsroom::domain::Body::parse("The walrus sleeps.").unwrap();
        pending.stage(staged, None, OffsetDateTime::now_utc());
        store.save_story(&pending, None).expect("save");
        let draft = StoryBuilder::new("A heron draft")
            .body("The heron waits.")
            .into_story();
        store.save_story(&draft, None).expect("save");
    }
    let backup = site.path().join("backup");
    let mut command = newsroom(&site);
    command.arg("backup").arg(&backup);
    let made = run(command);
    assert!(made.status.success(), "{}", made.stderr);

    let fresh = TestSite::new();
    let mut command = newsroom(&fresh);
    command.arg("restore").arg(&backup);
    let restored = run_with_input(command, "");
    assert!(restored.status.success(), "{}", restored.stderr);
    let app = TestApp::spawn_in(fresh, |_| {}).await;

    assert!(readers_find(&app, "pelican").await, "the live text");
    assert!(
        !readers_find(&app, "walrus").await,
        "never the pending text"
    );
    assert!(found(&app, "heron").await.is_empty(), "nor a draft");
}
