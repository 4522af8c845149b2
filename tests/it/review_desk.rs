//! The review desk over HTTP: stories submitted for review have a filter of their own with a
//! count; an editor sends one back to its writer with a note, which she reads on the form and
//! sees flagged in her list, or takes one, which the list then shows as hers; writers can do
//! neither, and publishing stays an editor's action.

use crate::helpers::{Browser, StoryBuilder, TestApp, location, runs_once, select, text_of};
use newsroom::domain::{AuditAction, Role, Status, Story, StoryId, UserId};
use reqwest::StatusCode;
use reqwest::multipart::Form;
use scraper::Html;
use time::Duration;

const PASSWORD: &str = "correct horse battery";

/// A newsroom with two editors and a writer, each signed in.
struct Desk {
    app: TestApp,
    editor: Browser,
    other_editor: Browser,
    writer: Browser,
    editor_id: UserId,
    other_editor_id: UserId,
}

async fn desk() -> Desk {
    let app = TestApp::spawn().await;
    let editor_id = app.create_user("zhang.dan", Role::Editor, PASSWORD).id;
    let other_editor_id = app.create_user("bo.chen", Role::Editor, PASSWORD).id;
    app.create_user("li.wei", Role::Writer, PASSWORD);
    let editor = app.login("zhang.dan", PASSWORD).await;
    let other_editor = app.login("bo.chen", PASSWORD).await;
    let writer = app.login("li.wei", PASSWORD).await;
    Desk {
        app,
        editor,
        other_editor,
        writer,
        editor_id,
        other_editor_id,
    }
}

fn fields(headline: &str, section: &str) -> Vec<(&'static str, String)> {
    vec![
        ("headline", headline.to_owned()),
        ("bylines", "Li Wei".into()),
        ("section", section.to_owned()),
        ("body", "The talks ended on Friday.".into()),
    ]
}

