//! Buttons on the story form that cannot surprise, over HTTP: Withdraw, Unpublish and Discard
//! changes ask on a page of their own first; an Update live story sent from an old form
//! publishes nothing its editor has not seen; the conflict page says what its button does and
//! shows the story as it is; a library photo chosen for an unsaved story keeps what was typed;
//! and text XML forbids never reaches a feed.

use crate::helpers::{Browser, StoryBuilder, TestApp, input_value, location, select, text_of};
use crate::merging::{form_fields, set, submit};
use crate::photos::stored_photo;
use newsroom::domain::{AltText, Caption, Credit, LeadPhoto, Role, Section, Status, Story};
use reqwest::StatusCode;
use scraper::Html;
use time::macros::datetime;

const PASSWORD: &str = "correct horse battery";
const LIVE: &str = "The council met on Monday.\n\nIt voted on the budget.\n\nThe mayor spoke last.";

struct Room {
    app: TestApp,
    editor: Browser,
    writer: Browser,
    story: Story,
}

/// A published story written by wen.li (a writer), and an editor, ed.ito; both signed in.
async fn room() -> Room {
    let app = TestApp::spawn().await;
    let writer_id = app.create_user("wen.li", Role::Writer, PASSWORD).id;
    app.create_user("ed.ito", Role::Editor, PASSWORD);
    let story = StoryBuilder::new("Council passes the budget")
        .body(LIVE)
        .published_at(datetime!(2026-11-30 10:00 UTC))
        .with(|story| story.author = Some(writer_id))
        .save(&app);
    let editor = app.login("ed.ito", PASSWORD).await;
    let writer = app.login("wen.li", PASSWORD).await;
    Room {
        app,
        editor,
        writer,
        story,
    }
}

impl Room {
    fn path(&self) -> String {
        format!("/desk/stories/{}", self.story.id)
    }

    async fn open(&self, who: &Browser) -> (Html, Vec<(String, String)>) {
        let (status, page) = who.get_html(&self.path()).await;
        assert_eq!(status, StatusCode::OK, "the story form opens");
        let fields = form_fields(&page, "form.story-form");
        (page, fields)
    }

    fn stored(&self) -> Story {
        self.app
            .store
            .story(self.story.id)
            .expect("read")
            .expect("the story")
    }

    /// What readers read of the story now.
    async fn article(&self) -> String {
        let path = newsroom::urls::article(
            self.story.published_at.expect("published"),
            &self.story.content.slug,
            1,
        );
        let response = self.app.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "the article is public");
        let page = Html::parse_document(&response.text().await.expect("body"));
        text_of(&page, "article").expect("the article's text")
    }
}

fn with_paragraph(index: usize, text: &str) -> String {
    let mut paragraphs: Vec<&str> = LIVE.split("\n\n").collect();
    paragraphs[index] = text;
    paragraphs.join("\n\n")
}

async fn page_of(response: reqwest::Response) -> Html {
    Html::parse_document(&response.text().await.expect("body"))
}

// --- Finding: a live update publishes only what its editor has seen ----------------------------

