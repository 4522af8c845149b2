//! What independent checkers read: the icons, meta descriptions, `Vary` and `Cache-Control`
//! headers, RSS details, the JSON Feed and the publisher's logo. `every_page_renders_for_the_checkers`
//! also writes the pages and feeds to `NEWSROOM_MARKUP_DIR` when set, for scripts/check-markup.

use crate::feeds::{child, full_story, get_xml, parse, text};
use crate::helpers::{StoryBuilder, TestApp, header, runs_once, select};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use newsroom::domain::{Caption, LeadPhoto, PhotoId, Role};
use newsroom::domain::{Photo, Rendition};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};
use std::io::Cursor;
use time::macros::datetime;

const BASE: &str = "https://news.example";
const ATOM: &str = "http://www.w3.org/2005/Atom";
const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
const PASSWORD: &str = "correct horse battery";

async fn spawn() -> TestApp {
    TestApp::spawn_with(|s| s.base_url = BASE.into()).await
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, Rgb([200, 30, 30])));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Jpeg).expect("encode");
    out.into_inner()
}

/// A photo with two renditions, stored as an upload would store it; the widest's bytes.
fn stored_photo(app: &TestApp) -> (PhotoId, Vec<u8>) {
    let id = PhotoId::new();
    let (narrow, wide) = (jpeg(20, 10), jpeg(64, 32));
    let record = Photo {
        id,
        content_type: "image/jpeg".into(),
        width: 64,
        height: 32,
        uploaded_by: None,
        uploaded_at: time::OffsetDateTime::UNIX_EPOCH,
        hash: Some(newsroom::photos::content_hash(&wide)),
        renditions: vec![
            Rendition {
                width: 20,
                height: 10,
            },
            Rendition {
                width: 64,
                height: 32,
            },
        ],
        caption: "Envoys meet".into(),
        credit: "Staff".into(),
        alt: "Envoys at a table".into(),
        focal: newsroom::domain::FocalPoint::CENTRE,
        crops: Vec::new(),
    };
    app.store
        .save_photo(&record, &wide, &[narrow, wide.clone()], &[])
        .expect("save photo");
    (id, wide)
}

fn with_photo(id: PhotoId) -> impl FnOnce(&mut newsroom::domain::Story) {
    move |story| {
        story.content.photo = Some(LeadPhoto {
            image: Some(id),
            caption: Caption::parse("Envoys meet").unwrap(),
            credit: None,
            alt: None,
        });
    }
}

#[actix_web::test]
async fn an_rss_enclosure_states_the_byte_size_readers_get() {
    let app = spawn().await;
    let (photo, widest) = stored_photo(&app);
    StoryBuilder::new("Envoys meet")
        .published_at(datetime!(2026-11-30 10:00 UTC))
        .with(with_photo(photo))
        .save(&app);

    let (_, rss) = get_xml(&app, "/rss.xml").await;
    let served = app
        .get(&format!("/media/{photo}"))
        .await
        .bytes()
        .await
        .unwrap();

    let doc = parse(&rss);
    let item = child(child(doc.root_element(), None, "channel"), None, "item");
    let enclosure = child(item, None, "enclosure");
    assert_eq!(
        enclosure.attribute("length"),
        Some(widest.len().to_string().as_str())
    );
    assert_eq!(served.len(), widest.len());
}

#[actix_web::test]
async fn rss_names_itself_and_summarises_every_item_before_its_full_text() {
    let app = spawn().await;
    StoryBuilder::new("No standfirst here")
        .body("The talks ended without a deal.\n\nMore later.")
        .published_at(datetime!(2026-11-30 10:00 UTC))
        .save(&app);

    let (_, rss) = get_xml(&app, "/section/world/rss.xml").await;

    let doc = parse(&rss);
    let channel = child(doc.root_element(), None, "channel");
    let own = child(channel, Some(ATOM), "link");
    assert_eq!(own.attribute("rel"), Some("self"));
    assert_eq!(
        own.attribute("href"),
        Some(format!("{BASE}/section/world/rss.xml").as_str())
    );
    assert_eq!(own.attribute("type"), Some("application/rss+xml"));
    let item = child(channel, None, "item");
    assert_eq!(
        text(item, None, "description"),
        "The talks ended without a deal."
    );
    let content = item
        .children()
        .position(|n| n.tag_name().namespace() == Some(CONTENT))
        .unwrap();
    let description_at = item
        .children()
        .position(|n| n.tag_name().name() == "description")
        .unwrap();
    assert!(description_at < content, "{rss}");
}

