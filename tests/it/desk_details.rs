//! What a new user of the desk meets along the way: previewing a story of several pages,
//! restoring a revision, the wire's filing time, a caption without a picture, and the audit
//! log of what happened without a person at the keyboard.

use crate::helpers::{Browser, StoryBuilder, TestApp, input_value, select, text_of};
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
    match form.value().attr("enctype") {
        Some("multipart/form-data") => post_multipart(browser, action, &fields).await,
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
