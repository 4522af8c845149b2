//! IPTC ninjs 2.2 ("News in JSON"): a story as the news industry exchanges it, and back.
//!
//! Writing maps every part of a story onto a standard property (ninjs 2.2 allows no others).
//! Reading accepts any ninjs 2.x text item; it keeps what a story can hold and ignores the rest.
//! A document this module wrote reads back to the same story, so exporting, importing into an
//! empty site and exporting again gives the same bytes.

mod html;

use crate::domain::dateline::Place;
use crate::domain::{
    AltText, Body, Byline, Bylines, Caption, Credit, Dateline, DomainError, Headline, LeadPhoto,
    Section, Slug, Source, Standfirst, Status, Story, StoryId,
};
use crate::urls;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, UtcOffset};

/// The language every story is written in (BCP 47).
pub const LANGUAGE: &str = "en";

/// Content type of the Markdown body that rides beside the HTML one, so a story comes back
/// exactly as it was written rather than reconstructed from its HTML.
const MARKDOWN: &str = "text/markdown";

/// What a document needs beyond the story: where the site lives and who holds the copyright.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    pub base_url: &'a str,
    pub name: &'a str,
}

impl Site<'_> {
    fn url(&self, path: &str) -> String {
        urls::absolute(self.base_url, path)
    }
}

/// A ninjs 2.2 news item: the properties Newsroom writes or reads, in the order it writes them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub uri: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firstcreated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioncreated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contentcreated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pubstatus: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slugline: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headlines: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub descriptions: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bodies: Vec<BodyText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<Entity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub infosources: Vec<InfoSource>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<Entity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub located: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyrightholder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyrightnotice: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renditions: Vec<Rendition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub associations: Vec<Association>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Text {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contenttype: Option<String>,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BodyText {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contenttype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charcount: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wordcount: Option<u64>,
    pub value: String,
}

/// A person or subject: ninjs gives both the same shape.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub literal: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InfoSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rendition {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contenttype: Option<String>,
}

/// An associated item; Newsroom writes one, the lead photo, named `photo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Association {
    pub name: String,
    pub uri: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub descriptions: Vec<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyrightholder: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renditions: Vec<Rendition>,
}

fn plain(role: &str, value: &str) -> Text {
    Text {
        role: Some(role.into()),
        contenttype: Some("text/plain".into()),
        value: value.into(),
    }
}

