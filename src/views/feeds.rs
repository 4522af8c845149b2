//! RSS 2.0, Atom and JSON Feed 1.1 documents of the newest published stories, written by the
//! `rss` and `atom_syndication` crates (which escape text and split `]]>` inside CDATA) and by
//! `serde_json`.

use crate::domain::{
    Language, PageNumber, PhotoId, ReaderView, SanitizedHtml, Section, SiteZone, Story,
};
use crate::urls;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;
use time::format_description::well_known::{Rfc2822, Rfc3339};

/// Stories in a feed.
pub const FEED_SIZE: usize = 50;

const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// What a feed is about and what it holds, newest first.
pub struct FeedSource<'a> {
    pub site_name: &'a str,
    pub base_url: &'a str,
    pub section: Option<Section>,
    /// Published stories; a feed shows what readers see of each (a story readers cannot see
    /// is left out).
    pub stories: &'a [Story],
    /// The byte size of each lead photo as [`urls::photo`] serves it (its widest rendition),
    /// which an RSS enclosure must state. A photo missing here gets no enclosure.
    pub photo_bytes: &'a HashMap<PhotoId, u64>,
    /// The site's language, and so of every story that names none.
    pub language: &'a Language,
    /// The site's time zone, for the dates a person reads in an entry (notes).
    pub zone: &'a SiteZone,
    /// A tag's or an author's feed, in place of the section's or the front page's.
    pub topic: Option<super::topics::FeedTopic>,
}

