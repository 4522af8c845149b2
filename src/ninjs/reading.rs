//! A story from a ninjs document: what a story can hold is kept, the rest ignored; a document
//! this site wrote reads back to the same story.

use super::document::{Association, BodyText, Document};
use super::{MARKDOWN, html};
use crate::domain::dateline::Place;
use crate::domain::{
    AltText, Body, Byline, Bylines, Caption, Credit, Dateline, DomainError, Headline, Language,
    LeadPhoto, NoteKind, NoteText, PublicNote, Section, Slug, Source, Standfirst, Status, Story,
    StoryContent, StoryId, Tag, Tags,
};
use crate::urls;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, UtcOffset};

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

/// The story's language from the document's `language`: none when it is the site's.
fn language_of(doc: &Document, site: &Language) -> Result<Option<Language>, NinjsError> {
    match doc.language.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => {
            let language =
                Language::parse(raw).map_err(|e| NinjsError(format!("language: {e}")))?;
            Ok(Some(language).filter(|l| l != site))
        }
    }
}

/// What an import assumes when a document does not say, and which site it imports into.
#[derive(Debug, Clone, Copy)]
pub struct Defaults<'a> {
    pub section: Section,
    pub now: OffsetDateTime,
    /// This site's public address: only a `uri` under it names one of this site's stories.
    pub base_url: &'a str,
    /// This site's language: a document in it is a story in the site's language.
    pub language: &'a Language,
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
    let tags = tags_of(doc)?;

    let created = read_time("firstcreated", doc.firstcreated.as_deref())?;
    let version_time = read_time("versioncreated", doc.versioncreated.as_deref())?;
    let content_time = read_time("contentcreated", doc.contentcreated.as_deref())?;
    let embargo = read_time("embargoed", doc.embargoed.as_deref())?;
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

    let content = StoryContent {
        headline,
        standfirst,
        slug,
        section,
        bylines,
        source,
        dateline,
        body,
        photo,
        // Whether it may be published yet is the editorial service's decision on import.
        embargo,
        tags,
        language: language_of(doc, defaults.language)?,
        byline_links: Default::default(),
    };
    let mut story = Story::new_draft(content, None, created_at);
    story.notes = notes_of(doc, updated_at)?;
    story.id = story_id(&doc.uri, defaults.base_url);
    story.revision = revision;
    story.updated_at = updated_at;
    // What the document's readers saw: a copy keeps its version (see
    // `Story::record_public_change`).
    story.public_revision = revision;
    story.public_changed_at = Some(updated_at);
    story.status = status;
    story.published_at = Some(published_at);
    story.first_published_at = Some(published_at);
    Ok(story)
}

/// The public notes a document carries as bodies whose role names a kind of note (see
/// `writing::notes`); a note without a readable time is taken as added at `fallback`.
fn notes_of(doc: &Document, fallback: OffsetDateTime) -> Result<Vec<PublicNote>, NinjsError> {
    let mut notes = Vec::new();
    for body in &doc.bodies {
        let Some(kind) = note_kind(body) else {
            continue;
        };
        let html_body = body
            .contenttype
            .as_deref()
            .is_none_or(|t| t.contains("html"));
        let (at, text) = match body.value.split_once("</time>") {
            Some((time, rest)) if html_body => {
                let at = time
                    .split_once("datetime=\"")
                    .and_then(|(_, rest)| rest.split_once('"'))
                    .and_then(|(raw, _)| read_time("bodies", Some(raw)).ok().flatten());
                (at, rest)
            }
            _ => (None, body.value.as_str()),
        };
        let text = if html_body {
            text.split("</p>")
                .map(html::text_of)
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n")
        } else {
            text.to_owned()
        };
        notes.push(PublicNote {
            kind,
            text: NoteText::parse(&text).map_err(field("bodies"))?,
            at: at.unwrap_or(fallback),
        });
    }
    Ok(notes)
}

/// The kind of note a body is, by its role; `None` for the story's text itself.
fn note_kind(body: &BodyText) -> Option<NoteKind> {
    body.role
        .as_deref()
        .and_then(|role| NoteKind::parse(role).ok())
}

fn body_of(doc: &Document) -> Result<Body, NinjsError> {
    let find = |types: &[&str]| {
        doc.bodies
            .iter()
            .filter(|b| note_kind(b).is_none())
            .find(|b| {
                b.contenttype
                    .as_deref()
                    .is_some_and(|t| types.contains(&t.trim()))
            })
    };
    let markdown = if let Some(md) = find(&[MARKDOWN]) {
        // Raw HTML and pictures from elsewhere are what the desk would refuse: converted.
        crate::domain::body::imported_markdown(&md.value)
    } else if let Some(rich) = find(&["text/html", "application/xhtml+xml", "body_xhtml"]) {
        html::to_markdown(&rich.value)
    } else if let Some(text) = doc.bodies.iter().find(|b| note_kind(b).is_none()) {
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
pub(super) fn dateline(raw: &str, near: Date) -> Option<Dateline> {
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
/// The subjects with `rel` "tag": a tag's name, and its key as the literal when given (a tag
/// renamed keeps its key).
fn tags_of(doc: &Document) -> Result<Tags, NinjsError> {
    let tags = doc
        .subjects
        .iter()
        .filter(|s| s.rel.as_deref() == Some("tag"))
        .filter_map(|s| {
            let name = s.name.as_deref().or(s.literal.as_deref())?;
            Some(match s.literal.as_deref().map(Slug::parse) {
                Some(Ok(key)) => Tag::with_key(name, key),
                _ => Tag::parse(name),
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(field("subjects"))?;
    Tags::new(tags).map_err(field("subjects"))
}
