//! RSS and Atom feeds: well-formed, complete, escaped, and only ever published stories.

use crate::helpers::{StoryBuilder, TestApp, select};
use newsroom::domain::dateline::Place;
use newsroom::domain::{
    Bylines, Caption, Credit, Dateline, LeadPhoto, PhotoId, Source, Standfirst, Status, Story,
};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

pub const BASE: &str = "https://news.example";
/// Everything that could break XML or HTML if printed as it is.
pub const HOSTILE: &str = r#"Fish & chips < 5 ]]> </script> "quoted" 'single'"#;
const MEDIA: &str = "http://search.yahoo.com/mrss/";
const DC: &str = "http://purl.org/dc/elements/1.1/";
const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
const ATOM: &str = "http://www.w3.org/2005/Atom";

pub async fn spawn() -> TestApp {
    TestApp::spawn_with(|s| s.base_url = BASE.into()).await
}

/// A published story with every field a feed carries, and a stored-photo id of its own.
pub fn full_story(headline: &str) -> (StoryBuilder, PhotoId) {
    let photo = PhotoId::new();
    let builder = StoryBuilder::new(headline)
        .body("First page.\n\n<!--nextpage-->\n\nSecond page.")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .with(move |story| {
            story.content.standfirst =
                Some(Standfirst::parse("Talks resume & hopes rise").unwrap());
            story.content.bylines = Bylines::parse("Ann Lee; Bob Ray").unwrap();
            story.content.source = Some(Source::parse("Xinhua").unwrap());
            story.content.dateline = Some(Dateline::new(
                Place::parse("Geneva").unwrap(),
                date!(2017 - 07 - 14),
                None,
            ));
            story.content.photo = Some(LeadPhoto {
                image: Some(photo),
                caption: Caption::parse("Envoys meet & talk").unwrap(),
                credit: Some(Credit::parse("Jane Doe/Agency").unwrap()),
                alt: None,
            });
        });
    (builder, photo)
}

/// Drafts, scheduled and unpublished stories that must never reach a reader or a machine.
pub fn save_unpublished_stories(app: &TestApp) {
    StoryBuilder::new("Secret draft").save(app);
    StoryBuilder::new("Scheduled story")
        .status(Status::Scheduled(
            OffsetDateTime::now_utc() + Duration::days(1),
        ))
        .save(app);
    StoryBuilder::new("Withdrawn story")
        .published_at(datetime!(2017-07-14 07:00:00 UTC))
        .with(|s| s.status = Status::Unpublished)
        .save(app);
}

pub async fn get_xml(app: &TestApp, path: &str) -> (String, String) {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let content_type = crate::helpers::header(response.headers(), CONTENT_TYPE).unwrap_or_default();
    (content_type, response.text().await.expect("body"))
}

pub fn parse(xml: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not well-formed ({e}):\n{xml}"))
}

pub fn children<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    ns: Option<&str>,
    name: &str,
) -> Vec<roxmltree::Node<'a, 'i>> {
    node.children()
        .filter(|n| n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == ns)
        .collect()
}

pub fn child<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    ns: Option<&str>,
    name: &str,
) -> roxmltree::Node<'a, 'i> {
    children(node, ns, name)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no <{name}> in <{}>", node.tag_name().name()))
}

pub fn text<'a>(node: roxmltree::Node<'a, '_>, ns: Option<&str>, name: &str) -> String {
    child(node, ns, name).text().unwrap_or_default().to_owned()
}

fn rss_items(doc: &roxmltree::Document) -> Vec<String> {
    let channel = child(doc.root_element(), None, "channel");
    children(channel, None, "item")
        .into_iter()
        .map(|item| text(item, None, "title"))
        .collect()
}

fn atom_entries(doc: &roxmltree::Document) -> Vec<String> {
    children(doc.root_element(), Some(ATOM), "entry")
        .into_iter()
        .map(|entry| text(entry, Some(ATOM), "title"))
        .collect()
}

