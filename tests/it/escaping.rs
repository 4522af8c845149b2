//! Whatever a writer types, readers get text, never markup or script.

use crate::helpers::{StoryBuilder, TestApp, select, text_of};
use newsroom::domain::dateline::Place;
use newsroom::domain::{Bylines, Caption, Credit, Dateline, LeadPhoto, Source, Standfirst};
use reqwest::StatusCode;
use scraper::Html;
use time::macros::{date, datetime};

const HEADLINE: &str = r#"Tom & Jerry <script>alert("headline")</script>"#;
const STANDFIRST: &str = "Cats & dogs <b onmouseover=alert(1)>agree</b>";

/// Publishes a story with markup in every field a writer types, and returns its address.
async fn publish_story_full_of_markup(app: &TestApp) -> String {
    StoryBuilder::new(HEADLINE)
        .body(
            "Before <script>alert(1)</script> after.\n\n\
             <img src=x onerror=alert(2)>\n\n\
             <iframe src=\"https://example.org/\"></iframe>\n\n\
             <div onclick=\"alert(3)\">clickable</div>\n\n\
             [click me](javascript:alert(4))",
        )
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .with(|story| {
            story.content.standfirst = Some(Standfirst::parse(STANDFIRST).expect("standfirst"));
            story.content.bylines = Bylines::parse("<i>Ann</i> & Bob; Carol").expect("bylines");
            story.content.source = Some(Source::parse("<u>Wire</u> & Co").expect("source"));
            story.content.dateline = Some(Dateline::new(
                Place::parse("<b>Geneva</b>").expect("place"),
                date!(2017 - 07 - 14),
                None,
            ));
            story.content.photo = Some(LeadPhoto {
                image: None,
                caption: Caption::parse("<em>Envoy</em> & aides").expect("caption"),
                credit: Some(Credit::parse("<a href=x>Photo</a>").expect("credit")),
                alt: None,
            });
        })
        .save(app);
    let (_, front) = app.get_html("/").await;
    let links = select(&front, ".story-list h2 a");
    assert_eq!(links.len(), 1);
    links[0].value().attr("href").expect("href").to_owned()
}

/// Markup a writer may have typed; none of it may appear as markup in a page.
const FORBIDDEN: [&str; 10] = [
    "<script",
    "<a href=x",
    "<b>",
    "<b ",
    "<i>",
    "<u>",
    "<em>",
    "<img",
    "<iframe",
    "<div onclick",
];

fn assert_no_markup_from_writers(html: &str) {
    // The page's own JSON-LD element is the one script allowed (its escaping is tested in
    // structured_data.rs); exactly one is removed, so a second would still be caught.
    let lower = html
        .to_lowercase()
        .replacen(r#"<script type="application/ld+json">"#, "", 1);
    for markup in FORBIDDEN {
        assert!(
            !lower.contains(markup),
            "{markup} reached the page:\n{html}"
        );
    }
}

#[actix_web::test]
async fn markup_in_the_story_header_is_shown_as_text() {
    let app = TestApp::spawn().await;
    let path = publish_story_full_of_markup(&app).await;

    let response = app.get(&path).await;
    assert_eq!(response.status(), StatusCode::OK);
    let raw = response.text().await.expect("body");
    let page = Html::parse_document(&raw);

    assert_no_markup_from_writers(&raw);
    assert_eq!(text_of(&page, "h1").as_deref(), Some(HEADLINE));
    assert_eq!(
        text_of(&page, ".story-header .standfirst").as_deref(),
        Some(STANDFIRST)
    );
    assert_eq!(
        text_of(&page, ".byline").as_deref(),
        Some("By <i>Ann</i> & Bob and Carol")
    );
    assert!(
        text_of(&page, ".meta-line")
            .expect("meta line")
            .starts_with("Source: <u>Wire</u> & Co |")
    );
    // The photo has no picture, so its caption stays on the desk.
    assert_eq!(text_of(&page, "figcaption"), None);
    assert_eq!(
        text_of(&page, ".dateline").as_deref(),
        Some("<B>GENEVA</B>, July 14 --")
    );
    assert!(
        text_of(&page, "title")
            .expect("title")
            .starts_with(HEADLINE)
    );
}

#[actix_web::test]
async fn raw_html_in_a_body_never_reaches_the_page() {
    let app = TestApp::spawn().await;
    let path = publish_story_full_of_markup(&app).await;

    let raw = app.get(&path).await.text().await.expect("body");
    let page = Html::parse_document(&raw);

    assert_no_markup_from_writers(&raw);
    for element in ["script", "img", "iframe", "div", "[onerror]", "[onclick]"] {
        assert!(
            select(&page, &format!(".story-body {element}")).is_empty(),
            "{element} in the body"
        );
    }
    assert!(select(&page, "a[href^='javascript']").is_empty());
    let body = text_of(&page, ".story-body").expect("a story body");
    // Tags are dropped, never shown as text; the words between them stay, a script's do not.
    assert!(
        body.contains("Before after."),
        "the writer's text is lost: {body}"
    );
    assert!(
        !body.contains("<script") && !body.contains("<iframe") && !body.contains("alert(1)"),
        "{body}"
    );
    assert!(body.contains("clickable"), "{body}");
}

#[actix_web::test]
async fn markup_in_a_listing_is_shown_as_text() {
    let app = TestApp::spawn().await;
    publish_story_full_of_markup(&app).await;

    for listing in ["/", "/section/world"] {
        let raw = app.get(listing).await.text().await.expect("body");
        let page = Html::parse_document(&raw);

        assert_no_markup_from_writers(&raw);
        assert_eq!(
            text_of(&page, ".story-list h2 a").as_deref(),
            Some(HEADLINE),
            "{listing}"
        );
        assert_eq!(
            text_of(&page, ".story-list .standfirst").as_deref(),
            Some(STANDFIRST),
            "{listing}"
        );
        assert!(
            text_of(&page, ".teaser-meta")
                .expect("teaser meta")
                .ends_with("<i>Ann</i> & Bob and Carol"),
            "{listing}"
        );
    }
}
