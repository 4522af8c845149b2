//! Authors' profiles: made on the desk, linked from bylines when a story is saved, with a page
//! and feeds of their own, Person or Organization in JSON-LD, and the wire's agency linked.

use crate::helpers::{StoryBuilder, TestApp, fixture, listed_headlines, select, text_of};
use newsroom::domain::{Bylines, Role, Section};
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";

async fn spawn() -> TestApp {
    TestApp::spawn_with(|s| s.base_url = "https://news.example".into()).await
}

fn publish(app: &TestApp, headline: &str, bylines: &str) -> newsroom::domain::Story {
    let mut content = StoryBuilder::new(headline).into_story().content;
    content.bylines = Bylines::parse(bylines).unwrap();
    let edit = newsroom::editorial::Edit {
        story: None,
        expected_revision: None,
        content,
        filed_at: None,
        step: newsroom::editorial::Step::Publish,
        note: None,
        zone: newsroom::domain::SiteZone::utc(),
    };
    newsroom::editorial::save(
        &*app.store,
        &newsroom::editorial::Actor::CommandLine,
        edit,
        time::OffsetDateTime::now_utc(),
    )
    .unwrap()
}

async fn editor(app: &TestApp) -> crate::helpers::Browser {
    app.create_user("edna", Role::Editor, PASSWORD);
    app.login("edna", PASSWORD).await
}

async fn create_profile(
    browser: &crate::helpers::Browser,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = browser.csrf("/desk/authors").await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    browser.post_form("/desk/authors", &form).await
}

#[actix_web::test]
async fn a_profile_made_on_the_desk_gets_a_page_with_its_stories_and_feeds() {
    let app = spawn().await;
    let desk = editor(&app).await;
    let refused = create_profile(
        &desk,
        &[("name", "Ann Lee"), ("links", "javascript:alert(1)")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = scraper::Html::parse_document(&refused.text().await.unwrap());
    assert_eq!(
        crate::helpers::input_value(&html, "name").as_deref(),
        Some("Ann Lee")
    );
    assert!(text_of(&html, "#links-error").is_some());

    let created = create_profile(
        &desk,
        &[
            ("name", "Ann Lee"),
            ("bio", "Ann covers diplomacy from Geneva."),
            ("links", "https://social.example/@ann"),
        ],
    )
    .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let story = publish(&app, "Talks open", "Ann Lee\nBob Free");
    publish(&app, "Someone else's", "Bob Free");

    let (status, page) = app.get_html("/author/ann-lee").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&page, "h1").as_deref(), Some("Ann Lee"));
    assert_eq!(
        text_of(&page, ".about p").as_deref(),
        Some("Ann covers diplomacy from Geneva.")
    );
    assert_eq!(
        select(
            &page,
            ".about a[rel='me'][href='https://social.example/@ann']"
        )
        .len(),
        1
    );
    assert_eq!(listed_headlines(&page), ["Talks open"]);
    // The teaser's byline links to the profile; the free byline stays text.
    assert_eq!(
        select(&page, ".teaser-meta a[href='/author/ann-lee']").len(),
        1
    );
    for feed in [
        "/author/ann-lee/rss.xml",
        "/author/ann-lee/atom.xml",
        "/author/ann-lee/feed.json",
    ] {
        let response = app.get(feed).await;
        assert_eq!(response.status(), StatusCode::OK, "{feed}");
        let text = response.text().await.unwrap();
        assert!(
            text.contains("Talks open") && !text.contains("Someone else"),
            "{feed}"
        );
    }
    app.assert_not_found("/author/nobody").await;

    let path = newsroom::urls::article(story.published_at.unwrap(), &story.content.slug, 1);
    let (_, article) = app.get_html(&path).await;
    let links: Vec<_> = select(&article, ".byline a.author")
        .iter()
        .map(|a| a.value().attr("href").unwrap().to_owned())
        .collect();
    assert_eq!(links, ["/author/ann-lee"]);
    let ld = select(&article, "script[type='application/ld+json']")[0].inner_html();
    let ld: serde_json::Value = serde_json::from_str(&ld).unwrap();
    assert_eq!(
        ld["author"],
        serde_json::json!([
            { "@type": "Person", "name": "Ann Lee", "url": "https://news.example/author/ann-lee" },
            { "@type": "Person", "name": "Bob Free" },
        ])
    );

    let sitemap = app.get("/sitemaps/topics.xml").await.text().await.unwrap();
    assert!(
        sitemap.contains("<loc>https://news.example/author/ann-lee</loc>"),
        "{sitemap}"
    );
}

#[actix_web::test]
async fn the_wire_import_links_its_agency_to_its_profile_as_an_organization() {
    let app = spawn().await;
    let desk = editor(&app).await;
    let created = create_profile(&desk, &[("name", "Xinhua"), ("organization", "on")]).await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);

    let text = std::fs::read_to_string(fixture("wire-story-syria-talks.txt")).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let story = newsroom::import::wire::parse(&text)
        .unwrap()
        .into_story(Section::parse("world").unwrap(), now);
    let imported = newsroom::editorial::import_wire(
        &*app.store,
        &newsroom::editorial::Actor::CommandLine,
        story,
        now,
    )
    .unwrap();
    let newsroom::editorial::Imported::New(story) = imported else {
        panic!("imported before")
    };
    let path = newsroom::urls::article(story.published_at.unwrap(), &story.content.slug, 1);
    let (_, article) = app.get_html(&path).await;
    assert_eq!(
        select(&article, ".byline a[href='/author/xinhua']").len(),
        1
    );
    let ld = select(&article, "script[type='application/ld+json']")[0].inner_html();
    let ld: serde_json::Value = serde_json::from_str(&ld).unwrap();
    assert_eq!(
        ld["author"],
        serde_json::json!([
            { "@type": "Organization", "name": "Xinhua", "url": "https://news.example/author/xinhua" },
        ])
    );
    let (_, page) = app.get_html("/author/xinhua").await;
    assert_eq!(
        listed_headlines(&page),
        [story.content.headline.to_string()]
    );
}
