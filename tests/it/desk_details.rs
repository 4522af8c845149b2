//! What a new user of the desk meets along the way: previewing a story of several pages,
//! restoring a revision, the wire's filing time, a caption without a picture, and the audit
//! log of what happened without a person at the keyboard.

use crate::helpers::{
    Browser, StoryBuilder, TestApp, TestSite, fixture, input_value, newsroom, pager_numbers,
    pager_rel, run, runs_once, select, text_of,
};
use newsroom::domain::{Role, Story, StoryId};
use reqwest::StatusCode;
use reqwest::multipart::Form;
use scraper::Html;

const PASSWORD: &str = "correct horse battery";

/// A server with an editor, zhang.dan, signed in.
async fn desk() -> (TestApp, Browser) {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let editor = app.login("zhang.dan", PASSWORD).await;
    (app, editor)
}

/// The story form's fields for a story with this headline and body.
fn story_fields(headline: &str, body: &str) -> Vec<(String, String)> {
    [
        ("headline", headline),
        ("bylines", "Xu Jinquan"),
        ("dateline", "GENEVA, July 14 (Xinhua)"),
        ("section", "world"),
        ("body", body),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect()
}

/// Sends the story form of the page at `form_path` with `fields` typed in, pressing the button
/// `action`, as the browser does (multipart, with the page's hidden fields).
async fn send_story_form(
    browser: &Browser,
    form_path: &str,
    action: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let (status, page) = browser.get_html(form_path).await;
    assert_eq!(status, StatusCode::OK, "{form_path}");
    let form_action = select(&page, "form[enctype='multipart/form-data']")
        .first()
        .and_then(|f| f.value().attr("action"))
        .expect("the story form")
        .to_owned();
    let mut sent = vec![
        ("csrf".to_owned(), input_value(&page, "csrf").expect("csrf")),
        (
            "revision".to_owned(),
            input_value(&page, "revision").unwrap_or_default(),
        ),
        ("action".to_owned(), action.to_owned()),
    ];
    sent.extend(fields.iter().cloned());
    post_multipart(browser, &form_action, &sent).await
}

async fn post_multipart(
    browser: &Browser,
    path: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let mut form = Form::new();
    for (name, value) in fields {
        form = form.text(name.clone(), value.clone());
    }
    browser
        .client
        .post(format!("{}{}", browser.address, path))
        .multipart(form)
        .send()
        .await
        .expect("request")
}

/// Presses the submit button whose text is `label` in the form holding it, sending that form's
/// fields as a browser would.
async fn press(browser: &Browser, page: &Html, label: &str) -> reqwest::Response {
    let button = select(page, "form button")
        .into_iter()
        .find(|b| b.text().collect::<String>().trim() == label)
        .unwrap_or_else(|| panic!("a button {label:?}"));
    let form = button
        .ancestors()
        .filter_map(scraper::ElementRef::wrap)
        .find(|e| e.value().name() == "form")
        .expect("the button's form");
    let mut fields: Vec<(String, String)> = form
        .select(&scraper::Selector::parse("input, textarea").unwrap())
        .filter_map(|input| {
            let name = input.value().attr("name")?.to_owned();
            let value = match input.value().name() {
                "textarea" => input.text().collect(),
                _ => input.value().attr("value").unwrap_or_default().to_owned(),
            };
            Some((name, value))
        })
        .collect();
    if let (Some(name), Some(value)) = (button.value().attr("name"), button.value().attr("value")) {
        fields.push((name.to_owned(), value.to_owned()));
    }
    let action = form.value().attr("action").expect("a form action");
    let method = form.value().attr("method").unwrap_or("get");
    match (method, form.value().attr("enctype")) {
        ("get", _) => browser
            .client
            .get(format!("{}{action}", browser.address))
            .query(&fields)
            .send()
            .await
            .expect("request"),
        (_, Some("multipart/form-data")) => post_multipart(browser, action, &fields).await,
        _ => {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            browser.post_form(action, &pairs).await
        }
    }
}

async fn page_of(response: reqwest::Response) -> Html {
    Html::parse_document(&response.text().await.expect("body"))
}

fn texts(page: &Html, selector: &str) -> Vec<String> {
    select(page, selector)
        .iter()
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

fn stored(app: &TestApp, id: StoryId) -> Story {
    app.store.story(id).expect("read").expect("the story")
}

// --- Preview of a story of several pages -------------------------------------------------------

const FOUR_PAGES: &str = "Talks began.\n\n<!--nextpage-->\n\nTalks went on.\n\n<!--nextpage-->\n\n\
                          Talks stalled.\n\n<!--nextpage-->\n\nTalks ended.";

#[actix_web::test]
async fn a_preview_of_a_story_of_four_pages_shows_its_first_page_with_the_reader_s_pager() {
    let (app, editor) = desk().await;
    let story = StoryBuilder::new("Talks end").save(&app);

    let fields = story_fields("Talks end, unsaved", FOUR_PAGES);
    let response = send_story_form(
        &editor,
        &format!("/desk/stories/{}", story.id),
        "preview",
        &fields,
    )
    .await;

    assert_eq!(response.status(), StatusCode::OK);
    let page = page_of(response).await;
    let body = text_of(&page, ".story-body").unwrap_or_default();
    assert!(body.contains("Talks began."), "{body}");
    assert!(
        !body.contains("Talks went on."),
        "only page 1 is shown: {body}"
    );
    assert_eq!(text_of(&page, ".page-of").as_deref(), Some("Page 1 of 4"));
    assert_eq!(texts(&page, ".pager button"), ["1", "2", "3", "4", "Next"]);
    assert_eq!(
        texts(&page, ".pager [aria-current='page']"),
        ["1"],
        "page 1 is marked as the one shown"
    );
    assert_eq!(
        stored(&app, story.id).revision,
        1,
        "a preview saves nothing"
    );
}

#[actix_web::test]
async fn the_preview_s_pager_shows_the_next_page_of_the_text_as_typed() {
    let (app, editor) = desk().await;
    let story = StoryBuilder::new("Talks end").save(&app);
    let fields = story_fields("Talks end, unsaved", FOUR_PAGES);
    let first = page_of(
        send_story_form(
            &editor,
            &format!("/desk/stories/{}", story.id),
            "preview",
            &fields,
        )
        .await,
    )
    .await;

    let second = press(&editor, &first, "Next").await;

    assert_eq!(second.status(), StatusCode::OK);
    let second = page_of(second).await;
    assert_eq!(
        text_of(&second, ".preview-banner").map(|t| t.starts_with("Preview.")),
        Some(true)
    );
    assert_eq!(
        text_of(&second, "h1").as_deref(),
        Some("Talks end, unsaved")
    );
    assert_eq!(text_of(&second, ".page-of").as_deref(), Some("Page 2 of 4"));
    let body = text_of(&second, ".story-body").unwrap_or_default();
    assert!(body.contains("Talks went on."), "{body}");
    assert!(!body.contains("Talks began."), "{body}");
    assert!(
        !body.contains("GENEVA"),
        "the dateline leads page 1 only: {body}"
    );
    assert_eq!(
        texts(&second, ".pager button"),
        ["Prev", "1", "2", "3", "4", "Next"]
    );

    let last = page_of(press(&editor, &second, "4").await).await;
    assert_eq!(text_of(&last, ".page-of").as_deref(), Some("Page 4 of 4"));
    assert!(
        text_of(&last, ".story-body")
            .unwrap_or_default()
            .contains("Talks ended.")
    );
    assert_eq!(texts(&last, ".pager button"), ["Prev", "1", "2", "3", "4"]);
    assert_eq!(stored(&app, story.id).revision, 1, "paging saves nothing");
}

#[actix_web::test]
async fn a_preview_asked_for_a_page_past_the_end_shows_the_last_page() {
    let (app, editor) = desk().await;
    let story = StoryBuilder::new("Talks end").save(&app);
    let mut fields = story_fields("Talks end", FOUR_PAGES);
    fields.push(("preview_page".into(), "9".into()));

    let response = send_story_form(
        &editor,
        &format!("/desk/stories/{}", story.id),
        "preview",
        &fields,
    )
    .await;

    assert_eq!(response.status(), StatusCode::OK);
    let page = page_of(response).await;
    assert_eq!(text_of(&page, ".page-of").as_deref(), Some("Page 4 of 4"));
}

#[actix_web::test]
async fn a_new_story_s_preview_pages_through_without_saving_it() {
    let (_app, editor) = desk().await;
    let fields = story_fields("A story never saved", FOUR_PAGES);
    let first =
        page_of(send_story_form(&editor, "/desk/stories/new", "preview", &fields).await).await;

    let second = page_of(press(&editor, &first, "2").await).await;

    assert_eq!(text_of(&second, ".page-of").as_deref(), Some("Page 2 of 4"));
    assert_eq!(
        text_of(&second, "h1").as_deref(),
        Some("A story never saved")
    );
    let (_, desk_list) = editor.get_html("/desk").await;
    assert!(
        !desk_list.html().contains("A story never saved"),
        "a preview saves nothing"
    );
}

// --- Restoring a revision ----------------------------------------------------------------------

/// A story by the editor saved twice: "Talks end" (revision 1), then "Talks end in Geneva"
/// with a new body (revision 2); published first when `published`.
fn two_revisions(app: &TestApp, published: bool) -> Story {
    let editor = app
        .store
        .user_by_name(&newsroom::domain::Username::parse("zhang.dan").unwrap())
        .unwrap()
        .expect("the editor");
    let mut builder = StoryBuilder::new("Talks end")
        .body("The talks ended.")
        .with(|s| s.last_edited_by = Some(editor.id));
    if published {
        builder = builder.published_at(time::macros::datetime!(2017-07-15 07:11:57 UTC));
    }
    let first = builder.save(app);
    let mut second = first.clone();
    second.content.headline = newsroom::domain::Headline::parse("Talks end in Geneva").unwrap();
    second.content.body = newsroom::domain::Body::parse("The talks ended in Geneva.").unwrap();
    app.store.save_story(&second, Some(1)).unwrap()
}

fn history_path(story: &Story) -> String {
    format!("/desk/stories/{}/history", story.id)
}

#[actix_web::test]
async fn restoring_a_revision_first_says_what_will_happen_and_changes_nothing_yet() {
    let (app, editor) = desk().await;
    let story = two_revisions(&app, true);
    let (_, history) = editor.get_html(&history_path(&story)).await;

    let response = press(&editor, &history, "Restore this revision…").await;

    assert_eq!(response.status(), StatusCode::OK);
    let page = page_of(response).await;
    assert_eq!(
        text_of(&page, "h1").as_deref(),
        Some("Restore revision 1 of “Talks end in Geneva”?")
    );
    let what = text_of(&page, ".restore-what").unwrap_or_default();
    assert!(
        what.contains("The text of revision 1, saved by zhang.dan")
            && what.contains("saved as revision 3 on top of revision 2"),
        "{what}"
    );
    assert_eq!(
        text_of(&page, ".restore-changes").as_deref(),
        Some("Restoring changes: Headline, Body.")
    );
    assert_eq!(
        text_of(&page, ".restore-effect").as_deref(),
        Some(
            "This story is published: the restored text becomes its pending changes, and \
             readers keep seeing the published text until an editor updates the live story."
        )
    );
    assert_eq!(
        texts(&page, "form.restore-confirm button"),
        ["Restore revision 1"]
    );
    assert_eq!(
        stored(&app, story.id).revision,
        2,
        "nothing is restored yet"
    );
}

#[actix_web::test]
async fn a_confirmed_restore_of_a_published_story_waits_for_the_live_story_to_be_updated() {
    let (app, editor) = desk().await;
    let story = two_revisions(&app, true);
    let (_, history) = editor.get_html(&history_path(&story)).await;
    let confirmation = page_of(press(&editor, &history, "Restore this revision…").await).await;

    let response = press(&editor, &confirmation, "Restore revision 1").await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, form) = editor
        .get_html(&format!("/desk/stories/{}", story.id))
        .await;
    assert_eq!(
        text_of(&form, ".notice[role=status]").as_deref(),
        Some(
            "Revision 1 restored as revision 3. The published page is unchanged: the restored \
             text waits as the story's pending changes until an editor updates the live story."
        )
    );
    let now = stored(&app, story.id);
    assert_eq!(now.revision, 3);
    assert_eq!(now.content.headline.as_str(), "Talks end in Geneva");
    let pending = now.pending.as_ref().expect("the restored text is pending");
    assert_eq!(pending.content.headline.as_str(), "Talks end");
    let article = newsroom::urls::article(now.published_at.unwrap(), &now.content.slug, 1);
    let (_, public) = app.get_html(&article).await;
    assert_eq!(
        text_of(&public, "h1").as_deref(),
        Some("Talks end in Geneva")
    );
    let (_, again) = editor
        .get_html(&format!("/desk/stories/{}", story.id))
        .await;
    assert_eq!(
        text_of(&again, ".notice[role=status]"),
        None,
        "the notice is shown once"
    );
}

#[actix_web::test]
async fn a_restore_of_a_draft_says_readers_see_nothing_of_it() {
    let (app, editor) = desk().await;
    let story = two_revisions(&app, false);
    let (_, history) = editor.get_html(&history_path(&story)).await;
    let confirmation = page_of(press(&editor, &history, "Restore this revision…").await).await;
    assert_eq!(
        text_of(&confirmation, ".restore-effect").as_deref(),
        Some("This story is not published: readers see nothing of it until it is.")
    );

    press(&editor, &confirmation, "Restore revision 1").await;

    let (_, form) = editor
        .get_html(&format!("/desk/stories/{}", story.id))
        .await;
    assert_eq!(
        text_of(&form, ".notice[role=status]").as_deref(),
        Some(
            "Revision 1 restored as revision 3. The story is not published, so readers see \
             nothing of it."
        )
    );
}

#[actix_web::test]
async fn the_restore_step_of_a_history_since_overtaken_offers_no_restore() {
    let (app, editor) = desk().await;
    let story = two_revisions(&app, false);
    let (_, history) = editor.get_html(&history_path(&story)).await;
    let mut third = stored(&app, story.id);
    third.content.body = newsroom::domain::Body::parse("Someone else's words.").unwrap();
    app.store.save_story(&third, Some(2)).unwrap();

    let page = page_of(press(&editor, &history, "Restore this revision…").await).await;

    let warning = text_of(&page, ".error[role=alert]").unwrap_or_default();
    assert!(warning.contains("it is now at revision 3"), "{warning}");
    assert!(select(&page, "form.restore-confirm").is_empty());
    assert_eq!(stored(&app, story.id).revision, 3);
}

#[actix_web::test]
async fn the_restore_step_of_an_unknown_revision_is_a_404_and_of_a_story_not_yours_a_403() {
    let (app, editor) = desk().await;
    let story = two_revisions(&app, true);
    let response = editor
        .get(&format!("/desk/stories/{}/restore/9", story.id))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    app.create_user("li.wei", Role::Writer, PASSWORD);
    let writer = app.login("li.wei", PASSWORD).await;
    let response = writer
        .get(&format!("/desk/stories/{}/restore/1?current=2", story.id))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(stored(&app, story.id).revision, 2);
}

// --- Wire copy in pages ------------------------------------------------------------------------

const SYRIA_TALKS: &str = "/2017/07/15/latest-peace-talks-on-syria-end-without-major-breakthrough";

#[actix_web::test]
async fn wire_copy_imported_with_page_words_reads_in_pages_with_the_dateline_on_the_first() {
    let site = TestSite::new();
    let mut command = newsroom(&site);
    command
        .args(["import-wire", "--page-words", "100"])
        .arg(fixture("wire-story-syria-talks.txt"));
    let import = run(command);
    assert!(import.status.success(), "import failed: {}", import.stderr);
    let app = TestApp::spawn_in(site, |_| {}).await;

    let (status, first) = app.get_html(SYRIA_TALKS).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&first, ".page-of").as_deref(), Some("Page 1 of 4"));
    let (numbers, current) = pager_numbers(&first);
    let numbers: Vec<&str> = numbers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(numbers, ["1", "2", "3", "4"]);
    assert_eq!(current.as_deref(), Some("1"));
    assert_eq!(
        pager_rel(&first, "next"),
        Some(format!("{SYRIA_TALKS}/page/2"))
    );
    let paragraphs = texts(&first, ".story-body p");
    assert!(
        paragraphs[0].starts_with("GENEVA, July 14 (Xinhua) -- The UN Special Envoy"),
        "{paragraphs:?}"
    );
    // 35 + 33 + 23 + 16 words: the page closes at the paragraph that reaches 100.
    assert_eq!(paragraphs.len(), 4, "{paragraphs:?}");
    let (_, last) = app.get_html(&format!("{SYRIA_TALKS}/page/4")).await;
    let last_paragraphs = texts(&last, ".story-body p");
    assert_eq!(last_paragraphs.len(), 1);
    assert!(last_paragraphs[0].starts_with("De Mistura cited President Macron"));
    assert!(
        !text_of(&last, ".story-body")
            .unwrap_or_default()
            .contains("GENEVA, July 14"),
        "the dateline leads page 1 only"
    );
}