#[actix_web::test]
async fn a_json_feed_is_served_and_advertised_beside_rss_and_atom() {
    let app = spawn().await;
    let (builder, _) = full_story("Peace talks resume");
    builder.save(&app);

    for (page, feed, items) in [
        ("/", "/feed.json", 1),
        ("/section/world", "/section/world/feed.json", 1),
        ("/section/sport", "/section/sport/feed.json", 0),
    ] {
        let (_, html) = app.get_html(page).await;
        let advertised: Vec<_> = select(&html, "link[rel=alternate][type='application/feed+json']")
            .iter()
            .map(|l| l.value().attr("href").unwrap_or_default().to_owned())
            .collect();
        assert_eq!(advertised, [feed], "{page}");

        let response = app.get(feed).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            header(response.headers(), reqwest::header::CONTENT_TYPE).as_deref(),
            Some("application/feed+json; charset=utf-8")
        );
        let json: serde_json::Value = response.json().await.unwrap();
        assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
        assert_eq!(json["feed_url"], format!("{BASE}{feed}"));
        assert_eq!(json["items"].as_array().unwrap().len(), items, "{feed}");
    }
    let json: serde_json::Value = app.get("/feed.json").await.json().await.unwrap();
    let item = &json["items"][0];
    assert_eq!(item["title"], "Peace talks resume");
    assert_eq!(item["url"], format!("{BASE}/2017/07/15/peace-talks-resume"));
    assert_eq!(item["summary"], "Talks resume & hopes rise");
    assert_eq!(item["date_published"], "2017-07-15T07:11:57Z");
    assert!(
        item["content_html"]
            .as_str()
            .unwrap()
            .contains("<p>Second page.</p>")
    );
}

#[actix_web::test]
async fn pages_describe_themselves_for_search_results() {
    let app = spawn().await;
    StoryBuilder::new("Talks end")
        .body("The talks ended without a deal.\n\nMore later.")
        .published_at(datetime!(2026-11-30 10:00 UTC))
        .save(&app);

    let description = |html: &scraper::Html| {
        select(html, "meta[name=description]")
            .iter()
            .map(|m| m.value().attr("content").unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    let (_, front) = app.get_html("/").await;
    let (_, section) = app.get_html("/section/world").await;
    let (_, article) = app.get_html("/2026/11/30/talks-end").await;
    assert_eq!(description(&front), ["The latest news from Newsroom."]);
    assert_eq!(
        description(&section),
        ["The latest World news from Newsroom."]
    );
    assert_eq!(description(&article), ["The talks ended without a deal."]);
}

#[actix_web::test]
async fn the_publisher_carries_the_configured_logo() {
    let app = TestApp::spawn_with(|s| {
        s.base_url = BASE.into();
        s.logo = newsroom::urls::assets::Logo {
            url: "https://cdn.example/logo.png".into(),
            width: 600,
            height: 60,
        };
    })
    .await;
    let shipped = spawn().await;
    for app in [&app, &shipped] {
        StoryBuilder::new("Talks end")
            .published_at(datetime!(2026-11-30 10:00 UTC))
            .save(app);
    }

    let logo = |html: scraper::Html| {
        let script = select(&html, "script[type='application/ld+json']")[0].inner_html();
        let ld: serde_json::Value = serde_json::from_str(&script).unwrap();
        ld["publisher"]["logo"].clone()
    };
    let configured = logo(app.get_html("/2026/11/30/talks-end").await.1);
    assert_eq!(configured["@type"], "ImageObject");
    assert_eq!(configured["url"], "https://cdn.example/logo.png");
    assert_eq!(
        (configured["width"].as_u64(), configured["height"].as_u64()),
        (Some(600), Some(60))
    );
    let default = logo(shipped.get_html("/2026/11/30/talks-end").await.1);
    let url = default["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{BASE}/static/img/logo.png")),
        "{url}"
    );
    let path = url.strip_prefix(BASE).unwrap();
    let served = shipped.get(path).await;
    assert_eq!(served.status(), StatusCode::OK);
    let bytes = served.bytes().await.unwrap();
    let image = image::load_from_memory(&bytes).unwrap();
    assert_eq!(
        (Some(image.width() as u64), Some(image.height() as u64)),
        (default["width"].as_u64(), default["height"].as_u64())
    );
}