fn timestamp(at: OffsetDateTime) -> String {
    // Formatting a UTC time as RFC 3339 cannot fail for years 0..=9999, which stored times are.
    at.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// The ninjs document of `story` (the caller decides whether it may be shown).
pub fn document(story: &Story, site: Site<'_>) -> Document {
    let uri = site.url(&urls::api_story(story.id));
    let html = story
        .body
        .render_pages()
        .iter()
        .map(|page| page.as_str().trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("\n");
    let text = html::text_of(&html);
    let published = story.published_at.filter(|_| story.is_public());
    let year = published.unwrap_or(story.created_at).year();
    let photo = story.photo.as_ref().map(|photo| {
        let mut descriptions = vec![plain("caption", photo.caption.as_str())];
        if let Some(alt) = &photo.alt {
            descriptions.push(plain("alt", alt.as_str()));
        }
        let image = photo.image.map(|id| site.url(&urls::photo(id)));
        Association {
            name: "photo".into(),
            uri: image.clone().unwrap_or_else(|| format!("{uri}#photo")),
            kind: Some("picture".into()),
            descriptions,
            by: photo.credit.as_ref().map(|c| c.to_string()),
            copyrightholder: photo.credit.as_ref().map(|c| c.to_string()),
            renditions: image
                .map(|href| Rendition {
                    name: "display".into(),
                    href: Some(href),
                    contenttype: Some("image/jpeg".into()),
                })
                .into_iter()
                .collect(),
        }
    });
    Document {
        kind: Some("text".into()),
        version: Some(story.revision.to_string()),
        firstcreated: Some(timestamp(story.created_at)),
        versioncreated: Some(timestamp(story.updated_at)),
        contentcreated: published.map(timestamp),
        pubstatus: Some(
            if published.is_some() {
                "usable"
            } else {
                "withheld"
            }
            .into(),
        ),
        language: Some(LANGUAGE.into()),
        slugline: Some(story.slug.to_string()),
        headlines: vec![plain("main", story.headline.as_str())],
        descriptions: story
            .standfirst
            .iter()
            .map(|s| plain("summary", s.as_str()))
            .collect(),
        bodies: vec![
            BodyText {
                role: Some("main".into()),
                contenttype: Some("text/html".into()),
                charcount: Some(text.chars().count() as u64),
                wordcount: Some(text.split_whitespace().count() as u64),
                value: html,
            },
            BodyText {
                role: Some("source".into()),
                contenttype: Some(MARKDOWN.into()),
                charcount: None,
                wordcount: None,
                value: story.body.as_str().to_owned(),
            },
        ],
        by: Some(story.bylines.joined()),
        people: story
            .bylines
            .iter()
            .map(|b| Entity {
                name: Some(b.to_string()),
                rel: Some("author".into()),
                ..Entity::default()
            })
            .collect(),
        infosources: story
            .source
            .iter()
            .map(|s| InfoSource {
                name: Some(s.to_string()),
                role: Some("source".into()),
            })
            .collect(),
        subjects: vec![Entity {
            name: Some(story.section.name().into()),
            rel: Some("section".into()),
            uri: Some(site.url(&urls::section(story.section, 1))),
            literal: Some(story.section.key().into()),
        }],
        located: story.dateline.as_ref().map(Dateline::to_form_value),
        copyrightholder: Some(site.name.into()),
        copyrightnotice: Some(format!(
            "Copyright {year} {}. All rights reserved.",
            site.name
        )),
        renditions: published
            .map(|at| Rendition {
                name: "web".into(),
                href: Some(site.url(&urls::article(at, &story.slug, 1))),
                contenttype: Some("text/html".into()),
            })
            .into_iter()
            .collect(),
        associations: photo.into_iter().collect(),
        uri,
    }
}

/// Why a document cannot become a story.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NinjsError(String);

impl NinjsError {
    fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

fn field(property: &str) -> impl Fn(DomainError) -> NinjsError + '_ {
    move |e| NinjsError(format!("{property}: {e}"))
}

fn read_time(property: &str, raw: Option<&str>) -> Result<Option<OffsetDateTime>, NinjsError> {
    raw.map(|raw| {
        OffsetDateTime::parse(raw, &Rfc3339)
            .map(|t| t.to_offset(UtcOffset::UTC))
            .map_err(|_| NinjsError(format!("{property}: {raw:?} is not an RFC 3339 date-time")))
    })
    .transpose()
}

/// The story id a document's `uri` names. A document this site wrote (its `uri` is this site's
/// API address of a story, under `base_url`) keeps its story's id, so an export imported back
/// updates the same stories. Anyone else's item gets an id derived from its URI, so the same
/// item always lands on the same story and never on one of ours: a URI from another host that
/// merely ends in `/stories/ID` must not overwrite (or publish) that story.
pub fn story_id(uri: &str, base_url: &str) -> StoryId {
    if let Some((_, last)) = uri.rsplit_once('/')
        && let Ok(id) = last.parse::<StoryId>()
        && uri == urls::absolute(base_url, &urls::api_story(id))
    {
        return id;
    }
    let digest = Sha256::digest(uri.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    // Mark it as a name-based (version 8, RFC 9562 variant) UUID.
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    StoryId::from_bytes(bytes)
}

fn by_role<'a, T>(
    items: &'a [T],
    role: impl Fn(&T) -> Option<&str>,
    wanted: &str,
) -> Option<&'a T> {
    items
        .iter()
        .find(|item| role(item) == Some(wanted))
        .or_else(|| items.first())
}

/// What an import assumes when a document does not say, and which site it imports into.
#[derive(Debug, Clone, Copy)]
pub struct Defaults<'a> {
    pub section: Section,
    pub now: OffsetDateTime,
    /// This site's public address: only a `uri` under it names one of this site's stories.
    pub base_url: &'a str,
}