#[test]
fn page_words_must_be_a_positive_number() {
    let site = TestSite::new();
    for bad in ["0", "many"] {
        let mut command = newsroom(&site);
        command
            .args(["import-wire", "--page-words", bad])
            .arg(fixture("wire-story-syria-talks.txt"));
        let import = run(command);
        assert!(!import.status.success(), "{bad} was accepted");
        assert!(import.stderr.contains("--page-words"), "{}", import.stderr);
    }
}

// --- A caption without its picture ---------------------------------------------------------------

fn story_with_caption(app: &TestApp, image: Option<newsroom::domain::PhotoId>) -> Story {
    StoryBuilder::new("Talks end")
        .body("The talks ended.")
        .published_at(time::macros::datetime!(2017-07-15 07:11:57 UTC))
        .with(|s| {
            s.content.photo = Some(newsroom::domain::LeadPhoto {
                image,
                caption: newsroom::domain::Caption::parse("The envoy at the podium.").unwrap(),
                credit: Some(newsroom::domain::Credit::parse("Xinhua/Xu Jinquan").unwrap()),
                alt: None,
            });
        })
        .save(app)
}

fn article_path(story: &Story) -> String {
    newsroom::urls::article(story.published_at.unwrap(), &story.content.slug, 1)
}

#[actix_web::test]
async fn a_caption_whose_story_has_no_picture_is_not_shown_to_readers() {
    let app = TestApp::spawn().await;
    let story = story_with_caption(&app, None);

    let (status, page) = app.get_html(&article_path(&story)).await;

    assert_eq!(status, StatusCode::OK);
    assert!(select(&page, "figure, figcaption, .credit").is_empty());
    let main = text_of(&page, "main").unwrap_or_default();
    assert!(!main.contains("The envoy at the podium."), "{main}");
    assert!(!main.contains("Xinhua/Xu Jinquan"), "{main}");
    assert!(main.contains("The talks ended."), "{main}");
}

