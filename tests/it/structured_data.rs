//! What search engines and social sites read on an article page: canonical links, Open Graph,
//! Twitter cards and NewsArticle JSON-LD.

use crate::feeds::{BASE, full_story, spawn};
use crate::helpers::{StoryBuilder, TestApp, select};
use newsroom::domain::Standfirst;
use reqwest::StatusCode;
use scraper::Html;
use serde_json::Value;
use time::macros::datetime;

const ARTICLE: &str = "/2017/07/15/peace-talks-resume";

async fn page(app: &TestApp, path: &str) -> (String, Html) {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let raw = response.text().await.expect("body");
    let html = Html::parse_document(&raw);
    (raw, html)
}

fn attr(html: &Html, selector: &str, name: &str) -> Option<String> {
    select(html, selector)
        .first()
        .and_then(|e| e.value().attr(name))
        .map(str::to_owned)
}

fn meta(html: &Html, key: &str) -> Option<String> {
    attr(html, &format!("meta[property='{key}']"), "content")
        .or_else(|| attr(html, &format!("meta[name='{key}']"), "content"))
}

fn json_ld(html: &Html) -> Value {
    let scripts = select(html, "script[type='application/ld+json']");
    assert_eq!(scripts.len(), 1, "one JSON-LD block");
    let text: String = scripts[0].text().collect();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("JSON-LD does not parse ({e}): {text}"))
}

#[actix_web::test]
async fn each_page_of_a_story_has_its_own_canonical_url() {
    let app = spawn().await;
    let (builder, _) = full_story("Peace talks resume");
    builder.save(&app);

    let (_, first) = page(&app, ARTICLE).await;
    let (_, second) = page(&app, &format!("{ARTICLE}/page/2")).await;

    assert_eq!(
        attr(&first, "link[rel=canonical]", "href"),
        Some(format!("{BASE}{ARTICLE}"))
    );
    assert_eq!(
        attr(&second, "link[rel=canonical]", "href"),
        Some(format!("{BASE}{ARTICLE}/page/2"))
    );
    assert_eq!(
        meta(&second, "og:url"),
        Some(format!("{BASE}{ARTICLE}/page/2"))
    );
}

#[actix_web::test]
async fn an_article_carries_open_graph_and_twitter_cards() {
    let app = spawn().await;
    let (builder, photo) = full_story("Peace talks resume");
    builder.save(&app);

    let (_, html) = page(&app, ARTICLE).await;

    let image = format!("{BASE}/media/{photo}");
    for (key, value) in [
        ("og:type", "article"),
        ("og:site_name", "Newsroom"),
        ("og:title", "Peace talks resume"),
        ("og:description", "Talks resume & hopes rise"),
        ("og:image", image.as_str()),
        ("og:image:alt", "Envoys meet & talk"),
        ("article:published_time", "2017-07-15T07:11:57Z"),
        ("article:section", "World"),
        ("twitter:card", "summary_large_image"),
        ("twitter:title", "Peace talks resume"),
        ("twitter:image", image.as_str()),
    ] {
        assert_eq!(meta(&html, key).as_deref(), Some(value), "{key}");
    }
}

#[actix_web::test]
async fn an_article_describes_itself_as_a_news_article_in_json_ld() {
    let app = spawn().await;
    let (builder, photo) = full_story("Peace talks resume");
    builder.save(&app);

    let (_, html) = page(&app, ARTICLE).await;
    let ld = json_ld(&html);

    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], "Peace talks resume");
    assert_eq!(ld["url"], format!("{BASE}{ARTICLE}"));
    assert_eq!(ld["datePublished"], "2017-07-15T07:11:57Z");
    assert!(ld["dateModified"].is_string());
    let authors: Vec<&str> = ld["author"]
        .as_array()
        .expect("authors")
        .iter()
        .map(|a| a["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(authors, ["Ann Lee", "Bob Ray"]);
    assert_eq!(ld["publisher"]["@type"], "Organization");
    assert_eq!(ld["publisher"]["name"], "Newsroom");
    let image = &ld["image"][0];
    assert_eq!(image["@type"], "ImageObject");
    assert_eq!(image["url"], format!("{BASE}/media/{photo}"));
    assert_eq!(image["caption"], "Envoys meet & talk");
    assert_eq!(image["creditText"], "Jane Doe/Agency");
    assert_eq!(ld["dateline"], "GENEVA, July 14");
    assert_eq!(ld["locationCreated"]["name"], "GENEVA");
}

#[actix_web::test]
async fn hostile_text_cannot_break_out_of_the_tags_or_the_script() {
    let app = spawn().await;
    let hostile = r#"</script><script>alert(1)</script> & <!-- "q" 'a' ]]>"#;
    StoryBuilder::new(hostile)
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .with(|s| s.content.standfirst = Some(Standfirst::parse(hostile).unwrap()))
        .save(&app);
    let (_, front) = app.get_html("/").await;
    let path = attr(&front, ".story-list h2 a", "href").expect("a listed story");

    let response = app.get(&path).await;
    let csp =
        crate::helpers::header(response.headers(), "content-security-policy").unwrap_or_default();
    let raw = response.text().await.expect("body");
    let html = Html::parse_document(&raw);

    assert_eq!(
        raw.matches("<script").count(),
        1,
        "only the JSON-LD element:\n{raw}"
    );
    assert_eq!(raw.matches("</script>").count(), 1, "{raw}");
    assert!(!raw.contains("<!--"), "{raw}");
    let ld = json_ld(&html);
    assert_eq!(ld["headline"], hostile);
    assert_eq!(ld["description"], hostile);
    assert_eq!(meta(&html, "og:title").as_deref(), Some(hostile));
    assert_eq!(meta(&html, "twitter:description").as_deref(), Some(hostile));
    // JSON-LD is data, not script: the policy that forbids inline script stays as it was.
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
}

#[actix_web::test]
async fn an_article_without_a_photo_gets_a_summary_card() {
    let app = spawn().await;
    StoryBuilder::new("Peace talks resume")
        .body("The first paragraph.\n\nThe second.")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .save(&app);

    let (_, html) = page(&app, ARTICLE).await;

    assert_eq!(meta(&html, "twitter:card").as_deref(), Some("summary"));
    // The publisher's logo stands in for the missing photo.
    let logo = json_ld(&html)["publisher"]["logo"]["url"].clone();
    assert_eq!(meta(&html, "og:image").as_deref(), logo.as_str());
    assert_eq!(
        meta(&html, "og:description").as_deref(),
        Some("The first paragraph.")
    );
    assert_eq!(json_ld(&html)["image"][0]["url"], logo);
}