#[actix_web::test]
async fn the_favicon_and_icons_are_served_and_kept() {
    let app = spawn().await;
    let (_, front) = app.get_html("/").await;
    let icons: Vec<_> = select(&front, "link[rel=icon], link[rel=apple-touch-icon]")
        .iter()
        .map(|l| l.value().attr("href").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(icons.len(), 3, "{icons:?}");

    for path in icons.iter().map(String::as_str).chain(["/favicon.ico"]) {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let cache = header(response.headers(), CACHE_CONTROL).unwrap_or_default();
        assert!(cache.starts_with("max-age="), "{path}: {cache}");
        assert!(!cache.contains("public"), "{path}: {cache}");
    }
    let desk = app.get("/login").await.text().await.unwrap();
    assert!(desk.contains("rel=\"icon\""), "the desk names its icon too");
}

#[actix_web::test]
async fn every_answer_that_may_be_compressed_says_it_varies_with_the_coding() {
    let app = spawn().await;
    StoryBuilder::new("Talks end")
        .published_at(datetime!(2026-11-30 10:00 UTC))
        .save(&app);
    let css = newsroom::urls::assets::css_url();
    let client = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();

    for path in [
        css,
        "/",
        "/2026/11/30/talks-end",
        "/rss.xml",
        "/feed.json",
        "/sitemap.xml",
        "/no-such-page",
    ] {
        for coding in [None, Some("gzip"), Some("br")] {
            let mut request = client.get(app.url(path));
            if let Some(coding) = coding {
                request = request.header(ACCEPT_ENCODING, coding);
            }
            let response = request.send().await.unwrap();
            let vary: Vec<_> = response.headers().get_all(VARY).iter().collect();
            assert_eq!(vary.len(), 1, "{path} {coding:?}: {vary:?}");
            assert!(
                vary[0]
                    .to_str()
                    .unwrap()
                    .eq_ignore_ascii_case("accept-encoding"),
                "{path} {coding:?}: {vary:?}"
            );
            assert_eq!(
                header(response.headers(), CONTENT_ENCODING).as_deref(),
                coding,
                "{path}"
            );
            let cache = header(response.headers(), CACHE_CONTROL).unwrap_or_default();
            assert!(!cache.contains("public"), "{path}: {cache}");
        }
    }
    let (photo, _) = stored_photo(&app);
    StoryBuilder::new("Envoys meet")
        .published_at(datetime!(2026-11-30 11:00 UTC))
        .with(with_photo(photo))
        .save(&app);
    let jpeg = client
        .get(app.url(&format!("/media/{photo}")))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert!(
        jpeg.headers().get(VARY).is_none(),
        "a photo is the same bytes for everyone"
    );
}

/// Every page template once, reader and desk, as the HTML and feed checkers get them.
#[actix_web::test]
async fn every_page_renders_for_the_checkers() {
    if !runs_once("every_page_renders_for_the_checkers") {
        return;
    }
    let app = spawn().await;
    let (photo, _) = stored_photo(&app);
    let story = StoryBuilder::new("Peace talks resume in Geneva")
        .body("GENEVA -- The talks resumed.\n\n<!--nextpage-->\n\nThe second page.")
        .published_at(datetime!(2026-11-30 10:00 UTC))
        .with(with_photo(photo))
        // A correction, so that the article, its feeds and /corrections show one.
        .with(|story| {
            story.notes.push(newsroom::domain::PublicNote {
                kind: newsroom::domain::NoteKind::Correction,
                text: newsroom::domain::NoteText::parse(
                    "The talks resumed on Monday.\n\nNot on Sunday.",
                )
                .unwrap(),
                at: datetime!(2026-11-30 12:00:00.123456 UTC),
            });
            story.revised_at = Some(datetime!(2026-11-30 12:00:00.123456 UTC));
        })
        .save(&app);
    StoryBuilder::new("A second story")
        .section("sport")
        .published_at(datetime!(2026-11-30 09:00 UTC))
        .save(&app);
    let token = app.setup_token.clone().expect("a fresh site offers setup");
    let setup = app.get(&format!("/setup/{token}")).await;
    assert_eq!(setup.status(), StatusCode::OK);
    let setup = setup.text().await.unwrap();
    app.create_user("ada", Role::Admin, PASSWORD);
    let desk = app.login("ada", PASSWORD).await;
    let csrf = desk.csrf("/desk/stories/new").await;
    let refused = desk
        .client
        .post(app.url("/desk/stories"))
        .multipart(
            reqwest::multipart::Form::new()
                .text("csrf", csrf)
                .text("headline", "")
                .text("bylines", "Ann Lee")
                .text("section", "world")
                .text("body", "Text.")
                .text("action", "save"),
        )
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_client_error(), "{}", refused.status());
    let story_with_errors = refused.text().await.unwrap();
    assert!(
        story_with_errors.contains("field-error"),
        "{story_with_errors}"
    );

    let mut pages = vec![
        ("setup.html".to_owned(), setup),
        ("story-form-errors.html".to_owned(), story_with_errors),
    ];
    let reader = [
        ("front.html", "/".to_owned()),
        ("section.html", "/section/world".to_owned()),
        (
            "article-1.html",
            "/2026/11/30/peace-talks-resume-in-geneva".to_owned(),
        ),
        (
            "article-2.html",
            "/2026/11/30/peace-talks-resume-in-geneva/page/2".to_owned(),
        ),
        ("corrections.html", "/corrections".to_owned()),
        ("404.html", "/no-such-page".to_owned()),
        ("login.html", "/login".to_owned()),
        ("rss.xml", "/rss.xml".to_owned()),
        ("atom.xml", "/atom.xml".to_owned()),
        ("section-rss.xml", "/section/world/rss.xml".to_owned()),
        ("section-atom.xml", "/section/world/atom.xml".to_owned()),
        ("feed.json", "/feed.json".to_owned()),
    ];
    for (name, path) in reader {
        let response = app.get(&path).await;
        let expected = if name == "404.html" {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(response.status(), expected, "{path}");
        pages.push((name.to_owned(), response.text().await.unwrap()));
    }
    // Search: results with marked words and a pager's worth of form, the prompt, a refusal.
    for (name, path, expected) in [
        ("search.html", "/search?q=peace+talks", StatusCode::OK),
        ("search-empty.html", "/search", StatusCode::OK),
        (
            "search-refused.html",
            "/search?q=talks&section=atlantis",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), expected, "{path}");
        pages.push((name.to_owned(), response.text().await.unwrap()));
    }
    for (name, path, expected) in [
        (
            "desk-search.html",
            "/desk?q=talks&from=2026-11-01&to=2026-12-31",
            StatusCode::OK,
        ),
        (
            "desk-search-refused.html",
            "/desk?q=talks&from=2026-12-31&to=2026-11-01",
            StatusCode::BAD_REQUEST,
        ),
        (
            "photos-search.html",
            "/desk/photos?q=geneva",
            StatusCode::OK,
        ),
    ] {
        let response = desk.get(path).await;
        assert_eq!(response.status(), expected, "{path}");
        pages.push((name.to_owned(), response.text().await.unwrap()));
    }
    let desk_pages = [
        ("desk.html", "/desk".to_owned()),
        ("story-form.html", format!("/desk/stories/{}", story.id)),
        (
            "history.html",
            format!("/desk/stories/{}/history", story.id),
        ),
        ("users.html", "/desk/users".to_owned()),
        ("audit.html", "/desk/audit".to_owned()),
        ("photos.html", "/desk/photos".to_owned()),
    ];
    for (name, path) in desk_pages {
        let response = desk.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        pages.push((name.to_owned(), response.text().await.unwrap()));
    }
    // The live story with changes pending: its form and history; and a writer's refusal.
    let mut staged = app.store.story(story.id).unwrap().unwrap();
    let mut words = staged.content.clone();
    words.body = newsroom::domain::Body::parse("GENEVA -- The talks resumed on Monday.").unwrap();
    staged.stage(words, None, staged.updated_at);
    app.store
        .save_story(&staged, Some(staged.revision))
        .unwrap();
    for (name, path) in [
        (
            "story-form-pending.html",
            format!("/desk/stories/{}", story.id),
        ),
        (
            "history-pending.html",
            format!("/desk/stories/{}/history", story.id),
        ),
    ] {
        let response = desk.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        pages.push((name.to_owned(), response.text().await.unwrap()));
    }
    app.create_user("wren", Role::Writer, PASSWORD);
    let writer = app.login("wren", PASSWORD).await;
    let refused = writer.get(&format!("/desk/stories/{}", story.id)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    pages.push(("refused.html".to_owned(), refused.text().await.unwrap()));

    if let Some(dir) = std::env::var_os("NEWSROOM_MARKUP_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, body) in &pages {
            std::fs::write(dir.join(name), body).unwrap();
        }
    }
}