#[actix_web::test]
async fn a_caption_is_shown_under_its_picture() {
    let app = TestApp::spawn().await;
    let story = story_with_caption(&app, Some(newsroom::domain::PhotoId::new()));

    let (_, page) = app.get_html(&article_path(&story)).await;

    assert_eq!(select(&page, "figure.lead-photo img").len(), 1);
    assert_eq!(
        text_of(&page, "figure.lead-photo figcaption").as_deref(),
        Some("The envoy at the podium. (Xinhua/Xu Jinquan)")
    );
}

// --- The wire's filing time --------------------------------------------------------------------

fn with_field(mut fields: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    fields.push((name.to_owned(), value.to_owned()));
    fields
}

fn field_error(page: &Html, field: &str) -> Option<String> {
    text_of(page, &format!("#{field}-error"))
}

/// The id of the story a save redirected to.
fn saved_story(response: &reqwest::Response) -> StoryId {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the save was refused"
    );
    crate::helpers::location(response)
        .expect("a redirect")
        .trim_start_matches("/desk/stories/")
        .split('?')
        .next()
        .unwrap_or_default()
        .parse()
        .expect("a story id")
}

#[actix_web::test]
async fn the_filing_time_typed_to_the_second_becomes_the_publication_time() {
    let (app, editor) = desk().await;
    let fields = with_field(
        story_fields("Talks end", "The talks ended."),
        "filed_at",
        "2017-07-15 07:11:57",
    );
    let id = saved_story(&send_story_form(&editor, "/desk/stories/new", "save", &fields).await);
    let (_, form) = editor.get_html(&format!("/desk/stories/{id}")).await;
    let input = select(&form, "input#filed_at");
    assert_eq!(input[0].value().attr("value"), Some("2017-07-15T07:11:57"));
    assert_eq!(input[0].value().attr("type"), Some("datetime-local"));
    assert_eq!(
        input[0].value().attr("step"),
        Some("1"),
        "seconds can be typed"
    );

    let fields = with_field(
        story_fields("Talks end", "The talks ended."),
        "filed_at",
        "2017-07-15T07:11:57",
    );
    send_story_form(&editor, &format!("/desk/stories/{id}"), "publish", &fields).await;

    let (status, article) = app.get_html("/2017/07/15/talks-end").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text_of(&article, ".meta-line")
            .unwrap_or_default()
            .contains("15 July 2017, 07:11")
    );
}