/// `urn:uuid:0190a3c2-...`: the story's id in RFC 4122's URN form.
fn urn_of(story: &Story) -> String {
    let urn = format!(
        "urn:uuid:{}",
        uuid::Uuid::from_bytes(story.id.to_bytes()).hyphenated()
    );
    assert_eq!(urn.len(), 45, "{urn}");
    urn
}

fn save(app: &TestApp, builder: StoryBuilder) -> Story {
    builder.save(app)
}

#[actix_web::test]
async fn the_rss_feed_carries_every_part_of_a_published_story() {
    let app = spawn().await;
    let (builder, photo) = full_story("Peace talks resume");
    let story = save(&app, builder);
    save_unpublished_stories(&app);

    let (content_type, xml) = get_xml(&app, "/rss.xml").await;

    assert_eq!(content_type, "application/rss+xml; charset=utf-8");
    let doc = parse(&xml);
    assert_eq!(doc.root_element().attribute("version"), Some("2.0"));
    let channel = child(doc.root_element(), None, "channel");
    assert_eq!(text(channel, None, "title"), "Newsroom");
    assert_eq!(text(channel, None, "link"), format!("{BASE}/"));
    let items = children(channel, None, "item");
    assert_eq!(items.len(), 1, "only the published story:\n{xml}");
    let item = items[0];
    assert_eq!(text(item, None, "title"), "Peace talks resume");
    assert_eq!(
        text(item, None, "link"),
        format!("{BASE}/2017/07/15/peace-talks-resume")
    );
    let guid = child(item, None, "guid");
    assert_eq!(guid.text(), Some(urn_of(&story).as_str()));
    assert_eq!(guid.attribute("isPermaLink"), Some("false"));
    assert_eq!(
        text(item, None, "pubDate"),
        "Sat, 15 Jul 2017 07:11:57 +0000"
    );
    assert_eq!(text(item, None, "category"), "World");
    // The description is HTML to feed readers: the standfirst's text, escaped.
    assert_eq!(
        text(item, None, "description"),
        "Talks resume &amp; hopes rise"
    );
    let creators: Vec<_> = children(item, Some(DC), "creator")
        .iter()
        .map(|c| c.text().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(creators, ["Ann Lee", "Bob Ray"]);
    let content = text(item, Some(CONTENT), "encoded");
    assert!(
        content.contains("GENEVA, July 14 --</span> First page."),
        "{content}"
    );
    assert!(
        content.contains("<p>Second page.</p>"),
        "the whole story: {content}"
    );
    // The photo id names no stored photo, whose size is unknown: no enclosure, rather than
    // one with a false length (reader_formats.rs has one with a stored photo).
    assert!(children(item, None, "enclosure").is_empty(), "{xml}");
    let media = child(item, Some(MEDIA), "content");
    assert_eq!(
        media.attribute("url"),
        Some(format!("{BASE}/media/{photo}").as_str())
    );
    assert_eq!(media.attribute("medium"), Some("image"));
    assert_eq!(
        text(media, Some(MEDIA), "description"),
        "Envoys meet & talk"
    );
    assert_eq!(text(media, Some(MEDIA), "credit"), "Jane Doe/Agency");
}

#[actix_web::test]
async fn the_atom_feed_carries_every_part_of_a_published_story() {
    let app = spawn().await;
    let (builder, photo) = full_story("Peace talks resume");
    let story = save(&app, builder);
    save_unpublished_stories(&app);

    let (content_type, xml) = get_xml(&app, "/atom.xml").await;

    assert_eq!(content_type, "application/atom+xml; charset=utf-8");
    let doc = parse(&xml);
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().namespace(), Some(ATOM));
    assert_eq!(text(feed, Some(ATOM), "id"), format!("{BASE}/atom.xml"));
    assert_eq!(text(feed, Some(ATOM), "title"), "Newsroom");
    assert!(!text(feed, Some(ATOM), "updated").is_empty());
    let entries = children(feed, Some(ATOM), "entry");
    assert_eq!(entries.len(), 1, "only the published story:\n{xml}");
    let entry = entries[0];
    assert_eq!(text(entry, Some(ATOM), "id"), urn_of(&story));
    assert_eq!(text(entry, Some(ATOM), "title"), "Peace talks resume");
    assert_eq!(
        text(entry, Some(ATOM), "published"),
        "2017-07-15T07:11:57+00:00"
    );
    assert!(!text(entry, Some(ATOM), "updated").is_empty());
    let authors: Vec<_> = children(entry, Some(ATOM), "author")
        .into_iter()
        .map(|a| text(a, Some(ATOM), "name"))
        .collect();
    assert_eq!(authors, ["Ann Lee", "Bob Ray"]);
    let category = child(entry, Some(ATOM), "category");
    assert_eq!(category.attribute("term"), Some("world"));
    assert_eq!(category.attribute("label"), Some("World"));
    assert_eq!(
        text(entry, Some(ATOM), "summary"),
        "Talks resume & hopes rise"
    );
    let content = child(entry, Some(ATOM), "content");
    assert_eq!(content.attribute("type"), Some("html"));
    assert!(
        content
            .text()
            .unwrap_or_default()
            .contains("<p>Second page.</p>")
    );
    let links = children(entry, Some(ATOM), "link");
    let link = |rel: &str| {
        links
            .iter()
            .find(|l| l.attribute("rel") == Some(rel))
            .and_then(|l| l.attribute("href"))
            .unwrap_or_else(|| panic!("no {rel} link"))
            .to_owned()
    };
    assert_eq!(
        link("alternate"),
        format!("{BASE}/2017/07/15/peace-talks-resume")
    );
    assert_eq!(link("enclosure"), format!("{BASE}/media/{photo}"));
    let media = child(entry, Some(MEDIA), "content");
    assert_eq!(
        text(media, Some(MEDIA), "description"),
        "Envoys meet & talk"
    );
    assert_eq!(text(media, Some(MEDIA), "credit"), "Jane Doe/Agency");
}