#[actix_web::test]
async fn an_update_live_from_a_form_older_than_a_writers_staged_save_puts_nothing_unseen_live() {
    let room = room().await;
    let (_, mut editors) = room.open(&room.editor).await;
    let (_, mut writers) = room.open(&room.writer).await;
    set(
        &mut writers,
        "body",
        &with_paragraph(1, "It voted on the budget, unreviewed."),
    );
    let staged = submit(&room.writer, &room.path(), &writers, "save").await;
    assert_eq!(staged.status(), StatusCode::SEE_OTHER, "the writer's save");

    // The editor's form was loaded before it; they change another paragraph and update.
    set(
        &mut editors,
        "body",
        &with_paragraph(2, "The mayor spoke first."),
    );
    let response = submit(&room.editor, &room.path(), &editors, "update-live").await;
    assert_eq!(
        response.status(),
        StatusCode::CONFLICT,
        "a conflict to review"
    );
    let page = page_of(response).await;
    let conflicts = select(&page, "fieldset.conflict");
    assert_eq!(conflicts.len(), 1, "the writer's change, held");
    let shown: String = conflicts[0].text().collect();
    assert!(shown.contains("unreviewed"), "{shown}");
    let legend = text_of(&page, "fieldset.conflict legend").expect("a legend");
    assert!(legend.contains("saved but not live"), "{legend}");
    assert_eq!(
        text_of(&page, "form.conflict-form button[type=submit]").as_deref(),
        Some("Save and update live story")
    );
    let read = room.article().await;
    assert!(
        !read.contains("unreviewed"),
        "nothing unseen went live: {read}"
    );
    assert!(
        !read.contains("spoke first"),
        "nothing went live yet: {read}"
    );

    // The editor keeps their own text for that paragraph: the writer's words stay off the site.
    let key = conflicts[0].value().attr("id").expect("the conflict's key");
    let mut fields = form_fields(&page, "form.conflict-form");
    fields.push((format!("{key}:choice"), "mine".to_owned()));
    let response = submit(&room.editor, &room.path(), &fields, "update-live").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "updated");
    let read = room.article().await;
    assert!(read.contains("The mayor spoke first."), "{read}");
    assert!(!read.contains("unreviewed"), "{read}");
    assert!(read.contains("It voted on the budget."), "{read}");
}

#[actix_web::test]
async fn an_update_live_keeps_the_writers_pending_change_when_the_editor_takes_it() {
    let room = room().await;
    let (_, mut editors) = room.open(&room.editor).await;
    let (_, mut writers) = room.open(&room.writer).await;
    set(
        &mut writers,
        "body",
        &with_paragraph(1, "It passed the budget."),
    );
    submit(&room.writer, &room.path(), &writers, "save").await;
    set(&mut editors, "headline", "Council passes its budget");
    let response = submit(&room.editor, &room.path(), &editors, "update-live").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = page_of(response).await;
    let key = select(&page, "fieldset.conflict")[0]
        .value()
        .attr("id")
        .expect("key")
        .to_owned();
    let mut fields = form_fields(&page, "form.conflict-form");
    fields.push((format!("{key}:choice"), "theirs".to_owned()));
    let response = submit(&room.editor, &room.path(), &fields, "update-live").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let read = room.article().await;
    assert!(read.contains("It passed the budget."), "{read}");
    assert!(read.contains("Council passes its budget"), "{read}");
    assert!(room.stored().pending.is_none(), "nothing left pending");
}

// --- The steps that take something away ask first -----------------------------------------------

#[actix_web::test]
async fn unpublish_asks_first_and_cancelling_keeps_what_was_typed() {
    let room = room().await;
    let (page, mut fields) = room.open(&room.editor).await;
    assert!(
        select(
            &page,
            "p.actions.destructive button.danger[value=unpublish]"
        )
        .len()
            == 1,
        "Unpublish is set apart as dangerous"
    );
    set(&mut fields, "headline", "Council passes the budget, typed");
    let response = submit(&room.editor, &room.path(), &fields, "unpublish").await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a question, not a redirect"
    );
    let question = page_of(response).await;
    let heading = text_of(&question, "h1").expect("a heading");
    assert!(heading.starts_with("Unpublish"), "{heading}");
    assert_eq!(room.stored().status, Status::Published, "nothing done yet");
    assert_eq!(
        input_value(&question, "confirm").as_deref(),
        Some("yes"),
        "the confirmation is one field"
    );
    assert!(input_value(&question, "csrf").is_some_and(|t| !t.is_empty()));
    assert_eq!(
        text_of(&question, "form.confirm-form button.danger").as_deref(),
        Some("Unpublish this story")
    );

    // Cancel: back to the form, with the headline as typed.
    let cancel = select(&question, "a.cancel")[0]
        .value()
        .attr("href")
        .expect("a cancel link")
        .to_owned();
    let (_, form) = room.editor.get_html(&cancel).await;
    assert_eq!(
        input_value(&form, "headline").as_deref(),
        Some("Council passes the budget, typed")
    );
    assert_eq!(room.stored().status, Status::Published);

    // Confirm: done.
    let confirmation = form_fields(&question, "form.confirm-form");
    let response = room
        .editor
        .client
        .post(format!("{}{}", room.editor.address, room.path()))
        .multipart(
            confirmation
                .into_iter()
                .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
                    form.text(name, value)
                }),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).is_some_and(|to| to.ends_with("?saved=unpublish")));
    let stored = room.stored();
    assert_eq!(stored.status, Status::Unpublished);
    assert_eq!(
        stored.content.headline.as_str(),
        "Council passes the budget, typed"
    );
}

