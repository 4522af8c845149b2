//! Front and section pages: what is listed, in which order, and how the pages link.

use crate::helpers::{
    StoryBuilder, TestApp, assert_is_redirect_to, listed_headlines, pager_numbers, pager_rel,
    select, text_of,
};
use newsroom::domain::{Headline, Section};
use reqwest::StatusCode;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// Three stories a page, so a handful of stories makes several pages.
async fn spawn_three_a_page() -> TestApp {
    TestApp::spawn_with(|s| s.per_page = 3).await
}

/// Publishes `count` stories in `section`, headlines "`prefix` 1" (oldest) to "`prefix` N"
/// (newest), an hour apart.
fn publish(app: &TestApp, section: &str, prefix: &str, count: u32) {
    let start: OffsetDateTime = datetime!(2020-03-01 08:00 UTC);
    for n in 1..=count {
        StoryBuilder::new(&format!("{prefix} {n}"))
            .section(section)
            .published_at(start + Duration::hours(i64::from(n)))
            .save(app);
    }
}

fn numbered(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, href)| ((*n).to_owned(), (*href).to_owned()))
        .collect()
}

#[actix_web::test]
async fn an_empty_front_page_says_so_and_has_no_second_page() {
    let app = spawn_three_a_page().await;

    let (status, front) = app.get_html("/").await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        text_of(&front, ".empty").as_deref(),
        Some("No stories have been published here yet.")
    );
    assert!(select(&front, ".pager").is_empty());
    app.assert_not_found("/page/2").await;
}

#[actix_web::test]
async fn an_empty_section_says_so_and_has_no_second_page() {
    let app = spawn_three_a_page().await;
    publish(&app, "business", "Markets", 2);

    let (status, section) = app.get_html("/section/world").await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&section, "h1").as_deref(), Some("World"));
    assert_eq!(
        text_of(&section, ".empty").as_deref(),
        Some("No stories have been published here yet.")
    );
    app.assert_not_found("/section/world/page/2").await;
}

#[actix_web::test]
async fn exactly_one_full_page_has_no_pager() {
    let app = spawn_three_a_page().await;
    publish(&app, "world", "Story", 3);

    let (_, front) = app.get_html("/").await;

    assert_eq!(listed_headlines(&front), ["Story 3", "Story 2", "Story 1"]);
    assert!(select(&front, ".pager").is_empty());
    app.assert_not_found("/page/2").await;
}

#[actix_web::test]
async fn stories_come_newest_first_and_the_last_page_holds_the_rest() {
    let app = spawn_three_a_page().await;
    publish(&app, "world", "Story", 7);

    let (_, first) = app.get_html("/").await;
    let (_, second) = app.get_html("/page/2").await;
    let (status, last) = app.get_html("/page/3").await;

    assert_eq!(listed_headlines(&first), ["Story 7", "Story 6", "Story 5"]);
    assert_eq!(listed_headlines(&second), ["Story 4", "Story 3", "Story 2"]);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed_headlines(&last), ["Story 1"]);
    app.assert_not_found("/page/4").await;
}

#[actix_web::test]
async fn the_pager_links_the_previous_next_and_every_page() {
    let app = spawn_three_a_page().await;
    publish(&app, "world", "Story", 7);
    let all = numbered(&[("1", "/"), ("2", "/page/2"), ("3", "/page/3")]);

    let (_, first) = app.get_html("/").await;
    let (_, second) = app.get_html("/page/2").await;
    let (_, last) = app.get_html("/page/3").await;

    assert_eq!(pager_rel(&first, "prev"), None);
    assert_eq!(pager_rel(&first, "next").as_deref(), Some("/page/2"));
    assert_eq!(pager_numbers(&first), (all.clone(), Some("1".into())));

    assert_eq!(pager_rel(&second, "prev").as_deref(), Some("/"));
    assert_eq!(pager_rel(&second, "next").as_deref(), Some("/page/3"));
    assert_eq!(pager_numbers(&second), (all.clone(), Some("2".into())));

    assert_eq!(pager_rel(&last, "prev").as_deref(), Some("/page/2"));
    assert_eq!(pager_rel(&last, "next"), None);
    assert_eq!(pager_numbers(&last), (all, Some("3".into())));
}