/// The story a ninjs text item describes. Its picture is kept as caption, credit and text
/// alternative only: the image itself is not fetched.
pub fn story(doc: &Document, defaults: Defaults<'_>) -> Result<Story, NinjsError> {
    if doc.uri.trim().is_empty() {
        return Err(NinjsError::new("uri: missing"));
    }
    match doc.kind.as_deref() {
        None | Some("text") => {}
        Some(other) => {
            return Err(NinjsError(format!(
                "type: a {other:?} item is not a text story"
            )));
        }
    }
    let revision = match doc.version.as_deref() {
        None => 1,
        Some(raw) => raw
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|v| *v >= 1)
            .ok_or_else(|| NinjsError(format!("version: {raw:?} is not a whole number from 1")))?,
    };
    let headline = by_role(&doc.headlines, |t| t.role.as_deref(), "main")
        .ok_or_else(|| NinjsError::new("headlines: a story needs a headline"))?;
    let headline = Headline::parse(&html::as_plain(headline)).map_err(field("headlines"))?;
    let standfirst = by_role(&doc.descriptions, |t| t.role.as_deref(), "summary")
        .map(|d| Standfirst::parse(&html::as_plain(d)).map_err(field("descriptions")))
        .transpose()?;
    let body = body_of(doc)?;

    let authors: Vec<&str> = doc
        .people
        .iter()
        .filter(|p| p.rel.as_deref() == Some("author"))
        .filter_map(|p| p.name.as_deref())
        .collect();
    let source = doc
        .infosources
        .iter()
        .find(|s| s.role.as_deref() == Some("source"))
        .and_then(|s| s.name.as_deref())
        .map(|s| Source::parse(s).map_err(field("infosources")))
        .transpose()?;
    let bylines = if !authors.is_empty() {
        let parsed = authors
            .iter()
            .map(|a| Byline::parse(a))
            .collect::<Result<Vec<_>, _>>()
            .map_err(field("people"))?;
        Bylines::new(parsed).map_err(field("people"))?
    } else if let Some(by) = doc.by.as_deref().filter(|b| !b.trim().is_empty()) {
        Bylines::parse(by).map_err(field("by"))?
    } else if let Some(source) = &source {
        Bylines::one(Byline::crediting(source))
    } else {
        return Err(NinjsError::new("by: a story needs a byline"));
    };

    let section = doc
        .subjects
        .iter()
        .find(|s| s.rel.as_deref() == Some("section"))
        .map(|s| {
            let key = s
                .literal
                .as_deref()
                .or(s.name.as_deref())
                .unwrap_or_default();
            Section::parse(key).map_err(field("subjects"))
        })
        .transpose()?
        .unwrap_or(defaults.section);

    let created = read_time("firstcreated", doc.firstcreated.as_deref())?;
    let version_time = read_time("versioncreated", doc.versioncreated.as_deref())?;
    let content_time = read_time("contentcreated", doc.contentcreated.as_deref())?;
    let created_at = created.or(version_time).unwrap_or(defaults.now);
    let updated_at = version_time.unwrap_or(created_at);
    let status = match doc.pubstatus.as_deref() {
        None | Some("usable") => Status::Published,
        Some("withheld" | "canceled") => Status::Unpublished,
        Some(other) => return Err(NinjsError(format!("pubstatus: unknown value {other:?}"))),
    };
    let published_at = content_time.or(version_time).unwrap_or(created_at);

    let slug = match doc.slugline.as_deref() {
        Some(raw) => Slug::parse(raw).map_err(field("slugline"))?,
        None => Slug::from_headline(headline.as_str()),
    };
    let dateline = doc
        .located
        .as_deref()
        .and_then(|raw| dateline(raw, published_at.date()));
    let photo = doc
        .associations
        .iter()
        .find(|a| a.kind.as_deref() == Some("picture"))
        .map(photo_of)
        .transpose()?
        .flatten();

    let mut story = Story::draft(headline, section, bylines, body, created_at);
    story.id = story_id(&doc.uri, defaults.base_url);
    story.revision = revision;
    story.standfirst = standfirst;
    story.slug = slug;
    story.source = source;
    story.dateline = dateline;
    story.photo = photo;
    story.updated_at = updated_at;
    story.status = status;
    story.published_at = Some(published_at);
    story.first_published_at = Some(published_at);
    Ok(story)
}

fn body_of(doc: &Document) -> Result<Body, NinjsError> {
    let find = |types: &[&str]| {
        doc.bodies.iter().find(|b| {
            b.contenttype
                .as_deref()
                .is_some_and(|t| types.contains(&t.trim()))
        })
    };
    let markdown = if let Some(md) = find(&[MARKDOWN]) {
        md.value.clone()
    } else if let Some(rich) = find(&["text/html", "application/xhtml+xml", "body_xhtml"]) {
        html::to_markdown(&rich.value)
    } else if let Some(text) = doc.bodies.first() {
        html::plain_to_markdown(&text.value)
    } else {
        return Err(NinjsError::new("bodies: a story needs a body"));
    };
    Body::parse(&markdown).map_err(field("bodies"))
}

fn photo_of(association: &Association) -> Result<Option<LeadPhoto>, NinjsError> {
    let Some(caption) = by_role(&association.descriptions, |t| t.role.as_deref(), "caption") else {
        // A picture without words says nothing a text story can keep.
        return Ok(None);
    };
    let alt = association
        .descriptions
        .iter()
        .find(|d| d.role.as_deref() == Some("alt"))
        .map(|d| AltText::parse(&d.value).map_err(field("associations")))
        .transpose()?;
    let credit = association
        .by
        .as_deref()
        .or(association.copyrightholder.as_deref())
        .map(|c| Credit::parse(c).map_err(field("associations")))
        .transpose()?;
    Ok(Some(LeadPhoto {
        image: None,
        caption: Caption::parse(&html::as_plain(caption)).map_err(field("associations"))?,
        credit,
        alt,
    }))
}