#[actix_web::test]
async fn withdraw_asks_first_then_withdraws() {
    let room = room().await;
    let (page, _) = room.open(&room.editor).await;
    let button = select(
        &page,
        "section.danger-zone form.withdraw-form button.danger",
    );
    assert_eq!(button.len(), 1, "Withdraw is set apart as dangerous");
    let review = text_of(&page, "section.review").unwrap_or_default();
    assert!(!review.contains("Withdraw"), "not under Review: {review}");
    let csrf = input_value(&page, "csrf").expect("csrf");
    let path = format!("{}/withdraw", room.path());

    let response = room
        .editor
        .post_form(&path, &[("csrf", &csrf), ("reason", "Legal advice")])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let question = page_of(response).await;
    assert!(
        text_of(&question, "h1").is_some_and(|h| h.starts_with("Withdraw")),
        "the question"
    );
    let said = text_of(&question, "main").unwrap_or_default();
    assert!(
        said.contains("Only an administrator can undo this"),
        "{said}"
    );
    assert!(said.contains("Legal advice"), "{said}");
    assert_eq!(room.stored().status, Status::Published, "nothing done yet");
    assert_eq!(
        select(&question, "a.cancel")[0].value().attr("href"),
        Some(room.path().as_str())
    );

    let confirmation = form_fields(&question, "form.confirm-form");
    let pairs: Vec<(&str, &str)> = confirmation
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let response = room.editor.post_form(&path, &pairs).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(matches!(room.stored().status, Status::Withdrawn(_)));
}

#[actix_web::test]
async fn discarding_pending_changes_asks_first() {
    let room = room().await;
    let (_, mut writers) = room.open(&room.writer).await;
    set(
        &mut writers,
        "body",
        &with_paragraph(0, "The council met late."),
    );
    submit(&room.writer, &room.path(), &writers, "save").await;
    let (page, fields) = room.open(&room.editor).await;
    assert_eq!(
        select(
            &page,
            "p.actions.destructive button.danger[value=discard-changes]"
        )
        .len(),
        1
    );
    let response = submit(&room.editor, &room.path(), &fields, "discard-changes").await;
    assert_eq!(response.status(), StatusCode::OK);
    let question = page_of(response).await;
    assert!(text_of(&question, "h1").is_some_and(|h| h.starts_with("Discard")));
    assert!(room.stored().pending.is_some(), "nothing dropped yet");

    let mut confirmation = form_fields(&question, "form.confirm-form");
    confirmation.retain(|(name, _)| name != "action");
    let response = submit(&room.editor, &room.path(), &confirmation, "discard-changes").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(room.stored().pending.is_none(), "dropped once confirmed");
}

// --- What the form says and offers ----------------------------------------------------------------

#[actix_web::test]
async fn update_live_stands_apart_from_save_changes() {
    let room = room().await;
    let (page, _) = room.open(&room.editor).await;
    let save = select(&page, "button[value=save]");
    let live = select(&page, "button[value=update-live]");
    assert_eq!((save.len(), live.len()), (1, 1));
    assert_ne!(save[0].value().attr("class"), live[0].value().attr("class"));
    assert_eq!(live[0].value().attr("class"), Some("live"));
}

