//! The desk's search (every story whatever its status, by its words, pending changes, slug, id
//! and byline, with the list's filters and a range of days), the API's `?q=` with its cursor
//! paging, and the photo library's search.

use crate::helpers::{Browser, StoryBuilder, TestApp, select, text_of};
use crate::photos::{captions, stored_photo, stored_photo_with_alt};
use newsroom::domain::{Bylines, Role, Slug, Status};
use reqwest::StatusCode;
use scraper::Html;
use serde_json::Value;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const PASSWORD: &str = "correct horse battery";

/// The headlines a desk list page shows, in order.
pub fn desk_headlines(page: &Html) -> Vec<String> {
    select(page, "td[data-label=Headline] > a:first-child")
        .iter()
        .map(|a| a.text().collect())
        .collect()
}

async fn editor(app: &TestApp) -> Browser {
    app.create_user("edna", Role::Editor, PASSWORD);
    app.login("edna", PASSWORD).await
}

/// The desk list at `path`, sorted, asserting a 200.
async fn listed(browser: &Browser, path: &str) -> Vec<String> {
    let (status, page) = browser.get_html(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {}", page.html());
    let mut headlines = desk_headlines(&page);
    headlines.sort();
    headlines
}

fn story(headline: &str, body: &str) -> StoryBuilder {
    StoryBuilder::new(headline).body(body)
}

fn hours_ago(hours: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() - Duration::hours(hours)
}

#[actix_web::test]
async fn the_desk_finds_a_story_whatever_its_status_by_words_slug_id_and_byline() {
    let app = TestApp::spawn().await;
    let browser = editor(&app).await;
    let draft = story("Osprey census begins", "Counting the osprey nests.")
        .with(|s| {
            s.content.slug = Slug::parse("bird-count-x7").unwrap();
            s.content.bylines = Bylines::parse("Zora Quillfeather").unwrap();
        })
        .save(&app);
    story("Osprey chicks hatch", "Two osprey chicks.")
        .published_at(hours_ago(2))
        .save(&app);
    story("Osprey nest removed", "The osprey nest went.")
        .published_at(hours_ago(3))
        .status(Status::Unpublished)
        .save(&app);
    story("Unrelated", "Nothing here.").save(&app);

    assert_eq!(
        listed(&browser, "/desk?q=osprey").await,
        [
            "Osprey census begins",
            "Osprey chicks hatch",
            "Osprey nest removed"
        ]
    );
    assert_eq!(
        listed(&browser, "/desk?q=bird-count-x7").await,
        ["Osprey census begins"],
        "by slug"
    );
    assert_eq!(
        listed(&browser, &format!("/desk?q={}", draft.id)).await,
        ["Osprey census begins"],
        "by id"
    );
    assert_eq!(
        listed(&browser, "/desk?q=Quillfeather").await,
        ["Osprey census begins"],
        "by byline"
    );
    assert!(listed(&browser, "/desk?q=albatross").await.is_empty());
    let (_, page) = browser.get_html("/desk?q=albatross").await;
    assert!(text_of(&page, ".empty").is_some_and(|t| t.contains("No story matches")));
}

#[actix_web::test]
async fn a_draft_saved_on_the_form_is_found_at_once_and_so_is_pending_text() {
    let app = TestApp::spawn().await;
    let browser = editor(&app).await;
    let live = story("Bridge repairs", "The bridge closes.")
        .published_at(hours_ago(1))
        .save(&app);

    // The form, as a person fills it in.
    let (_, form) = browser.get_html("/desk/stories/new").await;
    let mut fields = crate::merging::form_fields(&form, "form.story-form");
    crate::merging::set(&mut fields, "headline", "Kingfisher spotted");
    crate::merging::set(&mut fields, "bylines", "Ann Writer");
    crate::merging::set(&mut fields, "body", "A kingfisher by the mill.");
    let to = crate::search_leaks::form_action(&form);
    let saved = crate::merging::submit(&browser, &to, &fields, "save").await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        listed(&browser, "/desk?q=kingfisher").await,
        ["Kingfisher spotted"]
    );

    let path = format!("/desk/stories/{}", live.id);
    let (_, form) = browser.get_html(&path).await;
    let mut fields = crate::merging::form_fields(&form, "form.story-form");
    crate::merging::set(&mut fields, "body", "The bridge reopens in spring.");
    let to = crate::search_leaks::form_action(&form);
    let staged = crate::merging::submit(&browser, &to, &fields, "save").await;
    assert_eq!(staged.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        listed(&browser, "/desk?q=spring").await,
        ["Bridge repairs"],
        "pending text"
    );
    assert_eq!(listed(&browser, "/desk?q=closes").await, ["Bridge repairs"]);
}