#[actix_web::test]
async fn a_filing_time_in_another_form_is_refused_with_the_form_to_use_and_kept_as_typed() {
    let (_app, editor) = desk().await;
    let fields = with_field(
        story_fields("Talks end", "The talks ended."),
        "filed_at",
        "15/07/2017 07:11",
    );

    let response = send_story_form(&editor, "/desk/stories/new", "save", &fields).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_of(response).await;
    assert_eq!(
        field_error(&page, "filed_at").as_deref(),
        Some(
            "Filed at: use YYYY-MM-DD HH:MM:SS, such as 2017-07-15 07:11:57 (not \"15/07/2017 07:11\")"
        )
    );
    assert_eq!(
        input_value(&page, "filed_at").as_deref(),
        Some("15/07/2017 07:11")
    );
    assert_eq!(input_value(&page, "headline").as_deref(), Some("Talks end"));
}

#[actix_web::test]
async fn a_filing_time_ahead_of_now_is_refused() {
    let (app, editor) = desk().await;
    let ahead = app.clock.now() + time::Duration::hours(2);
    let typed = ahead
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap();
    let fields = with_field(
        story_fields("Talks end", "The talks ended."),
        "filed_at",
        &typed,
    );

    let response = send_story_form(&editor, "/desk/stories/new", "save", &fields).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_of(response).await;
    let error = field_error(&page, "filed_at").unwrap_or_default();
    assert!(
        error.starts_with(&format!("Filed at: {typed} is later than now")),
        "{error}"
    );
}