#[actix_web::test]
async fn a_withdrawn_story_offers_only_what_its_viewer_may_do() {
    let app = TestApp::spawn().await;
    app.create_user("ed.ito", Role::Editor, PASSWORD);
    app.create_user("ada.root", Role::Admin, PASSWORD);
    let story = StoryBuilder::new("Talks end")
        .published_at(datetime!(2026-11-30 10:00 UTC))
        .with(|story| {
            story.status = Status::Withdrawn(datetime!(2026-12-01 10:00 UTC));
            story.withdrawal_reason =
                Some(newsroom::domain::WithdrawalReason::parse("Legal advice").expect("reason"));
        })
        .save(&app);
    let path = format!("/desk/stories/{}", story.id);
    for (who, reinstates) in [("ed.ito", false), ("ada.root", true)] {
        let browser = app.login(who, PASSWORD).await;
        let (status, page) = browser.get_html(&path).await;
        assert_eq!(status, StatusCode::OK);
        for refused in ["publish", "schedule", "submit", "unpublish", "update-live"] {
            assert!(
                select(&page, &format!("button[value={refused}]")).is_empty(),
                "{who} is not offered {refused}"
            );
        }
        assert!(select(&page, "#schedule_at").is_empty());
        assert!(select(&page, "form.withdraw-form").is_empty());
        assert_eq!(
            !select(&page, "form[action$='/reinstate']").is_empty(),
            reinstates,
            "{who}"
        );
    }
}

#[actix_web::test]
async fn a_submitted_story_says_so_to_its_writer() {
    let app = TestApp::spawn().await;
    app.create_user("wen.li", Role::Writer, PASSWORD);
    let writer = app.login("wen.li", PASSWORD).await;
    let (_, blank) = writer.get_html("/desk/stories/new").await;
    let mut fields = form_fields(&blank, "form.story-form");
    set(&mut fields, "headline", "Exam results are out");
    set(&mut fields, "bylines", "Wen Li");
    set(&mut fields, "body", "More pupils passed.");
    let response = submit(&writer, "/desk/stories", &fields, "submit").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response).expect("a redirect");
    let (_, page) = writer.get_html(&to).await;
    let status = text_of(&page, "p .badge").expect("a status");
    assert_eq!(status, "Submitted for review");
}

#[actix_web::test]
async fn the_preview_of_pending_changes_says_they_are_saved_not_live() {
    let room = room().await;
    let (_, mut writers) = room.open(&room.writer).await;
    set(
        &mut writers,
        "body",
        &with_paragraph(0, "The council met late."),
    );
    submit(&room.writer, &room.path(), &writers, "save").await;
    let (_, preview) = room
        .editor
        .get_html(&format!("{}/preview", room.path()))
        .await;
    let banner = text_of(&preview, ".preview-banner").expect("a banner");
    assert!(banner.contains("Saved, not yet live"), "{banner}");
    assert!(!banner.contains("Not saved"), "{banner}");
}

// --- The conflict page -------------------------------------------------------------------------

#[actix_web::test]
async fn the_conflict_page_shows_the_photo_the_fixed_filing_time_and_paragraphs_as_readers_count_them()
 {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee", Role::Editor, PASSWORD);
    app.create_user("ben.cho", Role::Editor, PASSWORD);
    let photo = stored_photo(&app, 1, "Delegates arrive", "Xinhua");
    let body =
        "Para one.\n\n## A heading\n\nPara two.\n\n<!--nextpage-->\n\nPara three.\n\nPara four.";
    let published = datetime!(2026-11-30 10:00 UTC);
    let story = StoryBuilder::new("Talks end")
        .body(body)
        .published_at(published)
        .with(|story| {
            story.content.photo = Some(LeadPhoto {
                image: Some(photo),
                caption: Caption::parse("Delegates arrive").expect("caption"),
                credit: Some(Credit::parse("Xinhua").expect("credit")),
                alt: Some(AltText::parse("Delegates").expect("alt")),
            });
        })
        .save(&app);
    let path = format!("/desk/stories/{}", story.id);
    let ann = app.login("ann.lee", PASSWORD).await;
    let ben = app.login("ben.cho", PASSWORD).await;
    let (_, page) = ann.get_html(&path).await;
    let mut anns = form_fields(&page, "form.story-form");
    let (_, page) = ben.get_html(&path).await;
    let mut bens = form_fields(&page, "form.story-form");
    set(
        &mut anns,
        "body",
        &body.replace("Para four.", "Para four, Ann's."),
    );
    assert_eq!(
        submit(&ann, &path, &anns, "save").await.status(),
        StatusCode::SEE_OTHER
    );
    set(
        &mut bens,
        "body",
        &body.replace("Para four.", "Para four, Ben's."),
    );
    let response = submit(&ben, &path, &bens, "update-live").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = page_of(response).await;

    let legend = text_of(&page, "fieldset.conflict legend").expect("a conflict");
    assert!(legend.starts_with("Body, paragraph 4:"), "{legend}");
    let img = select(&page, ".conflict-photo img");
    assert_eq!(img.len(), 1, "the photo as a picture");
    assert!(
        img[0]
            .value()
            .attr("src")
            .is_some_and(|src| src.contains(&photo.to_string()))
    );
    assert!(
        select(&page, "input[name=photo_id][type=text]").is_empty(),
        "no raw id in a box"
    );
    let filed = select(&page, "input#filed_at");
    assert_eq!(filed.len(), 1);
    assert_eq!(
        filed[0].value().attr("value"),
        Some(
            newsroom::domain::SiteZone::utc()
                .input_value_seconds(published)
                .as_str()
        )
    );
    assert!(filed[0].value().attr("readonly").is_some());
    assert_eq!(
        text_of(&page, "form.conflict-form button[type=submit]").as_deref(),
        Some("Save and update live story")
    );
}