#[actix_web::test]
async fn words_combine_with_the_status_section_and_review_filters() {
    let app = TestApp::spawn().await;
    let browser = editor(&app).await;
    story("Heron draft in world", "A heron.").save(&app);
    story("Heron draft in business", "A heron.")
        .section("business")
        .save(&app);
    story("Heron for review", "A heron.")
        .with(|s| s.submitted = true)
        .save(&app);
    story("Heron published", "A heron.")
        .published_at(hours_ago(1))
        .save(&app);
    story("Egret draft", "An egret.").save(&app);

    assert_eq!(
        listed(&browser, "/desk?q=heron&status=draft&section=world").await,
        ["Heron draft in world", "Heron for review"]
    );
    assert_eq!(
        listed(&browser, "/desk?q=heron&section=business").await,
        ["Heron draft in business"]
    );
    assert_eq!(
        listed(&browser, "/desk?q=heron&status=published").await,
        ["Heron published"]
    );
    assert_eq!(
        listed(&browser, "/desk?q=heron&status=review").await,
        ["Heron for review"]
    );
    let (_, page) = browser
        .get_html("/desk?q=heron&status=draft&section=world")
        .await;
    assert_eq!(
        select(&page, "#q")[0].value().attr("value"),
        Some("heron"),
        "the box keeps the words"
    );
    assert_eq!(
        select(&page, "#status option[selected]")[0]
            .value()
            .attr("value"),
        Some("draft")
    );
}

fn saved_on(headline: &str, at: OffsetDateTime) -> StoryBuilder {
    story(headline, "A stork flew by.").with(move |s| {
        s.created_at = at;
        s.updated_at = at;
    })
}

#[actix_web::test]
async fn a_range_of_days_takes_the_stories_last_saved_on_them_both_days_included() {
    let app = TestApp::spawn().await;
    let browser = editor(&app).await;
    saved_on("Before", datetime!(2026-11-01 23:59 UTC)).save(&app);
    saved_on("First day", datetime!(2026-11-02 00:00 UTC)).save(&app);
    saved_on("Last day", datetime!(2026-11-03 23:59:59 UTC)).save(&app);
    saved_on("After", datetime!(2026-11-04 00:00 UTC)).save(&app);

    assert_eq!(
        listed(&browser, "/desk?from=2026-11-02&to=2026-11-03").await,
        ["First day", "Last day"],
        "dates alone"
    );
    assert_eq!(
        listed(&browser, "/desk?q=stork&from=2026-11-03").await,
        ["After", "Last day"]
    );
    assert_eq!(
        listed(&browser, "/desk?q=stork&to=2026-11-01").await,
        ["Before"]
    );
    assert_eq!(
        listed(&browser, "/desk?from=2026-11-02&to=2026-11-02").await,
        ["First day"],
        "one day"
    );
}

/// The desk list at `path` refused: the message of `field` and the value each input keeps.
async fn refused(browser: &Browser, path: &str, field: &str) -> (String, Html) {
    let (status, page) = browser.get_html(path).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
    let message = text_of(&page, &format!("#{field}-error")).expect("the field's message");
    assert_eq!(
        select(
            &page,
            &format!("#{field}[aria-invalid=true][aria-describedby={field}-error]")
        )
        .len(),
        1
    );
    (message, page)
}

fn kept(page: &Html, id: &str) -> String {
    select(page, &format!("#{id}"))[0]
        .value()
        .attr("value")
        .unwrap_or_default()
        .to_owned()
}

#[actix_web::test]
async fn a_bad_date_or_a_range_backwards_is_a_400_on_the_list_with_every_input_kept() {
    let app = TestApp::spawn().await;
    let browser = editor(&app).await;
    saved_on("Stork", datetime!(2026-11-02 10:00 UTC)).save(&app);

    let (message, page) = refused(
        &browser,
        "/desk?q=stork&status=draft&section=world&from=2026-13-01&to=2026-11-30&order=newest",
        "from",
    )
    .await;
    assert!(message.contains("2026-13-01"), "{message}");
    assert!(message.contains("YYYY-MM-DD"), "{message}");
    assert_eq!(kept(&page, "q"), "stork");
    assert_eq!(kept(&page, "from"), "2026-13-01");
    assert_eq!(kept(&page, "to"), "2026-11-30");
    for (select_id, value) in [
        ("status", "draft"),
        ("section", "world"),
        ("order", "newest"),
    ] {
        assert_eq!(
            select(&page, &format!("#{select_id} option[selected]"))[0]
                .value()
                .attr("value"),
            Some(value),
            "{select_id}"
        );
    }
    assert!(desk_headlines(&page).is_empty());

    let (message, page) = refused(&browser, "/desk?from=2026-11-30&to=2026-11-01", "to").await;
    assert!(message.contains("before"), "{message}");
    assert_eq!(kept(&page, "from"), "2026-11-30");
    assert_eq!(kept(&page, "to"), "2026-11-01");

    let long = "stork ".repeat(50);
    let (message, page) = refused(
        &browser,
        &format!("/desk?q={}", long.replace(' ', "+")),
        "q",
    )
    .await;
    assert!(message.contains("too long"), "{message}");
    assert_eq!(kept(&page, "q"), long);
}