#[actix_web::test]
async fn once_published_the_wire_s_filing_time_is_shown_and_cannot_be_changed() {
    let site = TestSite::new();
    let mut command = newsroom(&site);
    command
        .arg("import-wire")
        .arg(fixture("wire-story-syria-talks.txt"));
    assert!(run(command).status.success());
    let app = TestApp::spawn_in(site, |_| {}).await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let editor = app.login("zhang.dan", PASSWORD).await;
    let slug =
        newsroom::domain::Slug::parse("latest-peace-talks-on-syria-end-without-major-breakthrough")
            .unwrap();
    let id = app
        .store
        .story_by_slug(&slug)
        .unwrap()
        .expect("the imported story")
        .id;

    let (_, form) = editor.get_html(&format!("/desk/stories/{id}")).await;

    let input = select(&form, "input#filed_at");
    assert_eq!(input.len(), 1);
    assert_eq!(input[0].value().attr("value"), Some("2017-07-15T07:11:57"));
    assert!(input[0].value().attr("readonly").is_some());
    assert_eq!(
        input[0].value().attr("name"),
        None,
        "it is not sent with the form"
    );

    // A form sent with another filing time anyway leaves the article where it is.
    let mut fields = with_field(
        story_fields(
            "Latest peace talks on Syria end without major breakthrough",
            "The talks ended.",
        ),
        "filed_at",
        "2016-01-01 00:00:00",
    );
    fields.push((
        "slug".into(),
        "latest-peace-talks-on-syria-end-without-major-breakthrough".into(),
    ));
    saved_story(&send_story_form(&editor, &format!("/desk/stories/{id}"), "save", &fields).await);
    let (status, _) = app.get_html(SYRIA_TALKS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        stored(&app, id).published_at,
        Some(time::macros::datetime!(2017-07-15 07:11:57 UTC))
    );
}

