//! The article page, and long stories split into pages by `<!--nextpage-->` lines.

use crate::helpers::{
    StoryBuilder, TestApp, assert_is_redirect_to, pager_numbers, pager_rel, select, text_of,
};
use newsroom::domain::{Caption, Credit, Dateline, Initials, LeadPhoto, PhotoId, Source, Story};
use reqwest::StatusCode;
use scraper::Html;
use time::macros::{date, datetime};

const BASE: &str = "/2017/07/15/envoy-reports-on-three-days-of-talks";
const PAGE_TEXT: [&str; 3] = [
    "Monday began with a briefing.",
    "Tuesday brought the first session.",
    "Wednesday ended the round.",
];

/// A published story of three pages, with a source, an editor, a dateline and a lead photo.
fn three_page_story(app: &TestApp) -> Story {
    StoryBuilder::new("Envoy reports on three days of talks")
        .body(
            "Monday began with a *briefing*.\n\
             <!--nextpage-->\n\
             Tuesday brought the first session.\n\
             \n\
             <!--nextpage-->\n\
             \n\
             Wednesday ended the round.",
        )
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .with(|story| {
            story.content.source = Some(Source::parse("Xinhua").expect("source"));
            story.editor = Some(Initials::parse("ZD").expect("initials"));
            story.content.dateline = Some(
                Dateline::parse("GENEVA, July 14 (Xinhua)", date!(2017 - 07 - 15))
                    .expect("dateline"),
            );
            story.content.photo = Some(LeadPhoto {
                // A caption is shown only with its picture.
                image: Some(PhotoId::new()),
                caption: Caption::parse("The envoy at the podium.").expect("caption"),
                credit: Some(Credit::parse("Xinhua/Xu Jinquan").expect("credit")),
                alt: None,
            });
        })
        .save(app)
}

fn page_path(n: usize) -> String {
    if n == 1 {
        BASE.to_owned()
    } else {
        format!("{BASE}/page/{n}")
    }
}

/// GETs page `n` (1-based) of the three-page story, which must be there.
async fn story_page(app: &TestApp, n: usize) -> Html {
    let (status, html) = app.get_html(&page_path(n)).await;
    assert_eq!(status, StatusCode::OK, "page {n}");
    html
}

#[actix_web::test]
async fn each_page_of_a_long_story_has_its_own_address_and_the_story_header() {
    let app = TestApp::spawn().await;
    three_page_story(&app);

    for n in 1..=3 {
        let page = story_page(&app, n).await;

        assert_eq!(
            text_of(&page, "h1").as_deref(),
            Some("Envoy reports on three days of talks"),
            "page {n}"
        );
        assert_eq!(
            text_of(&page, ".meta-line").as_deref(),
            Some("Source: Xinhua | 15 July 2017, 07:11 | Editor: ZD"),
            "page {n}"
        );
        assert_eq!(
            text_of(&page, ".byline").as_deref(),
            Some("By Test Writer"),
            "page {n}"
        );
        assert_eq!(
            text_of(&page, ".page-of"),
            Some(format!("Page {n} of 3")),
            "page {n}"
        );
    }
}

#[actix_web::test]
async fn each_page_shows_only_its_own_part_of_the_body() {
    let app = TestApp::spawn().await;
    three_page_story(&app);

    for n in 1..=3 {
        let page = story_page(&app, n).await;

        let body = text_of(&page, ".story-body").expect("a story body");
        for (i, text) in PAGE_TEXT.iter().enumerate() {
            assert_eq!(body.contains(text), i + 1 == n, "page {n}: {body}");
        }
    }
}

#[actix_web::test]
async fn the_photo_and_dateline_are_on_the_first_page_only() {
    let app = TestApp::spawn().await;
    three_page_story(&app);

    let first = story_page(&app, 1).await;
    assert_eq!(
        text_of(&first, "figure figcaption").as_deref(),
        Some("The envoy at the podium. (Xinhua/Xu Jinquan)")
    );
    assert_eq!(
        text_of(&first, ".story-body p").as_deref(),
        Some("GENEVA, July 14 (Xinhua) -- Monday began with a briefing.")
    );
    for n in 2..=3 {
        let page = story_page(&app, n).await;
        assert!(select(&page, "figure").is_empty(), "page {n}");
        assert!(select(&page, ".dateline").is_empty(), "page {n}");
    }
}