#[actix_web::test]
async fn a_later_page_says_which_page_it_is_in_its_title() {
    let app = spawn_three_a_page().await;
    publish(&app, "world", "Story", 4);

    let (_, second) = app.get_html("/page/2").await;
    let (_, section) = app.get_html("/section/world/page/2").await;

    assert_eq!(
        text_of(&second, "title").as_deref(),
        Some("Page 2 | Newsroom")
    );
    assert_eq!(
        text_of(&section, "title").as_deref(),
        Some("Page 2 | World | Newsroom")
    );
}

#[actix_web::test]
async fn malformed_or_out_of_range_page_numbers_are_friendly_404s() {
    let app = spawn_three_a_page().await;
    publish(&app, "world", "Story", 7);

    for listing in ["", "/section/world"] {
        for page in [
            "0",
            "-1",
            "abc",
            "2.5",
            "%20",
            "123456789012345678901234567890",
            "4",
            "10000000",
        ] {
            app.assert_not_found(&format!("{listing}/page/{page}"))
                .await;
        }
    }
}

#[actix_web::test]
async fn page_one_redirects_to_the_listing_itself() {
    let app = spawn_three_a_page().await;
    publish(&app, "world", "Story", 4);

    assert_is_redirect_to(&app.get("/page/1").await, "/");
    assert_is_redirect_to(&app.get("/section/world/page/1").await, "/section/world");
}

#[actix_web::test]
async fn a_section_page_lists_only_its_own_stories() {
    let app = spawn_three_a_page().await;
    publish(&app, "world", "World story", 2);
    publish(&app, "business", "Business story", 2);

    let (_, business) = app.get_html("/section/business").await;
    let (_, world) = app.get_html("/section/world").await;

    assert_eq!(
        listed_headlines(&business),
        ["Business story 2", "Business story 1"]
    );
    assert_eq!(listed_headlines(&world), ["World story 2", "World story 1"]);
    assert_eq!(
        select(&business, ".sections a[aria-current='page']")
            .first()
            .map(|a| a.text().collect::<String>())
            .as_deref(),
        Some("Business")
    );
}

#[actix_web::test]
async fn the_front_page_lists_every_section_newest_first() {
    let app = spawn_three_a_page().await;
    for (headline, section, at) in [
        ("World at nine", "world", datetime!(2020-03-01 09:00 UTC)),
        (
            "Business at half nine",
            "business",
            datetime!(2020-03-01 09:30 UTC),
        ),
        ("World at ten", "world", datetime!(2020-03-01 10:00 UTC)),
        (
            "Business at half ten",
            "business",
            datetime!(2020-03-01 10:30 UTC),
        ),
    ] {
        StoryBuilder::new(headline)
            .section(section)
            .published_at(at)
            .save(&app);
    }

    let (_, front) = app.get_html("/").await;
    let (_, second) = app.get_html("/page/2").await;

    assert_eq!(
        listed_headlines(&front),
        [
            "Business at half ten",
            "World at ten",
            "Business at half nine"
        ]
    );
    assert_eq!(listed_headlines(&second), ["World at nine"]);
}

#[actix_web::test]
async fn a_section_pages_through_its_own_stories() {
    let app = spawn_three_a_page().await;
    publish(&app, "world", "World story", 4);
    publish(&app, "business", "Business story", 1);

    let (_, world) = app.get_html("/section/world").await;
    let (status, world_two) = app.get_html("/section/world/page/2").await;
    let (_, business) = app.get_html("/section/business").await;

    assert_eq!(
        listed_headlines(&world),
        ["World story 4", "World story 3", "World story 2"]
    );
    assert_eq!(
        pager_rel(&world, "next").as_deref(),
        Some("/section/world/page/2")
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed_headlines(&world_two), ["World story 1"]);
    assert_eq!(
        pager_rel(&world_two, "prev").as_deref(),
        Some("/section/world")
    );
    assert_eq!(listed_headlines(&business), ["Business story 1"]);
    assert!(select(&business, ".pager").is_empty());
    app.assert_not_found("/section/business/page/2").await;
}

