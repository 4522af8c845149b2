//! The sitemap index, its pages, the Google News sitemap and robots.txt.

use crate::feeds::{
    BASE, HOSTILE, child, children, get_xml, parse, save_unpublished_stories, text,
};
use crate::helpers::{StoryBuilder, TestApp};
use newsroom::domain::Story;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

async fn spawn(per_page: usize) -> TestApp {
    TestApp::spawn_with(|s| {
        s.base_url = BASE.into();
        s.sitemap_urls = per_page;
    })
    .await
}

fn locs(xml: &str, parent: &str) -> Vec<String> {
    let doc = parse(xml);
    children(doc.root_element(), Some(SITEMAP), parent)
        .into_iter()
        .map(|n| text(n, Some(SITEMAP), "loc"))
        .collect()
}

#[actix_web::test]
async fn the_index_points_at_every_page_and_the_news_sitemap() {
    let app = spawn(2).await;
    for n in 0..5 {
        StoryBuilder::new(&format!("Story {n}"))
            .published_at(datetime!(2017-07-15 07:00:00 UTC) + Duration::hours(n))
            .save(&app);
    }

    let (content_type, xml) = get_xml(&app, "/sitemap.xml").await;

    assert_eq!(content_type, "application/xml; charset=utf-8");
    assert_eq!(parse(&xml).root_element().tag_name().name(), "sitemapindex");
    assert_eq!(
        locs(&xml, "sitemap"),
        [
            format!("{BASE}/sitemaps/1.xml"),
            format!("{BASE}/sitemaps/2.xml"),
            format!("{BASE}/sitemaps/3.xml"),
            format!("{BASE}/sitemaps/news.xml"),
            format!("{BASE}/sitemaps/topics.xml"),
        ]
    );
    let mut listed = Vec::new();
    for page in 1..=3 {
        let (_, xml) = get_xml(&app, &format!("/sitemaps/{page}.xml")).await;
        listed.extend(locs(&xml, "url"));
    }
    let expected: Vec<String> = (0..5)
        .rev()
        .map(|n| format!("{BASE}/2017/07/15/story-{n}"))
        .collect();
    assert_eq!(listed, expected, "every story once, newest first");
    for missing in ["/sitemaps/4.xml", "/sitemaps/0.xml", "/sitemaps/abc.xml"] {
        app.assert_not_found(missing).await;
    }
}

#[actix_web::test]
async fn sitemaps_list_published_stories_once_at_their_first_page() {
    let app = spawn(50_000).await;
    StoryBuilder::new("Long read")
        .body("Page one.\n\n<!--nextpage-->\n\nPage two.")
        .published_at(datetime!(2017-07-15 07:00:00 UTC))
        .save(&app);
    save_unpublished_stories(&app);

    let (_, index) = get_xml(&app, "/sitemap.xml").await;
    let (_, xml) = get_xml(&app, "/sitemaps/1.xml").await;

    assert_eq!(locs(&index, "sitemap").len(), 3);
    assert_eq!(locs(&xml, "url"), [format!("{BASE}/2017/07/15/long-read")]);
    let doc = parse(&xml);
    let url = child(doc.root_element(), Some(SITEMAP), "url");
    let lastmod = text(url, Some(SITEMAP), "lastmod");
    assert!(
        OffsetDateTime::parse(&lastmod, &time::format_description::well_known::Rfc3339).is_ok(),
        "{lastmod}"
    );
}

#[actix_web::test]
async fn an_empty_site_has_one_empty_sitemap_page() {
    let app = spawn(50_000).await;

    let (_, index) = get_xml(&app, "/sitemap.xml").await;
    let (_, page) = get_xml(&app, "/sitemaps/1.xml").await;
    let (_, news) = get_xml(&app, "/sitemaps/news.xml").await;

    assert_eq!(locs(&index, "sitemap").len(), 3);
    assert!(locs(&page, "url").is_empty());
    assert!(locs(&news, "url").is_empty());
}