/// Reads `PLACE, Month Day (Agency)`, choosing the year that puts the date nearest to
/// `near` (a dateline is written within days of publication). Other forms of `located`, such
/// as a bare place, carry no dateline and are left out.
fn dateline(raw: &str, near: Date) -> Option<Dateline> {
    let (place, rest) = raw.split_once(',')?;
    let rest = rest.trim();
    let (date_part, agency) = match rest.split_once('(') {
        Some((d, a)) => (d.trim(), Some(Source::parse(a.strip_suffix(')')?).ok()?)),
        None => (rest, None),
    };
    let (month, day) = date_part.split_once(' ')?;
    let month = Month::try_from((1..=12u8).find(|m| {
        Month::try_from(*m).is_ok_and(|candidate| candidate.to_string() == month.trim())
    })?)
    .ok()?;
    let day: u8 = day.trim().parse().ok()?;
    let date = [near.year() - 1, near.year(), near.year() + 1]
        .into_iter()
        .filter_map(|year| Date::from_calendar_date(year, month, day).ok())
        .min_by_key(|d| (*d - near).whole_days().abs())?;
    Some(Dateline::new(Place::parse(place).ok()?, date, agency))
}

/// Lines of JSON: one document per line, as `export` writes and `import` reads.
pub fn to_line(doc: &Document) -> Result<String, serde_json::Error> {
    serde_json::to_string(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn site() -> Site<'static> {
        Site {
            base_url: "https://news.example",
            name: "The Example",
        }
    }

    fn published() -> Story {
        let mut story = Story::draft(
            Headline::parse("Talks end <without> a deal & more").unwrap(),
            Section::parse("business").unwrap(),
            Bylines::parse("Ann Writer; Bo Reporter").unwrap(),
            Body::parse("First *page*.\n\n<!--nextpage-->\n\nSecond page.").unwrap(),
            datetime!(2017-07-14 20:00:00.123456789 UTC),
        );
        story.standfirst = Some(Standfirst::parse("What happened").unwrap());
        story.dateline =
            Some(Dateline::parse("GENEVA, July 14 (Xinhua)", date!(2017 - 07 - 15)).unwrap());
        story.source = Some(Source::parse("Xinhua").unwrap());
        story.photo = Some(LeadPhoto {
            image: None,
            caption: Caption::parse("The envoy speaks").unwrap(),
            credit: Some(Credit::parse("Xinhua/Xu Jinquan").unwrap()),
            alt: Some(AltText::parse("A man at a lectern").unwrap()),
        });
        story.revision = 3;
        story.publish(datetime!(2017-07-15 07:11:57 UTC), None);
        story
    }

    #[test]
    fn a_document_reads_back_to_the_same_document() {
        let doc = document(&published(), site());
        let defaults = Defaults {
            section: Section::parse("world").unwrap(),
            now: OffsetDateTime::now_utc(),
            base_url: site().base_url,
        };
        let again = document(&story(&doc, defaults).unwrap(), site());
        assert_eq!(again, doc);
    }

    #[test]
    fn every_page_of_the_body_is_one_html_body() {
        let doc = document(&published(), site());
        let html = &doc.bodies[0];
        assert_eq!(html.contenttype.as_deref(), Some("text/html"));
        assert!(html.value.contains("<em>page</em>"));
        assert!(html.value.contains("Second page."));
        assert!(!html.value.contains("nextpage"));
        assert_eq!(html.wordcount, Some(4));
    }

    #[test]
    fn a_foreign_uri_always_names_the_same_story() {
        let base = "https://x.example";
        let a = story_id("http://ninjs.example.com/newsitems/1", base);
        assert_eq!(a, story_id("http://ninjs.example.com/newsitems/1", base));
        assert_ne!(a, story_id("http://ninjs.example.com/newsitems/2", base));
        let own = StoryId::new();
        assert_eq!(
            story_id(&format!("https://x.example/api/v1/stories/{own}"), base),
            own
        );
    }

    #[test]
    fn only_this_sites_uri_names_one_of_its_stories() {
        let base = "https://x.example";
        let own = StoryId::new();
        for uri in [
            format!("https://evil.example/api/v1/stories/{own}"),
            format!("https://evil.example/stories/{own}"),
            format!("http://x.example/api/v1/stories/{own}"),
            format!("https://x.example.evil/api/v1/stories/{own}"),
            format!("https://x.example/api/v1/stories/{own}/"),
            format!("https://x.example/other/api/v1/stories/{own}"),
        ] {
            assert_ne!(story_id(&uri, base), own, "{uri}");
        }
    }

    #[test]
    fn a_dateline_takes_the_year_nearest_publication() {
        let d = dateline("PARIS, December 31", date!(2018 - 01 - 01)).unwrap();
        assert_eq!(d.date(), date!(2017 - 12 - 31));
        assert!(dateline("Grossetto, Italy", date!(2018 - 01 - 01)).is_none());
    }
}
