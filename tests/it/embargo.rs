//! Embargo and withdrawal over HTTP: an embargoed story shows nowhere until its time, whoever
//! clicks Publish; a withdrawn story is gone from every public address until an administrator
//! reinstates it.

use crate::helpers::{Browser, StoryBuilder, TestApp, input_value, select};
use newsroom::domain::{
    Caption, LeadPhoto, Photo, PhotoId, Rendition, Role, Status, Story, StoryId,
};
use newsroom::urls;
use reqwest::StatusCode;
use reqwest::multipart::Form;
use time::{Duration, OffsetDateTime};

const PASSWORD: &str = "correct horse battery";

async fn app_with_editor() -> (TestApp, Browser) {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let editor = app.login("zhang.dan", PASSWORD).await;
    (app, editor)
}

fn fields(headline: &str, embargo: OffsetDateTime) -> Vec<(&'static str, String)> {
    vec![
        ("headline", headline.to_owned()),
        ("bylines", "Xu Jinquan".into()),
        ("section", "world".into()),
        ("body", "The results are out.".into()),
        (
            "embargo",
            newsroom::web::desk::story_form::format_local(embargo),
        ),
    ]
}

/// Posts the story form at `form_path` with `action`, as the browser sends it.
async fn send(
    browser: &Browser,
    form_path: &str,
    action: &str,
    fields: &[(&'static str, String)],
) -> reqwest::Response {
    let (status, page) = browser.get_html(form_path).await;
    assert_eq!(status, StatusCode::OK);
    let mut form = Form::new()
        .text("csrf", input_value(&page, "csrf").expect("csrf"))
        .text(
            "revision",
            input_value(&page, "revision").unwrap_or_default(),
        )
        .text("action", action.to_owned());
    for (name, value) in fields {
        form = form.text(*name, value.clone());
    }
    let to = select(&page, "form.story-form")
        .first()
        .and_then(|f| f.value().attr("action"))
        .expect("the story form")
        .to_owned();
    browser
        .client
        .post(format!("{}{to}", browser.address))
        .multipart(form)
        .send()
        .await
        .expect("request")
}

fn story_by_slug(app: &TestApp, slug: &str) -> Option<Story> {
    let slug = newsroom::domain::Slug::parse(slug).expect("slug");
    app.store.story_by_slug(&slug).expect("read")
}

/// Every public listing a story could appear in, as text.
async fn public_listings(app: &TestApp) -> String {
    let mut all = String::new();
    for path in [
        "/",
        "/section/world",
        "/rss.xml",
        "/atom.xml",
        "/section/world/rss.xml",
        "/sitemap.xml",
        "/sitemaps/news.xml",
        "/v1/stories",
        "/sitemaps/1.xml",
    ] {
        let response = app.get(path).await;
        all.push_str(&response.text().await.expect("body"));
    }
    all
}

#[actix_web::test]
async fn publishing_before_the_embargo_is_refused_with_an_offer_to_schedule_it_then() {
    let (app, editor) = app_with_editor().await;
    let until = app.clock.now() + Duration::hours(2);
    let response = send(
        &editor,
        "/desk/stories/new",
        "publish",
        &fields("Exam results", until),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    let offer = select(&page, "button[name='action'][value='schedule-embargo']");
    assert_eq!(offer.len(), 1, "the form offers the embargo time");
    assert!(page.html().contains("embargoed until"));
    assert!(
        story_by_slug(&app, "exam-results").is_none(),
        "nothing was saved"
    );
    assert!(!public_listings(&app).await.contains("Exam results"));
}

#[actix_web::test]
async fn an_embargoed_story_scheduled_for_its_embargo_is_published_then_by_the_clock() {
    let (app, editor) = app_with_editor().await;
    let until = app.clock.now() + Duration::hours(2);
    let until = until
        .replace_second(0)
        .expect("second")
        .replace_nanosecond(0)
        .expect("nano");
    let fields = fields("Exam results", until);
    let early = newsroom::web::desk::story_form::format_local(until - Duration::hours(1));
    let mut too_early = fields.clone();
    too_early.push(("schedule_at", early));
    let refused = send(&editor, "/desk/stories/new", "schedule", &too_early).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let response = send(&editor, "/desk/stories/new", "schedule-embargo", &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let story = story_by_slug(&app, "exam-results").expect("saved");
    assert_eq!(story.status, Status::Scheduled(until));
    assert_eq!(story.content.embargo, Some(until));

    app.clock.advance(Duration::minutes(119));
    let published = newsroom::scheduler::publish_due(&*app.store, app.clock.now()).expect("due");
    assert!(published.is_empty(), "not a minute before the embargo");
    assert!(!public_listings(&app).await.contains("Exam results"));
    let api = app.get(&urls::api_story(story.id)).await;
    assert_eq!(api.status(), StatusCode::NOT_FOUND);

    app.clock.advance(Duration::minutes(2));
    let published = newsroom::scheduler::publish_due(&*app.store, app.clock.now()).expect("due");
    assert_eq!(published.len(), 1);
    let live = story_by_slug(&app, "exam-results").expect("saved");
    assert_eq!(live.published_at, Some(until));
    let page = app.get(&urls::article(until, &live.content.slug, 1)).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(public_listings(&app).await.contains("Exam results"));
}

#[test]
fn ninjs_carries_the_embargo_out_and_an_import_honours_it() {
    let until = OffsetDateTime::now_utc() + Duration::days(1);
    let until = until.replace_nanosecond(0).expect("nano");
    let story = StoryBuilder::new("Exam results")
        .with(|s| {
            s.content.embargo = Some(until);
            s.revision = 1;
        })
        .into_story();
    let site = newsroom::ninjs::Site {
        base_url: "https://news.example",
        name: "News",
        language: &newsroom::domain::Language::parse("en").expect("en"),
    };
    let doc = newsroom::ninjs::document(&story, site);
    let json = serde_json::to_value(&doc).expect("json");
    let written = json["embargoed"].as_str().expect("embargoed");
    assert_eq!(
        OffsetDateTime::parse(written, &time::format_description::well_known::Rfc3339)
            .expect("RFC 3339"),
        until
    );

    // A feed's item marked usable but embargoed is held back until the embargo, not published.
    let mut incoming = doc.clone();
    incoming.pubstatus = Some("usable".into());
    let defaults = newsroom::ninjs::Defaults {
        section: newsroom::domain::Section::parse("world").expect("section"),
        now: OffsetDateTime::now_utc(),
        base_url: "https://news.example",
        language: &newsroom::domain::Language::parse("en").expect("en"),
    };
    let read = newsroom::ninjs::story(&incoming, defaults).expect("read");
    assert_eq!(read.content.embargo, Some(until));
    let site = crate::helpers::TestSite::new();
    let store = site.open();
    let actor = newsroom::editorial::Actor::CommandLine;
    newsroom::editorial::import_ninjs(&*store, &actor, read.clone(), true, defaults.now)
        .expect("import");
    let stored = store.story(read.id).expect("read").expect("stored");
    assert_eq!(stored.status, Status::Scheduled(until));
    assert!(!stored.is_public());
}

/// A published two-page story with a photo, in a world where another story shares no photo.
fn published_with_photo(app: &TestApp) -> (Story, PhotoId) {
    let photo = Photo {
        id: PhotoId::new(),
        content_type: "image/jpeg".into(),
        width: 4,
        height: 4,
        uploaded_by: None,
        uploaded_at: OffsetDateTime::now_utc(),
        hash: Some([7; 32]),
        renditions: vec![Rendition {
            width: 4,
            height: 4,
        }],
        caption: String::new(),
        credit: String::new(),
        alt: String::new(),
        focal: newsroom::domain::FocalPoint::CENTRE,
        crops: Vec::new(),
    };
    let photo = app
        .store
        .save_photo(&photo, b"original", &[b"jpeg bytes".to_vec()], &[])
        .expect("photo");
    let at = app.clock.now() - Duration::hours(1);
    let story = StoryBuilder::new("Minister resigns")
        .body("Page one.\n<!--nextpage-->\nPage two.")
        .with(|s| {
            s.content.photo = Some(LeadPhoto {
                image: Some(photo.id),
                caption: Caption::parse("The minister").expect("caption"),
                credit: None,
                alt: None,
            })
        })
        .published_at(at)
        .save(app);
    (story, photo.id)
}

async fn withdraw(browser: &Browser, id: StoryId, reason: &str) -> reqwest::Response {
    let csrf = browser.csrf("/desk/stories/new").await;
    browser
        .post_form(
            &format!("/desk/stories/{id}/withdraw"),
            // Confirmed, as from the page that asks first.
            &[("csrf", &csrf), ("reason", reason), ("confirm", "yes")],
        )
        .await
}

async fn reinstate(browser: &Browser, id: StoryId) -> reqwest::Response {
    let csrf = browser.csrf("/desk/stories/new").await;
    browser
        .post_form(&format!("/desk/stories/{id}/reinstate"), &[("csrf", &csrf)])
        .await
}

#[actix_web::test]
async fn a_withdrawn_story_is_gone_from_every_public_address_and_only_an_admin_brings_it_back() {
    let (app, editor) = app_with_editor().await;
    let (story, photo) = published_with_photo(&app);
    let at = story.published_at.expect("published");
    let pages = [
        urls::article(at, &story.content.slug, 1),
        urls::article(at, &story.content.slug, 2),
    ];
    for page in &pages {
        assert_eq!(app.get(page).await.status(), StatusCode::OK, "{page}");
    }
    assert_eq!(app.get(&urls::photo(photo)).await.status(), StatusCode::OK);
    assert!(public_listings(&app).await.contains("Minister resigns"));

    let response = withdraw(&editor, story.id, "Court order of 2 June").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    for page in &pages {
        let response = app.get(page).await;
        assert_eq!(response.status(), StatusCode::GONE, "{page}");
        let text = response.text().await.expect("body");
        assert!(text.contains("This story has been withdrawn"));
        assert!(
            !text.contains("Court order"),
            "the reason stays on the desk"
        );
    }
    assert_eq!(
        app.get(&urls::photo(photo)).await.status(),
        StatusCode::GONE
    );
    assert_eq!(
        app.get(&urls::api_story(story.id)).await.status(),
        StatusCode::GONE
    );
    assert!(!public_listings(&app).await.contains("Minister resigns"));

    // The export tells recipients to take it down.
    let exported = newsroom::editorial::withdrawn(&*app.store).expect("withdrawn");
    let site = newsroom::ninjs::Site {
        base_url: "https://news.example",
        name: "News",
        language: &newsroom::domain::Language::parse("en").expect("en"),
    };
    let doc = newsroom::ninjs::document(&exported[0], site);
    assert_eq!(doc.pubstatus.as_deref(), Some("canceled"));

    // An editor cannot reverse it; an administrator can, and it comes back unpublished.
    let refused = reinstate(&editor, story.id).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    app.create_user("root.admin", Role::Admin, PASSWORD);
    let admin = app.login("root.admin", PASSWORD).await;
    let response = reinstate(&admin, story.id).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let back = story_by_slug(&app, story.content.slug.as_str()).expect("stored");
    assert_eq!(back.status, Status::Unpublished);
    assert_eq!(app.get(&pages[0]).await.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_writer_sees_no_withdraw_button_and_may_not_withdraw() {
    let (app, _editor) = app_with_editor().await;
    let (story, _) = published_with_photo(&app);
    app.create_user("li.wei", Role::Writer, PASSWORD);
    let writer = app.login("li.wei", PASSWORD).await;
    let response = withdraw(&writer, story.id, "No reason").await;
    assert!(
        response.status() == StatusCode::FORBIDDEN,
        "{}",
        response.status()
    );
    assert!(
        story_by_slug(&app, story.content.slug.as_str())
            .expect("stored")
            .is_public()
    );
}

#[actix_web::test]
async fn a_refused_withdrawal_reason_comes_back_in_its_box() {
    let (app, editor) = app_with_editor().await;
    let (story, _) = published_with_photo(&app);
    let typed = format!("Court order <b>{}", "x".repeat(600));
    let response = withdraw(&editor, story.id, &typed).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    let selector = scraper::Selector::parse("textarea#withdraw_reason").expect("selector");
    let kept = page
        .select(&selector)
        .next()
        .map(|box_| box_.text().collect::<String>());
    assert_eq!(
        kept.as_deref(),
        Some(typed.as_str()),
        "what the editor typed"
    );
    assert!(
        story_by_slug(&app, story.content.slug.as_str())
            .expect("stored")
            .is_public()
    );
}