// --- The audit log of schedules, embargoes and withdrawals -------------------------------------

/// An entry of the audit log as the page shows it: when (machine-readable), who, what, detail.
#[derive(Debug, PartialEq)]
struct Entry {
    at: time::OffsetDateTime,
    who: String,
    action: String,
    detail: String,
}

/// The newest entry of the audit log about a story (logins left aside), read by an admin from
/// /desk/audit.
async fn newest_audit_entry(admin: &Browser) -> Entry {
    let (status, page) = admin.get_html("/desk/audit").await;
    assert_eq!(status, StatusCode::OK);
    let is_login = |row: &scraper::ElementRef| {
        row.select(&scraper::Selector::parse("td.action").unwrap())
            .any(|td| td.text().collect::<String>().trim() == "Logged in")
    };
    let row = select(&page, "table.audit tbody tr")
        .into_iter()
        .find(|row| !is_login(row))
        .expect("an audit entry");
    let cell = |class: &str| {
        row.select(&scraper::Selector::parse(&format!("td.{class}")).unwrap())
            .next()
            .map(|td| td.text().collect::<String>().trim().to_owned())
            .unwrap_or_default()
    };
    let iso = row
        .select(&scraper::Selector::parse("td.time time").unwrap())
        .next()
        .and_then(|t| t.value().attr("datetime"))
        .expect("a machine-readable time")
        .to_owned();
    Entry {
        at: time::OffsetDateTime::parse(&iso, &time::format_description::well_known::Rfc3339)
            .expect("an RFC 3339 time"),
        who: cell("actor"),
        action: cell("action"),
        detail: cell("detail"),
    }
}

