//! Corrections and clarifications over HTTP: an editor adds a public note when putting a
//! published story live (or on its own), and readers find it on every page of the article, in
//! its JSON-LD, feeds and ninjs, and on /corrections, until the story stops being public.

use crate::helpers::{Browser, StoryBuilder, TestApp, input_value, select, text_of};
use crate::ninjs::assert_valid_ninjs;
use newsroom::domain::{NoteKind, NoteText, PublicNote, Role, Status, Story, StoryId};
use newsroom::urls;
use reqwest::StatusCode;
use reqwest::multipart::Form;
use scraper::Html;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

const PASSWORD: &str = "correct horse battery";
const NOTE: &str = "An earlier version of this story misspelt the envoy's name.";

async fn app_with(per_page: usize) -> (TestApp, Browser) {
    let app = TestApp::spawn_with(|settings| settings.per_page = per_page).await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let editor = app.login("zhang.dan", PASSWORD).await;
    (app, editor)
}

/// A published story of two pages, published an hour ago.
fn published(app: &TestApp, headline: &str) -> Story {
    StoryBuilder::new(headline)
        .body("The envoy, Mr Smyth, spoke.\n\n<!--nextpage-->\n\nHe left at noon.")
        .published_at(app.clock.now() - Duration::hours(1))
        .save(app)
}

/// Sends the story form of `story` as loaded, with `action` and `changes` typed over it.
async fn send(
    browser: &Browser,
    story: StoryId,
    action: &str,
    changes: &[(&str, &str)],
) -> reqwest::Response {
    let path = format!("/desk/stories/{story}");
    let (status, page) = browser.get_html(&path).await;
    assert_eq!(status, StatusCode::OK, "the story form");
    let mut form = Form::new()
        .text("csrf", input_value(&page, "csrf").expect("csrf"))
        .text("action", action.to_owned());
    let mut fields: Vec<(String, String)> = newsroom::domain::story_form::FIELDS
        .iter()
        .filter(|f| !f.name.starts_with("note_"))
        .map(|f| (f.name.to_owned(), field_value(&page, f.name)))
        .collect();
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push(((*name).to_owned(), (*value).to_owned()));
    }
    for (name, value) in fields {
        form = form.text(name, value);
    }
    browser
        .client
        .post(format!("{}{path}", browser.address))
        .multipart(form)
        .send()
        .await
        .expect("request")
}

/// A field of the story form as the page shows it: an input's value, a textarea's text or a
/// select's chosen option.
fn field_value(page: &Html, name: &str) -> String {
    if let Some(value) = input_value(page, name) {
        return value;
    }
    if let Some(area) = select(page, &format!("textarea[name='{name}']")).first() {
        return area.text().collect();
    }
    select(page, &format!("select[name='{name}'] option[selected]"))
        .first()
        .and_then(|o| o.value().attr("value"))
        .unwrap_or_default()
        .to_owned()
}

async fn correct(browser: &Browser, story: &Story, kind: &str, text: &str) -> reqwest::Response {
    send(
        browser,
        story.id,
        "update-live",
        &[("note_kind", kind), ("note_text", text)],
    )
    .await
}

fn stored(app: &TestApp, id: StoryId) -> Story {
    app.store.story(id).expect("read").expect("stored")
}

fn article(story: &Story, page: u32) -> String {
    urls::article(
        story.published_at.expect("published"),
        &story.content.slug,
        page,
    )
}

async fn page(app: &TestApp, path: &str) -> Html {
    let (status, html) = app.get_html(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    html
}

/// What a `datetime` attribute may hold: RFC 3339 in UTC with at most three fractional digits.
fn assert_html_datetime(raw: &str) {
    let parsed = OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339);
    assert!(parsed.is_ok(), "{raw:?} is not RFC 3339");
    let fraction = raw
        .split_once('.')
        .map_or(0, |(_, f)| f.trim_end_matches('Z').len());
    assert!(fraction <= 3, "{raw:?} has more than 3 fractional digits");
}

#[actix_web::test]
async fn a_correction_published_with_the_story_shows_on_every_page_of_it() {
    let (app, editor) = app_with(20).await;
    let story = published(&app, "Envoy speaks");
    app.clock.advance(Duration::minutes(30));

    let response = correct(&editor, &story, "correction", NOTE).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let noted = stored(&app, story.id);
    assert_eq!(noted.notes.len(), 1);
    assert_eq!(noted.notes[0].kind, NoteKind::Correction);
    for n in [1, 2] {
        let html = page(&app, &article(&noted, n)).await;
        let aside = text_of(&html, "aside.story-notes").expect("the notes block");
        assert!(aside.contains("Correction"), "page {n}: {aside}");
        assert!(aside.contains(NOTE), "page {n}");
        assert_eq!(
            text_of(&html, "aside.story-notes h2").as_deref(),
            Some("Corrections and clarifications")
        );
        let time = select(&html, "aside.story-notes time");
        assert_html_datetime(time[0].value().attr("datetime").expect("datetime"));
        assert!(
            text_of(&html, ".meta-line .updated").is_some(),
            "readers are told it was updated"
        );
    }
    let audit = app.store.audit_log(None, 1).expect("audit");
    assert_eq!(audit[0].action, newsroom::domain::AuditAction::Note);
    assert!(audit[0].detail.contains(NOTE));
}