// --- A library photo on an unsaved story --------------------------------------------------------

#[actix_web::test]
async fn a_library_photo_chosen_for_an_unsaved_story_keeps_every_typed_word() {
    let app = TestApp::spawn().await;
    app.create_user("ed.ito", Role::Editor, PASSWORD);
    let photo = stored_photo(&app, 7, "Delegates arrive in Geneva", "Xinhua");
    let editor = app.login("ed.ito", PASSWORD).await;
    let (_, blank) = editor.get_html("/desk/stories/new").await;
    let mut fields = form_fields(&blank, "form.story-form");
    set(&mut fields, "headline", "Talks resume in Geneva");
    set(&mut fields, "bylines", "Ann Lee");
    set(&mut fields, "body", "Every word typed here.\n\nAnd here.");

    let response = submit(&editor, "/desk/stories", &fields, "choose-photo").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "to the library");
    let library = location(&response).expect("the library");
    assert!(library.starts_with("/desk/photos"), "{library}");
    let (_, page) = editor.get_html(&library).await;
    let use_it = select(&page, "a.use-photo")[0]
        .value()
        .attr("href")
        .expect("use in story")
        .to_owned();
    assert_eq!(use_it, format!("/desk/stories/new?photo={photo}"));

    let (_, form) = editor.get_html(&use_it).await;
    assert_eq!(
        input_value(&form, "headline").as_deref(),
        Some("Talks resume in Geneva")
    );
    assert_eq!(
        text_of(&form, "#body").as_deref(),
        Some("Every word typed here. And here.")
    );
    assert_eq!(input_value(&form, "photo_id"), Some(photo.to_string()));
    assert_eq!(select(&form, "form.story-form img.thumb").len(), 1);
    assert_eq!(store_count(&app), 0, "nothing saved yet");

    // Opened again later, the autosaved copy it offers holds the photo too.
    let (_, later) = editor.get_html("/desk/stories/new").await;
    assert!(
        input_value(&later, "photo_id")
            .unwrap_or_default()
            .is_empty()
    );
    let restore = select(&later, "a[href$='restore=autosave']")[0]
        .value()
        .attr("href")
        .expect("a restore link")
        .to_owned();
    let (_, restored) = editor.get_html(&restore).await;
    assert_eq!(input_value(&restored, "photo_id"), Some(photo.to_string()));
    assert_eq!(
        input_value(&restored, "headline").as_deref(),
        Some("Talks resume in Geneva")
    );
}

fn store_count(app: &TestApp) -> usize {
    let slug = newsroom::domain::Slug::parse("talks-resume-in-geneva").expect("slug");
    usize::from(app.store.story_by_slug(&slug).expect("read").is_some())
}

// --- Characters XML forbids ---------------------------------------------------------------------

