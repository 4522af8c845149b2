//! The story form over real HTTP: writing, publishing, scheduling, validation, conflicts, the
//! rights of writers and editors, and attacks that must change nothing.

use crate::helpers::{Browser, TestApp, input_value, location, select, text_of};
use newsroom::domain::{Role, Status, StoryId};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use scraper::Html;

const PASSWORD: &str = "correct horse battery";

struct Desk {
    app: TestApp,
    editor: Browser,
    writer: Browser,
    writer_id: newsroom::domain::UserId,
}

async fn desk() -> Desk {
    desk_with(|_| {}).await
}

async fn desk_with(configure: impl FnOnce(&mut newsroom::settings::Settings)) -> Desk {
    let app = TestApp::spawn_with(configure).await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let writer_id = app.create_user("li.wei", Role::Writer, PASSWORD).id;
    let editor = app.login("zhang.dan", PASSWORD).await;
    let writer = app.login("li.wei", PASSWORD).await;
    Desk {
        app,
        editor,
        writer,
        writer_id,
    }
}

impl Desk {
    /// Ends the writer's sessions on the server, as expiry or revocation does, without waiting
    /// for a clock.
    fn end_writer_sessions(&self) {
        let ended = self
            .app
            .store
            .delete_sessions_of(self.writer_id)
            .expect("end sessions");
        assert!(ended > 0, "the writer was signed in");
    }
}

/// The fields of a complete, valid story, as a person would fill in the form.
fn story_fields(headline: &str) -> Vec<(&'static str, String)> {
    vec![
        ("headline", headline.to_owned()),
        ("standfirst", "Negotiators meet again next month.".into()),
        ("bylines", "Xu Jinquan".into()),
        ("dateline", "GENEVA, July 14 (Xinhua)".into()),
        ("source", "Xinhua".into()),
        ("section", "world".into()),
        ("slug", String::new()),
        (
            "body",
            "The talks ended on Friday.\n\nBoth sides will meet again.".into(),
        ),
        ("caption", String::new()),
        ("credit", String::new()),
        ("alt", String::new()),
        ("schedule_at", String::new()),
    ]
}

