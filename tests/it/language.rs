//! A language per story: marked on its page, its listing entries, feeds, structured data and
//! ninjs, set on the form and by the wire import; the site's own language a setting.

use crate::helpers::{StoryBuilder, TestApp, TestSite, fixture, newsroom, run, select, text_of};
use newsroom::domain::{Language, Role};
use reqwest::StatusCode;
use time::macros::datetime;

fn arabic() -> Option<Language> {
    Some(Language::parse("ar").unwrap())
}

#[actix_web::test]
async fn an_arabic_story_is_marked_right_to_left_wherever_it_shows() {
    let app = TestApp::spawn().await;
    StoryBuilder::new("Envoys meet in Geneva")
        .published_at(datetime!(2026-03-01 08:00 UTC))
        .save(&app);
    let story = StoryBuilder::new("محادثات السلام تستأنف في جنيف")
        .section("politics")
        .published_at(datetime!(2026-03-01 09:00 UTC))
        .with(|s| {
            s.content.slug = newsroom::domain::Slug::parse("talks-resume").unwrap();
            s.content.language = arabic();
        })
        .save(&app);

    let (status, article) = app.get_html("/2026/03/01/talks-resume").await;
    assert_eq!(status, StatusCode::OK);
    let marked = select(&article, "article.story[lang='ar'][dir='rtl']");
    assert_eq!(
        marked.len(),
        1,
        "the article carries its language and direction"
    );
    // The page itself, and the site's own words in it, stay in the site's language.
    assert_eq!(select(&article, "html[lang='en']").len(), 1);
    assert_eq!(
        select(&article, "p.meta-line[lang='en'][dir='ltr']").len(),
        1
    );
    let json_ld = text_of(&article, "script[type='application/ld+json']").unwrap();
    assert!(json_ld.contains(r#""inLanguage":"ar""#), "{json_ld}");

    let (_, front) = app.get_html("/").await;
    assert_eq!(
        select(&front, "article.teaser[lang='ar'][dir='rtl']").len(),
        1
    );
    assert_eq!(
        select(&front, "article.teaser[lang]").len(),
        1,
        "only the Arabic one"
    );

    // A feed of one language says so; a feed of two cannot, and marks the entry instead.
    let section = app
        .get("/section/politics/rss.xml")
        .await
        .text()
        .await
        .unwrap();
    assert!(section.contains("<language>ar</language>"), "{section}");
    let front_rss = app.get("/rss.xml").await.text().await.unwrap();
    assert!(!front_rss.contains("<language>"), "{front_rss}");
    let atom = app.get("/atom.xml").await.text().await.unwrap();
    assert!(atom.contains(r#"xml:lang="en""#), "{atom}");
    assert!(
        atom.contains(r#"<title type="text" xml:lang="ar">"#) || atom.contains(r#"xml:lang="ar""#),
        "{atom}"
    );
    let json: serde_json::Value = app.get("/feed.json").await.json().await.unwrap();
    let languages: Vec<&str> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["language"].as_str().unwrap())
        .collect();
    assert_eq!(languages, ["ar", "en"]);

    // ninjs says it, and reads it back.
    let doc: serde_json::Value = app
        .get(&format!("/api/v1/stories/{}", story.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["language"], "ar");
    let doc: newsroom::ninjs::Document = serde_json::from_value(doc).unwrap();
    let english = Language::parse("en").unwrap();
    let read = newsroom::ninjs::story(
        &doc,
        newsroom::ninjs::Defaults {
            section: newsroom::domain::Section::parse("world").unwrap(),
            now: app.clock.now(),
            base_url: "https://elsewhere.example",
            language: &english,
        },
    )
    .unwrap();
    assert_eq!(read.content.language, arabic());
}

#[actix_web::test]
async fn the_form_takes_a_language_tag_and_refuses_what_is_not_one() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, "correct horse battery");
    let editor = app.login("zhang.dan", "correct horse battery").await;
    let csrf = editor.csrf("/desk/stories/new").await;
    let form = |language: &'static str| {
        reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("revision", "")
            .text("headline", "Talks resume")
            .text("bylines", "Ann Lee")
            .text("section", "world")
            .text("slug", "")
            .text("body", "The envoy spoke.")
            .text("language", language)
            .text("action", "save")
    };
    let refused = editor
        .client
        .post(app.url("/desk/stories"))
        .multipart(form("arabic!"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = scraper::Html::parse_document(&refused.text().await.unwrap());
    assert!(
        text_of(&html, "#language-error")
            .unwrap()
            .contains("language tag")
    );
    assert_eq!(
        crate::helpers::input_value(&html, "language").as_deref(),
        Some("arabic!")
    );

    let saved = editor
        .client
        .post(app.url("/desk/stories"))
        .multipart(form("zh_hans"))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, form_page) = editor
        .get_html(crate::helpers::location(&saved).unwrap().as_str())
        .await;
    assert_eq!(
        crate::helpers::input_value(&form_page, "language").as_deref(),
        Some("zh-Hans")
    );
}

#[actix_web::test]
async fn a_site_in_another_language_says_so_and_wire_copy_takes_its_own() {
    let site = TestSite::new();
    let mut command = newsroom(&site);
    command
        .arg("import-wire")
        .args(["--language", "zh-Hans"])
        .arg(fixture("wire-story-syria-talks.txt"));
    let imported = run(command);
    assert!(imported.status.success(), "{}", imported.stderr);
    let app = TestApp::spawn_in(site, |s| s.language = Language::parse("fr").unwrap()).await;
    let (_, front) = app.get_html("/").await;
    assert_eq!(select(&front, "html[lang='fr']").len(), 1);
    let teasers = select(&front, "article.teaser[lang='zh-Hans']");
    assert_eq!(teasers.len(), 1, "the imported copy is marked Chinese");
    assert!(teasers[0].attr("dir").is_some_and(|d| d == "ltr"));
}
