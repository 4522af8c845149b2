//! The reader's site.

use crate::helpers::{StoryBuilder, TestApp, select, text_of};
use newsroom::domain::Status;
use reqwest::StatusCode;
use time::macros::datetime;

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