fn with(
    mut fields: Vec<(&'static str, String)>,
    name: &str,
    value: &str,
) -> Vec<(&'static str, String)> {
    for field in &mut fields {
        if field.0 == name {
            field.1 = value.to_owned();
        }
    }
    fields
}

/// Sends the story form as the browser does (multipart, because of the photo field), with the
/// CSRF token and revision read from the form page at `form_path` first.
async fn send(
    browser: &Browser,
    form_path: &str,
    action: &str,
    fields: &[(&'static str, String)],
    photo: Option<Vec<u8>>,
) -> reqwest::Response {
    let (status, page) = browser.get_html(form_path).await;
    assert_eq!(status, StatusCode::OK, "{form_path}");
    let csrf = input_value(&page, "csrf").expect("csrf");
    let revision = input_value(&page, "revision").unwrap_or_default();
    // The hidden field that keeps a photo already stored, as the browser sends it back.
    let mut fields = fields.to_vec();
    if !fields.iter().any(|(name, _)| *name == "photo_id") {
        fields.push((
            "photo_id",
            input_value(&page, "photo_id").unwrap_or_default(),
        ));
    }
    let post_to = select(
        &page,
        "form.story-form, form[enctype='multipart/form-data']",
    )
    .first()
    .and_then(|f| f.value().attr("action"))
    .expect("the story form")
    .to_owned();
    post(browser, &post_to, &csrf, &revision, action, &fields, photo).await
}

async fn post(
    browser: &Browser,
    path: &str,
    csrf: &str,
    revision: &str,
    action: &str,
    fields: &[(&'static str, String)],
    photo: Option<Vec<u8>>,
) -> reqwest::Response {
    let mut form = Form::new()
        .text("csrf", csrf.to_owned())
        .text("revision", revision.to_owned())
        .text("action", action.to_owned());
    for (name, value) in fields {
        form = form.text(*name, value.clone());
    }
    if let Some(bytes) = photo {
        let part = Part::bytes(bytes)
            .file_name("photo.jpg")
            .mime_str("image/jpeg")
            .expect("mime");
        form = form.part("photo", part);
    }
    browser
        .client
        .post(format!("{}{}", browser.address, path))
        .multipart(form)
        .send()
        .await
        .expect("request")
}

/// The id of the story a successful save redirected to.
async fn saved_id(response: reqwest::Response) -> StoryId {
    if response.status() != StatusCode::SEE_OTHER {
        let status = response.status();
        let page = page_of(response).await;
        let errors: Vec<String> = select(&page, ".field-error, .error")
            .iter()
            .map(|e| e.text().collect())
            .collect();
        panic!("the save was refused with {status}: {errors:?}");
    }
    let to = location(&response).expect("a redirect");
    let id = to
        .trim_start_matches("/desk/stories/")
        .split('?')
        .next()
        .unwrap_or_default();
    id.parse().expect("a story id")
}

async fn create(browser: &Browser, action: &str, fields: &[(&'static str, String)]) -> StoryId {
    saved_id(send(browser, "/desk/stories/new", action, fields, None).await).await
}

fn edit_path(id: StoryId) -> String {
    format!("/desk/stories/{id}")
}

fn story(app: &TestApp, id: StoryId) -> newsroom::domain::Story {
    app.store
        .story(id)
        .expect("read")
        .expect("the story exists")
}

fn article_path(story: &newsroom::domain::Story) -> String {
    let at = story.published_at.expect("published");
    format!(
        "/{:04}/{:02}/{:02}/{}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        story.content.slug
    )
}

async fn page_of(response: reqwest::Response) -> Html {
    Html::parse_document(&response.text().await.expect("body"))
}

fn field_error(page: &Html, field: &str) -> Option<String> {
    let containing = select(page, &format!("#{field}"))
        .first()
        .and_then(|input| input.parent())
        .and_then(scraper::ElementRef::wrap)?;
    let selector = scraper::Selector::parse(".field-error").expect("selector");
    containing
        .select(&selector)
        .next()
        .map(|e| e.text().collect::<String>())
}

fn a_jpeg() -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut bytes, image::ImageFormat::Jpeg)
        .expect("encode");
    bytes.into_inner()
}

// --- Writing and publishing -------------------------------------------------------------------

#[actix_web::test]
async fn the_story_form_has_a_label_for_every_field() {
    let desk = desk().await;
    let (_, page) = desk.editor.get_html("/desk/stories/new").await;
    for field in [
        "headline",
        "standfirst",
        "bylines",
        "dateline",
        "source",
        "section",
        "slug",
        "body",
        "photo",
        "caption",
        "credit",
        "alt",
    ] {
        assert_eq!(
            select(&page, &format!("label[for='{field}']")).len(),
            1,
            "a label for {field}"
        );
        assert_eq!(
            select(&page, &format!("#{field}")).len(),
            1,
            "the {field} field"
        );
    }
}

#[actix_web::test]
async fn a_saved_draft_is_listed_on_the_desk_and_hidden_from_readers() {
    let desk = desk().await;
    let id = create(
        &desk.editor,
        "save",
        &story_fields("Syria talks end in Geneva"),
    )
    .await;
    let saved = story(&desk.app, id);
    assert_eq!(saved.status, Status::Draft);
    assert_eq!(
        saved.content.headline.to_string(),
        "Syria talks end in Geneva"
    );
    assert_eq!(saved.content.slug.to_string(), "syria-talks-end-in-geneva");

    let (_, list) = desk.editor.get_html("/desk").await;
    let row = text_of(&list, "tbody tr").expect("a row");
    assert!(row.contains("Syria talks end in Geneva"), "{row}");
    assert!(row.contains("Draft"), "{row}");
    assert!(row.contains("zhang.dan"), "{row}");

    let (_, front) = desk.app.get_html("/").await;
    assert!(!front.html().contains("Syria talks end in Geneva"));
}

#[actix_web::test]
async fn a_published_story_carries_the_editor_s_initials_in_its_meta_line() {
    let desk = desk().await;
    let id = create(
        &desk.editor,
        "publish",
        &story_fields("Syria talks end in Geneva"),
    )
    .await;
    let published = story(&desk.app, id);
    assert_eq!(published.status, Status::Published);

    let (status, page) = desk.app.get_html(&article_path(&published)).await;
    assert_eq!(status, StatusCode::OK);
    let meta = text_of(&page, ".meta-line").unwrap_or_default();
    assert!(meta.contains("Source: Xinhua"), "{meta}");
    assert!(meta.contains("Editor: ZD"), "{meta}");
    let first = text_of(&page, ".story-body p").unwrap_or_default();
    assert!(first.starts_with("GENEVA, July 14 (Xinhua) --"), "{first}");
}

#[actix_web::test]
async fn unpublishing_takes_the_story_away_from_readers() {
    let desk = desk().await;
    let id = create(
        &desk.editor,
        "publish",
        &story_fields("Syria talks end in Geneva"),
    )
    .await;
    let path = article_path(&story(&desk.app, id));
    let mut fields = story_fields("Syria talks end in Geneva");
    // As sent from the page that asks first.
    fields.push(("confirm", "yes".into()));
    let response = send(&desk.editor, &edit_path(id), "unpublish", &fields, None).await;
    saved_id(response).await;
    assert_eq!(story(&desk.app, id).status, Status::Unpublished);
    desk.app.assert_not_found(&path).await;
}

#[actix_web::test]
async fn a_story_scheduled_for_later_is_published_by_the_schedule() {
    let desk = desk().await;
    let later = time::OffsetDateTime::now_utc() + time::Duration::hours(2);
    let when = newsroom::web::desk::story_form::format_local(later);
    let fields = with(story_fields("Talks resume"), "schedule_at", &when);
    let id = create(&desk.editor, "schedule", &fields).await;
    let scheduled = story(&desk.app, id);
    assert!(
        matches!(scheduled.status, Status::Scheduled(_)),
        "{:?}",
        scheduled.status
    );

    let due = later + time::Duration::minutes(1);
    let published = newsroom::scheduler::publish_due(&*desk.app.store, due).expect("publish due");
    assert_eq!(published.len(), 1);
    let story = story(&desk.app, id);
    assert_eq!(story.status, Status::Published);
    assert_eq!(
        story.last_edited_by, None,
        "the schedule, not a person, made this revision"
    );
    let (status, _) = desk.app.get_html(&article_path(&story)).await;
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn preview_shows_the_reader_s_page_and_saves_nothing() {
    let desk = desk().await;
    let id = create(
        &desk.editor,
        "save",
        &story_fields("Syria talks end in Geneva"),
    )
    .await;
    let fields = with(
        story_fields("A headline not saved yet"),
        "body",
        "First.\n\n<!--nextpage-->\n\nSecond.",
    );
    let response = send(&desk.editor, &edit_path(id), "preview", &fields, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = page_of(response).await;
    assert_eq!(
        text_of(&page, "h1").as_deref(),
        Some("A headline not saved yet")
    );
    // The marker is in the form the preview's pager sends back, never in the text shown.
    assert!(!select(&page, ".story-body")[0].html().contains("nextpage"));
    let stored = story(&desk.app, id);
    assert_eq!(stored.revision, 1);
    assert_eq!(
        stored.content.headline.to_string(),
        "Syria talks end in Geneva"
    );
}

#[actix_web::test]
async fn a_twenty_thousand_word_story_is_saved_whole() {
    let desk = desk().await;
    let paragraph = "The delegations met for a fifth round of talks in the Swiss city. ";
    let body: String = (0..1_500).map(|i| format!("{i} {paragraph}\n\n")).collect();
    assert!(body.split_whitespace().count() >= 20_000);
    let fields = with(story_fields("A very long story"), "body", &body);
    let id = create(&desk.editor, "save", &fields).await;
    assert_eq!(story(&desk.app, id).content.body.as_str(), body.trim_end());
}

// --- Writers and editors ----------------------------------------------------------------------

#[actix_web::test]
async fn a_writer_submits_for_review_and_is_not_offered_publish() {
    let desk = desk().await;
    let (_, page) = desk.writer.get_html("/desk/stories/new").await;
    let buttons: Vec<String> = select(&page, "button[name='action']")
        .iter()
        .filter_map(|b| b.value().attr("value").map(str::to_owned))
        .collect();
    assert!(buttons.contains(&"submit".to_owned()), "{buttons:?}");
    assert!(!buttons.contains(&"publish".to_owned()), "{buttons:?}");

    let id = create(&desk.writer, "submit", &story_fields("From the writer")).await;
    let submitted = story(&desk.app, id);
    assert!(submitted.submitted);
    assert_eq!(submitted.status, Status::Draft);
}

#[actix_web::test]
async fn a_writer_trying_to_publish_is_refused_and_nothing_changes() {
    let desk = desk().await;
    let id = create(&desk.writer, "save", &story_fields("From the writer")).await;
    for action in ["publish", "schedule", "unpublish"] {
        let fields = with(
            story_fields("Changed by the writer"),
            "schedule_at",
            "2099-01-01T09:00",
        );
        let response = send(&desk.writer, &edit_path(id), action, &fields, None).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{action}");
    }
    let stored = story(&desk.app, id);
    assert_eq!(stored.status, Status::Draft);
    assert_eq!(stored.revision, 1);
}

#[actix_web::test]
async fn a_writer_cannot_edit_another_writer_s_story() {
    let desk = desk().await;
    desk.app.create_user("other.writer", Role::Writer, PASSWORD);
    let other = desk.app.login("other.writer", PASSWORD).await;
    let id = create(&desk.writer, "save", &story_fields("Mine")).await;
    let response = other.get(&edit_path(id)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let csrf = other.csrf("/desk").await;
    let response = post(
        &other,
        &edit_path(id),
        &csrf,
        "1",
        "save",
        &story_fields("Theirs"),
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(story(&desk.app, id).content.headline.to_string(), "Mine");
}

// --- Validation: specific messages, nothing lost ----------------------------------------------

async fn refused(desk: &Desk, fields: &[(&'static str, String)], action: &str) -> Html {
    let response = send(&desk.editor, "/desk/stories/new", action, fields, None).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    page_of(response).await
}

#[actix_web::test]
async fn an_empty_headline_is_reported_next_to_it_and_the_rest_is_kept() {
    let desk = desk().await;
    let page = refused(
        &desk,
        &with(story_fields(""), "body", "Every word I typed."),
        "save",
    )
    .await;
    let error = field_error(&page, "headline").expect("an error by the headline");
    assert!(error.contains("required"), "{error}");
    assert_eq!(
        text_of(&page, "#body").as_deref(),
        Some("Every word I typed.")
    );
    assert_eq!(input_value(&page, "source").as_deref(), Some("Xinhua"));
}

#[actix_web::test]
async fn an_over_long_headline_is_reported_with_its_length() {
    let desk = desk().await;
    let long = "Talks ".repeat(40);
    let page = refused(&desk, &story_fields(&long), "save").await;
    let error = field_error(&page, "headline").expect("an error by the headline");
    assert!(error.contains("too long"), "{error}");
    assert_eq!(
        input_value(&page, "headline").as_deref(),
        Some(long.as_str())
    );
}

#[actix_web::test]
async fn an_empty_body_is_reported_next_to_it() {
    let desk = desk().await;
    let page = refused(&desk, &with(story_fields("Talks"), "body", "   "), "save").await;
    assert!(field_error(&page, "body").is_some());
}

#[actix_web::test]
async fn a_slug_used_by_another_story_is_reported_next_to_it() {
    let desk = desk().await;
    create(&desk.editor, "save", &story_fields("Syria talks end")).await;
    // A new story would get a numbered slug; changing a saved one's is the editor's choice.
    let id = create(&desk.editor, "save", &story_fields("Another story")).await;
    let fields = with(story_fields("Another story"), "slug", "syria-talks-end");
    let response = send(&desk.editor, &edit_path(id), "save", &fields, None).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_of(response).await;
    let error = field_error(&page, "slug").expect("an error by the slug");
    assert!(error.contains("already used"), "{error}");
    assert_eq!(
        input_value(&page, "headline").as_deref(),
        Some("Another story")
    );
}

#[actix_web::test]
async fn a_schedule_time_in_the_past_is_refused() {
    let desk = desk().await;
    let fields = with(story_fields("Talks"), "schedule_at", "2001-01-01T09:00");
    let page = refused(&desk, &fields, "schedule").await;
    let error = field_error(&page, "schedule_at").expect("an error by the time");
    assert!(error.contains("past"), "{error}");
}

#[actix_web::test]
async fn a_file_that_is_not_an_image_is_refused_and_the_text_is_kept() {
    let desk = desk().await;
    let fields = story_fields("With a photo");
    let response = send(
        &desk.editor,
        "/desk/stories/new",
        "save",
        &fields,
        Some(b"this is not a picture".to_vec()),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_of(response).await;
    assert!(
        field_error(&page, "photo").is_some(),
        "an error by the photo field"
    );
    assert_eq!(
        input_value(&page, "headline").as_deref(),
        Some("With a photo")
    );
}

#[actix_web::test]
async fn a_photo_too_large_gets_a_clear_message_not_a_dropped_connection() {
    let desk = desk_with(|s| s.max_photo_bytes = 64 * 1024).await;
    let fields = story_fields("With a big photo");
    let big = vec![0xFF; 256 * 1024];
    let response = send(
        &desk.editor,
        "/desk/stories/new",
        "save",
        &fields,
        Some(big),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_of(response).await;
    let error = field_error(&page, "photo").expect("an error by the photo field");
    assert!(error.to_lowercase().contains("smaller"), "{error}");
    assert_eq!(
        input_value(&page, "headline").as_deref(),
        Some("With a big photo")
    );
}

// --- Photos end to end ------------------------------------------------------------------------

#[actix_web::test]
async fn an_uploaded_photo_reaches_readers_only_once_the_story_is_published() {
    let desk = desk().await;
    let fields = with(
        with(
            with(
                story_fields("Talks end"),
                "caption",
                "Delegates arrive in Geneva.",
            ),
            "credit",
            "Xinhua/POOL/Xu Jinquan",
        ),
        "alt",
        "Delegates walk into the conference hall",
    );
    let response = send(
        &desk.editor,
        "/desk/stories/new",
        "save",
        &fields,
        Some(a_jpeg()),
    )
    .await;
    let id = saved_id(response).await;
    let draft = story(&desk.app, id);
    let photo = draft
        .content
        .photo
        .as_ref()
        .and_then(|p| p.image)
        .expect("a stored photo");

    let (_, form) = desk.editor.get_html(&edit_path(id)).await;
    let desk_src = select(&form, "img")
        .iter()
        .find_map(|img| img.value().attr("src").map(str::to_owned))
        .expect("the desk shows the photo");
    assert_eq!(desk.editor.get(&desk_src).await.status(), StatusCode::OK);
    assert_ne!(
        desk.app.get(&desk_src).await.status(),
        StatusCode::OK,
        "not for readers"
    );

    let response = send(&desk.editor, &edit_path(id), "publish", &fields, None).await;
    saved_id(response).await;
    let published = story(&desk.app, id);
    assert_eq!(
        published.content.photo.as_ref().and_then(|p| p.image),
        Some(photo),
        "the photo is kept"
    );
    let (_, page) = desk.app.get_html(&article_path(&published)).await;
    let caption = text_of(&page, "figure figcaption").expect("a caption");
    assert!(caption.contains("Delegates arrive in Geneva."), "{caption}");
    assert!(caption.contains("Xinhua/POOL/Xu Jinquan"), "{caption}");
    let img = select(&page, "figure img");
    let img = img.first().expect("an image");
    assert_eq!(
        img.value().attr("alt"),
        Some("Delegates walk into the conference hall")
    );
    let src = img.value().attr("src").expect("src");
    let response = desk.app.get(src).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .starts_with("image/")
    );
}

// --- Concurrent editing -----------------------------------------------------------------------

#[actix_web::test]
async fn a_stale_save_shows_the_conflict_page_with_both_texts() {
    let desk = desk().await;
    desk.app
        .create_user("second.editor", Role::Editor, PASSWORD);
    let second = desk.app.login("second.editor", PASSWORD).await;
    let id = create(&desk.editor, "save", &story_fields("Talks end")).await;

    // Both open the form at revision 1.
    let (_, first_form) = desk.editor.get_html(&edit_path(id)).await;
    let first_csrf = input_value(&first_form, "csrf").expect("csrf");
    let theirs = with(story_fields("Talks end"), "body", "Their paragraph.");
    saved_id(send(&second, &edit_path(id), "save", &theirs, None).await).await;

    let mine = with(story_fields("Talks end"), "body", "My paragraph.");
    let response = post(
        &desk.editor,
        &edit_path(id),
        &first_csrf,
        "1",
        "save",
        &mine,
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = page_of(response).await;
    let html = page.html();
    assert!(html.contains("My paragraph."), "my text survives");
    assert!(html.contains("Their paragraph."), "their text is shown");
    assert!(html.contains("second.editor"), "says who saved meanwhile");
    assert_eq!(
        story(&desk.app, id).content.body.as_str(),
        "Their paragraph.",
        "nothing overwritten"
    );

    // Keeping mine from the conflict page is a deliberate save over revision 2.
    let revision = input_value(&page, "revision").expect("revision");
    assert_eq!(revision, "2");
    let response = post(
        &desk.editor,
        &edit_path(id),
        &first_csrf,
        &revision,
        "save",
        &mine,
        None,
    )
    .await;
    saved_id(response).await;
    assert_eq!(story(&desk.app, id).content.body.as_str(), "My paragraph.");
}

// --- Attacks ----------------------------------------------------------------------------------

#[actix_web::test]
async fn a_forged_post_without_the_csrf_token_changes_nothing() {
    let desk = desk().await;
    let id = create(&desk.editor, "save", &story_fields("Talks end")).await;
    let fields = story_fields("Forged headline");
    let response = post(
        &desk.editor,
        &edit_path(id),
        "forged",
        "1",
        "publish",
        &fields,
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let create = post(&desk.editor, "/desk/stories", "", "", "save", &fields, None).await;
    assert_eq!(create.status(), StatusCode::FORBIDDEN);
    let stored = story(&desk.app, id);
    assert_eq!(stored.content.headline.to_string(), "Talks end");
    assert_eq!(stored.status, Status::Draft);
}

#[actix_web::test]
async fn a_post_from_another_site_is_refused_even_with_the_right_token() {
    let desk = desk().await;
    let id = create(&desk.editor, "save", &story_fields("Talks end")).await;
    let csrf = desk.editor.csrf(&edit_path(id)).await;
    let form = Form::new()
        .text("csrf", csrf)
        .text("revision", "1")
        .text("action", "publish")
        .text("headline", "Forged")
        .text("bylines", "X")
        .text("section", "world")
        .text("body", "Forged.");
    let response = desk
        .editor
        .client
        .post(desk.app.url(&edit_path(id)))
        .header(reqwest::header::ORIGIN, "https://evil.example")
        .multipart(form)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        story(&desk.app, id).content.headline.to_string(),
        "Talks end"
    );
}

const HOSTILE: &str = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&";

#[actix_web::test]
async fn markup_typed_into_any_field_is_shown_as_text_on_the_desk_and_the_site() {
    let desk = desk().await;
    let mut fields = story_fields(HOSTILE);
    for (name, value) in &mut fields {
        match *name {
            "standfirst" | "caption" | "credit" | "alt" => *value = HOSTILE.to_owned(),
            "bylines" => *value = format!("Ann {HOSTILE}"),
            "source" => *value = format!("Agency {HOSTILE}"),
            // Raw HTML in the body is refused on save (see body_copy); in code it is text.
            "body" => *value = format!("Para `{HOSTILE}`\n\n    <iframe src=x></iframe>"),
            _ => {}
        }
    }
    let response = send(
        &desk.editor,
        "/desk/stories/new",
        "publish",
        &fields,
        Some(a_jpeg()),
    )
    .await;
    let id = saved_id(response).await;
    let published = story(&desk.app, id);

    for (who, path) in [
        ("desk list", "/desk".to_owned()),
        ("desk form", edit_path(id)),
    ] {
        let (_, page) = desk.editor.get_html(&path).await;
        assert_no_live_markup(&page, who);
    }
    let (_, page) = desk.app.get_html(&article_path(&published)).await;
    assert_no_live_markup(&page, "article");
    assert!(page.html().contains("alert(1)"), "the text itself is shown");
    let (_, front) = desk.app.get_html("/").await;
    assert_no_live_markup(&front, "front page");
}

fn assert_no_live_markup(page: &Html, what: &str) {
    let scripts: Vec<String> = select(page, "script")
        .iter()
        .filter(|s| {
            s.value().attr("src").is_none() && s.value().attr("type") != Some("application/ld+json")
        })
        .map(|s| s.html())
        .collect();
    assert!(scripts.is_empty(), "{what}: inline script {scripts:?}");
    assert!(
        select(page, "[onerror]").is_empty(),
        "{what}: an onerror attribute"
    );
    assert!(select(page, "iframe").is_empty(), "{what}: an iframe");
}

// --- Nothing lost when the session ends -------------------------------------------------------

#[actix_web::test]
async fn a_writer_whose_session_ended_gets_their_text_back_after_logging_in() {
    let desk = desk().await;
    let id = create(&desk.writer, "save", &story_fields("Talks end")).await;
    let (_, form) = desk.writer.get_html(&edit_path(id)).await;
    let csrf = input_value(&form, "csrf").expect("csrf");
    desk.end_writer_sessions();

    let typed = with(
        story_fields("Talks end"),
        "body",
        "Forty minutes of careful writing.",
    );
    let response = post(
        &desk.writer,
        &edit_path(id),
        &csrf,
        "1",
        "save",
        &typed,
        None,
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "the login form, not an error"
    );
    let login = page_of(response).await;
    let stash = input_value(&login, "stash").expect("the typed text travels with the login form");
    let form_token = input_value(&login, "form_token").expect("form token");
    assert_eq!(
        story(&desk.app, id).revision,
        1,
        "nothing saved while signed out"
    );

    let response = desk
        .writer
        .post_form(
            "/login",
            &[
                ("username", "li.wei"),
                ("password", PASSWORD),
                ("form_token", &form_token),
                ("next", &edit_path(id)),
                ("stash", &stash),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let form = page_of(response).await;
    assert_eq!(
        text_of(&form, "#body").as_deref(),
        Some("Forty minutes of careful writing.")
    );
    // The restored form saves normally with the new session.
    let csrf = input_value(&form, "csrf").expect("a fresh csrf token");
    let response = post(
        &desk.writer,
        &edit_path(id),
        &csrf,
        "1",
        "save",
        &typed,
        None,
    )
    .await;
    saved_id(response).await;
    assert_eq!(
        story(&desk.app, id).content.body.as_str(),
        "Forty minutes of careful writing."
    );
}

// --- The story list ---------------------------------------------------------------------------

#[actix_web::test]
async fn the_desk_list_filters_by_status_and_section() {
    let desk = desk().await;
    create(&desk.editor, "save", &story_fields("A world draft")).await;
    create(&desk.editor, "publish", &story_fields("A world story")).await;
    create(
        &desk.editor,
        "publish",
        &with(story_fields("A business story"), "section", "business"),
    )
    .await;

    let rows = |page: &Html| -> Vec<String> {
        select(page, "tbody tr td:first-child a:first-child")
            .iter()
            .map(|a| a.text().collect())
            .collect()
    };
    let (_, all) = desk.editor.get_html("/desk").await;
    assert_eq!(rows(&all).len(), 3);
    let (_, drafts) = desk.editor.get_html("/desk?status=draft").await;
    assert_eq!(rows(&drafts), vec!["A world draft"]);
    let (_, business) = desk.editor.get_html("/desk?section=business").await;
    assert_eq!(rows(&business), vec!["A business story"]);
    let (_, both) = desk
        .editor
        .get_html("/desk?status=published&section=world")
        .await;
    assert_eq!(rows(&both), vec!["A world story"]);
    let response = desk.editor.get("/desk?status=nonsense").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

// --- Autosave ---------------------------------------------------------------------------------

async fn autosave(browser: &Browser, csrf: &str, story: &str, body: &str) -> reqwest::Response {
    let mut fields: Vec<(&str, String)> = story_fields("Talks end")
        .into_iter()
        .map(|(name, value)| {
            (
                name,
                if name == "body" {
                    body.to_owned()
                } else {
                    value
                },
            )
        })
        .collect();
    fields.push(("csrf", csrf.to_owned()));
    fields.push(("story", story.to_owned()));
    fields.push(("revision", "1".to_owned()));
    browser
        .client
        .post(format!("{}/desk/autosave", browser.address))
        .form(&fields)
        .send()
        .await
        .expect("request")
}

fn restore_link(page: &Html) -> Option<String> {
    select(page, "a")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .find(|href| href.ends_with("?restore=autosave"))
        .map(str::to_owned)
}

#[actix_web::test]
async fn an_autosaved_copy_is_offered_back_until_the_story_is_saved() {
    let desk = desk().await;
    let id = create(&desk.writer, "save", &story_fields("Talks end")).await;
    let csrf = desk.writer.csrf(&edit_path(id)).await;
    let response = autosave(
        &desk.writer,
        &csrf,
        &id.to_string(),
        "Words typed before the crash.",
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        story(&desk.app, id).revision,
        1,
        "an autosave is not a save"
    );

    let (_, form) = desk.writer.get_html(&edit_path(id)).await;
    let restore = restore_link(&form).expect("the form offers the autosaved copy");
    let (_, restored) = desk.writer.get_html(&restore).await;
    assert_eq!(
        text_of(&restored, "#body").as_deref(),
        Some("Words typed before the crash.")
    );

    let fields = with(
        story_fields("Talks end"),
        "body",
        "Words typed before the crash.",
    );
    saved_id(send(&desk.writer, &restore, "save", &fields, None).await).await;
    let (_, form) = desk.writer.get_html(&edit_path(id)).await;
    assert_eq!(
        restore_link(&form),
        None,
        "saving the story discards the copy"
    );

    // Another account never sees this account's copy.
    let response = autosave(&desk.writer, &csrf, &id.to_string(), "Second thoughts.").await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, editor_form) = desk.editor.get_html(&edit_path(id)).await;
    assert_eq!(restore_link(&editor_form), None);
}

#[actix_web::test]
async fn a_new_story_not_yet_saved_is_autosaved_too() {
    let desk = desk().await;
    let csrf = desk.editor.csrf("/desk/stories/new").await;
    let response = autosave(&desk.editor, &csrf, "", "A story never saved.").await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, form) = desk.editor.get_html("/desk/stories/new").await;
    let restore = restore_link(&form).expect("offered on the new story form");
    let (_, restored) = desk.editor.get_html(&restore).await;
    assert_eq!(
        text_of(&restored, "#body").as_deref(),
        Some("A story never saved.")
    );
}

#[actix_web::test]
async fn autosave_refuses_forged_requests_other_people_s_stories_and_ended_sessions() {
    let desk = desk().await;
    let id = create(&desk.editor, "save", &story_fields("The editor's story")).await;

    let forged = autosave(&desk.writer, "forged", &id.to_string(), "x").await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let csrf = desk.writer.csrf("/desk").await;
    let not_theirs = autosave(&desk.writer, &csrf, &id.to_string(), "x").await;
    assert_eq!(not_theirs.status(), StatusCode::FORBIDDEN);
    let unknown = autosave(&desk.writer, &csrf, "not-an-id", "x").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    desk.end_writer_sessions();
    let ended = autosave(&desk.writer, &csrf, "", "x").await;
    assert_eq!(ended.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn the_desk_script_is_served_and_allowed_by_the_content_security_policy() {
    let desk = desk().await;
    let (_, form) = desk.editor.get_html("/desk/stories/new").await;
    let src = select(&form, "script[src]")
        .first()
        .and_then(|s| s.value().attr("src"))
        .map(str::to_owned)
        .expect("the desk script");
    assert!(src.starts_with("/static/"), "{src}");
    let response = desk.app.get(&src).await;
    assert_eq!(response.status(), StatusCode::OK);
    let script = response.text().await.expect("script");
    assert!(script.contains("/desk/autosave") || script.contains("data-autosave"));
    assert_eq!(
        select(&form, "form[data-autosave='/desk/autosave']").len(),
        1,
        "the form tells the script where to autosave"
    );
}

#[actix_web::test]
async fn a_photo_sent_with_a_form_that_has_errors_is_kept_for_the_next_try() {
    let desk = desk().await;
    let fields = with(
        with(story_fields(""), "caption", "Delegates arrive."),
        "alt",
        "Delegates walk in",
    );
    let response = send(
        &desk.editor,
        "/desk/stories/new",
        "save",
        &fields,
        Some(a_jpeg()),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_of(response).await;
    assert!(field_error(&page, "headline").is_some());
    let kept = input_value(&page, "photo_id").unwrap_or_default();
    assert!(
        !kept.is_empty(),
        "the upload is kept: no need to attach it again"
    );

    let mut fields = with(
        with(
            story_fields("Now with a headline"),
            "caption",
            "Delegates arrive.",
        ),
        "alt",
        "Delegates walk in",
    );
    fields.push(("photo_id", kept.clone()));
    let id = saved_id(send(&desk.editor, "/desk/stories/new", "save", &fields, None).await).await;
    let photo = story(&desk.app, id).content.photo.and_then(|p| p.image);
    assert_eq!(photo.map(|p| p.to_string()), Some(kept));
}

#[actix_web::test]
async fn publishing_and_unpublishing_are_recorded_in_the_audit_log() {
    let desk = desk().await;
    desk.app.create_user("the.admin", Role::Admin, PASSWORD);
    let admin = desk.app.login("the.admin", PASSWORD).await;
    let fields = story_fields("An audited story");
    let id = create(&desk.editor, "publish", &fields).await;
    let mut confirmed = fields.clone();
    confirmed.push(("confirm", "yes".into()));
    saved_id(send(&desk.editor, &edit_path(id), "unpublish", &confirmed, None).await).await;

    let (_, log) = admin.get_html("/desk/audit").await;
    let rows: Vec<String> = select(&log, "tbody tr")
        .iter()
        .map(|row| row.text().collect::<String>())
        .filter(|row| row.contains("An audited story"))
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].to_lowercase().contains("unpublish"),
        "newest first: {rows:?}"
    );
    assert!(rows[1].to_lowercase().contains("publish"), "{rows:?}");
    assert!(rows.iter().all(|row| row.contains("zhang.dan")), "{rows:?}");
}

// --- Restart ----------------------------------------------------------------------------------

#[actix_web::test]
async fn a_restarted_server_keeps_stories_revisions_accounts_and_sessions() {
    use crate::helpers::{ServerProcess, TestSite, newsroom, run_with_input};
    let site = TestSite::new();
    let mut add = newsroom(&site);
    add.args(["user", "add", "zhang.dan", "--role", "editor"]);
    let added = run_with_input(add, &format!("{PASSWORD}\n"));
    assert!(added.status.success(), "{}", added.stderr);

    let mut server = ServerProcess::start(&site, site.path().join("first.log")).await;
    let mut browser = Browser::new(&server.address);
    assert_eq!(
        browser.try_login("zhang.dan", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let fields = story_fields("Kept across a restart");
    let id = create(&browser, "publish", &fields).await;
    let revised = with(fields, "body", "A second revision.");
    saved_id(send(&browser, &edit_path(id), "update-live", &revised, None).await).await;
    let stopped = server.stop().await;
    assert!(stopped.success(), "SIGTERM ended the server with {stopped}");

    let server = ServerProcess::start(&site, site.path().join("second.log")).await;
    // Cookies belong to the host, not the port: the same browser comes back.
    browser.address = server.address.clone();
    let (status, form) = browser.get_html(&edit_path(id)).await;
    assert_eq!(status, StatusCode::OK, "the session outlived the restart");
    assert_eq!(
        text_of(&form, "#body").as_deref(),
        Some("A second revision.")
    );
    assert_eq!(input_value(&form, "revision").as_deref(), Some("2"));

    let (_, history) = browser
        .get_html(&format!("{}/history", edit_path(id)))
        .await;
    assert!(history.html().contains("Kept across a restart"));
    let public = select(&form, "a")
        .iter()
        .find(|a| a.text().collect::<String>() == "View on the site")
        .and_then(|a| a.value().attr("href"))
        .map(str::to_owned)
        .expect("a link to the published story");
    let response = server.get(&public).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = page_of(response).await;
    assert!(page.html().contains("A second revision."));
}

#[actix_web::test]
async fn a_forged_stash_naming_a_colleagues_story_shows_nothing_of_it() {
    let desk = desk().await;
    let id = create(
        &desk.editor,
        "save",
        &story_fields("Plans nobody else may read"),
    )
    .await;
    let stranger = desk.app.browser();
    let (_, login) = stranger.get_html("/login").await;
    let form_token = input_value(&login, "form_token").expect("form token");
    let typed = newsroom::domain::story_form::StoryInput {
        body: "What the writer typed.".into(),
        ..Default::default()
    };
    let stash = serde_json::json!({ "story": id.to_string(), "input": typed }).to_string();

    let response = stranger
        .post_form(
            "/login",
            &[
                ("username", "li.wei"),
                ("password", PASSWORD),
                ("form_token", &form_token),
                ("next", &edit_path(id)),
                ("stash", &stash),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("body");
    assert!(
        page.contains("What the writer typed."),
        "the typed words come back"
    );
    assert!(!page.contains("Plans nobody else may read"), "{page}");
    assert!(!page.contains(&id.to_string()), "nor the story's address");
}