#[actix_web::test]
async fn a_note_and_a_headline_holding_a_noncharacter_leave_every_feed_parseable() {
    let room = room().await;
    let (_, mut fields) = room.open(&room.editor).await;
    set(
        &mut fields,
        "headline",
        "Council passes\u{FFFE} the budget\u{FFFF}",
    );
    let response = submit(&room.editor, &room.path(), &fields, "update-live").await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the headline is taken"
    );
    let (page, _) = room.open(&room.editor).await;
    let csrf = input_value(&page, "csrf").expect("csrf");
    let revision = input_value(&page, "revision").expect("revision");
    let response = room
        .editor
        .post_form(
            &format!("{}/notes", room.path()),
            &[
                ("csrf", csrf.as_str()),
                ("revision", revision.as_str()),
                ("kind", "correction"),
                (
                    "text",
                    "An earlier version\u{FFFE} misspelt\u{FFFF} a name.",
                ),
            ],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the note is taken"
    );
    let stored = room.stored();
    assert_eq!(
        stored.content.headline.as_str(),
        "Council passes the budget"
    );
    assert_eq!(
        stored.notes.last().map(|n| n.text.as_str()),
        Some("An earlier version misspelt a name.")
    );

    let world = Some(Section::parse("world").expect("section"));
    for path in [
        newsroom::urls::rss(None),
        newsroom::urls::atom(None),
        newsroom::urls::rss(world),
        newsroom::urls::atom(world),
    ] {
        let response = room.app.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let xml = response.text().await.expect("body");
        let doc = roxmltree::Document::parse(&xml)
            .unwrap_or_else(|e| panic!("{path} does not parse: {e}"));
        let text: String = doc.descendants().filter_map(|node| node.text()).collect();
        assert!(text.contains("Council passes the budget"), "{path}");
        assert!(
            text.contains("misspelt a name"),
            "{path}: the note is in it"
        );
    }
}

// --- For the HTML checker -------------------------------------------------------------------------

/// The pages these buttons add or change, as `scripts/check-markup` hands them to the HTML
/// checker: the form of a live story with pending changes, the three questions asked first,
/// the conflict page holding a writer's unseen change, and a withdrawn story's form.
#[actix_web::test]
async fn the_button_pages_render_for_the_checkers() {
    if !crate::helpers::runs_once("the_button_pages_render_for_the_checkers") {
        return;
    }
    let room = room().await;
    let mut pages: Vec<(&str, String)> = Vec::new();
    let (_, mut editors) = room.open(&room.editor).await;
    let (_, mut writers) = room.open(&room.writer).await;
    set(&mut writers, "body", &with_paragraph(1, "It voted late."));
    submit(&room.writer, &room.path(), &writers, "save").await;
    let (form, fields) = room.open(&room.editor).await;
    pages.push(("story-form-pending.html", form.html()));
    for (name, action) in [
        ("confirm-unpublish.html", "unpublish"),
        ("confirm-discard.html", "discard-changes"),
    ] {
        let response = submit(&room.editor, &room.path(), &fields, action).await;
        assert_eq!(response.status(), StatusCode::OK, "{action}");
        pages.push((name, response.text().await.expect("body")));
    }
    set(&mut editors, "headline", "Council passes its budget");
    let response = submit(&room.editor, &room.path(), &editors, "update-live").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    pages.push(("conflict-unseen.html", response.text().await.expect("body")));
    let csrf = input_value(&form, "csrf").expect("csrf");
    let response = room
        .editor
        .post_form(
            &format!("{}/withdraw", room.path()),
            &[("csrf", &csrf), ("reason", "Legal advice")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    pages.push((
        "confirm-withdraw.html",
        response.text().await.expect("body"),
    ));
    let response = room
        .editor
        .post_form(
            &format!("{}/withdraw", room.path()),
            &[
                ("csrf", &csrf),
                ("reason", "Legal advice"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, withdrawn) = room.editor.get_html(&room.path()).await;
    pages.push(("story-form-withdrawn.html", withdrawn.html()));

    if let Some(dir) = std::env::var_os("NEWSROOM_MARKUP_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("markup dir");
        for (name, body) in &pages {
            std::fs::write(dir.join(name), body).expect("write a page");
        }
    }
}
