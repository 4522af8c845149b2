//! The readers' search over HTTP: what it finds (words in any of their forms, without their
//! accents, phrases, a section, newest first, page by page), how it shows it (the found words
//! marked, the masthead's box on every page), and how it answers what it cannot search for.
//! What each engine ranks first is its own business: these tests say what is found and what
//! is not, never in which order by relevance.

use crate::helpers::{StoryBuilder, TestApp, header, input_value, select, text_of};
use newsroom::domain::Section;
use reqwest::StatusCode;
use scraper::Html;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// The readers' search for `q` with the defaults (every section, most relevant first).
pub fn search_path(q: &str) -> String {
    newsroom::urls::search(q, None, "", 1)
}

/// The headlines the search `path` finds on its page, asserting it is a 200 results page.
pub async fn headlines_at(app: &TestApp, path: &str) -> Vec<String> {
    let (status, page) = app.get_html(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {}", page.html());
    result_headlines(&page)
}

/// The headlines a readers' search for `q` finds on its first page.
pub async fn found(app: &TestApp, q: &str) -> Vec<String> {
    headlines_at(app, &search_path(q)).await
}

pub fn result_headlines(page: &Html) -> Vec<String> {
    select(page, ".search-results h2 a")
        .iter()
        .map(|a| a.text().collect())
        .collect()
}

fn published(headline: &str, body: &str, at: OffsetDateTime) -> StoryBuilder {
    StoryBuilder::new(headline).body(body).published_at(at)
}

fn hours_ago(hours: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() - Duration::hours(hours)
}

#[actix_web::test]
async fn a_word_finds_the_stories_that_hold_it_in_any_form_and_no_others() {
    let app = TestApp::spawn().await;
    published(
        "Envoys end their talk in Geneva",
        "The talk lasted an hour.",
        hours_ago(2),
    )
    .save(&app);
    published("Harvest is late", "Farmers wait for rain.", hours_ago(1)).save(&app);

    assert_eq!(
        found(&app, "talks").await,
        ["Envoys end their talk in Geneva"]
    );
    assert_eq!(found(&app, "farmer").await, ["Harvest is late"]);
    assert!(found(&app, "volcano").await.is_empty());
}

#[actix_web::test]
async fn a_word_typed_without_its_accents_finds_it_with_them() {
    let app = TestApp::spawn().await;
    published(
        "Talks resume",
        "Delegates met again in Genève on Monday.",
        hours_ago(1),
    )
    .save(&app);

    assert_eq!(found(&app, "Geneve").await, ["Talks resume"]);
    assert_eq!(found(&app, "genève").await, ["Talks resume"]);
}

#[actix_web::test]
async fn a_quoted_phrase_finds_its_words_together_only() {
    let app = TestApp::spawn().await;
    published(
        "Parking fines rise",
        "A red car parked outside the hall.",
        hours_ago(2),
    )
    .save(&app);
    published(
        "Paint shop opens",
        "The car outside was painted red.",
        hours_ago(1),
    )
    .save(&app);

    let mut both = found(&app, "red car").await;
    both.sort();
    assert_eq!(both, ["Paint shop opens", "Parking fines rise"]);
    assert_eq!(found(&app, "\"red car\"").await, ["Parking fines rise"]);
}

#[actix_web::test]
async fn a_section_narrows_the_search_and_newest_puts_the_latest_first() {
    let app = TestApp::spawn().await;
    published("Harbour dredged", "The harbour reopens.", hours_ago(3))
        .section("world")
        .save(&app);
    published(
        "Harbour shares up",
        "The harbour company grew.",
        hours_ago(2),
    )
    .section("business")
    .save(&app);
    published("Harbour festival", "Boats fill the harbour.", hours_ago(1))
        .section("world")
        .save(&app);
    let business = Section::parse("business").unwrap();
    let world = Section::parse("world").unwrap();

    let in_business = headlines_at(
        &app,
        &newsroom::urls::search("harbour", Some(business), "", 1),
    )
    .await;
    let newest_in_world = headlines_at(
        &app,
        &newsroom::urls::search("harbour", Some(world), "newest", 1),
    )
    .await;
    let newest = headlines_at(&app, &newsroom::urls::search("harbour", None, "newest", 1)).await;

    assert_eq!(in_business, ["Harbour shares up"]);
    assert_eq!(newest_in_world, ["Harbour festival", "Harbour dredged"]);
    assert_eq!(
        newest,
        ["Harbour festival", "Harbour shares up", "Harbour dredged"]
    );
    let (_, page) = app
        .get_html(&newsroom::urls::search("harbour", Some(world), "newest", 1))
        .await;
    assert_eq!(
        select(&page, "#search-section option[selected]")[0]
            .value()
            .attr("value"),
        Some("world"),
        "the form shows the section searched"
    );
    assert_eq!(
        select(&page, "#search-order option[selected]")[0]
            .value()
            .attr("value"),
        Some("newest")
    );
}

#[actix_web::test]
async fn results_come_a_page_at_a_time_and_a_page_past_the_last_is_a_404() {
    let app = TestApp::spawn_with(|s| s.per_page = 2).await;
    for n in 0..5 {
        published(
            &format!("Lighthouse keeper number {n}"),
            "The lighthouse stands.",
            hours_ago(n + 1),
        )
        .save(&app);
    }

    let (status, first) = app.get_html(&search_path("lighthouse")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(result_headlines(&first).len(), 2);
    let next = crate::helpers::pager_rel(&first, "next").expect("a next page");
    assert!(next.contains("q=lighthouse"), "{next}");
    let (status, second) = app.get_html(&next).await;
    assert_eq!(status, StatusCode::OK);
    let (status, third) = app
        .get_html(&newsroom::urls::search("lighthouse", None, "", 3))
        .await;
    assert_eq!(status, StatusCode::OK);

    let mut all: Vec<String> = [&first, &second, &third]
        .into_iter()
        .flat_map(result_headlines)
        .collect();
    assert_eq!(all.len(), 5, "{all:?}");
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 5, "no story on two pages");
    assert!(text_of(&first, ".search-count").is_some_and(|c| c.contains('5')));
    app.assert_not_found(&newsroom::urls::search("lighthouse", None, "", 4))
        .await;
    app.assert_not_found("/search?q=lighthouse&page=0").await;
    app.assert_not_found("/search?q=lighthouse&page=x").await;
}

#[actix_web::test]
async fn a_result_links_its_headline_to_the_article_with_its_section_date_and_marked_words() {
    let app = TestApp::spawn().await;
    let at = datetime!(2026-11-30 10:00 UTC);
    let story = published(
        "Envoys meet",
        "Before the meeting the envoys spoke of <peace> & talks in the capital.",
        at,
    )
    .section("politics")
    .save(&app);

    let (_, page) = app.get_html(&search_path("talks")).await;

    let link = select(&page, ".search-results h2 a");
    assert_eq!(
        link[0].value().attr("href"),
        Some(newsroom::urls::article(at, &story.content.slug, 1).as_str())
    );
    assert!(
        select(&page, ".search-results a[href='/section/politics']").len() == 1,
        "the section links to its page"
    );
    let time = select(&page, ".search-results time");
    assert!(
        time[0]
            .value()
            .attr("datetime")
            .unwrap()
            .starts_with("2026-11-30")
    );
    let marked: Vec<String> = select(&page, ".search-results .snippet mark")
        .iter()
        .map(|m| m.text().collect::<String>().to_lowercase())
        .collect();
    assert!(!marked.is_empty(), "{}", page.html());
    assert!(marked.iter().all(|m| m.starts_with("talk")), "{marked:?}");
    assert!(
        !page.html().contains("<peace>"),
        "the story's text is escaped"
    );
    let article = app.get(link[0].value().attr("href").unwrap()).await;
    assert_eq!(article.status(), StatusCode::OK);
}

#[actix_web::test]
async fn every_readers_page_has_the_search_box_and_the_results_keep_the_words() {
    let app = TestApp::spawn().await;
    let at = hours_ago(1);
    let story = published("Bridge opens", "Traffic flows over the bridge.", at).save(&app);
    let article = newsroom::urls::article(at, &story.content.slug, 1);

    for path in ["/", "/section/world", article.as_str(), "/corrections"] {
        let (status, page) = app.get_html(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let forms = select(
            &page,
            "header form[role=search][method=get][action='/search']",
        );
        assert_eq!(forms.len(), 1, "{path}: the masthead's search form");
        let input = select(&page, "header form[role=search] input[name=q]");
        let id = input[0].value().attr("id").expect("the box has an id");
        assert_eq!(
            select(&page, &format!("header label[for='{id}']")).len(),
            1,
            "{path}: the box is labelled"
        );
        assert_eq!(input_value(&page, "q").unwrap_or_default(), "", "{path}");
    }

    let response = app.get(&search_path("bridge  ")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cache = header(response.headers(), reqwest::header::CACHE_CONTROL).unwrap_or_default();
    assert!(cache.contains("no-store"), "{cache}");
    assert!(
        header(response.headers(), reqwest::header::ETAG).is_none(),
        "results are not tied to the public version"
    );
    let page = Html::parse_document(&response.text().await.unwrap());
    assert_eq!(
        select(&page, "header input[name=q]")[0]
            .value()
            .attr("value"),
        Some("bridge  "),
        "the masthead keeps what was typed"
    );
    assert_eq!(
        select(&page, "meta[name=robots][content=noindex]").len(),
        1,
        "results are not for search engines"
    );
    assert_eq!(result_headlines(&page), ["Bridge opens"]);
}

#[actix_web::test]
async fn an_empty_search_is_the_form_with_a_prompt() {
    let app = TestApp::spawn().await;
    for path in [
        "/search",
        "/search?q=",
        "/search?q=%20%20",
        "/search?q=&page=9",
    ] {
        let (status, page) = app.get_html(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            text_of(&page, ".empty").is_some_and(|p| p.contains("Type the words")),
            "{path}: {}",
            page.html()
        );
        assert!(select(&page, ".search-results").is_empty());
        assert_eq!(select(&page, "#search-q").len(), 1);
    }
}

/// `path`'s 400 page: its message, and what the words field holds.
async fn refusal(app: &TestApp, path: &str) -> (String, String) {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
    let page = Html::parse_document(&response.text().await.unwrap());
    let message = text_of(&page, "#search-error").expect("a message saying what is wrong");
    let kept = select(&page, "#search-q")[0]
        .value()
        .attr("value")
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        select(
            &page,
            "#search-q[aria-invalid=true][aria-describedby=search-error]"
        )
        .len(),
        1,
        "{path}: the field points at its message"
    );
    (message, kept)
}

#[actix_web::test]
async fn what_cannot_be_searched_for_is_a_400_saying_why_with_the_words_kept() {
    let app = TestApp::spawn().await;
    published("Bridge opens", "Traffic flows.", hours_ago(1)).save(&app);

    let long = "bridge ".repeat(40);
    let (message, kept) = refusal(&app, &search_path(&long)).await;
    assert!(message.contains("too long"), "{message}");
    assert_eq!(kept, long);

    let many = "a b c d e f g h i j k l m n o p q r s t u v w x y z";
    let (message, kept) = refusal(&app, &search_path(many)).await;
    assert!(message.contains("words"), "{message}");
    assert_eq!(kept, many);

    let (message, kept) = refusal(&app, "/search?q=bridge&section=atlantis").await;
    assert!(message.contains("section"), "{message}");
    assert_eq!(kept, "bridge");

    let (message, kept) = refusal(&app, "/search?q=%3Cb%3Ebridge&order=oldest").await;
    assert!(message.contains("newest"), "{message}");
    assert_eq!(kept, "<b>bridge");

    let (message, _) = refusal(&app, "/search?q=bridge%00").await;
    assert!(message.contains("character"), "{message}");
}

#[actix_web::test]
async fn hostile_words_come_back_as_text() {
    let app = TestApp::spawn().await;
    let response = app.get(&search_path("\"><script>alert(1)</script>")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    assert!(!body.contains("<script>alert"), "{body}");
}