/// A desk with an editor, zhang.dan, and an admin, root.admin, both signed in.
async fn desk_with_admin() -> (TestApp, Browser, Browser) {
    let (app, editor) = desk().await;
    app.create_user("root.admin", Role::Admin, PASSWORD);
    let admin = app.login("root.admin", PASSWORD).await;
    (app, editor, admin)
}

/// `at` as the story form's `datetime-local` takes it, and as the audit log shows it.
fn typed_and_shown(at: time::OffsetDateTime) -> (String, String) {
    let typed = newsroom::web::desk::story_form::format_local(at);
    let shown = newsroom::domain::SiteZone::utc().named(at);
    (typed, shown)
}

/// The time to the minute: what the form's schedule and embargo fields hold.
fn to_the_minute(at: time::OffsetDateTime) -> time::OffsetDateTime {
    at.replace_second(0).unwrap().replace_nanosecond(0).unwrap()
}

#[actix_web::test]
async fn scheduling_and_the_scheduler_s_publication_are_in_the_audit_log_with_who_and_when() {
    let (app, editor, admin) = desk_with_admin().await;
    let publish_at = to_the_minute(app.clock.now() + time::Duration::hours(2));
    let (typed, shown) = typed_and_shown(publish_at);
    let fields = with_field(
        story_fields("Talks resume", "Talks resume in Geneva."),
        "schedule_at",
        &typed,
    );
    let before = app.clock.now();

    saved_story(&send_story_form(&editor, "/desk/stories/new", "schedule", &fields).await);

    let scheduled = newest_audit_entry(&admin).await;
    assert_eq!(
        (scheduled.who.as_str(), scheduled.action.as_str()),
        ("zhang.dan", "Scheduled")
    );
    assert_eq!(scheduled.detail, format!("Talks resume; for {shown}"));
    assert!(scheduled.at >= before - time::Duration::seconds(1) && scheduled.at < publish_at);

    app.clock
        .advance(time::Duration::hours(2) + time::Duration::minutes(1));
    newsroom::scheduler::publish_due(&*app.store, app.clock.now()).expect("publish due");
    // Two idle hours ended the admin's session.
    let admin = app.login("root.admin", PASSWORD).await;

    let published = newest_audit_entry(&admin).await;
    assert_eq!(
        (published.who.as_str(), published.action.as_str()),
        ("scheduler", "Published")
    );
    assert_eq!(
        published.detail,
        format!("Talks resume (scheduled for {shown})")
    );
    assert!(published.at >= publish_at, "{published:?}");
}

#[actix_web::test]
async fn a_scheduled_time_the_scheduler_moves_to_the_embargo_s_end_is_in_the_audit_log() {
    let (app, _editor, admin) = desk_with_admin().await;
    // Written before embargoes were checked: scheduled an hour before its embargo ends.
    let at = to_the_minute(app.clock.now() + time::Duration::hours(1));
    let until = at + time::Duration::hours(1);
    StoryBuilder::new("Exam results")
        .status(newsroom::domain::Status::Scheduled(at))
        .with(|s| s.content.embargo = Some(until))
        .save(&app);
    app.clock.advance(time::Duration::minutes(61));

    newsroom::scheduler::publish_due(&*app.store, app.clock.now()).expect("publish due");

    let moved = newest_audit_entry(&admin).await;
    assert_eq!(
        (moved.who.as_str(), moved.action.as_str()),
        ("scheduler", "Scheduled")
    );
    assert_eq!(
        moved.detail,
        format!(
            "Exam results (moved from {} to the embargo's end, {})",
            typed_and_shown(at).1,
            typed_and_shown(until).1
        )
    );
}

