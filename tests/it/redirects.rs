//! Addresses that never break: once a published story's slug changes, every old address of it
//! answers 301 with the new one, page for page, through the page cache, after a restart, after
//! a backup is restored and on every server; a retired slug stays its story's.

use crate::helpers::{
    Browser, Engine, ServerProcess, StoryBuilder, TestApp, TestSite, assert_is_redirect_to,
    input_value, location, newsroom, run, run_with_input, runs_once, select, text_of,
};
use crate::merging::{form_fields, set, submit};
use newsroom::domain::{Role, Slug, Story, StoryId};
use newsroom::storage::SharedStore;
use reqwest::StatusCode;
use scraper::Html;
use std::path::Path;
use std::time::{Duration, Instant};
use time::macros::datetime;

const PASSWORD: &str = "correct horse battery";
const TWO_PAGES: &str = "The first page.\n\n<!--nextpage-->\n\nThe second page.";

fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("slug")
}

/// A published two-page story under `old`.
fn published(headline: &str, old: &str) -> StoryBuilder {
    let old = slug(old);
    StoryBuilder::new(headline)
        .body(TWO_PAGES)
        .published_at(datetime!(2026-11-30 10:00 UTC))
        .with(move |s| s.content.slug = old)
}

fn article(story: &Story, slug_text: &str, page: u32) -> String {
    newsroom::urls::article(
        story.published_at.expect("published"),
        &slug(slug_text),
        page,
    )
}

fn form_path(id: StoryId) -> String {
    format!("/desk/stories/{id}")
}

/// Opens the form of `id` as `who`, sets its slug to `to` and presses `action`.
async fn change_slug(who: &Browser, id: StoryId, to: &str, action: &str) -> reqwest::Response {
    let (status, page) = who.get_html(&form_path(id)).await;
    assert_eq!(status, StatusCode::OK, "the story form opens");
    let mut fields = form_fields(&page, "form.story-form");
    set(&mut fields, "slug", to);
    submit(who, &form_path(id), &fields, action).await
}

async fn renamed(who: &Browser, id: StoryId, to: &str) {
    let response = change_slug(who, id, to, "update-live").await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the live story is updated"
    );
}

async fn editor(app: &TestApp) -> Browser {
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    app.login("zhang.dan", PASSWORD).await
}

fn stored(store: &SharedStore, id: StoryId) -> Story {
    store.story(id).expect("read").expect("the story")
}