#[actix_web::test]
async fn a_section_feed_holds_only_that_section() {
    let app = spawn().await;
    StoryBuilder::new("Markets rally")
        .section("business")
        .published_at(datetime!(2017-07-15 08:00:00 UTC))
        .save(&app);
    StoryBuilder::new("Talks resume")
        .published_at(datetime!(2017-07-15 07:00:00 UTC))
        .save(&app);

    let (_, rss) = get_xml(&app, "/section/business/rss.xml").await;
    let (_, atom) = get_xml(&app, "/section/business/atom.xml").await;
    let (_, front) = get_xml(&app, "/rss.xml").await;

    assert_eq!(rss_items(&parse(&rss)), ["Markets rally"]);
    assert_eq!(atom_entries(&parse(&atom)), ["Markets rally"]);
    assert_eq!(rss_items(&parse(&front)), ["Markets rally", "Talks resume"]);
    let channel_title = text(
        child(parse(&rss).root_element(), None, "channel"),
        None,
        "title",
    );
    assert_eq!(channel_title, "Business | Newsroom");
    app.assert_not_found("/section/astrology/rss.xml").await;
    app.assert_not_found("/section/astrology/atom.xml").await;
}

#[actix_web::test]
async fn a_feed_holds_the_newest_fifty_stories() {
    let app = spawn().await;
    let start = datetime!(2017-07-01 00:00:00 UTC);
    let stories: Vec<Story> = (0..55)
        .map(|n| {
            StoryBuilder::new(&format!("Story number {n}"))
                .published_at(start + Duration::hours(n))
                .into_story()
        })
        .collect();
    app.store.import_stories(&stories).expect("import");

    let (_, rss) = get_xml(&app, "/rss.xml").await;
    let (_, atom) = get_xml(&app, "/atom.xml").await;

    let items = rss_items(&parse(&rss));
    assert_eq!(items.len(), 50);
    assert_eq!(items[0], "Story number 54");
    assert_eq!(items[49], "Story number 5");
    assert_eq!(atom_entries(&parse(&atom)), items);
}