#[actix_web::test]
async fn setting_moving_and_lifting_an_embargo_are_each_in_the_audit_log() {
    let (app, editor, admin) = desk_with_admin().await;
    let until = to_the_minute(app.clock.now() + time::Duration::days(1));
    let fields = |embargo: &str| {
        with_field(
            story_fields("Exam results", "The results are out."),
            "embargo",
            embargo,
        )
    };
    let (typed, shown) = typed_and_shown(until);
    let id =
        saved_story(&send_story_form(&editor, "/desk/stories/new", "save", &fields(&typed)).await);
    let set = newest_audit_entry(&admin).await;
    assert_eq!(
        (set.who.as_str(), set.action.as_str(), set.detail.as_str()),
        (
            "zhang.dan",
            "Changed an embargo",
            format!("Exam results; embargo until {shown}").as_str()
        )
    );

    let (later, later_shown) = typed_and_shown(until + time::Duration::hours(3));
    let path = format!("/desk/stories/{id}");
    saved_story(&send_story_form(&editor, &path, "save", &fields(&later)).await);
    let moved = newest_audit_entry(&admin).await;
    assert_eq!(
        moved.detail,
        format!("Exam results; embargo until {later_shown}")
    );

    app.clock.advance(time::Duration::minutes(5));
    saved_story(&send_story_form(&editor, &path, "save", &fields("")).await);
    let lifted = newest_audit_entry(&admin).await;
    assert_eq!(
        (
            lifted.who.as_str(),
            lifted.action.as_str(),
            lifted.detail.as_str()
        ),
        (
            "zhang.dan",
            "Changed an embargo",
            "Exam results; embargo lifted"
        )
    );
    assert!(lifted.at > moved.at, "{lifted:?} after {moved:?}");
}

#[actix_web::test]
async fn a_withdrawal_and_a_reinstatement_are_in_the_audit_log_with_the_reason() {
    let (app, editor, admin) = desk_with_admin().await;
    let story = StoryBuilder::new("Talks end")
        .published_at(app.clock.now() - time::Duration::hours(1))
        .save(&app);
    let csrf = editor.csrf("/desk/stories/new").await;
    let before = app.clock.now();

    let response = editor
        .post_form(
            &format!("/desk/stories/{}/withdraw", story.id),
            // Confirmed, as from the page that asks first.
            &[
                ("csrf", &csrf),
                ("reason", "Court order of 2 June"),
                ("confirm", "yes"),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let withdrawn = newest_audit_entry(&admin).await;
    assert_eq!(
        (
            withdrawn.who.as_str(),
            withdrawn.action.as_str(),
            withdrawn.detail.as_str()
        ),
        (
            "zhang.dan",
            "Withdrew a story",
            "Talks end; reason: Court order of 2 June"
        )
    );
    assert!(withdrawn.at >= before - time::Duration::seconds(1));

    app.clock.advance(time::Duration::minutes(5));
    let csrf = admin.csrf("/desk/stories/new").await;
    admin
        .post_form(
            &format!("/desk/stories/{}/reinstate", story.id),
            &[("csrf", &csrf)],
        )
        .await;

    let reinstated = newest_audit_entry(&admin).await;
    assert_eq!(
        (
            reinstated.who.as_str(),
            reinstated.action.as_str(),
            reinstated.detail.as_str()
        ),
        (
            "root.admin",
            "Reinstated a withdrawn story",
            "Talks end (as unpublished)"
        )
    );
    assert!(reinstated.at > withdrawn.at);
}

// --- Markup --------------------------------------------------------------------------------------

/// The pages these details add, as `scripts/check-markup` hands them to the HTML checker: a
/// preview's second page with its pager, the restore step, and a published story's form
/// with its filing time fixed.
#[actix_web::test]
async fn the_preview_restore_and_filing_time_pages_render_for_the_checkers() {
    if !runs_once("the_preview_restore_and_filing_time_pages_render_for_the_checkers") {
        return;
    }
    let (app, editor) = desk().await;
    let story = two_revisions(&app, true);
    let form_path = format!("/desk/stories/{}", story.id);
    let fields = story_fields("Talks end, unsaved", FOUR_PAGES);
    let first = page_of(send_story_form(&editor, &form_path, "preview", &fields).await).await;
    let preview = press(&editor, &first, "Next").await;
    assert_eq!(preview.status(), StatusCode::OK);
    let (_, history) = editor.get_html(&history_path(&story)).await;
    let restore = press(&editor, &history, "Restore this revision…").await;
    assert_eq!(restore.status(), StatusCode::OK);
    let form = editor.get(&form_path).await;
    assert_eq!(form.status(), StatusCode::OK);

    let pages = [
        ("preview-2.html", preview.text().await.unwrap()),
        ("restore.html", restore.text().await.unwrap()),
        ("story-form-published.html", form.text().await.unwrap()),
    ];
    assert!(pages[2].1.contains("id=\"filed_at\""));
    if let Some(dir) = std::env::var_os("NEWSROOM_MARKUP_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, body) in &pages {
            std::fs::write(dir.join(name), body).unwrap();
        }
    }
}