#[actix_web::test]
async fn every_old_address_of_a_renamed_live_story_answers_301_to_the_new_one_page_for_page() {
    let app = TestApp::spawn().await;
    let story = published("Talks end in Geneva", "talks-end").save(&app);
    let editor = editor(&app).await;
    // Both pages are in the page cache under the old address before the change.
    for page in [1, 2] {
        let response = app.get(&article(&story, "talks-end", page)).await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    renamed(&editor, story.id, "geneva-talks-end").await;

    let new = |page| article(&story, "geneva-talks-end", page);
    for page in [1, 2] {
        let old = app.get(&article(&story, "talks-end", page)).await;
        assert_is_redirect_to(&old, &new(page));
        let response = app.get(&new(page)).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", new(page));
    }
    // A wrong date, or `/page/1`, of the old slug goes straight to the new address too.
    let wrong_date = app.get("/2020/01/01/talks-end/page/2").await;
    assert_is_redirect_to(&wrong_date, &new(2));
    let page_one = app
        .get(&format!("{}/page/1", article(&story, "talks-end", 1)))
        .await;
    assert_is_redirect_to(&page_one, &new(1));
    // A page the story does not have is not there under either address.
    let beyond = app.get(&article(&story, "talks-end", 3)).await;
    assert_eq!(beyond.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn renames_collapse_into_one_redirect_and_a_story_may_take_its_old_slug_back() {
    let app = TestApp::spawn().await;
    let story = published("Talks end in Geneva", "a-talks").save(&app);
    let editor = editor(&app).await;

    renamed(&editor, story.id, "b-talks").await;
    renamed(&editor, story.id, "c-talks").await;
    for old in ["a-talks", "b-talks"] {
        let response = app.get(&article(&story, old, 2)).await;
        assert_is_redirect_to(&response, &article(&story, "c-talks", 2));
    }

    renamed(&editor, story.id, "a-talks").await;
    let back = app.get(&article(&story, "a-talks", 1)).await;
    assert_eq!(
        back.status(),
        StatusCode::OK,
        "the story has its first slug again"
    );
    for old in ["b-talks", "c-talks"] {
        let response = app.get(&article(&story, old, 1)).await;
        assert_is_redirect_to(&response, &article(&story, "a-talks", 1));
    }
}

#[actix_web::test]
async fn a_slug_change_saved_for_later_warns_and_moves_the_address_only_when_it_goes_live() {
    let app = TestApp::spawn().await;
    let story = published("Talks end in Geneva", "talks-end").save(&app);
    let editor = editor(&app).await;

    let (_, form) = editor.get_html(&form_path(story.id)).await;
    let warning = select(&form, "#slug-warning");
    assert_eq!(
        warning.len(),
        1,
        "a published story's form carries the warning"
    );
    assert!(
        warning[0].value().attr("hidden").is_some(),
        "hidden while the slug is the live one"
    );

    let staged = change_slug(&editor, story.id, "geneva-talks-end", "save").await;
    assert_eq!(staged.status(), StatusCode::SEE_OTHER);
    let (_, form) = editor.get_html(&form_path(story.id)).await;
    let warning = select(&form, "#slug-warning");
    assert!(
        warning[0].value().attr("hidden").is_none(),
        "shown for a new slug"
    );
    let text = text_of(&form, "#slug-warning").expect("warning text");
    assert!(text.contains(&article(&story, "talks-end", 1)), "{text}");
    assert!(text.contains("will redirect"), "{text}");
    let still = app.get(&article(&story, "talks-end", 1)).await;
    assert_eq!(
        still.status(),
        StatusCode::OK,
        "pending changes move nothing yet"
    );

    // A refused save changes nothing either.
    let refused = change_slug(&editor, story.id, "Not A Slug", "update-live").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let (_, form) = editor.get_html(&form_path(story.id)).await;
    let fields = form_fields(&form, "form.story-form");
    let live = submit(&editor, &form_path(story.id), &fields, "update-live").await;
    assert_eq!(live.status(), StatusCode::SEE_OTHER);
    let old = app.get(&article(&story, "talks-end", 1)).await;
    assert_is_redirect_to(&old, &article(&story, "geneva-talks-end", 1));
    let (_, form) = editor.get_html(&form_path(story.id)).await;
    let warning = select(&form, "#slug-warning");
    assert!(
        warning[0].value().attr("hidden").is_some(),
        "the new slug is the live one now"
    );
}

#[actix_web::test]
async fn old_addresses_of_an_unpublished_or_withdrawn_story_answer_as_its_address_does() {
    let app = TestApp::spawn().await;
    let story = published("Talks end in Geneva", "talks-end").save(&app);
    let editor = editor(&app).await;
    renamed(&editor, story.id, "geneva-talks-end").await;

    let (_, form) = editor.get_html(&form_path(story.id)).await;
    let mut fields = form_fields(&form, "form.story-form");
    fields.push(("confirm".into(), "yes".into()));
    let down = submit(&editor, &form_path(story.id), &fields, "unpublish").await;
    assert_eq!(down.status(), StatusCode::SEE_OTHER);
    for slug_text in ["talks-end", "geneva-talks-end"] {
        let response = app.get(&article(&story, slug_text, 1)).await;
        assert_eq!(
            response.status(),
            StatusCode::NOT_FOUND,
            "{slug_text} while unpublished"
        );
    }

    let (_, form) = editor.get_html(&form_path(story.id)).await;
    let fields = form_fields(&form, "form.story-form");
    let up = submit(&editor, &form_path(story.id), &fields, "publish").await;
    assert_eq!(up.status(), StatusCode::SEE_OTHER);
    let old = app.get(&article(&story, "talks-end", 2)).await;
    assert_is_redirect_to(&old, &article(&story, "geneva-talks-end", 2));

    let csrf = editor.csrf(&form_path(story.id)).await;
    let withdrawn = editor
        .post_form(
            &format!("{}/withdraw", form_path(story.id)),
            &[
                ("csrf", &csrf),
                ("reason", "The report was wrong."),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER, "withdrawn");
    for slug_text in ["talks-end", "geneva-talks-end"] {
        let response = app.get(&article(&story, slug_text, 1)).await;
        assert_eq!(
            response.status(),
            StatusCode::GONE,
            "{slug_text} once withdrawn"
        );
    }
}

/// Fills in the new-story form with `slug` and saves it; the form it lands on.
async fn new_story_with_slug(app: &TestApp, who: &Browser, slug_text: &str) -> (StoryId, Html) {
    let (_, page) = who.get_html("/desk/stories/new").await;
    let mut fields = form_fields(&page, "form.story-form");
    set(&mut fields, "headline", "A new story");
    set(&mut fields, "bylines", "Ann Lee");
    set(&mut fields, "body", "Its only paragraph.");
    set(&mut fields, "slug", slug_text);
    let response = submit(who, "/desk/stories", &fields, "save").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "saved");
    let to = location(&response).expect("location");
    let id = to
        .trim_start_matches("/desk/stories/")
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("an id");
    let (_, form) = who.get_html(&to).await;
    let _ = app;
    (id, form)
}

#[actix_web::test]
async fn a_new_story_asking_for_a_taken_or_retired_slug_gets_a_numbered_one_and_is_told() {
    let app = TestApp::spawn().await;
    let story = published("Talks end in Geneva", "talks-end").save(&app);
    published("Markets rally", "markets-rally").save(&app);
    let editor = editor(&app).await;
    renamed(&editor, story.id, "geneva-talks-end").await;

    let (retired, form) = new_story_with_slug(&app, &editor, "talks-end").await;
    assert_eq!(
        stored(&app.store, retired).content.slug,
        slug("talks-end-2")
    );
    let notice = text_of(&form, "p.notice").expect("a notice");
    assert!(notice.contains("talks-end is taken"), "{notice}");
    assert!(notice.contains("got talks-end-2"), "{notice}");
    // The old address still leads to the story that had it.
    let old = app.get(&article(&story, "talks-end", 1)).await;
    assert_is_redirect_to(&old, &article(&story, "geneva-talks-end", 1));

    let (taken, _) = new_story_with_slug(&app, &editor, "markets-rally").await;
    assert_eq!(
        stored(&app.store, taken).content.slug,
        slug("markets-rally-2")
    );
    let (free, form) = new_story_with_slug(&app, &editor, "a-free-slug").await;
    assert_eq!(stored(&app.store, free).content.slug, slug("a-free-slug"));
    assert!(
        !text_of(&form, "p.notice")
            .unwrap_or_default()
            .contains("taken")
    );
}

#[actix_web::test]
async fn editing_a_story_to_a_slug_another_story_has_or_had_is_refused_on_its_field() {
    let app = TestApp::spawn().await;
    let story = published("Talks end in Geneva", "talks-end").save(&app);
    let other = published("Markets rally", "markets-rally").save(&app);
    let editor = editor(&app).await;
    renamed(&editor, story.id, "geneva-talks-end").await;

    for taken in ["talks-end", "geneva-talks-end"] {
        let response = change_slug(&editor, other.id, taken, "update-live").await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{taken}"
        );
        let page = Html::parse_document(&response.text().await.expect("body"));
        let error = text_of(&page, "#slug-error").expect("the slug field's error");
        assert!(error.contains("already used by another story"), "{error}");
        assert_eq!(
            input_value(&page, "slug").as_deref(),
            Some(taken),
            "kept as typed"
        );
    }
    assert_eq!(
        stored(&app.store, other.id).content.slug,
        slug("markets-rally")
    );
}

#[actix_web::test]
async fn sitemaps_feeds_and_the_api_give_only_the_new_address() {
    let app = TestApp::spawn().await;
    // Recent enough for the news sitemap's two days.
    let story = published("Talks end in Geneva", "talks-end")
        .published_at(time::OffsetDateTime::now_utc() - time::Duration::hours(1))
        .save(&app);
    let editor = editor(&app).await;
    // Cached before the change.
    for path in ["/sitemaps/1.xml", "/rss.xml", "/atom.xml", "/feed.json"] {
        assert_eq!(app.get(path).await.status(), StatusCode::OK, "{path}");
    }
    renamed(&editor, story.id, "geneva-talks-end").await;

    let new = article(&story, "geneva-talks-end", 1);
    let api = format!("/api/v1/stories/{}", story.id);
    for path in [
        "/sitemaps/1.xml",
        "/sitemaps/news.xml",
        "/rss.xml",
        "/atom.xml",
        "/feed.json",
        &api,
    ] {
        let body = app.get(path).await.text().await.expect("body");
        assert!(body.contains(&new), "{path} lacks the new address");
        assert!(
            !body.contains("/talks-end"),
            "{path} still gives the old address"
        );
    }
}

// --- The command line, restarts, backups, servers ---------------------------------------------

fn add_editor(site: &TestSite) {
    let mut add = newsroom(site);
    add.args(["user", "add", "zhang.dan", "--role", "editor"]);
    let added = run_with_input(add, &format!("{PASSWORD}\n"));
    assert!(added.status.success(), "{}", added.stderr);
}

async fn editor_on(server: &ServerProcess) -> Browser {
    let browser = Browser::new(&server.address);
    let response = browser.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "login");
    browser
}

/// A published two-page story saved straight into `site`'s database (no server running).
fn seed_story(site: &TestSite) -> Story {
    let store = site.open();
    let story = published("Talks end in Geneva", "talks-end").into_story();
    store.save_story(&story, None).expect("save")
}

async fn assert_redirects_page_for_page(server: &ServerProcess, story: &Story) {
    for page in [1, 2] {
        let old = server.get(&article(story, "talks-end", page)).await;
        assert_is_redirect_to(&old, &article(story, "geneva-talks-end", page));
    }
}

#[actix_web::test]
async fn old_addresses_redirect_after_a_restart_and_in_a_restored_backup() {
    let site = TestSite::new();
    add_editor(&site);
    let story = seed_story(&site);
    let mut server = ServerProcess::start(&site, site.path().join("first.log")).await;
    let editor = editor_on(&server).await;
    renamed(&editor, story.id, "geneva-talks-end").await;
    assert_redirects_page_for_page(&server, &story).await;
    assert!(server.stop().await.success());

    let mut server = ServerProcess::start(&site, site.path().join("second.log")).await;
    assert_redirects_page_for_page(&server, &story).await;
    server.stop().await;

    let backup_dir = site.path().join("backup");
    let backup = run({
        let mut c = newsroom(&site);
        c.arg("backup").arg(&backup_dir);
        c
    });
    assert!(backup.status.success(), "{}", backup.stderr);
    let fresh = TestSite::new();
    let restored = run({
        let mut c = newsroom(&fresh);
        c.arg("restore").arg(&backup_dir);
        c
    });
    assert!(restored.status.success(), "{}", restored.stderr);
    let server = ServerProcess::start(&fresh, fresh.path().join("restored.log")).await;
    assert_redirects_page_for_page(&server, &story).await;
    // The retired slug is still reserved in the restored site.
    let editor = editor_on(&server).await;
    let response = change_slug(&editor, story.id, "talks-end", "save").await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "its own old slug, taken back"
    );
}