#[actix_web::test]
async fn hostile_text_stays_text_in_both_feeds() {
    let app = spawn().await;
    let (builder, _) = full_story(HOSTILE);
    builder
        .with(|story| {
            story.content.standfirst = Some(Standfirst::parse(HOSTILE).unwrap());
            if let Some(photo) = story.content.photo.as_mut() {
                photo.caption = Caption::parse(HOSTILE).unwrap();
                photo.credit = Some(Credit::parse(HOSTILE).unwrap());
            }
            story.content.bylines = Bylines::parse("Ann <b>Lee</b> & Co").unwrap();
        })
        .save(&app);

    let (_, rss) = get_xml(&app, "/rss.xml").await;
    let (_, atom) = get_xml(&app, "/atom.xml").await;

    let rss_doc = parse(&rss);
    let item = child(child(rss_doc.root_element(), None, "channel"), None, "item");
    assert_eq!(text(item, None, "title"), HOSTILE);
    assert_eq!(
        text(item, None, "description"),
        newsroom::views::feeds::escape(HOSTILE)
    );
    assert_eq!(text(item, Some(DC), "creator"), "Ann <b>Lee</b> & Co");
    let media = child(item, Some(MEDIA), "content");
    assert_eq!(text(media, Some(MEDIA), "description"), HOSTILE);
    assert_eq!(text(media, Some(MEDIA), "credit"), HOSTILE);
    assert!(!rss.contains("<b>"), "a byline became markup:\n{rss}");

    let atom_doc = parse(&atom);
    let entry = child(atom_doc.root_element(), Some(ATOM), "entry");
    assert_eq!(text(entry, Some(ATOM), "title"), HOSTILE);
    assert_eq!(text(entry, Some(ATOM), "summary"), HOSTILE);
    let media = child(entry, Some(MEDIA), "content");
    assert_eq!(text(media, Some(MEDIA), "description"), HOSTILE);
    assert_eq!(text(media, Some(MEDIA), "credit"), HOSTILE);
}

#[actix_web::test]
async fn an_empty_site_has_empty_but_valid_feeds() {
    let app = spawn().await;
    save_unpublished_stories(&app);

    let (_, rss) = get_xml(&app, "/rss.xml").await;
    let (_, atom) = get_xml(&app, "/atom.xml").await;

    assert!(rss_items(&parse(&rss)).is_empty());
    assert!(atom_entries(&parse(&atom)).is_empty());
}

#[actix_web::test]
async fn front_and_section_pages_advertise_their_own_feeds() {
    let app = spawn().await;

    for (page, rss, atom) in [
        ("/", "/rss.xml", "/atom.xml"),
        (
            "/section/sport",
            "/section/sport/rss.xml",
            "/section/sport/atom.xml",
        ),
    ] {
        let (status, html) = app.get_html(page).await;
        assert_eq!(status, StatusCode::OK);
        let href = |mime: &str| {
            select(&html, &format!("link[rel=alternate][type='{mime}']"))
                .iter()
                .map(|l| l.value().attr("href").unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(href("application/rss+xml"), [rss], "{page}");
        assert_eq!(href("application/atom+xml"), [atom], "{page}");
        assert_eq!(app.get(rss).await.status(), StatusCode::OK);
        assert_eq!(app.get(atom).await.status(), StatusCode::OK);
    }
}

#[actix_web::test]
async fn a_standfirst_is_escaped_text_in_the_rss_description_never_markup() {
    let app = spawn().await;
    let markup = r#"<img src="x" onerror="alert(1)"> <a href="javascript:alert(2)">Read</a>"#;
    let (builder, _) = full_story("Talks resume");
    builder
        .with(|story| story.content.standfirst = Some(Standfirst::parse(markup).unwrap()))
        .save(&app);

    let (_, rss) = get_xml(&app, "/rss.xml").await;

    let doc = parse(&rss);
    let item = child(child(doc.root_element(), None, "channel"), None, "item");
    let description = text(item, None, "description");
    // What a feed reader renders as HTML: the standfirst's characters, with no element in it.
    assert!(!description.contains('<'), "live markup: {description}");
    assert_eq!(
        description,
        "&lt;img src=&quot;x&quot; onerror=&quot;alert(1)&quot;&gt; \
         &lt;a href=&quot;javascript:alert(2)&quot;&gt;Read&lt;/a&gt;"
    );
}