#[actix_web::test]
async fn the_news_sitemap_holds_the_last_two_days_with_escaped_titles() {
    let app = spawn(50_000).await;
    let now = OffsetDateTime::now_utc();
    let recent = StoryBuilder::new(HOSTILE)
        .published_at(now - Duration::hours(3))
        .save(&app);
    StoryBuilder::new("Three days old")
        .published_at(now - Duration::days(3))
        .save(&app);
    StoryBuilder::new("From the archive")
        .published_at(datetime!(2017-07-15 07:00:00 UTC))
        .save(&app);
    save_unpublished_stories(&app);

    let (_, xml) = get_xml(&app, "/sitemaps/news.xml").await;

    let doc = parse(&xml);
    let urls = children(doc.root_element(), Some(SITEMAP), "url");
    assert_eq!(urls.len(), 1, "{xml}");
    let url = urls[0];
    assert_eq!(text(url, Some(SITEMAP), "loc"), absolute_url(&recent));
    let news = child(url, Some(NEWS), "news");
    let publication = child(news, Some(NEWS), "publication");
    assert_eq!(text(publication, Some(NEWS), "name"), "Newsroom");
    assert_eq!(text(publication, Some(NEWS), "language"), "en");
    assert_eq!(text(news, Some(NEWS), "title"), HOSTILE);
    assert!(!text(news, Some(NEWS), "publication_date").is_empty());
}

fn absolute_url(story: &Story) -> String {
    let at = story.published_at.expect("published");
    format!(
        "{BASE}{}",
        newsroom::urls::article(at, &story.content.slug, 1)
    )
}

#[actix_web::test]
async fn robots_txt_names_the_sitemaps_and_keeps_crawlers_off_the_desk() {
    let app = spawn(50_000).await;

    let response = app.get("/robots.txt").await;

    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let body = response.text().await.expect("body");
    assert!(
        body.contains(&format!("Sitemap: {BASE}/sitemap.xml\n")),
        "{body}"
    );
    assert!(
        body.contains(&format!("Sitemap: {BASE}/sitemaps/news.xml\n")),
        "{body}"
    );
    assert!(body.contains("Disallow: /desk\n"), "{body}");
}

#[actix_web::test]
async fn the_news_sitemap_stops_at_a_thousand_stories() {
    let app = spawn(50_000).await;
    let now = OffsetDateTime::now_utc();
    let stories: Vec<Story> = (0..1_005)
        .map(|n| {
            StoryBuilder::new(&format!("Recent story {n}"))
                .published_at(now - Duration::minutes(n))
                .into_story()
        })
        .collect();
    app.store.import_stories(&stories).expect("import");

    let (_, xml) = get_xml(&app, "/sitemaps/news.xml").await;

    let titles: Vec<String> = children(parse(&xml).root_element(), Some(SITEMAP), "url")
        .into_iter()
        .map(|url| text(child(url, Some(NEWS), "news"), Some(NEWS), "title"))
        .collect();
    assert_eq!(titles.len(), 1_000);
    assert_eq!(titles[0], "Recent story 0");
    assert_eq!(titles[999], "Recent story 999");
}

#[actix_web::test]
async fn a_story_count_gone_wrong_lists_only_the_pages_that_hold_stories() {
    // Plants a wrong count in sled's own index tree: what it tests is sled's counted index.
    let site = crate::helpers::TestSite::sled();
    let data = site.data_dir().expect("sled's data directory");
    {
        let store = newsroom::storage::SledStore::open(&data, 8 << 20).expect("open store");
        for n in 0..5 {
            let story = StoryBuilder::new(&format!("Story {n}"))
                .published_at(datetime!(2017-07-15 07:00:00 UTC) + Duration::hours(n))
                .into_story();
            newsroom::storage::StoryStore::save_story(&store, &story, None).expect("save story");
        }
    }
    // The front page's count of stories, at the top of its tree of counters, set to 2^63.
    {
        // The store keeps its sled database in `db` under the data directory. sled lets go of
        // its lock when its background flusher, which outlives the store by a moment, ends.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let db = loop {
            match sled::open(data.join("db")) {
                Ok(db) => break db,
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(e) => panic!("open sled: {e:?}"),
            }
        };
        let indexes = db.open_tree("indexes").expect("indexes");
        let top = [&b"front\0"[..], &[8], &0u32.to_be_bytes()].concat();
        indexes
            .insert(top, &(1u64 << 63).to_be_bytes())
            .expect("plant");
        db.flush().expect("flush");
    }
    let app = TestApp::spawn_in(site, |s| {
        s.base_url = BASE.into();
        s.sitemap_urls = 2;
    })
    .await;

    let (_, xml) = get_xml(&app, "/sitemap.xml").await;

    assert_eq!(
        locs(&xml, "sitemap"),
        [
            format!("{BASE}/sitemaps/1.xml"),
            format!("{BASE}/sitemaps/2.xml"),
            format!("{BASE}/sitemaps/3.xml"),
            format!("{BASE}/sitemaps/news.xml"),
            format!("{BASE}/sitemaps/topics.xml"),
        ]
    );
}