/// Sends the story form at `form_path` with `action`, as the browser does: its token, its
/// revision and the fields.
async fn send_story_form(
    browser: &Browser,
    form_path: &str,
    action: &str,
    fields: &[(&'static str, String)],
) -> reqwest::Response {
    let (status, page) = browser.get_html(form_path).await;
    assert_eq!(status, StatusCode::OK, "{form_path}");
    let (to, hidden) = form(&page, "form.story-form");
    let mut form = Form::new().text("action", action.to_owned());
    for (name, value) in hidden {
        form = form.text(name, value);
    }
    for (name, value) in fields {
        form = form.text(*name, value.clone());
    }
    browser
        .client
        .post(format!("{}{to}", browser.address))
        .multipart(form)
        .send()
        .await
        .expect("request")
}

/// The writer writes a story and submits it for review; returns its id.
async fn submitted(desk: &Desk, headline: &str, section: &str) -> StoryId {
    let response = send_story_form(
        &desk.writer,
        "/desk/stories/new",
        "submit",
        &fields(headline, section),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response).expect("a redirect");
    to.trim_start_matches("/desk/stories/")
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("the story's address")
}

/// The action and hidden fields of the first form matching `selector`.
fn form(page: &Html, selector: &str) -> (String, Vec<(String, String)>) {
    let found = select(page, selector);
    let form = found
        .first()
        .unwrap_or_else(|| panic!("no {selector} on the page"));
    let action = form.value().attr("action").expect("an action").to_owned();
    let hidden = scraper::Selector::parse("input[type='hidden']").expect("selector");
    let values = form
        .select(&hidden)
        .map(|input| {
            let value = |name| input.value().attr(name).unwrap_or_default().to_owned();
            (value("name"), value("value"))
        })
        .collect();
    (action, values)
}

/// Fills in and sends the form `selector` of the story form of `id`, with `typed` besides its
/// hidden fields.
async fn send_review_form(
    browser: &Browser,
    id: StoryId,
    selector: &str,
    typed: &[(&str, &str)],
) -> reqwest::Response {
    let (status, page) = browser.get_html(&format!("/desk/stories/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    send_form_of(browser, &page, selector, typed).await
}

/// Sends the form `selector` of `page` as it stands, with `typed` besides its hidden fields.
async fn send_form_of(
    browser: &Browser,
    page: &Html,
    selector: &str,
    typed: &[(&str, &str)],
) -> reqwest::Response {
    let (action, mut values) = form(page, selector);
    values.extend(
        typed
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let values: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post_form(&action, &values).await
}

fn story(app: &TestApp, id: StoryId) -> Story {
    app.store.story(id).expect("read").expect("the story")
}

async fn page_of(response: reqwest::Response) -> Html {
    Html::parse_document(&response.text().await.expect("body"))
}

/// The headlines the desk list shows.
fn headlines(page: &Html) -> Vec<String> {
    select(page, "tbody tr td:first-child a:first-child")
        .iter()
        .map(|a| a.text().collect())
        .collect()
}

/// The desk list's row of `headline`, as text.
fn row(page: &Html, headline: &str) -> String {
    select(page, "tbody tr")
        .iter()
        .map(|tr| tr.text().collect::<Vec<_>>().join(" "))
        .find(|text| text.contains(headline))
        .unwrap_or_else(|| panic!("no row for {headline}"))
}

// --- The review filter ---------------------------------------------------------------------

#[actix_web::test]
async fn stories_submitted_for_review_have_a_filter_of_their_own_with_a_count() {
    let desk = desk().await;
    submitted(&desk, "Talks end in Geneva", "world").await;
    submitted(&desk, "Markets rally", "business").await;
    let draft = send_story_form(
        &desk.writer,
        "/desk/stories/new",
        "save",
        &fields("A draft in progress", "world"),
    )
    .await;
    assert_eq!(draft.status(), StatusCode::SEE_OTHER);

    let (_, all) = desk.editor.get_html("/desk").await;
    assert_eq!(headlines(&all).len(), 3);
    assert_eq!(
        text_of(&all, "a.for-review").as_deref(),
        Some("For review (2)")
    );

    let (status, review) = desk.editor.get_html("/desk?status=review").await;
    assert_eq!(status, StatusCode::OK);
    let mut listed = headlines(&review);
    listed.sort();
    assert_eq!(listed, vec!["Markets rally", "Talks end in Geneva"]);
    assert_eq!(
        select(&review, "a.for-review[aria-current='page']").len(),
        1,
        "the filter shows it is the one applied"
    );

    let (_, world) = desk
        .editor
        .get_html("/desk?status=review&section=world")
        .await;
    assert_eq!(headlines(&world), vec!["Talks end in Geneva"]);
    assert_eq!(
        text_of(&world, "a.for-review").as_deref(),
        Some("For review (1)")
    );
    let (_, sport) = desk.editor.get_html("/desk?section=sport").await;
    assert_eq!(
        text_of(&sport, "a.for-review").as_deref(),
        Some("For review (0)")
    );
}

// --- Sending back --------------------------------------------------------------------------

#[actix_web::test]
async fn an_editor_sends_a_story_back_and_the_writer_reads_the_note_on_the_form_and_in_her_list() {
    let desk = desk().await;
    let id = submitted(&desk, "Talks end in Geneva", "world").await;
    desk.app.clock.advance(Duration::minutes(30));

    let response = send_review_form(
        &desk.editor,
        id,
        "form.send-back-form",
        &[("note", "Needs a second source for the casualty figures.")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        Some(format!("/desk/stories/{id}?saved=send-back"))
    );
    let (_, editor_view) = desk
        .editor
        .get_html(&format!("/desk/stories/{id}?saved=send-back"))
        .await;
    assert_eq!(
        text_of(&editor_view, "p.notice").as_deref(),
        Some("Sent back to its writer with your note.")
    );

    let (status, form) = desk.writer.get_html(&format!("/desk/stories/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let note = text_of(&form, ".review-note").expect("the note at the top of the form");
    assert!(note.contains("Sent back by zhang.dan"), "{note}");
    assert!(
        note.contains("Needs a second source for the casualty figures."),
        "{note}"
    );
    let sent_at = story(&desk.app, id).sent_back.expect("a note").at;
    let when = select(&form, ".review-note time");
    let when = when.first().and_then(|t| t.value().attr("datetime"));
    let stored = sent_at
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    assert_eq!(
        when.map(|iso| &iso[..19]),
        Some(&stored[..19]),
        "when it was sent back"
    );
    let (_, list) = desk.writer.get_html("/desk").await;
    assert!(row(&list, "Talks end in Geneva").contains("Sent back"));
    let (_, review) = desk.editor.get_html("/desk?status=review").await;
    assert!(
        headlines(&review).is_empty(),
        "no longer waiting for review"
    );
    let events = desk.app.store.audit_log(None, 10).expect("audit");
    assert!(
        events.iter().any(
            |e| e.action == AuditAction::SendBack && e.detail.contains("Needs a second source")
        )
    );

    // Submitted again, it waits for review once more and the note goes.
    let again = send_story_form(
        &desk.writer,
        &format!("/desk/stories/{id}"),
        "submit",
        &fields("Talks end in Geneva", "world"),
    )
    .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let (_, form) = desk.writer.get_html(&format!("/desk/stories/{id}")).await;
    assert!(select(&form, ".review-note").is_empty());
    let (_, list) = desk.writer.get_html("/desk").await;
    assert!(!row(&list, "Talks end in Geneva").contains("Sent back"));
    let (_, review) = desk.editor.get_html("/desk?status=review").await;
    assert_eq!(headlines(&review), vec!["Talks end in Geneva"]);
}

#[actix_web::test]
async fn sending_back_without_a_note_says_so_by_the_note_and_changes_nothing() {
    let desk = desk().await;
    let id = submitted(&desk, "Talks end in Geneva", "world").await;
    let before = story(&desk.app, id);

    let response =
        send_review_form(&desk.editor, id, "form.send-back-form", &[("note", "  ")]).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_of(response).await;
    assert_eq!(
        text_of(&page, "#review_note-error").as_deref(),
        Some("Note is required")
    );
    assert_eq!(story(&desk.app, id), before);
}

#[actix_web::test]
async fn a_note_sent_from_a_stale_form_is_not_lost_and_the_conflict_is_explained() {
    let desk = desk().await;
    let id = submitted(&desk, "Talks end in Geneva", "world").await;
    let (_, stale) = desk.editor.get_html(&format!("/desk/stories/{id}")).await;
    let took = send_review_form(&desk.other_editor, id, "form.take-form", &[]).await;
    assert_eq!(took.status(), StatusCode::SEE_OTHER);
    let note = "Needs a second source.";

    let response = send_form_of(
        &desk.editor,
        &stale,
        "form.send-back-form",
        &[("note", note)],
    )
    .await;

    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = page_of(response).await;
    let alert = text_of(&page, "[role='alert']").expect("why nothing was done");
    assert!(alert.contains("Nothing was sent back"), "{alert}");
    assert!(alert.contains("bo.chen saved this story"), "{alert}");
    assert_eq!(text_of(&page, "#review_note").as_deref(), Some(note));
    assert!(story(&desk.app, id).submitted, "nothing was sent back");

    // The form shown is the story as it is now: sending it again goes through.
    let response = send_form_of(
        &desk.editor,
        &page,
        "form.send-back-form",
        &[("note", note)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(story(&desk.app, id).sent_back.is_some());
}

// --- Taking a story ------------------------------------------------------------------------

#[actix_web::test]
async fn an_editor_takes_a_story_and_the_desk_lists_it_as_hers() {
    let desk = desk().await;
    let id = submitted(&desk, "Talks end in Geneva", "world").await;
    let (_, list) = desk.editor.get_html("/desk").await;
    assert!(
        row(&list, "Talks end in Geneva").contains("li.wei"),
        "a story nobody took is with its writer"
    );

    let response = send_review_form(&desk.editor, id, "form.take-form", &[]).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(story(&desk.app, id).assignee, Some(desk.editor_id));
    let (_, form) = desk
        .editor
        .get_html(&format!("/desk/stories/{id}?saved=take"))
        .await;
    assert_eq!(
        text_of(&form, "p.notice").as_deref(),
        Some("You have this story: the desk lists it as yours.")
    );
    assert!(
        select(&form, "form.take-form").is_empty(),
        "nothing to take"
    );
    let (_, list) = desk.writer.get_html("/desk").await;
    let taken = text_of(&list, "tbody tr td.holder").expect("who has it");
    assert_eq!(taken, "zhang.dan (took it)");
    let (_, writer_form) = desk.writer.get_html(&format!("/desk/stories/{id}")).await;
    assert_eq!(
        text_of(&writer_form, "p.holder").as_deref(),
        Some("zhang.dan has this story.")
    );
    let events = desk.app.store.audit_log(None, 10).expect("audit");
    assert!(
        events
            .iter()
            .any(|e| e.action == AuditAction::Take && e.actor_name == "zhang.dan")
    );
}

#[actix_web::test]
async fn taking_a_story_another_editor_has_names_them_and_asks_first() {
    let desk = desk().await;
    let id = submitted(&desk, "Talks end in Geneva", "world").await;
    let took = send_review_form(&desk.editor, id, "form.take-form", &[]).await;
    assert_eq!(took.status(), StatusCode::SEE_OTHER);
    let held = story(&desk.app, id);

    let asked = send_review_form(&desk.other_editor, id, "form.take-form", &[]).await;

    assert_eq!(asked.status(), StatusCode::CONFLICT);
    let page = page_of(asked).await;
    let question = text_of(&page, "form.take-form").expect("the question");
    assert!(
        question.contains("zhang.dan has this story. Take it from them?"),
        "{question}"
    );
    assert_eq!(story(&desk.app, id), held, "nothing changed yet");

    let confirmed = send_form_of(&desk.other_editor, &page, "form.take-form", &[]).await;
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
    assert_eq!(story(&desk.app, id).assignee, Some(desk.other_editor_id));
    let events = desk.app.store.audit_log(None, 1).expect("audit");
    assert_eq!(events[0].detail, "Talks end in Geneva; from zhang.dan");
}

// --- What writers may not do ---------------------------------------------------------------

#[actix_web::test]
async fn a_writer_is_told_only_editors_may_send_back_or_take_a_story() {
    let desk = desk().await;
    let id = submitted(&desk, "Talks end in Geneva", "world").await;
    let before = story(&desk.app, id);
    let (_, form) = desk.writer.get_html(&format!("/desk/stories/{id}")).await;
    assert!(
        select(&form, "section.review").is_empty(),
        "no review forms for writers"
    );
    let csrf = crate::helpers::input_value(&form, "csrf").expect("csrf");
    let revision = before.revision.to_string();

    let sent = desk
        .writer
        .post_form(
            &format!("/desk/stories/{id}/send-back"),
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("note", "Looks fine"),
            ],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::FORBIDDEN);
    let page = page_of(sent).await;
    assert_eq!(
        text_of(&page, "[role='alert']").as_deref(),
        Some("Only editors may send a story back to its writer.")
    );
    assert_eq!(
        text_of(&page, "h1").as_deref(),
        Some("Edit: Talks end in Geneva")
    );

    let taken = desk
        .writer
        .post_form(
            &format!("/desk/stories/{id}/take"),
            &[("csrf", &csrf), ("revision", &revision)],
        )
        .await;
    assert_eq!(taken.status(), StatusCode::FORBIDDEN);
    let page = page_of(taken).await;
    assert_eq!(
        text_of(&page, "[role='alert']").as_deref(),
        Some("Only editors may take a story.")
    );
    assert_eq!(story(&desk.app, id), before);
}

#[actix_web::test]
async fn a_review_form_without_its_token_changes_nothing() {
    let desk = desk().await;
    let id = submitted(&desk, "Talks end in Geneva", "world").await;
    let before = story(&desk.app, id);
    let revision = before.revision.to_string();

    let sent = desk
        .editor
        .post_form(
            &format!("/desk/stories/{id}/send-back"),
            &[("revision", &revision), ("note", "Forged")],
        )
        .await;
    let taken = desk
        .editor
        .post_form(
            &format!("/desk/stories/{id}/take"),
            &[("revision", &revision)],
        )
        .await;

    assert_eq!(sent.status(), StatusCode::FORBIDDEN);
    assert_eq!(taken.status(), StatusCode::FORBIDDEN);
    assert_eq!(story(&desk.app, id), before);
}

#[actix_web::test]
async fn publishing_scheduling_and_updating_a_live_story_stay_editors_actions() {
    let desk = desk().await;
    let id = submitted(&desk, "Talks end in Geneva", "world").await;
    let path = format!("/desk/stories/{id}");
    let soon =
        newsroom::web::desk::story_form::format_local(desk.app.clock.now() + Duration::hours(3));

    let published = send_story_form(
        &desk.writer,
        &path,
        "publish",
        &fields("Talks end", "world"),
    )
    .await;
    let mut schedule = fields("Talks end", "world");
    schedule.push(("schedule_at", soon));
    let scheduled = send_story_form(&desk.writer, &path, "schedule", &schedule).await;
    assert_eq!(published.status(), StatusCode::FORBIDDEN);
    assert_eq!(scheduled.status(), StatusCode::FORBIDDEN);
    assert_eq!(story(&desk.app, id).status, Status::Draft);

    let live = send_story_form(
        &desk.editor,
        &path,
        "publish",
        &fields("Talks end", "world"),
    )
    .await;
    assert_eq!(live.status(), StatusCode::SEE_OTHER);
    assert_eq!(story(&desk.app, id).status, Status::Published);
    let revision = story(&desk.app, id).revision;
    let (_, writer_form) = desk.writer.get_html(&path).await;
    let csrf = crate::helpers::input_value(&writer_form, "csrf");
    let send = |action: &'static str, revision: u64| {
        let mut form = Form::new()
            .text("csrf", csrf.clone().unwrap_or_default())
            .text("revision", revision.to_string())
            .text("action", action);
        for (name, value) in fields("Talks end, the writer says", "world") {
            form = form.text(name, value);
        }
        desk.writer
            .client
            .post(format!("{}{path}", desk.writer.address))
            .multipart(form)
            .send()
    };
    let updated = send("update-live", revision).await.expect("request");
    assert_eq!(updated.status(), StatusCode::FORBIDDEN);
    assert_eq!(story(&desk.app, id).revision, revision, "nothing changed");
    // Her save proposes the change: it waits for an editor, and readers see the published text.
    let proposed = send("save", revision).await.expect("request");
    assert_eq!(proposed.status(), StatusCode::SEE_OTHER);
    let stored = story(&desk.app, id);
    assert_eq!(stored.content.headline.as_str(), "Talks end");
    assert_eq!(
        stored
            .pending
            .map(|p| p.content.headline.to_string())
            .as_deref(),
        Some("Talks end, the writer says")
    );
}

// --- The list ------------------------------------------------------------------------------

#[actix_web::test]
async fn the_desk_list_says_when_a_scheduled_story_goes_out() {
    let desk = desk().await;
    let at = time::macros::datetime!(2030-05-04 06:30 UTC);
    StoryBuilder::new("Election results")
        .status(Status::Scheduled(at))
        .save(&desk.app);

    let (_, list) = desk.editor.get_html("/desk?status=scheduled").await;

    let times = select(&list, "tbody tr td[data-label='Status'] time");
    assert_eq!(times.len(), 1, "the scheduled time is shown");
    assert_eq!(
        times[0].value().attr("datetime"),
        Some("2030-05-04T06:30:00.000Z")
    );
    assert!(row(&list, "Election results").contains("4 May 2030, 06:30"));
}

// --- Markup --------------------------------------------------------------------------------

/// The review desk's pages as the HTML checker gets them (scripts/check-markup): the list
/// filtered for review, and the story form with a note, a holder, both review forms and the
/// question asked before taking a colleague's story.
#[actix_web::test]
async fn the_review_pages_render_for_the_checkers() {
    if !runs_once("the_review_pages_render_for_the_checkers") {
        return;
    }
    let desk = desk().await;
    let id = submitted(&desk, "Talks end in Geneva", "world").await;
    let sent = send_review_form(
        &desk.editor,
        id,
        "form.send-back-form",
        &[("note", "Line one.\nLine two.")],
    )
    .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let again = send_story_form(
        &desk.writer,
        &format!("/desk/stories/{id}"),
        "submit",
        &fields("Talks end in Geneva", "world"),
    )
    .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let took = send_review_form(&desk.editor, id, "form.take-form", &[]).await;
    assert_eq!(took.status(), StatusCode::SEE_OTHER);
    let sent_back = submitted(&desk, "Markets rally", "business").await;
    let sent = send_review_form(
        &desk.editor,
        sent_back,
        "form.send-back-form",
        &[("note", "Why?")],
    )
    .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);

    let mut pages = Vec::new();
    for (name, path) in [
        ("desk-review.html", "/desk?status=review".to_owned()),
        ("story-form-review.html", format!("/desk/stories/{id}")),
    ] {
        let response = desk.other_editor.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        pages.push((name, response.text().await.expect("body")));
    }
    let (_, writer_view) = desk
        .writer
        .get_html(&format!("/desk/stories/{sent_back}"))
        .await;
    assert_eq!(select(&writer_view, ".review-note").len(), 1);
    pages.push(("story-form-sent-back.html", writer_view.html()));
    let asked = send_review_form(&desk.other_editor, id, "form.take-form", &[]).await;
    assert_eq!(asked.status(), StatusCode::CONFLICT);
    pages.push((
        "story-form-take-question.html",
        asked.text().await.expect("body"),
    ));
    let empty = send_review_form(
        &desk.other_editor,
        id,
        "form.send-back-form",
        &[("note", "")],
    )
    .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    pages.push((
        "story-form-note-error.html",
        empty.text().await.expect("body"),
    ));

    if let Some(dir) = std::env::var_os("NEWSROOM_MARKUP_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("markup dir");
        for (name, body) in &pages {
            std::fs::write(dir.join(name), body).expect("write a page");
        }
    }
}