#[actix_web::test]
async fn an_unknown_section_is_a_404() {
    let app = spawn_three_a_page().await;

    app.assert_not_found("/section/astrology").await;
    app.assert_not_found("/section/astrology/page/2").await;
}

#[actix_web::test]
async fn stories_published_in_the_same_second_are_each_listed_once() {
    let app = spawn_three_a_page().await;
    let at = datetime!(2020-03-01 08:00 UTC);
    for n in 1..=5 {
        StoryBuilder::new(&format!("Simultaneous {n}"))
            .published_at(at)
            .save(&app);
    }

    let (_, first) = app.get_html("/").await;
    let (_, second) = app.get_html("/page/2").await;

    let mut all = listed_headlines(&first);
    assert_eq!(all.len(), 3);
    all.extend(listed_headlines(&second));
    all.sort();
    assert_eq!(
        all,
        (1..=5)
            .map(|n| format!("Simultaneous {n}"))
            .collect::<Vec<_>>()
    );
}

#[actix_web::test]
async fn every_story_appears_once_and_in_order_across_many_pages() {
    let app = spawn_three_a_page().await;
    // Publication times from seconds to years apart, saved out of order.
    let base = datetime!(2001-01-01 00:00 UTC);
    let offsets: Vec<i64> = (0..40i64)
        .map(|i| (i * i * i * 7919) % 900_000_000)
        .collect();
    for (n, offset) in offsets.iter().enumerate() {
        StoryBuilder::new(&format!("Story {n}"))
            .published_at(base + Duration::seconds(*offset))
            .save(&app);
    }
    let mut expected: Vec<(i64, usize)> = offsets.iter().copied().zip(0..).collect();
    expected.sort_by(|a, b| b.cmp(a));
    let expected: Vec<String> = expected
        .into_iter()
        .map(|(_, n)| format!("Story {n}"))
        .collect();

    let mut listed = Vec::new();
    let mut next = Some("/".to_owned());
    while let Some(path) = next {
        let (status, page) = app.get_html(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        listed.extend(listed_headlines(&page));
        next = pager_rel(&page, "next");
    }

    assert_eq!(listed, expected);
}

#[actix_web::test]
async fn a_story_moved_to_another_section_is_listed_only_there() {
    let app = spawn_three_a_page().await;
    let mut story = StoryBuilder::new("Trade talks")
        .published_at(datetime!(2020-03-01 08:00 UTC))
        .save(&app);

    story.content.section = Section::parse("business").expect("section");
    let revision = story.revision;
    app.store.save_story(&story, Some(revision)).expect("save");

    let (_, world) = app.get_html("/section/world").await;
    let (_, business) = app.get_html("/section/business").await;
    let (_, front) = app.get_html("/").await;
    assert!(listed_headlines(&world).is_empty());
    assert_eq!(listed_headlines(&business), ["Trade talks"]);
    assert_eq!(listed_headlines(&front), ["Trade talks"]);
}

#[actix_web::test]
async fn a_revised_headline_shows_in_the_listings() {
    let app = spawn_three_a_page().await;
    let mut story = StoryBuilder::new("Talks begin")
        .published_at(datetime!(2020-03-01 08:00 UTC))
        .save(&app);

    story.content.headline = Headline::parse("Talks begin in Geneva").expect("headline");
    let revision = story.revision;
    app.store.save_story(&story, Some(revision)).expect("save");

    for listing in ["/", "/section/world"] {
        let (_, html) = app.get_html(listing).await;
        assert_eq!(
            listed_headlines(&html),
            ["Talks begin in Geneva"],
            "{listing}"
        );
    }
}