#[actix_web::test]
async fn a_story_leaves_the_news_sitemap_two_days_after_publication_by_the_clock() {
    let clock = newsroom::clock::Clock::system();
    let app_clock = clock.clone();
    let app = TestApp::spawn_with(move |s| {
        s.base_url = BASE.into();
        s.clock = app_clock;
    })
    .await;
    StoryBuilder::new("Nearly two days old")
        .published_at(clock.now() - time::Duration::hours(47))
        .save(&app);
    let listed = |xml: &str| xml.matches("<url>").count();

    let (_, before) = get_xml(&app, "/sitemaps/news.xml").await;
    clock.advance(time::Duration::hours(2));
    let (_, after) = get_xml(&app, "/sitemaps/news.xml").await;

    assert_eq!(listed(&before), 1, "{before}");
    assert_eq!(listed(&after), 0, "{after}");
}

#[actix_web::test]
async fn the_news_sitemap_is_revalidated_by_its_bytes() {
    let app = spawn().await;
    StoryBuilder::new("Talks end")
        .published_at(time::OffsetDateTime::now_utc() - time::Duration::hours(1))
        .save(&app);

    let first = app.get("/sitemaps/news.xml").await;
    let tag = header(first.headers(), reqwest::header::ETAG).expect("an ETag");
    let again = app
        .client
        .get(app.url("/sitemaps/news.xml"))
        .header(reqwest::header::IF_NONE_MATCH, &tag)
        .send()
        .await
        .unwrap();

    assert!(
        tag.starts_with("W/"),
        "the same tag for every coding is a weak one: {tag}"
    );
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        header(again.headers(), VARY).as_deref(),
        Some("Accept-Encoding")
    );
    assert!(header(again.headers(), CACHE_CONTROL).is_some());
}

#[actix_web::test]
async fn answers_kept_out_of_caches_say_no_store_alone() {
    let app = spawn().await;
    for path in ["/login", "/no-such-page", "/desk"] {
        let response = app.get(path).await;
        assert_eq!(
            header(response.headers(), CACHE_CONTROL).as_deref(),
            Some("no-store"),
            "{path}"
        );
    }
}
