//! Tag pages: stories filed under a tag, paginated, with feeds, in JSON-LD and ninjs, found by
//! search, in the sitemap; renamed and merged on the desk with the old address redirecting.

use crate::helpers::{StoryBuilder, TestApp, assert_is_redirect_to, listed_headlines, select};
use crate::search::found;
use newsroom::domain::{Role, Tags};
use reqwest::StatusCode;
use time::Duration;
use time::macros::datetime;

const PASSWORD: &str = "correct horse battery";

fn tagged(headline: &str, tags: &str, minutes: i64) -> StoryBuilder {
    let tags = Tags::parse(tags).unwrap();
    StoryBuilder::new(headline)
        .published_at(datetime!(2026-06-01 10:00 UTC) + Duration::minutes(minutes))
        .with(move |s| s.content.tags = tags)
}

async fn spawn() -> TestApp {
    TestApp::spawn_with(|s| {
        s.per_page = 2;
        s.base_url = "https://news.example".into();
    })
    .await
}

#[actix_web::test]
async fn a_tagged_story_is_on_its_tag_page_with_pages_and_feeds() {
    let app = spawn().await;
    tagged("Talks open", "Peace talks, Geneva", 0).save(&app);
    tagged("Talks stall", "peace talks", 1).save(&app);
    tagged("Talks resume", "Peace Talks", 2).save(&app);
    tagged("Unrelated", "Football", 3).save(&app);
    StoryBuilder::new("Draft about talks")
        .with(|s| s.content.tags = Tags::parse("Peace talks").unwrap())
        .save(&app);

    let (status, page) = app.get_html("/tag/peace-talks").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed_headlines(&page), ["Talks resume", "Talks stall"]);
    let (status, second) = app.get_html("/tag/peace-talks/page/2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed_headlines(&second), ["Talks open"]);
    assert_is_redirect_to(
        &app.get("/tag/peace-talks/page/1").await,
        "/tag/peace-talks",
    );
    app.assert_not_found("/tag/peace-talks/page/3").await;
    app.assert_not_found("/tag/nothing-here").await;

    for (path, kind) in [
        ("/tag/peace-talks/rss.xml", "application/rss+xml"),
        ("/tag/peace-talks/atom.xml", "application/atom+xml"),
        ("/tag/peace-talks/feed.json", "application/feed+json"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
        let text = response.text().await.unwrap();
        for headline in ["Talks open", "Talks stall", "Talks resume"] {
            assert!(text.contains(headline), "{path} lacks {headline}");
        }
        assert!(
            !text.contains("Unrelated") && !text.contains("Draft about"),
            "{path}"
        );
        assert!(
            text.contains("https://news.example/tag/peace-talks"),
            "{path}"
        );
    }
    let links = select(&page, "link[rel='alternate']");
    assert_eq!(links.len(), 3);
}

#[actix_web::test]
async fn an_article_links_its_tags_and_names_them_as_keywords_and_ninjs_subjects() {
    let app = spawn().await;
    let story = tagged("Talks open", "Peace talks, Geneva", 0).save(&app);
    let (_, page) = app.get_html("/2026/06/01/talks-open").await;
    let tags: Vec<String> = select(&page, ".story-tags a[rel='tag']")
        .iter()
        .map(|a| a.value().attr("href").unwrap().to_owned())
        .collect();
    assert_eq!(tags, ["/tag/peace-talks", "/tag/geneva"]);
    let ld = select(&page, "script[type='application/ld+json']")[0].inner_html();
    let ld: serde_json::Value = serde_json::from_str(&ld).unwrap();
    assert_eq!(ld["keywords"], serde_json::json!(["Peace talks", "Geneva"]));

    let doc: newsroom::ninjs::Document = app
        .get(&format!("/api/v1/stories/{}", story.id))
        .await
        .json()
        .await
        .unwrap();
    let subjects: Vec<_> = doc
        .subjects
        .iter()
        .filter(|s| s.rel.as_deref() == Some("tag"))
        .map(|s| (s.name.clone().unwrap(), s.literal.clone().unwrap()))
        .collect();
    assert_eq!(
        subjects,
        [
            ("Peace talks".to_owned(), "peace-talks".to_owned()),
            ("Geneva".to_owned(), "geneva".to_owned())
        ]
    );
    let back = newsroom::ninjs::story(
        &doc,
        newsroom::ninjs::Defaults {
            section: newsroom::domain::Section::parse("world").unwrap(),
            now: datetime!(2026-06-02 00:00 UTC),
            base_url: "https://news.example",
            language: &newsroom::domain::Language::parse("en").unwrap(),
        },
    )
    .unwrap();
    assert_eq!(back.content.tags, story.content.tags);
}

#[actix_web::test]
async fn search_finds_a_story_by_its_tag_and_the_sitemap_lists_the_tag_page() {
    let app = spawn().await;
    publish(&app, "Envoys meet", "Zanzibar accord");
    assert_eq!(found(&app, "zanzibar").await, ["Envoys meet"]);
    let sitemap = app.get("/sitemaps/topics.xml").await.text().await.unwrap();
    assert!(
        sitemap.contains("<loc>https://news.example/tag/zanzibar-accord</loc>"),
        "{sitemap}"
    );
    let index = app.get("/sitemap.xml").await.text().await.unwrap();
    assert!(
        index.contains("https://news.example/sitemaps/topics.xml"),
        "{index}"
    );
}

/// Saves a tagged story through the desk's rules, so its tags get their records.
fn publish(app: &TestApp, headline: &str, tags: &str) -> newsroom::domain::Story {
    let mut content = StoryBuilder::new(headline).into_story().content;
    content.tags = Tags::parse(tags).unwrap();
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

#[actix_web::test]
async fn a_tag_renamed_or_merged_on_the_desk_redirects_from_its_old_address() {
    let app = spawn().await;
    app.create_user("edna", Role::Editor, PASSWORD);
    let first = publish(&app, "Talks open", "Peace talks");
    publish(&app, "Talks end", "Geneva talks");
    let editor = app.login("edna", PASSWORD).await;
    let csrf = editor.csrf("/desk/tags").await;

    let (_, list) = editor.get_html("/desk/tags").await;
    assert_eq!(select(&list, "#tag-peace-talks").len(), 1);

    // A bad name is refused beside the tag, with what was typed kept.
    let refused = editor
        .post_form(
            "/desk/tags/peace-talks/rename",
            &[("csrf", &csrf), ("name", "!!!")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("value=\"!!!\""));

    let renamed = editor
        .post_form(
            "/desk/tags/peace-talks/rename",
            &[("csrf", &csrf), ("name", "Peace process")],
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
    assert_is_redirect_to(&app.get("/tag/peace-talks").await, "/tag/peace-process");
    assert_is_redirect_to(
        &app.get("/tag/peace-talks/rss.xml").await,
        "/tag/peace-process/rss.xml",
    );
    let (status, page) = app.get_html("/tag/peace-process").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed_headlines(&page), ["Talks open"]);
    let stored = app.store.story(first.id).unwrap().unwrap();
    assert_eq!(stored.content.tags.to_form(), "Peace process");
    assert!(
        stored.revision > first.revision,
        "saved again at a new revision"
    );

    let merged = editor
        .post_form(
            "/desk/tags/geneva-talks/merge",
            &[("csrf", &csrf), ("into", "peace-process")],
        )
        .await;
    assert_eq!(merged.status(), StatusCode::SEE_OTHER);
    assert_is_redirect_to(&app.get("/tag/geneva-talks").await, "/tag/peace-process");
    let (_, page) = app.get_html("/tag/peace-process").await;
    assert_eq!(listed_headlines(&page), ["Talks end", "Talks open"]);

    let (_, audit) = app
        .login("edna", PASSWORD)
        .await
        .get_html("/desk/tags")
        .await;
    assert!(select(&audit, "#tag-geneva-talks").is_empty());

    // A story tagged with the old name makes it a tag again: its page lists it, no redirect.
    publish(&app, "Talks resume", "Geneva talks");
    let (status, page) = app.get_html("/tag/geneva-talks").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed_headlines(&page), ["Talks resume"]);

    // Writers cannot manage tags.
    app.create_user("wendy", Role::Writer, PASSWORD);
    let writer = app.login("wendy", PASSWORD).await;
    assert_eq!(
        writer.get("/desk/tags").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn tag_and_author_pages_render_for_the_checkers() {
    let app = spawn().await;
    app.create_user("edna", Role::Editor, PASSWORD);
    let editor = app.login("edna", PASSWORD).await;
    let csrf = editor.csrf("/desk/authors").await;
    let created = editor
        .post_form(
            "/desk/authors",
            &[
                ("csrf", &csrf),
                ("name", "Test Writer"),
                ("bio", "Writes tests.\n\nAnd pages."),
                ("links", "https://social.example/@test"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let story = publish(&app, "Talks open", "Peace talks, Geneva");
    publish(&app, "Talks end", "Peace talks");
    publish(&app, "Talks resume", "Peace talks");
    let article = newsroom::urls::article(story.published_at.unwrap(), &story.content.slug, 1);
    let refused = editor
        .post_form(
            "/desk/authors",
            &[("csrf", &csrf), ("name", ""), ("bio", "x")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut pages = vec![(
        "desk-authors-refused.html".to_owned(),
        refused.text().await.unwrap(),
    )];
    for (name, path) in [
        ("tag.html", "/tag/peace-talks"),
        ("tag-2.html", "/tag/peace-talks/page/2"),
        ("author.html", "/author/test-writer"),
        ("tagged-article.html", article.as_str()),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        pages.push((name.to_owned(), response.text().await.unwrap()));
    }
    for (name, path) in [
        ("desk-tags.html", "/desk/tags"),
        ("desk-authors.html", "/desk/authors"),
        ("desk-author.html", "/desk/authors/test-writer"),
        ("story-form-suggestions.html", "/desk/stories/new"),
    ] {
        let response = editor.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        pages.push((name.to_owned(), response.text().await.unwrap()));
    }
    if let Some(dir) = std::env::var_os("NEWSROOM_MARKUP_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, body) in &pages {
            std::fs::write(dir.join(name), body).unwrap();
        }
    }
}