#[actix_web::test]
async fn the_story_pager_links_the_previous_next_and_every_page() {
    let app = TestApp::spawn().await;
    three_page_story(&app);
    let all: Vec<(String, String)> = (1..=3).map(|n| (n.to_string(), page_path(n))).collect();

    let first = story_page(&app, 1).await;
    let second = story_page(&app, 2).await;
    let last = story_page(&app, 3).await;

    assert_eq!(pager_rel(&first, "prev"), None);
    assert_eq!(pager_rel(&first, "next"), Some(page_path(2)));
    assert_eq!(pager_numbers(&first), (all.clone(), Some("1".into())));
    assert_eq!(pager_rel(&second, "prev"), Some(page_path(1)));
    assert_eq!(pager_rel(&second, "next"), Some(page_path(3)));
    assert_eq!(pager_numbers(&second), (all.clone(), Some("2".into())));
    assert_eq!(pager_rel(&last, "prev"), Some(page_path(2)));
    assert_eq!(pager_rel(&last, "next"), None);
    assert_eq!(pager_numbers(&last), (all, Some("3".into())));
}

#[actix_web::test]
async fn the_page_break_marker_never_reaches_the_reader() {
    let app = TestApp::spawn().await;
    three_page_story(&app);

    for n in 1..=3 {
        let html = app.get(&page_path(n)).await.text().await.expect("body");

        assert!(!html.contains("nextpage"), "page {n}: {html}");
    }
}

#[actix_web::test]
async fn a_page_past_the_end_of_a_story_is_a_404() {
    let app = TestApp::spawn().await;
    three_page_story(&app);

    for page in [
        "4",
        "0",
        "-1",
        "abc",
        "99999999",
        "123456789012345678901234567890",
    ] {
        app.assert_not_found(&format!("{BASE}/page/{page}")).await;
    }
}

#[actix_web::test]
async fn a_story_of_one_page_has_no_pager_and_no_second_page() {
    let app = TestApp::spawn().await;
    StoryBuilder::new("Short item")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .save(&app);

    let (status, page) = app.get_html("/2017/07/15/short-item").await;

    assert_eq!(status, StatusCode::OK);
    assert!(select(&page, ".pager").is_empty());
    assert!(select(&page, ".page-of").is_empty());
    app.assert_not_found("/2017/07/15/short-item/page/2").await;
}

#[actix_web::test]
async fn page_one_of_a_story_redirects_to_its_address() {
    let app = TestApp::spawn().await;
    three_page_story(&app);

    assert_is_redirect_to(&app.get(&format!("{BASE}/page/1")).await, BASE);
}

#[actix_web::test]
async fn a_story_at_the_wrong_date_redirects_to_its_address() {
    let app = TestApp::spawn().await;
    three_page_story(&app);

    let slug = "envoy-reports-on-three-days-of-talks";
    assert_is_redirect_to(&app.get(&format!("/2001/01/01/{slug}")).await, BASE);
    assert_is_redirect_to(
        &app.get(&format!("/2001/01/01/{slug}/page/2")).await,
        &page_path(2),
    );
}

#[actix_web::test]
async fn a_story_that_does_not_exist_is_a_404() {
    let app = TestApp::spawn().await;
    three_page_story(&app);

    app.assert_not_found("/2017/07/15/no-such-story").await;
    app.assert_not_found("/2017/07/15/Not-A-Slug").await;
}

#[actix_web::test]
async fn a_revised_story_says_when_it_was_updated() {
    let app = TestApp::spawn().await;
    let mut story = three_page_story(&app);

    story.revised_at = Some(datetime!(2017-07-16 09:30:00 UTC));
    let revision = story.revision;
    app.store.save_story(&story, Some(revision)).expect("save");

    let page = story_page(&app, 2).await;
    assert_eq!(
        text_of(&page, ".meta-line").as_deref(),
        Some("Source: Xinhua | 15 July 2017, 07:11 | Updated: 16 July 2017, 09:30 | Editor: ZD")
    );
}