impl FeedSource<'_> {
    fn title(&self) -> String {
        if let Some(topic) = &self.topic {
            return topic.title.clone();
        }
        match self.section {
            Some(section) => format!("{} | {}", section.name(), self.site_name),
            None => self.site_name.to_owned(),
        }
    }

    fn page_url(&self) -> String {
        if let Some(topic) = &self.topic {
            return topic.page_url.clone();
        }
        let path = match self.section {
            Some(section) => urls::section(section, 1),
            None => urls::front(1),
        };
        urls::absolute(self.base_url, &path)
    }

    fn description(&self) -> String {
        if let Some(topic) = &self.topic {
            return topic.description.clone();
        }
        match self.section {
            Some(section) => format!(
                "The latest {} stories from {}",
                section.name(),
                self.site_name
            ),
            None => format!("The latest stories from {}", self.site_name),
        }
    }

    /// The page a feed reader links to for the whole feed.
    fn feed_url(&self, path: String) -> String {
        urls::absolute(self.base_url, &path)
    }

    /// The path of this feed in `format` (`rss`, `atom` or `json`).
    fn own_path(&self, format: &str) -> String {
        match (&self.topic, format) {
            (Some(t), "rss") => urls::topics::rss(&t.path),
            (Some(t), "atom") => urls::topics::atom(&t.path),
            (Some(t), _) => urls::topics::json_feed(&t.path),
            (None, "rss") => urls::rss(self.section),
            (None, "atom") => urls::atom(self.section),
            (None, _) => urls::json_feed(self.section),
        }
    }

    /// What readers see of each story, newest first.
    /// The language a story is in: its own, or the site's.
    fn language_of<'s>(&'s self, story: &ReaderView<'s>) -> &'s Language {
        story.content.language.as_ref().unwrap_or(self.language)
    }

    /// The one language every story of the feed is in (the site's for an empty feed); `None`
    /// when they are in several, which RSS's single `<language>` cannot say.
    fn one_language(&self) -> Option<String> {
        let mut languages = self.views().map(|s| self.language_of(&s).to_string());
        let first = languages
            .next()
            .unwrap_or_else(|| self.language.to_string());
        languages.all(|l| l == first).then_some(first)
    }

    fn views(&self) -> impl Iterator<Item = ReaderView<'_>> {
        self.stories.iter().filter_map(Story::reader_view)
    }

    /// The newest change among the stories; the epoch for an empty feed.
    fn updated(&self) -> OffsetDateTime {
        self.views()
            .map(|story| story.modified_at())
            .max()
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// The feed's stable id of a story: it survives slug and date changes.
pub fn story_guid(story: &ReaderView) -> String {
    // RFC 4122's URN form is the hyphenated one, not the id's compact display.
    let id = uuid::Uuid::from_bytes(story.id.to_bytes());
    format!("urn:uuid:{}", id.hyphenated())
}

/// What a feed says the story is about: its standfirst, or failing that its first paragraph
/// (plain text either way).
pub fn summary(story: &ReaderView) -> String {
    story
        .content
        .standfirst
        .as_ref()
        .map_or_else(|| story.content.body.first_paragraph(), ToString::to_string)
}

/// The whole story as HTML: every page one after another, the dateline leading the first, and
/// its public notes after the text, as readers see them on the article.
pub fn full_body(story: &ReaderView, zone: &SiteZone) -> SanitizedHtml {
    let mut html = String::new();
    for (n, page) in story.content.body.render_pages().iter().enumerate() {
        let page = match (n, &story.content.dateline) {
            (0, Some(dateline)) => page.with_lead(&dateline.to_string()),
            _ => page.clone(),
        };
        html.push_str(page.as_str());
    }
    html.push_str(&notes_html(story, zone));
    SanitizedHtml::concat(html)
}

/// A story's notes, newest first, as an HTML block for feed readers (empty without notes).
fn notes_html(story: &ReaderView, zone: &SiteZone) -> String {
    if story.notes.is_empty() {
        return String::new();
    }
    let mut html =
        String::from("<aside class=\"story-notes\"><h2>Corrections and clarifications</h2>\n");
    for note in super::reader::NoteView::of(story.notes, zone) {
        html.push_str(&format!(
            "<p><strong>{}</strong> <time datetime=\"{}\">{}</time></p>\n",
            note.label, note.at.iso, note.at.display,
        ));
        for paragraph in &note.paragraphs {
            html.push_str("<p>");
            pulldown_cmark_escape::escape_html(&mut html, paragraph).ok();
            html.push_str("</p>\n");
        }
    }
    html.push_str("</aside>\n");
    html
}

pub fn article_url(base_url: &str, story: &ReaderView) -> String {
    urls::absolute(
        base_url,
        &urls::article(
            story.published_at,
            &story.content.slug,
            PageNumber::FIRST.get(),
        ),
    )
}

pub fn rss(source: &FeedSource) -> Result<String, String> {
    use rss::extension::ExtensionMap;
    use rss::extension::dublincore::DublinCoreExtension;

    let items = source
        .views()
        .map(|story| {
            let mut item = rss::Item::default();
            item.set_title(story.content.headline.to_string());
            item.set_link(article_url(source.base_url, &story));
            item.set_guid(rss::Guid {
                value: story_guid(&story),
                permalink: false,
            });
            item.set_pub_date(story.published_at.format(&Rfc2822).ok());
            item.set_categories(vec![rss::Category {
                name: story.content.section.name().to_owned(),
                domain: Some(urls::absolute(
                    source.base_url,
                    &urls::section(story.content.section, 1),
                )),
            }]);
            // Readers take an RSS description for HTML (the crate writes it as CDATA): the
            // summary is plain text, so it goes in escaped, never as live markup. Every item
            // has one, ahead of the full text, as feed readers expect.
            item.set_description(Some(escape(&summary(&story))));
            item.set_content(full_body(&story, source.zone).to_string());
            // RSS's own <author> must be an e-mail address; Dublin Core names people.
            item.set_dublin_core_ext(DublinCoreExtension {
                creators: story
                    .content
                    .bylines
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                ..DublinCoreExtension::default()
            });
            if let Some((url, caption, credit)) = photo_of(source.base_url, &story) {
                let bytes = story
                    .content
                    .photo
                    .as_ref()
                    .and_then(|p| p.image)
                    .and_then(|id| source.photo_bytes.get(&id));
                if let Some(bytes) = bytes {
                    item.set_enclosure(rss::Enclosure {
                        url: url.clone(),
                        length: bytes.to_string(),
                        mime_type: urls::PHOTO_CONTENT_TYPE.into(),
                    });
                }
                let mut media = BTreeMap::new();
                media.insert(
                    "media:content".to_owned(),
                    vec![rss_media(url, caption, credit)],
                );
                let mut extensions = ExtensionMap::new();
                extensions.insert("media".to_owned(), media);
                item.set_extensions(extensions);
            }
            item
        })
        .collect::<Vec<_>>();

    let mut channel = rss::Channel::default();
    channel.set_title(source.title());
    channel.set_link(source.page_url());
    channel.set_description(source.description());
    channel.set_language(source.one_language());
    channel.set_generator(Some("Newsroom".to_owned()));
    channel.set_last_build_date(source.updated().format(&Rfc2822).ok());
    channel.set_ttl(Some("5".to_owned()));
    let mut namespaces = BTreeMap::new();
    namespaces.insert("media".to_owned(), MEDIA_NS.to_owned());
    namespaces.insert("atom".to_owned(), ATOM_NS.to_owned());
    channel.set_namespaces(namespaces);
    // The feed's own address, which RSS has no element for (RSS Best Practices).
    let mut self_link = rss::extension::Extension {
        name: "atom:link".to_owned(),
        ..Default::default()
    };
    for (key, value) in [
        ("href", source.feed_url(source.own_path("rss"))),
        ("rel", "self".to_owned()),
        ("type", "application/rss+xml".to_owned()),
    ] {
        self_link.attrs.insert(key.to_owned(), value);
    }
    let mut atom = BTreeMap::new();
    atom.insert("link".to_owned(), vec![self_link]);
    let mut extensions = rss::extension::ExtensionMap::new();
    extensions.insert("atom".to_owned(), atom);
    channel.set_extensions(extensions);
    channel.set_items(items);
    let bytes = channel.write_to(Vec::new()).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

pub fn atom(source: &FeedSource) -> Result<String, String> {
    use atom_syndication::{Category, Content, Entry, Feed, FixedDateTime, Link, Person, Text};

    let date = |at: OffsetDateTime| -> Result<FixedDateTime, String> {
        let text = at.format(&Rfc3339).map_err(|e| e.to_string())?;
        FixedDateTime::parse_from_rfc3339(&text).map_err(|e| e.to_string())
    };
    let link = |href: String, rel: &str| Link {
        href,
        rel: rel.to_owned(),
        ..Link::default()
    };
    let entries = source
        .views()
        .map(|story| {
            let url = article_url(source.base_url, &story);
            let mut entry = Entry::default();
            entry.set_id(story_guid(&story));
            // Marked where the story's language is not the feed's.
            let lang = story
                .content
                .language
                .as_ref()
                .filter(|l| *l != source.language)
                .map(ToString::to_string);
            entry.set_title(Text {
                lang: lang.clone(),
                ..Text::plain(story.content.headline.to_string())
            });
            entry.set_updated(date(story.modified_at())?);
            entry.set_published(Some(date(story.published_at)?));
            entry.set_authors(
                story
                    .content
                    .bylines
                    .iter()
                    .map(|b| Person {
                        name: b.to_string(),
                        ..Person::default()
                    })
                    .collect::<Vec<_>>(),
            );
            entry.set_categories(vec![Category {
                term: story.content.section.key().to_owned(),
                label: Some(story.content.section.name().to_owned()),
                ..Category::default()
            }]);
            entry.set_summary(
                story
                    .content
                    .standfirst
                    .as_ref()
                    .map(|s| Text::plain(s.to_string())),
            );
            entry.set_content(Some(Content {
                base: Some(url.clone()),
                value: Some(full_body(&story, source.zone).to_string()),
                content_type: Some("html".to_owned()),
                lang,
                ..Content::default()
            }));
            let mut links = vec![link(url, "alternate")];
            if let Some((photo, caption, credit)) = photo_of(source.base_url, &story) {
                links.push(Link {
                    mime_type: Some(urls::PHOTO_CONTENT_TYPE.to_owned()),
                    title: Some(caption.clone()),
                    ..link(photo.clone(), "enclosure")
                });
                let mut media = BTreeMap::new();
                media.insert(
                    "media:content".to_owned(),
                    vec![atom_media(photo, caption, credit)],
                );
                let mut extensions = BTreeMap::new();
                extensions.insert("media".to_owned(), media);
                entry.set_extensions(extensions);
            }
            entry.set_links(links);
            Ok(entry)
        })
        .collect::<Result<Vec<_>, String>>()?;

    let feed_path = source.own_path("atom");
    let mut feed = Feed::default();
    feed.set_id(urls::absolute(source.base_url, &feed_path));
    feed.set_title(Text::plain(source.title()));
    feed.set_subtitle(Some(Text::plain(source.description())));
    feed.set_updated(date(source.updated())?);
    feed.set_lang(Some(source.language.to_string()));
    feed.set_links(vec![
        link(source.page_url(), "alternate"),
        link(urls::absolute(source.base_url, &feed_path), "self"),
    ]);
    let mut namespaces = BTreeMap::new();
    namespaces.insert("media".to_owned(), MEDIA_NS.to_owned());
    feed.set_namespaces(namespaces);
    feed.set_entries(entries);
    let bytes = feed.write_to(Vec::new()).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// Text for a feed element that readers take for HTML (an RSS description): the five
/// predefined entities, and characters XML 1.0 cannot hold at all dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>).
pub fn json_feed(source: &FeedSource) -> Result<String, String> {
    let rfc3339 = |at: OffsetDateTime| at.format(&Rfc3339).map_err(|e| e.to_string());
    let items = source
        .views()
        .map(|story| {
            let url = article_url(source.base_url, &story);
            let mut item = json!({
                "id": story_guid(&story),
                "url": url,
                "title": story.content.headline.to_string(),
                "summary": summary(&story),
                "content_html": full_body(&story, source.zone).to_string(),
                "date_modified": rfc3339(story.modified_at())?,
                "authors": story
                    .content.bylines
                    .iter()
                    .map(|b| json!({ "name": b.to_string() }))
                    .collect::<Vec<_>>(),
                "tags": [story.content.section.name()],
                "language": source.language_of(&story).as_str(),
            });
            item["date_published"] = json!(rfc3339(story.published_at)?);
            if let Some((photo, _, _)) = photo_of(source.base_url, &story) {
                item["image"] = json!(photo);
            }
            Ok(item)
        })
        .collect::<Result<Vec<_>, String>>()?;
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": source.title(),
        "home_page_url": source.page_url(),
        "feed_url": source.feed_url(source.own_path("json")),
        "description": source.description(),
        "language": source.language.as_str(),
        "items": items,
    });
    serde_json::to_string(&feed).map_err(|e| e.to_string())
}

/// The lead photo's absolute URL, caption and credit, when it has a stored image.
fn photo_of(base_url: &str, story: &ReaderView) -> Option<(String, String, Option<String>)> {
    let photo = story.content.photo.as_ref()?;
    let image = photo.image?;
    Some((
        urls::absolute(base_url, &urls::photo(image)),
        photo.caption.to_string(),
        photo.credit.as_ref().map(ToString::to_string),
    ))
}

/// `<media:content url type medium><media:description/><media:credit/></media:content>`; the
/// two crates each have their own extension type of the same shape.
macro_rules! media_content {
    ($name:ident, $ext:ty) => {
        fn $name(url: String, caption: String, credit: Option<String>) -> $ext {
            let element = |name: &str, value: Option<String>, attrs: &[(&str, &str)]| {
                let mut e = <$ext>::default();
                e.name = name.to_owned();
                e.value = value;
                e.attrs = attrs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect();
                e
            };
            let mut content = element(
                "media:content",
                None,
                &[
                    ("url", url.as_str()),
                    ("type", urls::PHOTO_CONTENT_TYPE),
                    ("medium", "image"),
                ],
            );
            content.children.insert(
                "description".to_owned(),
                vec![element(
                    "media:description",
                    Some(caption),
                    &[("type", "plain")],
                )],
            );
            if let Some(credit) = credit {
                content.children.insert(
                    "credit".to_owned(),
                    vec![element("media:credit", Some(credit), &[])],
                );
            }
            content
        }
    };
}

media_content!(rss_media, rss::extension::Extension);
media_content!(atom_media, atom_syndication::extension::Extension);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup_and_no_forbidden_characters() {
        assert_eq!(
            escape("a < b & \"c\" ]]> 'd'\u{1}"),
            "a &lt; b &amp; &quot;c&quot; ]]&gt; &apos;d&apos;"
        );
    }

    fn corrected_story() -> Story {
        use crate::domain::{Body, Bylines, Headline, NoteKind, NoteText, PublicNote};
        use time::macros::datetime;
        let mut story = Story::draft(
            Headline::parse("Talks end").unwrap(),
            Section::parse("world").unwrap(),
            Bylines::parse("Ann Lee").unwrap(),
            Body::parse("The envoy spoke.").unwrap(),
            datetime!(2026-06-01 09:00 UTC),
        );
        story.publish(datetime!(2026-06-01 10:00 UTC), None);
        let at = datetime!(2026-06-01 12:30:00.123456 UTC);
        story.notes.push(PublicNote {
            kind: NoteKind::Correction,
            text: NoteText::parse("The envoy's name is <Smyth>.").unwrap(),
            at,
        });
        story.revised_at = Some(at);
        story
    }

    #[test]
    fn a_story_s_notes_follow_its_text_escaped_and_newest_first() {
        let mut story = corrected_story();
        story.notes.push(crate::domain::PublicNote {
            kind: crate::domain::NoteKind::Clarification,
            text: crate::domain::NoteText::parse("Later words.").unwrap(),
            at: time::macros::datetime!(2026-06-02 08:00 UTC),
        });
        let html = full_body(&story.reader_view().unwrap(), &SiteZone::utc()).to_string();
        let (text, notes) = html.split_once("<aside").unwrap();
        assert!(text.contains("The envoy spoke."));
        assert!(notes.contains("name is &lt;Smyth&gt;."));
        assert!(notes.contains(r#"<time datetime="2026-06-01T12:30:00.123Z">"#));
        assert!(
            notes.find("<strong>Clarification").unwrap()
                < notes.find("<strong>Correction").unwrap()
        );
    }

    #[test]
    fn a_corrected_entry_is_updated_at_the_note_and_keeps_its_guid() {
        let story = corrected_story();
        let mut unnoted = story.clone();
        unnoted.notes.clear();
        unnoted.revised_at = None;
        let photos = HashMap::new();
        let english = Language::parse("en").unwrap();
        let feed = |stories: &[Story]| {
            let source = FeedSource {
                site_name: "The Example",
                base_url: "https://news.example/",
                section: None,
                stories,
                photo_bytes: &photos,
                language: &english,
                zone: &SiteZone::utc(),
                topic: None,
            };
            (
                atom(&source).unwrap(),
                json_feed(&source).unwrap(),
                rss(&source).unwrap(),
            )
        };
        let view = story.reader_view().unwrap();
        let (atom, json, rss) = feed(std::slice::from_ref(&story));
        let (_, _, rss_before) = feed(std::slice::from_ref(&unnoted));
        assert!(atom.contains("<updated>2026-06-01T12:30:00.123456"));
        assert!(atom.contains("Correction"));
        assert!(json.contains(r#""date_modified":"2026-06-01T12:30:00.123456Z""#));
        assert!(json.contains("Corrections and clarifications"));
        let guid = format!("<guid isPermaLink=\"false\">{}</guid>", story_guid(&view));
        assert!(rss.contains(&guid) && rss_before.contains(&guid));
        assert!(rss.contains("Correction") && !rss_before.contains("Correction"));
    }
}