#[actix_web::test]
async fn the_article_s_json_ld_lists_the_correction_and_was_modified_then() {
    let (app, editor) = app_with(20).await;
    let story = published(&app, "Envoy speaks");
    app.clock.advance(Duration::minutes(30));
    correct(
        &editor,
        &story,
        "clarification",
        "The talks were in Geneva.",
    )
    .await;
    let noted = stored(&app, story.id);

    let html = page(&app, &article(&noted, 1)).await;
    let script = select(&html, "script[type='application/ld+json']");
    let ld: Value = serde_json::from_str(&script[0].text().collect::<String>()).expect("JSON-LD");
    let correction = &ld["correction"][0];
    assert_eq!(correction["@type"], "CorrectionComment");
    assert_eq!(correction["text"], "The talks were in Geneva.");
    let at = OffsetDateTime::parse(
        ld["dateModified"].as_str().expect("dateModified"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("a time");
    assert_eq!(at, noted.notes[0].at);
    assert_eq!(correction["datePublished"], ld["dateModified"]);
}

#[actix_web::test]
async fn feeds_and_ninjs_carry_the_note_and_the_entry_is_updated() {
    let (app, editor) = app_with(20).await;
    let story = published(&app, "Envoy speaks");
    let rss_before = app.get("/rss.xml").await.text().await.expect("rss");
    app.clock.advance(Duration::minutes(30));
    correct(
        &editor,
        &story,
        "editors-note",
        "Updated with the envoy's departure.",
    )
    .await;

    let atom = app.get("/atom.xml").await.text().await.expect("atom");
    assert!(atom.contains("Updated with the envoy"));
    let feed: Value = app.get("/feed.json").await.json().await.expect("json feed");
    let item = &feed["items"][0];
    assert!(
        item["content_html"]
            .as_str()
            .expect("html")
            .contains("Editor")
    );
    assert_ne!(item["date_modified"], item["date_published"]);
    let rss = app.get("/rss.xml").await.text().await.expect("rss");
    let guid = |feed: &str| {
        feed.split_once("<guid")
            .and_then(|(_, rest)| rest.split_once("</guid>"))
            .map(|(guid, _)| guid.to_owned())
    };
    assert_eq!(guid(&rss), guid(&rss_before), "the RSS guid stays");
    assert!(rss.contains("Updated with the envoy"));

    let doc: Value = app
        .get(&urls::api_story(story.id))
        .await
        .json()
        .await
        .expect("ninjs");
    assert_valid_ninjs(&doc);
    let note = doc["bodies"]
        .as_array()
        .expect("bodies")
        .iter()
        .find(|b| b["role"] == "editors-note")
        .expect("the note's body");
    assert!(note["value"].as_str().expect("value").contains("departure"));
}

#[actix_web::test]
async fn a_note_saved_without_putting_the_story_live_is_refused_and_kept_on_the_form() {
    let (app, editor) = app_with(20).await;
    let story = published(&app, "Envoy speaks");

    let response = send(
        &editor,
        story.id,
        "save",
        &[("note_kind", "clarification"), ("note_text", NOTE)],
    )
    .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = Html::parse_document(&response.text().await.expect("body"));
    assert!(
        text_of(&html, ".error")
            .expect("the message")
            .contains("press Update live story")
    );
    assert_eq!(field_value(&html, "note_text"), NOTE);
    assert_eq!(field_value(&html, "note_kind"), "clarification");
    assert!(stored(&app, story.id).notes.is_empty());
}

#[actix_web::test]
async fn a_note_of_an_unknown_kind_or_too_long_is_refused_by_its_field() {
    let (app, editor) = app_with(20).await;
    let story = published(&app, "Envoy speaks");
    let long = "x".repeat(NoteText::MAX_CHARS + 1);

    let response = send(
        &editor,
        story.id,
        "update-live",
        &[("note_kind", "apology"), ("note_text", &long)],
    )
    .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = Html::parse_document(&response.text().await.expect("body"));
    assert!(text_of(&html, "#note_kind-error").is_some());
    assert!(
        text_of(&html, "#note_text-error")
            .expect("error")
            .contains("2000")
    );
    assert_eq!(field_value(&html, "note_text"), long);
}

#[actix_web::test]
async fn a_writer_cannot_add_a_note_even_to_her_own_draft() {
    let (app, _) = app_with(20).await;
    app.create_user("ann.lee", Role::Writer, PASSWORD);
    let writer = app.login("ann.lee", PASSWORD).await;
    let csrf = writer.csrf("/desk/stories/new").await;
    let form = Form::new()
        .text("csrf", csrf)
        .text("action", "save")
        .text("headline", "Envoy speaks")
        .text("bylines", "Ann Lee")
        .text("section", "world")
        .text("body", "Words.")
        .text("note_text", NOTE);
    let response = writer
        .client
        .post(format!("{}/desk/stories", writer.address))
        .multipart(form)
        .send()
        .await
        .expect("request");

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.expect("body");
    assert!(body.contains("Only editors can add a public note"));
    let slug = newsroom::domain::Slug::parse("envoy-speaks").expect("slug");
    assert!(app.store.story_by_slug(&slug).expect("read").is_none());
}

#[actix_web::test]
async fn a_correction_added_on_its_own_keeps_the_text_and_refusals_keep_the_words() {
    let (app, editor) = app_with(20).await;
    let story = published(&app, "Envoy speaks");
    let path = format!("/desk/stories/{}", story.id);
    let csrf = editor.csrf(&path).await;
    let revision = story.revision.to_string();

    let empty = editor
        .post_form(
            &format!("{path}/notes"),
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("kind", "clarification"),
                ("text", " "),
            ],
        )
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = Html::parse_document(&empty.text().await.expect("body"));
    assert!(text_of(&html, "#add_note-error").is_some());
    let chosen = select(&html, "#add_note_kind option[selected]");
    assert_eq!(chosen[0].value().attr("value"), Some("clarification"));

    let forged = editor
        .post_form(
            &format!("{path}/notes"),
            &[
                ("csrf", "forged"),
                ("revision", &revision),
                ("kind", "correction"),
                ("text", NOTE),
            ],
        )
        .await;
    assert!(forged.status().is_client_error());
    assert!(stored(&app, story.id).notes.is_empty());

    let added = editor
        .post_form(
            &format!("{path}/notes"),
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("kind", "correction"),
                ("text", NOTE),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let noted = stored(&app, story.id);
    assert_eq!(noted.content.body, story.content.body);
    assert_eq!(noted.notes[0].text.as_str(), NOTE);
    let html = page(&app, &article(&noted, 1)).await;
    assert!(
        text_of(&html, "aside.story-notes")
            .expect("notes")
            .contains(NOTE)
    );
}

fn with_note(story: &mut Story, text: &str, at: OffsetDateTime) {
    story.notes.push(PublicNote {
        kind: NoteKind::Correction,
        text: NoteText::parse(text).expect("note"),
        at,
    });
}

#[actix_web::test]
async fn the_corrections_page_lists_notes_newest_first_a_page_at_a_time() {
    let (app, editor) = app_with(2).await;
    let empty = page(&app, "/corrections").await;
    assert!(text_of(&empty, ".empty").is_some());

    let first = published(&app, "Envoy speaks");
    let second = published(&app, "Talks end");
    for (n, story) in [&first, &second, &first].into_iter().enumerate() {
        app.clock.advance(Duration::minutes(5));
        let current = stored(&app, story.id);
        let response = correct(&editor, &current, "correction", &format!("Note {n}.")).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }

    let html = page(&app, "/corrections").await;
    let listed: Vec<String> = select(&html, ".note-list li")
        .iter()
        .map(|li| li.text().collect::<String>())
        .collect();
    assert_eq!(listed.len(), 2);
    assert!(listed[0].contains("Note 2.") && listed[0].contains("Envoy speaks"));
    assert!(listed[1].contains("Note 1.") && listed[1].contains("Talks end"));
    let link = select(&html, ".note-list h2 a")[0]
        .value()
        .attr("href")
        .map(str::to_owned);
    assert_eq!(link, Some(article(&first, 1)));
    for time in select(&html, ".note-list time") {
        assert_html_datetime(time.value().attr("datetime").expect("datetime"));
    }
    assert_eq!(
        crate::helpers::pager_rel(&html, "next").as_deref(),
        Some("/corrections/page/2")
    );
    let last = page(&app, "/corrections/page/2").await;
    assert!(
        text_of(&last, ".note-list")
            .expect("list")
            .contains("Note 0.")
    );
    crate::helpers::assert_is_redirect_to(&app.get("/corrections/page/1").await, "/corrections");
    app.assert_not_found("/corrections/page/3").await;
    app.assert_not_found("/corrections/page/x").await;
    let footer = page(&app, "/").await;
    assert!(!select(&footer, "footer a[href='/corrections']").is_empty());
}

#[actix_web::test]
async fn notes_of_stories_readers_cannot_see_appear_nowhere_public() {
    let (app, editor) = app_with(20).await;
    let at = app.clock.now() - Duration::minutes(10);
    let gone = published(&app, "Withdrawn story");
    correct(&editor, &gone, "correction", "Gone note.").await;
    let embargo = app.clock.now() + Duration::days(1);
    StoryBuilder::new("Embargoed story")
        .with(|s| {
            s.content.embargo = Some(embargo);
            s.status = Status::Scheduled(embargo);
            with_note(s, "Embargoed note.", at);
        })
        .save(&app);
    StoryBuilder::new("Draft story")
        .with(|s| with_note(s, "Draft note.", at))
        .save(&app);
    assert!(
        page(&app, "/corrections")
            .await
            .html()
            .contains("Gone note.")
    );

    let path = format!("/desk/stories/{}/withdraw", gone.id);
    let csrf = editor.csrf(&format!("/desk/stories/{}", gone.id)).await;
    let withdrawn = editor
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("reason", "Legal advice"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);

    let mut public = String::new();
    for path in [
        "/corrections",
        "/",
        "/rss.xml",
        "/atom.xml",
        "/feed.json",
        "/api/v1/stories",
    ] {
        public.push_str(&app.get(path).await.text().await.expect("body"));
    }
    for note in ["Gone note.", "Embargoed note.", "Draft note."] {
        assert!(!public.contains(note), "{note} is public");
    }
}

#[actix_web::test]
async fn unpublishing_takes_the_notes_off_the_corrections_page_and_a_cached_page_follows() {
    let (app, editor) = app_with(20).await;
    let story = published(&app, "Envoy speaks");
    assert!(!page(&app, "/corrections").await.html().contains(NOTE));
    correct(&editor, &story, "correction", NOTE).await;
    assert!(page(&app, "/corrections").await.html().contains(NOTE));

    let cached = app.get("/corrections").await;
    let etag = cached.headers().get("etag").cloned().expect("an ETag");
    assert_eq!(
        cached
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("max-age=60, stale-while-revalidate=300")
    );

    let response = send(&editor, story.id, "unpublish", &[("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let after = app.get("/corrections").await;
    assert_ne!(after.headers().get("etag"), Some(&etag));
    let after = Html::parse_document(&after.text().await.expect("body"));
    assert!(!after.html().contains(NOTE));
}

#[actix_web::test]
async fn a_note_carried_by_ninjs_is_read_back_on_import() {
    let (app, editor) = app_with(20).await;
    let story = published(&app, "Envoy speaks");
    correct(&editor, &story, "clarification", NOTE).await;
    let doc: newsroom::ninjs::Document = app
        .get(&urls::api_story(story.id))
        .await
        .json()
        .await
        .expect("ninjs");
    let defaults = newsroom::ninjs::Defaults {
        section: newsroom::domain::Section::parse("world").expect("section"),
        now: app.clock.now(),
        base_url: "https://elsewhere.example",
        language: &newsroom::domain::Language::parse("en").expect("en"),
    };
    let read = newsroom::ninjs::story(&doc, defaults).expect("read");
    assert_eq!(read.notes, stored(&app, story.id).notes);
}

#[actix_web::test]
async fn the_preview_of_a_live_update_shows_the_note_typed_with_it_and_stores_nothing() {
    let (app, editor) = app_with(20).await;
    let story = published(&app, "Envoy speaks");

    let response = send(
        &editor,
        story.id,
        "preview",
        &[("note_kind", "correction"), ("note_text", NOTE)],
    )
    .await;

    assert_eq!(response.status(), StatusCode::OK);
    let html = Html::parse_document(&response.text().await.expect("body"));
    let aside = text_of(&html, "aside.story-notes").expect("the note in the preview");
    assert!(aside.contains(NOTE), "{aside}");
    let stored = stored(&app, story.id);
    assert!(stored.notes.is_empty() && stored.revision == story.revision);
}

#[actix_web::test]
async fn a_writer_refused_a_note_is_not_shown_a_story_she_may_not_open() {
    let (app, _editor) = app_with(20).await;
    app.create_user("ann.writer", Role::Writer, PASSWORD);
    let writer = app.login("ann.writer", PASSWORD).await;
    let draft = StoryBuilder::new("Someone else's scoop")
        .body("Not for her eyes.")
        .save(&app);
    let path = format!("/desk/stories/{}", draft.id);
    let csrf = writer.csrf("/desk/stories/new").await;

    let response = writer
        .post_form(
            &format!("{path}/notes"),
            &[
                ("csrf", &csrf),
                ("revision", "1"),
                ("kind", "not-a-kind"),
                ("text", NOTE),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = response.text().await.expect("body");
    assert!(!body.contains("Not for her eyes."), "{body}");
}