// --- The API ----------------------------------------------------------------------------------

async fn get_json(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let response = app.get(path).await;
    let status = response.status();
    if path.contains("q=") && status == StatusCode::OK {
        let cache = crate::helpers::header(response.headers(), reqwest::header::CACHE_CONTROL);
        assert_eq!(cache.as_deref(), Some("no-store"), "{path}: never cached");
    }
    (status, response.json().await.expect("JSON"))
}

#[actix_web::test]
async fn the_api_finds_public_stories_newest_first_a_cursor_at_a_time() {
    let app = TestApp::spawn().await;
    for n in 0..5 {
        story(&format!("Puffin colony {n}"), "Puffins nest here.")
            .published_at(hours_ago(n + 1))
            .save(&app);
    }
    story("Puffin draft", "Puffins.").save(&app);
    story("Gannet colony", "Gannets nest here.")
        .published_at(hours_ago(1))
        .save(&app);

    let mut headlines = Vec::new();
    let mut next = Some(newsroom::urls::api_search("puffin", 2, None));
    let mut pages = 0;
    while let Some(path) = next.take() {
        // Links are absolute on the configured base URL, not the test server's address.
        let path = path.replacen("http://127.0.0.1:8080", "", 1);
        let (status, body) = get_json(&app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        for doc in body["items"].as_array().unwrap() {
            headlines.push(doc["headlines"][0]["value"].as_str().unwrap().to_owned());
        }
        next = body["next"].as_str().map(str::to_owned);
        if let Some(next) = &next {
            assert!(next.contains("q=puffin"), "{next}");
        }
        pages += 1;
        assert!(pages <= 5, "the pages end");
    }

    assert_eq!(
        headlines,
        (0..5)
            .map(|n| format!("Puffin colony {n}"))
            .collect::<Vec<_>>(),
        "public ones only, newest first, each once"
    );
    assert_eq!(pages, 3);
}

#[actix_web::test]
async fn a_search_the_api_cannot_make_is_a_json_400() {
    let app = TestApp::spawn().await;
    let long = "puffin ".repeat(40);
    for path in [
        newsroom::urls::api_search(&long, 20, None),
        "/api/v1/stories?q=".to_owned(),
        "/api/v1/stories?q=%20".to_owned(),
        "/api/v1/stories?q=puffin&cursor=nonsense".to_owned(),
    ] {
        let (status, body) = get_json(&app, &path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}"
        );
    }
}

// --- The photo library ------------------------------------------------------------------------

#[actix_web::test]
async fn the_photo_library_finds_photos_by_caption_credit_or_alt_text() {
    let app = TestApp::spawn().await;
    let (browser, _) = crate::photos::editor(&app).await;
    stored_photo(&app, 1, "Flooded streets in Wuhan", "Xinhua");
    stored_photo(&app, 2, "Delegates in Geneva", "Reuters");
    stored_photo_with_alt(
        &app,
        3,
        "Harvest in Henan",
        "Xinhua",
        "A combine harvester in a wheat field",
    );

    let search = |q: &'static str| {
        let browser = &browser;
        async move {
            let (status, page) = browser.get_html(&format!("/desk/photos?q={q}")).await;
            assert_eq!(status, StatusCode::OK, "{q}");
            let mut found = captions(&page);
            found.sort();
            found
        }
    };
    assert_eq!(
        search("xinhua").await,
        ["Flooded streets in Wuhan", "Harvest in Henan"],
        "by credit"
    );
    assert_eq!(
        search("delegate").await,
        ["Delegates in Geneva"],
        "by caption, any form"
    );
    assert_eq!(search("wheat").await, ["Harvest in Henan"], "by alt text");
    assert!(search("paris").await.is_empty());
    // A made-up page far past the last is a 404, not a request for room for every hit before it.
    for page in ["2", "99999999", "4294967295"] {
        let response = browser
            .get(&format!("/desk/photos?q=xinhua&page={page}"))
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "page {page}");
    }
    assert_eq!(search("").await.len(), 3, "no words: every photo");

    let many = "a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q+r+s+t+u+v+w+x+y+z";
    let (status, page) = browser.get_html(&format!("/desk/photos?q={many}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text_of(&page, "#q-error").is_some_and(|e| e.contains("words")));
    assert!(captions(&page).is_empty());
}