/// Polls `path` on `server` until it answers `status`; a generous limit, not a timing.
async fn eventually_answers(
    server: &ServerProcess,
    path: &str,
    status: StatusCode,
) -> reqwest::Response {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let response = server.get(path).await;
        if response.status() == status {
            return response;
        }
        assert!(
            Instant::now() < deadline,
            "{path} on {} never answered {status}",
            server.address
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn a_story_renamed_through_one_server_redirects_on_the_other() {
    if !runs_once("a_story_renamed_through_one_server_redirects_on_the_other") {
        return;
    }
    let site = TestSite::on(Engine::Postgres);
    add_editor(&site);
    let story = seed_story(&site);
    let public = ["--base-url", "http://newsroom.test"];
    let a = ServerProcess::start_with(&site, site.path().join("a.log"), &public).await;
    let b = ServerProcess::start_with(&site, site.path().join("b.log"), &public).await;
    // B has both pages cached under the old address.
    for page in [1, 2] {
        assert_eq!(
            b.get(&article(&story, "talks-end", page)).await.status(),
            StatusCode::OK
        );
        assert_eq!(
            b.get(&article(&story, "talks-end", page)).await.status(),
            StatusCode::OK
        );
    }
    let editor = editor_on(&a).await;
    renamed(&editor, story.id, "geneva-talks-end").await;

    for page in [1, 2] {
        let old = article(&story, "talks-end", page);
        let response = eventually_answers(&b, &old, StatusCode::MOVED_PERMANENTLY).await;
        assert_is_redirect_to(&response, &article(&story, "geneva-talks-end", page));
    }
}

// --- Imports ------------------------------------------------------------------------------------

fn export(site: &TestSite, file: &Path) {
    let finished = run({
        let mut c = newsroom(site);
        c.args(["export", "--format", "ninjs"]).arg(file);
        c
    });
    assert!(
        finished.status.success(),
        "export failed: {}",
        finished.stderr
    );
}

#[test]
fn a_ninjs_story_whose_slug_is_taken_or_retired_gets_a_numbered_one_and_the_import_says_so() {
    // Elsewhere, two stories under slugs this site already uses, one of them retired here.
    let elsewhere = TestSite::new();
    {
        let store = elsewhere.open();
        for (headline, slug_text) in [
            ("Talks end", "talks-end"),
            ("Markets rally", "markets-rally"),
        ] {
            let story = published(headline, slug_text).into_story();
            store.save_story(&story, None).expect("save");
        }
    }
    let file = elsewhere.path().join("feed.jsonl");
    export(&elsewhere, &file);

    let here = TestSite::new();
    let other_here = {
        let store = here.open();
        let mut story = store
            .save_story(
                &published("Talks in Geneva", "talks-end").into_story(),
                None,
            )
            .expect("save");
        story.content.slug = slug("geneva-talks");
        let revision = story.revision;
        // Through the editorial service, as the desk does.
        let actor = newsroom::editorial::Actor::CommandLine;
        let edit = newsroom::editorial::Edit {
            story: Some(story.id),
            expected_revision: Some(revision),
            content: story.content.clone(),
            filed_at: None,
            step: newsroom::editorial::Step::UpdateLive,
            note: None,
            zone: newsroom::domain::SiteZone::utc(),
        };
        let saved =
            newsroom::editorial::save(&*store, &actor, edit, time::OffsetDateTime::now_utc())
                .expect("renamed");
        assert_eq!(saved.content.slug, slug("geneva-talks"));
        store
            .save_story(
                &published("Markets in Asia", "markets-rally").into_story(),
                None,
            )
            .expect("save")
    };

    let imported = run({
        let mut c = newsroom(&here);
        c.args(["import", "--format", "ninjs"]).arg(&file);
        c
    });
    assert!(imported.status.success(), "{}", imported.stderr);
    assert!(imported.stdout.contains("2 new"), "{}", imported.stdout);
    let said = format!("{}{}", imported.stdout, imported.stderr);
    assert!(
        said.contains("talks-end is taken by another story; saved as talks-end-2"),
        "{said}"
    );
    assert!(said.contains("saved as markets-rally-2"), "{said}");

    let store = here.open();
    for taken in ["talks-end-2", "markets-rally-2"] {
        assert!(
            store.story_by_slug(&slug(taken)).expect("read").is_some(),
            "{taken}"
        );
    }
    assert_eq!(
        store
            .story_by_slug(&slug("markets-rally"))
            .expect("read")
            .map(|s| s.id),
        Some(other_here.id)
    );
    assert!(
        store
            .story_by_slug(&slug("talks-end"))
            .expect("read")
            .is_none(),
        "still retired"
    );
}

// --- In a browser ---------------------------------------------------------------------------------

#[actix_web::test]
async fn an_editor_renames_a_live_story_after_the_warning_and_a_reader_of_the_old_address_lands_on_the_new_one()
 {
    use crate::chromium::{Chromium, journey};
    if !runs_once("an_editor_renames_a_live_story_and_a_reader_follows") {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let story = published("Talks end in Geneva", "talks-end").save(&app);
    let old = app.url(&article(&story, "talks-end", 2));
    let new = article(&story, "geneva-talks-end", 2);
    let editor = Chromium::start("editor_renames_a_live_story").await;
    let reader = Chromium::start("reader_follows_an_old_address").await;

    journey(&[&editor, &reader], async {
        // The server's page cache holds page 2 under the old address. (A browser that has it
        // keeps it for the article's lifetime, as any cache in front would: this reader has
        // not been there yet.)
        let cached = app.get(&article(&story, "talks-end", 2)).await;
        assert_eq!(cached.status(), reqwest::StatusCode::OK);

        editor.login(&app.address, "zhang.dan", PASSWORD).await;
        editor.open(&app.url(&form_path(story.id))).await;
        let warning = editor.find("#slug-warning").await;
        assert!(
            !warning.is_displayed().await.expect("shown?"),
            "no warning yet"
        );
        editor.type_into("#slug", "geneva-talks-end").await;
        assert!(
            warning.is_displayed().await.expect("shown?"),
            "typing a new slug shows the warning"
        );
        let said = warning.text().await.expect("text");
        assert!(said.contains("will redirect"), "{said}");
        assert!(said.contains(&article(&story, "talks-end", 1)), "{said}");
        editor.click("button[value='update-live']").await;
        assert!(
            editor
                .text("p.notice")
                .await
                .starts_with("Live story updated"),
            "the live story was updated"
        );

        reader.open(&old).await;
        assert_eq!(
            reader.path().await,
            new,
            "the old address leads to the new one"
        );
        assert_eq!(reader.text("h1").await, "Talks end in Geneva");
        assert_eq!(reader.text(".page-of").await, "Page 2 of 2");
    })
    .await;
}
