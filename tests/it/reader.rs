//! The reader's site: only published stories are there for readers.

use crate::helpers::{StoryBuilder, TestApp, listed_headlines, select, text_of};
use newsroom::domain::Status;
use reqwest::StatusCode;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

#[actix_web::test]
async fn an_empty_front_page_says_so() {
    let app = TestApp::spawn().await;
    let (status, html) = app.get_html("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text_of(&html, "main")
            .unwrap()
            .contains("No stories have been published")
    );
}

#[actix_web::test]
async fn a_published_story_is_listed_and_readable() {
    let app = TestApp::spawn().await;
    StoryBuilder::new("Talks end")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .save(&app);
    let (_, front) = app.get_html("/").await;
    let links = select(&front, ".story-list h2 a");
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].value().attr("href"), Some("/2017/07/15/talks-end"));
    let (status, article) = app.get_html("/2017/07/15/talks-end").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&article, "h1").as_deref(), Some("Talks end"));
}

#[actix_web::test]
async fn a_draft_is_a_404_for_readers() {
    let app = TestApp::spawn().await;
    let draft = StoryBuilder::new("Secret plans")
        .status(Status::Draft)
        .save(&app);
    let today = draft.created_at.date();
    let path = format!(
        "/{:04}/{:02}/{:02}/secret-plans",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    assert_eq!(app.get(&path).await.status(), StatusCode::NOT_FOUND);
    let (_, front) = app.get_html("/").await;
    assert!(select(&front, ".story-list li").is_empty());
}

/// The front page and the World section list none of the stories.
async fn assert_unlisted(app: &TestApp) {
    for listing in ["/", "/section/world"] {
        let (status, html) = app.get_html(listing).await;
        assert_eq!(status, StatusCode::OK, "{listing}");
        assert_eq!(listed_headlines(&html), Vec::<String>::new(), "{listing}");
    }
}

#[actix_web::test]
async fn a_scheduled_story_is_a_404_and_unlisted_before_its_time() {
    let app = TestApp::spawn().await;
    StoryBuilder::new("Embargoed report")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .status(Status::Scheduled(datetime!(2100-01-01 0:00 UTC)))
        .save(&app);

    app.assert_not_found("/2017/07/15/embargoed-report").await;
    assert_unlisted(&app).await;
}

#[actix_web::test]
async fn an_unpublished_story_is_a_404_and_unlisted() {
    let app = TestApp::spawn().await;
    StoryBuilder::new("Withdrawn report")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .status(Status::Unpublished)
        .save(&app);

    app.assert_not_found("/2017/07/15/withdrawn-report").await;
    assert_unlisted(&app).await;
}

#[actix_web::test]
async fn a_story_unpublished_after_publication_disappears() {
    let app = TestApp::spawn().await;
    StoryBuilder::new("Still standing")
        .published_at(datetime!(2017-07-14 12:00 UTC))
        .save(&app);
    let mut story = StoryBuilder::new("Withdrawn later")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .save(&app);
    let path = "/2017/07/15/withdrawn-later";
    assert_eq!(app.get(path).await.status(), StatusCode::OK);
    let (_, front) = app.get_html("/").await;
    assert_eq!(
        listed_headlines(&front),
        ["Withdrawn later", "Still standing"]
    );

    story.status = Status::Unpublished;
    let revision = story.revision;
    app.store
        .save_story(&story, Some(revision))
        .expect("unpublish");

    app.assert_not_found(path).await;
    for listing in ["/", "/section/world"] {
        let (_, html) = app.get_html(listing).await;
        assert_eq!(listed_headlines(&html), ["Still standing"], "{listing}");
    }
}

#[actix_web::test]
async fn a_scheduled_story_is_published_when_its_time_comes() {
    let app = TestApp::spawn().await;
    let due = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("time")
        + Duration::hours(1);
    StoryBuilder::new("Due now")
        .status(Status::Scheduled(due))
        .save(&app);
    let (_, front) = app.get_html("/").await;
    assert!(
        listed_headlines(&front).is_empty(),
        "published before its time"
    );

    // An hour passes on the server's clock; its scheduler looks every second.
    app.clock.advance(Duration::hours(1));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let (_, front) = app.get_html("/").await;
        if listed_headlines(&front) == ["Due now"] {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the scheduled story was not published"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let date = due.date();
    let path = format!(
        "/{:04}/{:02}/{:02}/due-now",
        date.year(),
        u8::from(date.month()),
        date.day()
    );
    let (status, article) = app.get_html(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&article, "h1").as_deref(), Some("Due now"));
}
