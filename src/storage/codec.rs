//! Every byte layout the database holds. A record is one format-version byte followed by a
//! bincode body; decoding checks the version and caps the size, so records can be migrated (decode
//! an old version, upgrade it) and the encoding replaced without touching the rest of the code.

use super::photo_uses::PhotoUse;
use super::{Change, ChangeSubject, PublicVersion};
use crate::domain::{
    AltText, Arrangement, AuditAction, AuditEvent, AuthorLink, AuthorLinks, AuthorProfile,
    Autosave, Banner, BannerLink, BannerText, Bio, Body, Byline, Bylines, Caption, CopyFormat,
    CopyIdentity, CopyState, Credit, Dateline, DomainError, Headline, IncomingCopy, Initials,
    Language, LeadPhoto, LiveFrontPage, NoteKind, NoteText, PasswordHash, PendingChanges, Photo,
    PhotoId, ProfileLink, PublicNote, RecoveryDigest, Rendition, ReviewNote, Role, Section,
    SectionList, SectionSpec, Session, Slug, Source, Standfirst, Status, Story, StoryContent,
    StoryId, StorySummary, Tag, Tags, TotpSecret, TwoFactor, User, UserId, Username,
    WithdrawalReason, dateline::Place,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use thiserror::Error;
use time::{Date, OffsetDateTime};

/// Largest record the decoder accepts: a story is at most ~1 MiB of body plus its fields.
const MAX_RECORD_BYTES: usize = 4 << 20;

const STORY_V1: u8 = 1;
/// Since embargoes and withdrawal: an embargo time, a reason, and a status that can be withdrawn.
const STORY_V2: u8 = 2;
/// Since staged edits, public notes and the review desk: pending changes, notes, the note of a
/// story sent back and who has the story.
const STORY_V3: u8 = 3;
/// Since the public revision: how many changes readers have seen, and when the last one was.
const STORY_V4: u8 = 4;
/// Since tags and languages: what a story's content and its pending changes add to
/// [`ContentV1`] ([`ContentExtrasV1`]).
const STORY_V5: u8 = 5;
const SUMMARY_V1: u8 = 1;
/// Since withdrawal: the status can be withdrawn.
const SUMMARY_V2: u8 = 2;
/// Since staged edits and the review desk: whether changes are pending, whether the story was
/// sent back, and who has it.
const SUMMARY_V3: u8 = 3;
/// Since the public revision: when readers last saw the story change.
const SUMMARY_V4: u8 = 4;
/// Since languages: the story's language.
const SUMMARY_V5: u8 = 5;

#[derive(Debug, Error)]
pub enum CodecError {
    #[error("empty record")]
    Empty,
    #[error("unknown format version {0}")]
    UnknownVersion(u8),
    /// The encoding's own error is kept as the cause, without naming its type.
    #[error("undecodable record: {0}")]
    Decode(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("unencodable record: {0}")]
    Encode(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("stored value no longer valid: {0}")]
    Invalid(#[from] DomainError),
    #[error("stored value out of range: {0}")]
    Range(String),
}

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_RECORD_BYTES>()
}

fn encode<T: Serialize>(version: u8, value: &T) -> Result<Vec<u8>, CodecError> {
    let mut out = vec![version];
    bincode::serde::encode_into_std_write(value, &mut out, config())
        .map_err(|e| CodecError::Encode(Box::new(e)))?;
    Ok(out)
}

/// Splits off the version byte; the caller picks the decoder for that version.
fn version_of(bytes: &[u8]) -> Result<(u8, &[u8]), CodecError> {
    bytes
        .split_first()
        .map(|(v, rest)| (*v, rest))
        .ok_or(CodecError::Empty)
}

fn decode<T: DeserializeOwned>(payload: &[u8]) -> Result<T, CodecError> {
    if payload.len() > MAX_RECORD_BYTES {
        return Err(CodecError::Range(format!(
            "record of {} bytes",
            payload.len()
        )));
    }
    let (value, _) = bincode::serde::decode_from_slice(payload, config())
        .map_err(|e| CodecError::Decode(Box::new(e)))?;
    Ok(value)
}

// --- Stories ---------------------------------------------------------------------------------

#[derive(Serialize, Deserialize)]
struct StoryV1 {
    id: [u8; 16],
    revision: u64,
    headline: String,
    standfirst: Option<String>,
    slug: String,
    section: String,
    bylines: Vec<String>,
    source: Option<String>,
    dateline: Option<DatelineV1>,
    body: String,
    photo: Option<PhotoV1>,
    status: StatusV1,
    submitted: bool,
    created_at: i128,
    updated_at: i128,
    published_at: Option<i128>,
    first_published_at: Option<i128>,
    revised_at: Option<i128>,
    editor: Option<String>,
    author: Option<[u8; 16]>,
    last_edited_by: Option<[u8; 16]>,
}

/// A story as written since embargoes and withdrawal; a first-version record is upgraded to it.
#[derive(Serialize, Deserialize)]
struct StoryV2 {
    id: [u8; 16],
    revision: u64,
    headline: String,
    standfirst: Option<String>,
    slug: String,
    section: String,
    bylines: Vec<String>,
    source: Option<String>,
    dateline: Option<DatelineV1>,
    body: String,
    photo: Option<PhotoV1>,
    status: StatusV2,
    submitted: bool,
    created_at: i128,
    updated_at: i128,
    published_at: Option<i128>,
    first_published_at: Option<i128>,
    revised_at: Option<i128>,
    editor: Option<String>,
    author: Option<[u8; 16]>,
    last_edited_by: Option<[u8; 16]>,
    embargo: Option<i128>,
    withdrawal_reason: Option<String>,
}

impl From<StoryV1> for StoryV2 {
    fn from(r: StoryV1) -> Self {
        StoryV2 {
            id: r.id,
            revision: r.revision,
            headline: r.headline,
            standfirst: r.standfirst,
            slug: r.slug,
            section: r.section,
            bylines: r.bylines,
            source: r.source,
            dateline: r.dateline,
            body: r.body,
            photo: r.photo,
            status: r.status.into(),
            submitted: r.submitted,
            created_at: r.created_at,
            updated_at: r.updated_at,
            published_at: r.published_at,
            first_published_at: r.first_published_at,
            revised_at: r.revised_at,
            editor: r.editor,
            author: r.author,
            last_edited_by: r.last_edited_by,
            embargo: None,
            withdrawal_reason: None,
        }
    }
}

/// A story as written since staged edits, public notes and the review desk: a second-version
/// record followed by what they added; older records are upgraded to it.
#[derive(Serialize, Deserialize)]
struct StoryV3 {
    base: StoryV2,
    pending: Option<PendingV1>,
    notes: Vec<NoteV1>,
    sent_back: Option<ReviewNoteV1>,
    assignee: Option<[u8; 16]>,
}

impl From<StoryV2> for StoryV3 {
    fn from(base: StoryV2) -> Self {
        StoryV3 {
            base,
            pending: None,
            notes: Vec::new(),
            sent_back: None,
            assignee: None,
        }
    }
}

/// A story as written since the public revision: a third-version record and the public
/// revision. An older record was written when every save counted as one readers saw (the API
/// gave the revision as the version, the sitemap the last save as the date), so it reads with
/// those: nothing readers were shown moves backwards.
#[derive(Serialize, Deserialize)]
struct StoryV4 {
    base: StoryV3,
    public_revision: u64,
    public_changed_at: Option<i128>,
}

impl From<StoryV3> for StoryV4 {
    fn from(base: StoryV3) -> Self {
        StoryV4 {
            public_revision: base.base.revision,
            public_changed_at: base.base.published_at.map(|_| base.base.updated_at),
            base,
        }
    }
}

/// [`StoryV4`] and what tags and languages add to its content and to its pending changes'.
#[derive(Serialize, Deserialize)]
struct StoryV5 {
    base: StoryV4,
    content: ContentExtrasV1,
    pending: Option<ContentExtrasV1>,
}

impl From<StoryV4> for StoryV5 {
    fn from(base: StoryV4) -> Self {
        StoryV5 {
            pending: base
                .base
                .pending
                .as_ref()
                .map(|_| ContentExtrasV1::default()),
            content: ContentExtrasV1::default(),
            base,
        }
    }
}

/// What a writer types of a story besides [`ContentV1`].
#[derive(Serialize, Deserialize, Default)]
struct ContentExtrasV1 {
    /// Each tag's name and key.
    tags: Vec<(String, String)>,
    language: Option<String>,
    /// Each byline linked to an author's profile: the byline, the profile's slug, and whether
    /// it is an organisation's.
    byline_links: Vec<(String, String, bool)>,
}

fn encode_links(links: &AuthorLinks) -> Vec<(String, String, bool)> {
    links
        .iter()
        .map(|l| (l.byline.to_string(), l.author.to_string(), l.organization))
        .collect()
}

fn decode_links(links: &[(String, String, bool)]) -> Result<AuthorLinks, CodecError> {
    Ok(AuthorLinks::new(
        links
            .iter()
            .map(|(byline, author, organization)| {
                Ok(AuthorLink {
                    byline: Byline::parse(byline)?,
                    author: Slug::parse(author)?,
                    organization: *organization,
                })
            })
            .collect::<Result<_, DomainError>>()?,
    ))
}

fn encode_extras(c: &StoryContent) -> ContentExtrasV1 {
    ContentExtrasV1 {
        tags: c
            .tags
            .iter()
            .map(|t| (t.name().to_owned(), t.key().to_string()))
            .collect(),
        language: c.language.as_ref().map(ToString::to_string),
        byline_links: encode_links(&c.byline_links),
    }
}

/// Puts `extras` into `content`, decoded from the rest of the record.
fn decode_extras(content: &mut StoryContent, extras: ContentExtrasV1) -> Result<(), CodecError> {
    content.tags = Tags::new(
        extras
            .tags
            .iter()
            .map(|(name, key)| Tag::with_key(name, Slug::parse(key)?))
            .collect::<Result<_, _>>()?,
    )?;
    content.language = extras
        .language
        .as_deref()
        .map(Language::parse)
        .transpose()?;
    content.byline_links = decode_links(&extras.byline_links)?;
    Ok(())
}

/// What a writer types of a story.
#[derive(Serialize, Deserialize)]
struct ContentV1 {
    headline: String,
    standfirst: Option<String>,
    slug: String,
    section: String,
    bylines: Vec<String>,
    source: Option<String>,
    dateline: Option<DatelineV1>,
    body: String,
    photo: Option<PhotoV1>,
    embargo: Option<i128>,
}

#[derive(Serialize, Deserialize)]
struct PendingV1 {
    content: ContentV1,
    by: Option<[u8; 16]>,
    at: i128,
}

#[derive(Serialize, Deserialize)]
struct NoteV1 {
    kind: String,
    text: String,
    at: i128,
}

#[derive(Serialize, Deserialize)]
struct ReviewNoteV1 {
    text: String,
    by: Option<[u8; 16]>,
    at: i128,
}

#[derive(Serialize, Deserialize)]
struct DatelineV1 {
    place: String,
    /// Days since 1970-01-01, as `time::Date::to_julian_day` minus the epoch's.
    julian_day: i32,
    agency: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct PhotoV1 {
    image: Option<[u8; 16]>,
    caption: String,
    credit: Option<String>,
    alt: Option<String>,
}

#[derive(Serialize, Deserialize)]
enum StatusV1 {
    Draft,
    Scheduled(i128),
    Published,
    Unpublished,
}

#[derive(Serialize, Deserialize)]
enum StatusV2 {
    Draft,
    Scheduled(i128),
    Published,
    Unpublished,
    Withdrawn(i128),
}

impl From<StatusV1> for StatusV2 {
    fn from(status: StatusV1) -> Self {
        match status {
            StatusV1::Draft => StatusV2::Draft,
            StatusV1::Scheduled(at) => StatusV2::Scheduled(at),
            StatusV1::Published => StatusV2::Published,
            StatusV1::Unpublished => StatusV2::Unpublished,
        }
    }
}

pub fn encode_story(story: &Story) -> Result<Vec<u8>, CodecError> {
    let v3 = StoryV3 {
        base: StoryV2 {
            id: story.id.to_bytes(),
            revision: story.revision,
            headline: story.content.headline.to_string(),
            standfirst: story.content.standfirst.as_ref().map(ToString::to_string),
            slug: story.content.slug.to_string(),
            section: story.content.section.key().to_owned(),
            bylines: story
                .content
                .bylines
                .iter()
                .map(ToString::to_string)
                .collect(),
            source: story.content.source.as_ref().map(ToString::to_string),
            dateline: story.content.dateline.as_ref().map(encode_dateline),
            body: story.content.body.as_str().to_owned(),
            photo: story.content.photo.as_ref().map(encode_lead_photo),
            status: encode_status(story.status),
            submitted: story.submitted,
            created_at: story.created_at.unix_timestamp_nanos(),
            updated_at: story.updated_at.unix_timestamp_nanos(),
            published_at: story.published_at.map(OffsetDateTime::unix_timestamp_nanos),
            first_published_at: story
                .first_published_at
                .map(OffsetDateTime::unix_timestamp_nanos),
            revised_at: story.revised_at.map(OffsetDateTime::unix_timestamp_nanos),
            editor: story.editor.as_ref().map(ToString::to_string),
            author: story.author.map(UserId::to_bytes),
            last_edited_by: story.last_edited_by.map(UserId::to_bytes),
            embargo: story
                .content
                .embargo
                .map(OffsetDateTime::unix_timestamp_nanos),
            withdrawal_reason: story.withdrawal_reason.as_ref().map(ToString::to_string),
        },
        pending: story.pending.as_deref().map(|p| PendingV1 {
            content: encode_content(&p.content),
            by: p.by.map(UserId::to_bytes),
            at: p.at.unix_timestamp_nanos(),
        }),
        notes: story
            .notes
            .iter()
            .map(|n| NoteV1 {
                kind: n.kind.key().to_owned(),
                text: n.text.to_string(),
                at: n.at.unix_timestamp_nanos(),
            })
            .collect(),
        sent_back: story.sent_back.as_ref().map(|n| ReviewNoteV1 {
            text: n.text.to_string(),
            by: n.by.map(UserId::to_bytes),
            at: n.at.unix_timestamp_nanos(),
        }),
        assignee: story.assignee.map(UserId::to_bytes),
    };
    let record = StoryV5 {
        base: StoryV4 {
            base: v3,
            public_revision: story.public_revision,
            public_changed_at: story
                .public_changed_at
                .map(OffsetDateTime::unix_timestamp_nanos),
        },
        content: encode_extras(&story.content),
        pending: story.pending.as_deref().map(|p| encode_extras(&p.content)),
    };
    encode(STORY_V5, &record)
}

pub fn decode_story(bytes: &[u8]) -> Result<Story, CodecError> {
    let (version, payload) = version_of(bytes)?;
    let record: StoryV5 = match version {
        STORY_V1 => StoryV4::from(StoryV3::from(StoryV2::from(decode::<StoryV1>(payload)?))).into(),
        STORY_V2 => StoryV4::from(StoryV3::from(decode::<StoryV2>(payload)?)).into(),
        STORY_V3 => StoryV4::from(decode::<StoryV3>(payload)?).into(),
        STORY_V4 => decode::<StoryV4>(payload)?.into(),
        STORY_V5 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    let StoryV5 {
        base:
            StoryV4 {
                base:
                    StoryV3 {
                        base: r,
                        pending,
                        notes,
                        sent_back,
                        assignee,
                    },
                public_revision,
                public_changed_at,
            },
        content: extras,
        pending: pending_extras,
    } = record;
    let mut story = Story {
        id: StoryId::from_bytes(r.id),
        revision: r.revision,
        content: StoryContent {
            headline: Headline::parse(&r.headline)?,
            standfirst: r.standfirst.as_deref().map(Standfirst::parse).transpose()?,
            slug: Slug::parse(&r.slug)?,
            section: Section::from_stored(&r.section)?,
            bylines: decode_bylines(&r.bylines)?,
            source: r.source.as_deref().map(Source::parse).transpose()?,
            dateline: r.dateline.map(decode_dateline).transpose()?,
            body: Body::from_stored(r.body)?,
            photo: r.photo.map(decode_lead_photo).transpose()?,
            embargo: r.embargo.map(datetime).transpose()?,
            tags: Tags::default(),
            language: None,
            byline_links: AuthorLinks::default(),
        },
        status: decode_status(r.status)?,
        submitted: r.submitted,
        pending: pending
            .map(|p| -> Result<Box<PendingChanges>, CodecError> {
                Ok(Box::new(PendingChanges {
                    content: decode_content(p.content)?,
                    by: p.by.map(UserId::from_bytes),
                    at: datetime(p.at)?,
                }))
            })
            .transpose()?,
        notes: notes
            .into_iter()
            .map(|n| -> Result<PublicNote, CodecError> {
                Ok(PublicNote {
                    kind: NoteKind::parse(&n.kind)?,
                    text: NoteText::parse(&n.text)?,
                    at: datetime(n.at)?,
                })
            })
            .collect::<Result<_, _>>()?,
        sent_back: sent_back
            .map(|n| -> Result<ReviewNote, CodecError> {
                Ok(ReviewNote {
                    text: NoteText::parse(&n.text)?,
                    by: n.by.map(UserId::from_bytes),
                    at: datetime(n.at)?,
                })
            })
            .transpose()?,
        assignee: assignee.map(UserId::from_bytes),
        created_at: datetime(r.created_at)?,
        updated_at: datetime(r.updated_at)?,
        published_at: r.published_at.map(datetime).transpose()?,
        first_published_at: r.first_published_at.map(datetime).transpose()?,
        revised_at: r.revised_at.map(datetime).transpose()?,
        editor: r.editor.as_deref().map(Initials::parse).transpose()?,
        author: r.author.map(UserId::from_bytes),
        last_edited_by: r.last_edited_by.map(UserId::from_bytes),
        public_revision,
        public_changed_at: public_changed_at.map(datetime).transpose()?,
        withdrawal_reason: r
            .withdrawal_reason
            .as_deref()
            .map(WithdrawalReason::parse)
            .transpose()?,
    };
    decode_extras(&mut story.content, extras)?;
    if let (Some(pending), Some(extras)) = (story.pending.as_deref_mut(), pending_extras) {
        decode_extras(&mut pending.content, extras)?;
    }
    Ok(story)
}

fn encode_content(c: &StoryContent) -> ContentV1 {
    ContentV1 {
        headline: c.headline.to_string(),
        standfirst: c.standfirst.as_ref().map(ToString::to_string),
        slug: c.slug.to_string(),
        section: c.section.key().to_owned(),
        bylines: c.bylines.iter().map(ToString::to_string).collect(),
        source: c.source.as_ref().map(ToString::to_string),
        dateline: c.dateline.as_ref().map(encode_dateline),
        body: c.body.as_str().to_owned(),
        photo: c.photo.as_ref().map(encode_lead_photo),
        embargo: c.embargo.map(OffsetDateTime::unix_timestamp_nanos),
    }
}

fn decode_content(r: ContentV1) -> Result<StoryContent, CodecError> {
    Ok(StoryContent {
        headline: Headline::parse(&r.headline)?,
        standfirst: r.standfirst.as_deref().map(Standfirst::parse).transpose()?,
        slug: Slug::parse(&r.slug)?,
        section: Section::from_stored(&r.section)?,
        bylines: decode_bylines(&r.bylines)?,
        source: r.source.as_deref().map(Source::parse).transpose()?,
        dateline: r.dateline.map(decode_dateline).transpose()?,
        body: Body::from_stored(r.body)?,
        photo: r.photo.map(decode_lead_photo).transpose()?,
        embargo: r.embargo.map(datetime).transpose()?,
        tags: Tags::default(),
        language: None,
        byline_links: AuthorLinks::default(),
    })
}

fn encode_dateline(d: &Dateline) -> DatelineV1 {
    DatelineV1 {
        place: d.place().as_str().to_owned(),
        julian_day: d.date().to_julian_day(),
        agency: d.agency().map(ToString::to_string),
    }
}

fn decode_dateline(d: DatelineV1) -> Result<Dateline, CodecError> {
    let date = Date::from_julian_day(d.julian_day).map_err(|e| CodecError::Range(e.to_string()))?;
    let agency = d.agency.as_deref().map(Source::parse).transpose()?;
    Ok(Dateline::new(Place::parse(&d.place)?, date, agency))
}

fn encode_lead_photo(p: &LeadPhoto) -> PhotoV1 {
    PhotoV1 {
        image: p.image.map(PhotoId::to_bytes),
        caption: p.caption.to_string(),
        credit: p.credit.as_ref().map(ToString::to_string),
        alt: p.alt.as_ref().map(ToString::to_string),
    }
}

fn decode_lead_photo(p: PhotoV1) -> Result<LeadPhoto, CodecError> {
    Ok(LeadPhoto {
        image: p.image.map(PhotoId::from_bytes),
        caption: Caption::parse(&p.caption)?,
        credit: p.credit.as_deref().map(Credit::parse).transpose()?,
        alt: p.alt.as_deref().map(AltText::parse).transpose()?,
    })
}

// --- Listing summaries ---------------------------------------------------------------------------

#[derive(Serialize, Deserialize)]
struct SummaryV1 {
    id: [u8; 16],
    headline: String,
    standfirst: Option<String>,
    slug: String,
    section: String,
    bylines: Vec<String>,
    status: StatusV1,
    submitted: bool,
    published_at: Option<i128>,
    updated_at: i128,
    author: Option<[u8; 16]>,
    last_edited_by: Option<[u8; 16]>,
}

/// [`SummaryV1`] with a status that can be withdrawn.
#[derive(Serialize, Deserialize)]
struct SummaryV2 {
    id: [u8; 16],
    headline: String,
    standfirst: Option<String>,
    slug: String,
    section: String,
    bylines: Vec<String>,
    status: StatusV2,
    submitted: bool,
    published_at: Option<i128>,
    updated_at: i128,
    author: Option<[u8; 16]>,
    last_edited_by: Option<[u8; 16]>,
}

impl From<SummaryV1> for SummaryV2 {
    fn from(r: SummaryV1) -> Self {
        SummaryV2 {
            id: r.id,
            headline: r.headline,
            standfirst: r.standfirst,
            slug: r.slug,
            section: r.section,
            bylines: r.bylines,
            status: r.status.into(),
            submitted: r.submitted,
            published_at: r.published_at,
            updated_at: r.updated_at,
            author: r.author,
            last_edited_by: r.last_edited_by,
        }
    }
}

/// [`SummaryV2`] and what staged edits and the review desk add.
#[derive(Serialize, Deserialize)]
struct SummaryV3 {
    base: SummaryV2,
    pending: bool,
    sent_back: bool,
    assignee: Option<[u8; 16]>,
}

impl From<SummaryV2> for SummaryV3 {
    fn from(base: SummaryV2) -> Self {
        SummaryV3 {
            base,
            pending: false,
            sent_back: false,
            assignee: None,
        }
    }
}

/// [`SummaryV3`] and when readers last saw the story change; an older record reads with its
/// last save, which is what the sitemap gave before.
#[derive(Serialize, Deserialize)]
struct SummaryV4 {
    base: SummaryV3,
    public_changed_at: Option<i128>,
}

impl From<SummaryV3> for SummaryV4 {
    fn from(base: SummaryV3) -> Self {
        SummaryV4 {
            public_changed_at: base.base.published_at.map(|_| base.base.updated_at),
            base,
        }
    }
}

/// [`SummaryV4`] and the story's language.
#[derive(Serialize, Deserialize)]
struct SummaryV5 {
    base: SummaryV4,
    language: Option<String>,
    /// As [`ContentExtrasV1::byline_links`].
    byline_links: Vec<(String, String, bool)>,
}

impl From<SummaryV4> for SummaryV5 {
    fn from(base: SummaryV4) -> Self {
        SummaryV5 {
            base,
            language: None,
            byline_links: Vec::new(),
        }
    }
}

pub fn encode_summary(s: &StorySummary) -> Result<Vec<u8>, CodecError> {
    let v3 = SummaryV3 {
        base: SummaryV2 {
            id: s.id.to_bytes(),
            headline: s.headline.to_string(),
            standfirst: s.standfirst.as_ref().map(ToString::to_string),
            slug: s.slug.to_string(),
            section: s.section.key().to_owned(),
            bylines: s.bylines.iter().map(ToString::to_string).collect(),
            status: encode_status(s.status),
            submitted: s.submitted,
            published_at: s.published_at.map(OffsetDateTime::unix_timestamp_nanos),
            updated_at: s.updated_at.unix_timestamp_nanos(),
            author: s.author.map(UserId::to_bytes),
            last_edited_by: s.last_edited_by.map(UserId::to_bytes),
        },
        pending: s.pending,
        sent_back: s.sent_back,
        assignee: s.assignee.map(UserId::to_bytes),
    };
    let record = SummaryV5 {
        base: SummaryV4 {
            base: v3,
            public_changed_at: s
                .public_changed_at
                .map(OffsetDateTime::unix_timestamp_nanos),
        },
        language: s.language.as_ref().map(ToString::to_string),
        byline_links: encode_links(&s.byline_links),
    };
    encode(SUMMARY_V5, &record)
}

pub fn decode_summary(bytes: &[u8]) -> Result<StorySummary, CodecError> {
    let (version, payload) = version_of(bytes)?;
    let record: SummaryV5 = match version {
        SUMMARY_V1 => SummaryV4::from(SummaryV3::from(SummaryV2::from(decode::<SummaryV1>(
            payload,
        )?)))
        .into(),
        SUMMARY_V2 => SummaryV4::from(SummaryV3::from(decode::<SummaryV2>(payload)?)).into(),
        SUMMARY_V3 => SummaryV4::from(decode::<SummaryV3>(payload)?).into(),
        SUMMARY_V4 => decode::<SummaryV4>(payload)?.into(),
        SUMMARY_V5 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    let SummaryV5 {
        base:
            SummaryV4 {
                base:
                    SummaryV3 {
                        base: r,
                        pending,
                        sent_back,
                        assignee,
                    },
                public_changed_at,
            },
        language,
        byline_links,
    } = record;
    Ok(StorySummary {
        id: StoryId::from_bytes(r.id),
        headline: Headline::parse(&r.headline)?,
        standfirst: r.standfirst.as_deref().map(Standfirst::parse).transpose()?,
        slug: Slug::parse(&r.slug)?,
        section: Section::from_stored(&r.section)?,
        bylines: decode_bylines(&r.bylines)?,
        language: language.as_deref().map(Language::parse).transpose()?,
        byline_links: decode_links(&byline_links)?,
        status: decode_status(r.status)?,
        submitted: r.submitted,
        pending,
        sent_back,
        assignee: assignee.map(UserId::from_bytes),
        published_at: r.published_at.map(datetime).transpose()?,
        updated_at: datetime(r.updated_at)?,
        public_changed_at: public_changed_at.map(datetime).transpose()?,
        author: r.author.map(UserId::from_bytes),
        last_edited_by: r.last_edited_by.map(UserId::from_bytes),
    })
}

// --- Tags and authors (site records) --------------------------------------------------------

const TAG_V1: u8 = 1;

/// A tag's own record (kind `Tag`, under its key): the name readers see and what it is about.
#[derive(Serialize, Deserialize)]
struct TagV1 {
    name: String,
    description: Option<String>,
}

/// A tag's record: its canonical name and an optional description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRecord {
    pub tag: Tag,
    pub description: Option<String>,
}

pub fn encode_tag(r: &TagRecord) -> Result<Vec<u8>, CodecError> {
    encode(
        TAG_V1,
        &TagV1 {
            name: r.tag.name().to_owned(),
            description: r.description.clone(),
        },
    )
}

/// Decodes the record stored under tag key `key`.
pub fn decode_tag(key: &str, bytes: &[u8]) -> Result<TagRecord, CodecError> {
    let (version, payload) = version_of(bytes)?;
    let r: TagV1 = match version {
        TAG_V1 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    Ok(TagRecord {
        tag: Tag::with_key(&r.name, Slug::parse(key)?)?,
        description: r.description,
    })
}

const AUTHOR_V1: u8 = 1;

#[derive(Serialize, Deserialize)]
struct AuthorV1 {
    slug: String,
    name: String,
    bio: Option<String>,
    photo: Option<[u8; 16]>,
    links: Vec<String>,
    account: Option<[u8; 16]>,
    organization: bool,
}

pub fn encode_author(a: &AuthorProfile) -> Result<Vec<u8>, CodecError> {
    encode(
        AUTHOR_V1,
        &AuthorV1 {
            slug: a.slug.to_string(),
            name: a.name.to_string(),
            bio: a.bio.as_ref().map(|b| b.as_str().to_owned()),
            photo: a.photo.map(PhotoId::to_bytes),
            links: a.links.iter().map(ToString::to_string).collect(),
            account: a.account.map(UserId::to_bytes),
            organization: a.organization,
        },
    )
}

pub fn decode_author(bytes: &[u8]) -> Result<AuthorProfile, CodecError> {
    let (version, payload) = version_of(bytes)?;
    let r: AuthorV1 = match version {
        AUTHOR_V1 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    Ok(AuthorProfile {
        slug: Slug::parse(&r.slug)?,
        name: Byline::parse(&r.name)?,
        bio: r.bio.as_deref().map(Bio::parse).transpose()?,
        photo: r.photo.map(PhotoId::from_bytes),
        links: r
            .links
            .iter()
            .map(|l| ProfileLink::parse(l))
            .collect::<Result<_, _>>()?,
        account: r.account.map(UserId::from_bytes),
        organization: r.organization,
    })
}

const TAG_REDIRECT_V1: u8 = 1;

/// A redirect record under `tag:OLD` or `author:OLD` (kind `Redirect`): the key it now answers
/// under (a tag renamed or merged into another).
pub fn encode_key_redirect(to: &Slug) -> Result<Vec<u8>, CodecError> {
    encode(TAG_REDIRECT_V1, &to.to_string())
}

pub fn decode_key_redirect(bytes: &[u8]) -> Result<Slug, CodecError> {
    let (version, payload) = version_of(bytes)?;
    match version {
        TAG_REDIRECT_V1 => Ok(Slug::parse(&decode::<String>(payload)?)?),
        other => Err(CodecError::UnknownVersion(other)),
    }
}

// --- Users ----------------------------------------------------------------------------------

const USER_V1: u8 = 1;
/// Adds the second factor.
const USER_V2: u8 = 2;

#[derive(Serialize, Deserialize)]
struct UserV1 {
    id: [u8; 16],
    username: String,
    initials: String,
    role: String,
    password_hash: String,
    disabled: bool,
    created_at: i128,
}

#[derive(Serialize, Deserialize)]
struct UserV2 {
    id: [u8; 16],
    username: String,
    initials: String,
    role: String,
    password_hash: String,
    disabled: bool,
    created_at: i128,
    two_factor: Option<TwoFactorV1>,
}

#[derive(Serialize, Deserialize)]
struct TwoFactorV1 {
    secret: [u8; 20],
    last_step: u64,
    recovery: Vec<[u8; 32]>,
    enrolled_at: i128,
}

/// More recovery codes than an account is ever given is damage.
const MAX_RECOVERY_CODES: usize = 64;

pub fn encode_user(user: &User) -> Result<Vec<u8>, CodecError> {
    encode(
        USER_V2,
        &UserV2 {
            id: user.id.to_bytes(),
            username: user.username.to_string(),
            initials: user.initials.to_string(),
            role: user.role.key().to_owned(),
            password_hash: user.password_hash.0.clone(),
            disabled: user.disabled,
            created_at: user.created_at.unix_timestamp_nanos(),
            two_factor: user.two_factor.as_ref().map(|tf| TwoFactorV1 {
                secret: tf.secret.0,
                last_step: tf.last_step,
                recovery: tf.recovery.iter().map(|d| d.0).collect(),
                enrolled_at: tf.enrolled_at.unix_timestamp_nanos(),
            }),
        },
    )
}

pub fn decode_user(bytes: &[u8]) -> Result<User, CodecError> {
    let (version, payload) = version_of(bytes)?;
    let r: UserV2 = match version {
        USER_V1 => {
            let v1: UserV1 = decode(payload)?;
            UserV2 {
                id: v1.id,
                username: v1.username,
                initials: v1.initials,
                role: v1.role,
                password_hash: v1.password_hash,
                disabled: v1.disabled,
                created_at: v1.created_at,
                two_factor: None,
            }
        }
        USER_V2 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    let two_factor = match r.two_factor {
        None => None,
        Some(tf) if tf.recovery.len() > MAX_RECOVERY_CODES => {
            return Err(CodecError::Range(format!(
                "{} recovery codes",
                tf.recovery.len()
            )));
        }
        Some(tf) => Some(TwoFactor {
            secret: TotpSecret(tf.secret),
            last_step: tf.last_step,
            recovery: tf.recovery.into_iter().map(RecoveryDigest).collect(),
            enrolled_at: datetime(tf.enrolled_at)?,
        }),
    };
    Ok(User {
        id: UserId::from_bytes(r.id),
        username: Username::parse(&r.username)?,
        initials: Initials::parse(&r.initials)?,
        role: Role::parse(&r.role)?,
        password_hash: PasswordHash(r.password_hash),
        disabled: r.disabled,
        created_at: datetime(r.created_at)?,
        two_factor,
    })
}

// --- Sessions ---------------------------------------------------------------------------------

const SESSION_V1: u8 = 1;
/// Adds the browser, the address and when the session was last seen, for its owner's list.
const SESSION_V2: u8 = 2;

#[derive(Serialize, Deserialize)]
struct SessionV1 {
    state: Vec<(String, String)>,
    /// Unix seconds after which the session is gone.
    expires_at: i64,
    user: Option<[u8; 16]>,
}

#[derive(Serialize, Deserialize)]
struct SessionV2 {
    state: Vec<(String, String)>,
    /// Unix seconds after which the session is gone.
    expires_at: i64,
    user: Option<[u8; 16]>,
    browser: String,
    address: String,
    /// Unix seconds; `None` for a session written before it was kept.
    last_seen: Option<i64>,
}

pub fn encode_session(session: &Session) -> Result<Vec<u8>, CodecError> {
    encode(
        SESSION_V2,
        &SessionV2 {
            state: session.state.clone(),
            expires_at: session.expires_at.unix_timestamp(),
            user: session.user.map(UserId::to_bytes),
            browser: session.browser.clone(),
            address: session.address.clone(),
            last_seen: session.last_seen.map(OffsetDateTime::unix_timestamp),
        },
    )
}

pub fn decode_session(bytes: &[u8]) -> Result<Session, CodecError> {
    let (version, payload) = version_of(bytes)?;
    let r: SessionV2 = match version {
        SESSION_V1 => {
            let v1: SessionV1 = decode(payload)?;
            SessionV2 {
                state: v1.state,
                expires_at: v1.expires_at,
                user: v1.user,
                browser: String::new(),
                address: String::new(),
                last_seen: None,
            }
        }
        SESSION_V2 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    Ok(Session {
        state: r.state,
        expires_at: seconds(r.expires_at)?,
        user: r.user.map(UserId::from_bytes),
        browser: r.browser,
        address: r.address,
        last_seen: r.last_seen.map(seconds).transpose()?,
    })
}

// --- Sections ----------------------------------------------------------------------------------

const SECTIONS_V1: u8 = 1;

#[derive(Serialize, Deserialize)]
struct SectionV1 {
    key: String,
    name: String,
    hidden: bool,
}

pub fn encode_sections(list: &SectionList) -> Result<Vec<u8>, CodecError> {
    let record: Vec<SectionV1> = list
        .specs()
        .iter()
        .map(|s| SectionV1 {
            key: s.key.to_string(),
            name: s.name.clone(),
            hidden: s.hidden,
        })
        .collect();
    encode(SECTIONS_V1, &record)
}

pub fn decode_sections(bytes: &[u8]) -> Result<SectionList, CodecError> {
    let (version, payload) = version_of(bytes)?;
    let record: Vec<SectionV1> = match version {
        SECTIONS_V1 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    let specs = record
        .into_iter()
        .map(|s| -> Result<SectionSpec, CodecError> {
            Ok(SectionSpec {
                key: Slug::parse(&s.key)?,
                name: SectionList::parse_name(&s.name)?,
                hidden: s.hidden,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(SectionList::new(specs)?)
}

// --- Autosaved form copies ---------------------------------------------------------------------

const AUTOSAVE_V1: u8 = 1;

#[derive(Serialize, Deserialize)]
struct AutosaveV1 {
    /// Unix seconds.
    saved_at: i64,
    fields: Vec<(String, String)>,
}

pub fn encode_autosave(copy: &Autosave) -> Result<Vec<u8>, CodecError> {
    encode(
        AUTOSAVE_V1,
        &AutosaveV1 {
            saved_at: copy.saved_at.unix_timestamp(),
            fields: copy.fields.clone(),
        },
    )
}

pub fn decode_autosave(bytes: &[u8]) -> Result<Autosave, CodecError> {
    let (version, payload) = version_of(bytes)?;
    let r: AutosaveV1 = match version {
        AUTOSAVE_V1 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    Ok(Autosave {
        saved_at: seconds(r.saved_at)?,
        fields: r.fields,
    })
}

// --- Audit log ----------------------------------------------------------------------------------

const AUDIT_V1: u8 = 1;

#[derive(Serialize, Deserialize)]
struct AuditV1 {
    at: i128,
    actor: Option<[u8; 16]>,
    actor_name: String,
    action: String,
    detail: String,
}

pub fn encode_audit(event: &AuditEvent) -> Result<Vec<u8>, CodecError> {
    encode(
        AUDIT_V1,
        &AuditV1 {
            at: event.at.unix_timestamp_nanos(),
            actor: event.actor.map(UserId::to_bytes),
            actor_name: event.actor_name.clone(),
            action: event.action.key().to_owned(),
            detail: event.detail.clone(),
        },
    )
}

pub fn decode_audit(bytes: &[u8]) -> Result<AuditEvent, CodecError> {
    let (version, payload) = version_of(bytes)?;
    let r: AuditV1 = match version {
        AUDIT_V1 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    Ok(AuditEvent {
        at: datetime(r.at)?,
        actor: r.actor.map(UserId::from_bytes),
        actor_name: r.actor_name,
        action: AuditAction::parse(&r.action)
            .ok_or_else(|| CodecError::Range(format!("audit action {:?}", r.action)))?,
        detail: r.detail,
    })
}

// --- The front page's arrangement ------------------------------------------------------------

const FRONT_PAGE_V1: u8 = 1;

#[derive(Serialize, Deserialize)]
struct FrontPageV1 {
    lead: Option<[u8; 16]>,
    slots: Vec<[u8; 16]>,
    banner: Option<BannerV1>,
    by: String,
    /// Unix nanoseconds.
    at: i128,
}

#[derive(Serialize, Deserialize)]
struct BannerV1 {
    text: String,
    link: Option<String>,
    /// Unix nanoseconds.
    expires_at: i128,
}

pub fn encode_front_page(live: &LiveFrontPage) -> Result<Vec<u8>, CodecError> {
    let a = &live.arrangement;
    encode(
        FRONT_PAGE_V1,
        &FrontPageV1 {
            lead: a.lead().map(StoryId::to_bytes),
            slots: a.slots().iter().map(|id| id.to_bytes()).collect(),
            banner: a.banner().map(|b| BannerV1 {
                text: b.text.to_string(),
                link: b.link.as_ref().map(ToString::to_string),
                expires_at: b.expires_at.unix_timestamp_nanos(),
            }),
            by: live.by.clone(),
            at: live.at.unix_timestamp_nanos(),
        },
    )
}

/// Decodes an arrangement, checking it again as the domain would (slots, repeats, banner).
pub fn decode_front_page(bytes: &[u8]) -> Result<LiveFrontPage, CodecError> {
    let (version, payload) = version_of(bytes)?;
    let r: FrontPageV1 = match version {
        FRONT_PAGE_V1 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    let banner = r
        .banner
        .map(|b| -> Result<Banner, CodecError> {
            Ok(Banner {
                text: BannerText::parse(&b.text)?,
                link: b.link.as_deref().map(BannerLink::parse).transpose()?,
                expires_at: datetime(b.expires_at)?,
            })
        })
        .transpose()?;
    let arrangement = Arrangement::new(
        r.lead.map(StoryId::from_bytes),
        r.slots.into_iter().map(StoryId::from_bytes).collect(),
        banner,
    )?;
    Ok(LiveFrontPage {
        arrangement,
        by: r.by,
        at: datetime(r.at)?,
    })
}

// --- Photos -------------------------------------------------------------------------------------

use crate::domain::{Aspect, Crop, FocalPoint};

const PHOTO_V1: u8 = 1;
const PHOTO_V2: u8 = 2;
const PHOTO_V3: u8 = 3;

/// A stored photo's description, as written since crops exist.
#[derive(Serialize, Deserialize)]
struct PhotoV3 {
    photo: PhotoV2,
    /// Percent across and down.
    focal: (u8, u8),
    crops: Vec<CropV3>,
}

#[derive(Serialize, Deserialize)]
struct CropV3 {
    /// `16x9`, `4x3` or `1x1`.
    aspect: String,
    width: u32,
    height: u32,
}

/// A stored photo's description, as written from when renditions existed until crops did.
#[derive(Serialize, Deserialize)]
struct PhotoV2 {
    id: [u8; 16],
    content_type: String,
    width: u32,
    height: u32,
    uploaded_by: Option<[u8; 16]>,
    /// Unix seconds.
    uploaded_at: i64,
    hash: Option<[u8; 32]>,
    renditions: Vec<RenditionV2>,
    caption: String,
    credit: String,
    alt: String,
}

#[derive(Serialize, Deserialize)]
struct RenditionV2 {
    width: u32,
    height: u32,
}

#[derive(Deserialize)]
struct PhotoRecordV1 {
    id: [u8; 16],
    content_type: String,
    width: u32,
    height: u32,
    uploaded_by: Option<[u8; 16]>,
    uploaded_at: i64,
}

pub fn encode_photo(photo: &Photo) -> Result<Vec<u8>, CodecError> {
    let v2 = PhotoV2 {
        id: photo.id.to_bytes(),
        content_type: photo.content_type.clone(),
        width: photo.width,
        height: photo.height,
        uploaded_by: photo.uploaded_by.map(UserId::to_bytes),
        uploaded_at: photo.uploaded_at.unix_timestamp(),
        hash: photo.hash,
        renditions: photo
            .renditions
            .iter()
            .map(|r| RenditionV2 {
                width: r.width,
                height: r.height,
            })
            .collect(),
        caption: photo.caption.clone(),
        credit: photo.credit.clone(),
        alt: photo.alt.clone(),
    };
    encode(
        PHOTO_V3,
        &PhotoV3 {
            photo: v2,
            focal: (photo.focal.x(), photo.focal.y()),
            crops: photo
                .crops
                .iter()
                .map(|c| CropV3 {
                    aspect: c.aspect.as_str().to_owned(),
                    width: c.width,
                    height: c.height,
                })
                .collect(),
        },
    )
}

pub fn decode_photo(bytes: &[u8]) -> Result<Photo, CodecError> {
    let (version, payload) = version_of(bytes)?;
    // Photos stored before crops existed have none, and the default focal point.
    let (r, focal, crops): (PhotoV2, _, _) = match version {
        // A first-version photo has one full-size display copy, served for every width.
        PHOTO_V1 => {
            let v1: PhotoRecordV1 = decode(payload)?;
            let v2 = PhotoV2 {
                id: v1.id,
                content_type: v1.content_type,
                width: v1.width,
                height: v1.height,
                uploaded_by: v1.uploaded_by,
                uploaded_at: v1.uploaded_at,
                hash: None,
                renditions: vec![RenditionV2 {
                    width: v1.width,
                    height: v1.height,
                }],
                caption: String::new(),
                credit: String::new(),
                alt: String::new(),
            };
            (v2, FocalPoint::CENTRE, Vec::new())
        }
        PHOTO_V2 => (decode(payload)?, FocalPoint::CENTRE, Vec::new()),
        PHOTO_V3 => {
            let v3: PhotoV3 = decode(payload)?;
            let focal = FocalPoint::parse(v3.focal.0.into(), v3.focal.1.into())?;
            let crops = v3
                .crops
                .into_iter()
                .map(|c| {
                    Ok(Crop {
                        aspect: Aspect::parse(&c.aspect)
                            .ok_or_else(|| CodecError::Range(format!("crop {:?}", c.aspect)))?,
                        width: c.width,
                        height: c.height,
                    })
                })
                .collect::<Result<_, CodecError>>()?;
            (v3.photo, focal, crops)
        }
        other => return Err(CodecError::UnknownVersion(other)),
    };
    Ok(Photo {
        id: PhotoId::from_bytes(r.id),
        content_type: r.content_type,
        width: r.width,
        height: r.height,
        uploaded_by: r.uploaded_by.map(UserId::from_bytes),
        uploaded_at: seconds(r.uploaded_at)?,
        hash: r.hash,
        renditions: r
            .renditions
            .into_iter()
            .map(|r| Rendition {
                width: r.width,
                height: r.height,
            })
            .collect(),
        caption: r.caption,
        credit: r.credit,
        alt: r.alt,
        focal,
        crops,
    })
}

// --- Site settings, as a backup carries them ------------------------------------------------

const SECRET_V1: u8 = 1;
const PUBLIC_VERSION_V1: u8 = 1;

/// A stored secret longer than this is not one Newsroom wrote.
const MAX_SECRET_BYTES: usize = 1024;
/// No site makes this many public changes (one a microsecond for eight years); a larger
/// generation is damage, and trusting it would bring the counter near wrapping.
const MAX_GENERATION: u64 = 1 << 48;

/// Failed logins of one throttle key: a version byte, the count (u32) and the time of the last
/// (i64 seconds since 1970), big-endian. Transient, never in a backup.
const LOGIN_FAILURES_V1: u8 = 1;

pub fn encode_login_failures(failures: u32, last_at: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(13);
    out.push(LOGIN_FAILURES_V1);
    out.extend_from_slice(&failures.to_be_bytes());
    out.extend_from_slice(&last_at.to_be_bytes());
    out
}

/// (failures, last failure) of a record made by [`encode_login_failures`].
pub fn decode_login_failures(bytes: &[u8]) -> Result<(u32, i64), CodecError> {
    let (version, payload) = version_of(bytes)?;
    if version != LOGIN_FAILURES_V1 {
        return Err(CodecError::UnknownVersion(version));
    }
    let failures = payload.get(..4).and_then(|b| b.try_into().ok());
    let last_at = payload.get(4..12).and_then(|b| b.try_into().ok());
    match (failures, last_at, payload.len()) {
        (Some(failures), Some(last_at), 12) => {
            Ok((u32::from_be_bytes(failures), i64::from_be_bytes(last_at)))
        }
        _ => Err(CodecError::Range(format!(
            "login failures of {} bytes",
            payload.len()
        ))),
    }
}

/// How a story uses a photo (sled's `photo_uses` values): a version byte and one byte of
/// flags, lead 1, inline 2, public 4. Earlier databases held no value there; they are rebuilt
/// on open.
const PHOTO_USE_V1: u8 = 1;
const USE_LEAD: u8 = 1;
const USE_INLINE: u8 = 2;
const USE_PUBLIC: u8 = 4;

pub fn encode_photo_use(usage: PhotoUse) -> [u8; 2] {
    let flag = |on: bool, bit: u8| if on { bit } else { 0 };
    [
        PHOTO_USE_V1,
        flag(usage.lead, USE_LEAD)
            | flag(usage.inline, USE_INLINE)
            | flag(usage.public, USE_PUBLIC),
    ]
}

pub fn decode_photo_use(bytes: &[u8]) -> Result<PhotoUse, CodecError> {
    let (version, payload) = version_of(bytes)?;
    if version != PHOTO_USE_V1 {
        return Err(CodecError::UnknownVersion(version));
    }
    match payload {
        [flags] if flags & !(USE_LEAD | USE_INLINE | USE_PUBLIC) == 0 => Ok(PhotoUse {
            lead: flags & USE_LEAD != 0,
            inline: flags & USE_INLINE != 0,
            public: flags & USE_PUBLIC != 0,
        }),
        _ => Err(CodecError::Range(format!(
            "a photo use of {} bytes",
            payload.len()
        ))),
    }
}

#[derive(Serialize, Deserialize)]
struct SecretV1 {
    name: String,
    value: Vec<u8>,
}

/// A named site secret (the session cookie key, say, or `setup-token` for the setup token's
/// digest).
pub fn encode_secret(name: &str, value: &[u8]) -> Result<Vec<u8>, CodecError> {
    encode(
        SECRET_V1,
        &SecretV1 {
            name: name.to_owned(),
            value: value.to_vec(),
        },
    )
}

pub fn decode_secret(bytes: &[u8]) -> Result<(String, Vec<u8>), CodecError> {
    let (version, payload) = version_of(bytes)?;
    let r: SecretV1 = match version {
        SECRET_V1 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    let name_ok = !r.name.is_empty()
        && r.name.len() <= 64
        && r.name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !name_ok {
        return Err(CodecError::Range(format!("secret name {:?}", r.name)));
    }
    if r.value.is_empty() || r.value.len() > MAX_SECRET_BYTES {
        return Err(CodecError::Range(format!(
            "secret of {} bytes",
            r.value.len()
        )));
    }
    Ok((r.name, r.value))
}

#[derive(Serialize, Deserialize)]
struct PublicVersionV1 {
    generation: u64,
    changed_at: Option<i128>,
}

pub fn encode_public_version(version: &PublicVersion) -> Result<Vec<u8>, CodecError> {
    encode(
        PUBLIC_VERSION_V1,
        &PublicVersionV1 {
            generation: version.generation,
            changed_at: version.changed_at.map(OffsetDateTime::unix_timestamp_nanos),
        },
    )
}

pub fn decode_public_version(bytes: &[u8]) -> Result<PublicVersion, CodecError> {
    let (version, payload) = version_of(bytes)?;
    let r: PublicVersionV1 = match version {
        PUBLIC_VERSION_V1 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    if r.generation > MAX_GENERATION {
        return Err(CodecError::Range(format!(
            "public version {}",
            r.generation
        )));
    }
    Ok(PublicVersion {
        generation: r.generation,
        changed_at: r.changed_at.map(datetime).transpose()?,
    })
}

// --- The change feed ---------------------------------------------------------------------------

const CHANGE_V1: u8 = 1;

#[derive(Serialize, Deserialize)]
struct ChangeV1 {
    seq: u64,
    at: i128,
    /// 0: a story, 1: a photo, 2: the whole site (no id).
    kind: u8,
    id: [u8; 16],
    public: bool,
}

pub fn encode_change(change: &Change) -> Result<Vec<u8>, CodecError> {
    let (kind, id) = match change.subject {
        ChangeSubject::Story(id) => (0, id.to_bytes()),
        ChangeSubject::Photo(id) => (1, id.to_bytes()),
        ChangeSubject::Site => (2, [0; 16]),
    };
    encode(
        CHANGE_V1,
        &ChangeV1 {
            seq: change.seq,
            at: change.at.unix_timestamp_nanos(),
            kind,
            id,
            public: change.public,
        },
    )
}

pub fn decode_change(bytes: &[u8]) -> Result<Change, CodecError> {
    let (version, payload) = version_of(bytes)?;
    let r: ChangeV1 = match version {
        CHANGE_V1 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    let subject = match r.kind {
        0 => ChangeSubject::Story(StoryId::from_bytes(r.id)),
        1 => ChangeSubject::Photo(PhotoId::from_bytes(r.id)),
        2 => ChangeSubject::Site,
        other => return Err(CodecError::Range(format!("change of kind {other}"))),
    };
    Ok(Change {
        seq: r.seq,
        at: datetime(r.at)?,
        subject,
        public: r.public,
    })
}

// --- Redirects and presence (site records) ----------------------------------------------------

/// An old address of a story: the story it leads to, by id, so that every address a story ever
/// had leads to wherever it is now (a chain of renames collapses by itself), and when it was
/// retired.
const REDIRECT_V1: u8 = 1;

#[derive(Serialize, Deserialize)]
struct RedirectV1 {
    story: [u8; 16],
    /// Unix seconds.
    retired_at: i64,
}

pub fn encode_redirect(story: StoryId, retired_at: OffsetDateTime) -> Result<Vec<u8>, CodecError> {
    encode(
        REDIRECT_V1,
        &RedirectV1 {
            story: story.to_bytes(),
            retired_at: retired_at.unix_timestamp(),
        },
    )
}

/// (the story, when the address was retired) of a record made by [`encode_redirect`].
pub fn decode_redirect(bytes: &[u8]) -> Result<(StoryId, OffsetDateTime), CodecError> {
    let (version, payload) = version_of(bytes)?;
    let r: RedirectV1 = match version {
        REDIRECT_V1 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    Ok((StoryId::from_bytes(r.story), seconds(r.retired_at)?))
}

/// Someone with a story's form open: who, since when, and when they were last heard from.
const PRESENCE_V1: u8 = 1;

#[derive(Serialize, Deserialize)]
struct PresenceV1 {
    user: [u8; 16],
    username: String,
    /// Unix seconds.
    since: i64,
    seen: i64,
}

pub fn encode_presence(p: &crate::domain::Presence) -> Result<Vec<u8>, CodecError> {
    encode(
        PRESENCE_V1,
        &PresenceV1 {
            user: p.user.to_bytes(),
            username: p.username.to_string(),
            since: p.since.unix_timestamp(),
            seen: p.seen.unix_timestamp(),
        },
    )
}

pub fn decode_presence(bytes: &[u8]) -> Result<crate::domain::Presence, CodecError> {
    let (version, payload) = version_of(bytes)?;
    let r: PresenceV1 = match version {
        PRESENCE_V1 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    Ok(crate::domain::Presence {
        user: UserId::from_bytes(r.user),
        username: Username::parse(&r.username)?,
        since: seconds(r.since)?,
        seen: seconds(r.seen)?,
    })
}

// --- Incoming copy -----------------------------------------------------------------------------

/// A piece of incoming copy (a site record of kind `incoming`); the story it becomes is kept in
/// the story's own encoding, so it follows every story migration.
const INCOMING_V1: u8 = 1;
/// The record naming where the copy of one identity is kept: its key.
const INCOMING_REF_V1: u8 = 1;

#[derive(Serialize, Deserialize)]
struct IncomingV1 {
    identity: String,
    format: String,
    file_name: String,
    version: u64,
    arrived_at: i128,
    updated_at: i128,
    story: Vec<u8>,
    state: CopyStateV1,
}

#[derive(Serialize, Deserialize)]
enum CopyStateV1 {
    Waiting,
    Spiked {
        at: i128,
        by: Option<[u8; 16]>,
    },
    Taken {
        at: i128,
        by: Option<[u8; 16]>,
        story: [u8; 16],
    },
}

pub fn encode_incoming(copy: &IncomingCopy) -> Result<Vec<u8>, CodecError> {
    let state = match copy.state {
        CopyState::Waiting => CopyStateV1::Waiting,
        CopyState::Spiked { at, by } => CopyStateV1::Spiked {
            at: at.unix_timestamp_nanos(),
            by: by.map(UserId::to_bytes),
        },
        CopyState::Taken { at, by, story } => CopyStateV1::Taken {
            at: at.unix_timestamp_nanos(),
            by: by.map(UserId::to_bytes),
            story: story.to_bytes(),
        },
    };
    encode(
        INCOMING_V1,
        &IncomingV1 {
            identity: copy.identity.kept(),
            format: copy.format.key().to_owned(),
            file_name: copy.file_name.clone(),
            version: copy.version,
            arrived_at: copy.arrived_at.unix_timestamp_nanos(),
            updated_at: copy.updated_at.unix_timestamp_nanos(),
            story: encode_story(&copy.story)?,
            state,
        },
    )
}

pub fn decode_incoming(bytes: &[u8]) -> Result<IncomingCopy, CodecError> {
    let (version, payload) = version_of(bytes)?;
    let r: IncomingV1 = match version {
        INCOMING_V1 => decode(payload)?,
        other => return Err(CodecError::UnknownVersion(other)),
    };
    let state = match r.state {
        CopyStateV1::Waiting => CopyState::Waiting,
        CopyStateV1::Spiked { at, by } => CopyState::Spiked {
            at: datetime(at)?,
            by: by.map(UserId::from_bytes),
        },
        CopyStateV1::Taken { at, by, story } => CopyState::Taken {
            at: datetime(at)?,
            by: by.map(UserId::from_bytes),
            story: StoryId::from_bytes(story),
        },
    };
    let format = CopyFormat::parse(&r.format)
        .ok_or_else(|| CodecError::Range(format!("copy format {:?}", r.format)))?;
    if r.file_name.chars().count() > crate::domain::incoming::MAX_NAME_CHARS {
        return Err(CodecError::Range("a copy's file name is too long".into()));
    }
    Ok(IncomingCopy {
        identity: CopyIdentity::from_stored(r.identity),
        format,
        file_name: r.file_name,
        version: r.version,
        arrived_at: datetime(r.arrived_at)?,
        updated_at: datetime(r.updated_at)?,
        story: decode_story(&r.story)?,
        state,
    })
}

/// The key of the record an identity's copy is kept under.
pub fn encode_incoming_ref(key: &str) -> Result<Vec<u8>, CodecError> {
    encode(INCOMING_REF_V1, &key)
}

pub fn decode_incoming_ref(bytes: &[u8]) -> Result<String, CodecError> {
    let (version, payload) = version_of(bytes)?;
    match version {
        INCOMING_REF_V1 => decode(payload),
        other => Err(CodecError::UnknownVersion(other)),
    }
}

// --- Small values ------------------------------------------------------------------------------

/// Counters in the listing indexes: fixed-width big-endian, no version byte (never migrated; an
/// index can always be rebuilt from the records).
pub fn encode_count(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

pub fn decode_count(bytes: &[u8]) -> Result<u64, CodecError> {
    let array: [u8; 8] = bytes
        .try_into()
        .map_err(|_| CodecError::Range(format!("counter of {} bytes", bytes.len())))?;
    Ok(u64::from_be_bytes(array))
}

fn encode_status(status: Status) -> StatusV2 {
    match status {
        Status::Draft => StatusV2::Draft,
        Status::Scheduled(at) => StatusV2::Scheduled(at.unix_timestamp_nanos()),
        Status::Published => StatusV2::Published,
        Status::Unpublished => StatusV2::Unpublished,
        Status::Withdrawn(at) => StatusV2::Withdrawn(at.unix_timestamp_nanos()),
    }
}

fn decode_status(status: StatusV2) -> Result<Status, CodecError> {
    Ok(match status {
        StatusV2::Draft => Status::Draft,
        StatusV2::Scheduled(at) => Status::Scheduled(datetime(at)?),
        StatusV2::Published => Status::Published,
        StatusV2::Unpublished => Status::Unpublished,
        StatusV2::Withdrawn(at) => Status::Withdrawn(datetime(at)?),
    })
}

fn decode_bylines(raw: &[String]) -> Result<Bylines, CodecError> {
    let bylines = raw
        .iter()
        .map(|b| Byline::parse(b))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Bylines::new(bylines)?)
}

fn seconds(unix: i64) -> Result<OffsetDateTime, CodecError> {
    OffsetDateTime::from_unix_timestamp(unix).map_err(|e| CodecError::Range(e.to_string()))
}

fn datetime(nanos: i128) -> Result<OffsetDateTime, CodecError> {
    OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|e| CodecError::Range(e.to_string()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::Bylines;
    use time::macros::{date, datetime};

    #[test]
    fn a_front_page_arrangement_survives_the_codec_and_bad_bytes_are_refused() {
        let banner = Banner {
            text: BannerText::parse("Polls close at 10pm").unwrap(),
            link: Some(BannerLink::parse("/2017/07/15/polls").unwrap()),
            expires_at: datetime!(2026-06-01 22:00:00.5 UTC),
        };
        let live = LiveFrontPage {
            arrangement: Arrangement::new(
                Some(StoryId::new()),
                vec![StoryId::new(), StoryId::new()],
                Some(banner),
            )
            .unwrap(),
            by: "editor".into(),
            at: datetime!(2026-06-01 08:00:00.25 UTC),
        };
        let bytes = encode_front_page(&live).unwrap();
        assert_eq!(bytes[0], FRONT_PAGE_V1);
        assert_eq!(decode_front_page(&bytes).unwrap(), live);
        for cut in 0..bytes.len() {
            assert!(decode_front_page(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut unknown = bytes.clone();
        unknown[0] = 99;
        assert!(decode_front_page(&unknown).is_err());
    }

    pub(crate) fn sample_story() -> Story {
        let now = datetime!(2017-07-15 07:11:57.123456789 UTC);
        let mut story = Story::draft(
            Headline::parse("Latest peace talks on Syria end").unwrap(),
            Section::parse("world").unwrap(),
            Bylines::parse("Ann Lee; Bo Chen").unwrap(),
            Body::parse("One.\n<!--nextpage-->\nTwo.").unwrap(),
            now,
        );
        story.content.standfirst = Some(Standfirst::parse("No breakthrough.").unwrap());
        story.content.source = Some(Source::parse("Xinhua").unwrap());
        story.content.dateline =
            Some(Dateline::parse("GENEVA, July 14 (Xinhua)", date!(2017 - 07 - 15)).unwrap());
        story.content.photo = Some(LeadPhoto {
            image: Some(PhotoId::new()),
            caption: Caption::parse("The envoy speaks.").unwrap(),
            credit: Some(Credit::parse("Xinhua/POOL/Xu Jinquan").unwrap()),
            alt: Some(AltText::parse("A man at a lectern").unwrap()),
        });
        story.status = Status::Scheduled(now);
        story.revision = 7;
        story.editor = Some(Initials::parse("ZD").unwrap());
        story.author = Some(UserId::new());
        story
    }

    #[test]
    fn a_story_round_trips() {
        let story = sample_story();
        let bytes = encode_story(&story).unwrap();
        assert_eq!(decode_story(&bytes).unwrap(), story);
    }

    #[test]
    fn an_embargoed_and_a_withdrawn_story_round_trip() {
        let mut story = sample_story();
        story.content.embargo = Some(datetime!(2017-07-16 06:00 UTC));
        assert_eq!(decode_story(&encode_story(&story).unwrap()).unwrap(), story);
        story.status = Status::Withdrawn(datetime!(2017-07-17 09:30 UTC));
        story.withdrawal_reason = Some(WithdrawalReason::parse("Court order").unwrap());
        assert_eq!(decode_story(&encode_story(&story).unwrap()).unwrap(), story);
        let summary = story.summary();
        assert_eq!(
            decode_summary(&encode_summary(&summary).unwrap()).unwrap(),
            summary
        );
    }

    #[test]
    fn a_story_with_pending_changes_notes_and_a_review_note_round_trips() {
        let mut story = sample_story();
        let mut pending = story.content.clone();
        pending.headline = Headline::parse("Peace talks on Syria end without a deal").unwrap();
        pending.photo = None;
        story.pending = Some(Box::new(PendingChanges {
            content: pending,
            by: Some(UserId::new()),
            at: datetime!(2017-07-15 09:00 UTC),
        }));
        story.notes = vec![PublicNote {
            kind: NoteKind::Correction,
            text: NoteText::parse("An earlier version misspelt the envoy's name.").unwrap(),
            at: datetime!(2017-07-15 10:00 UTC),
        }];
        story.sent_back = Some(ReviewNote {
            text: NoteText::parse("Please confirm the second quote.").unwrap(),
            by: Some(UserId::new()),
            at: datetime!(2017-07-15 08:00 UTC),
        });
        story.assignee = Some(UserId::new());
        assert_eq!(decode_story(&encode_story(&story).unwrap()).unwrap(), story);
        let summary = story.summary();
        assert!(summary.pending && summary.sent_back);
        assert_eq!(
            decode_summary(&encode_summary(&summary).unwrap()).unwrap(),
            summary
        );
    }

    /// `story` as a record written before the public revision reads: every save counted as
    /// one readers saw.
    fn older(story: &Story) -> Story {
        Story {
            public_revision: story.revision,
            public_changed_at: story.published_at.map(|_| story.updated_at),
            ..story.clone()
        }
    }

    #[test]
    fn a_story_and_summary_round_trip_with_their_public_revision() {
        let mut story = sample_story();
        story.public_revision = 3;
        story.public_changed_at = Some(datetime!(2017-07-15 08:00 UTC));
        assert_eq!(decode_story(&encode_story(&story).unwrap()).unwrap(), story);
        let summary = story.summary();
        assert_eq!(
            decode_summary(&encode_summary(&summary).unwrap()).unwrap(),
            summary
        );
    }

    #[test]
    fn a_third_version_story_and_summary_read_with_their_last_save_as_the_public_change() {
        let mut story = sample_story();
        story.status = Status::Published;
        story.published_at = Some(datetime!(2017-07-15 08:00 UTC));
        story.updated_at = datetime!(2017-07-16 09:00 UTC);
        story.public_revision = 2;
        let v4: StoryV4 = decode(&encode_story(&story).unwrap()[1..]).unwrap();
        let read = decode_story(&encode(STORY_V3, &v4.base).unwrap()).unwrap();
        assert_eq!(
            read.public_revision, 7,
            "the revision the API gave as its version"
        );
        assert_eq!(read.public_changed_at, Some(story.updated_at));
        assert_eq!(read, older(&story));

        let summary = story.summary();
        let v4: SummaryV4 = decode(&encode_summary(&summary).unwrap()[1..]).unwrap();
        let read = decode_summary(&encode(SUMMARY_V3, &v4.base).unwrap()).unwrap();
        assert_eq!(read.public_changed_at, Some(story.updated_at));

        let mut draft = story.clone();
        draft.status = Status::Draft;
        draft.published_at = None;
        let v4: StoryV4 = decode(&encode_story(&draft).unwrap()[1..]).unwrap();
        let read = decode_story(&encode(STORY_V3, &v4.base).unwrap()).unwrap();
        assert_eq!(read.public_changed_at, None, "readers never saw it");
    }

    #[test]
    fn a_second_version_story_and_summary_read_with_nothing_pending() {
        let story = sample_story();
        let v2: StoryV2 = decode(&encode_story(&story).unwrap()[1..]).unwrap();
        let read = decode_story(&encode(STORY_V2, &v2).unwrap()).unwrap();
        assert_eq!(read, older(&story));
        assert!(read.pending.is_none() && read.notes.is_empty() && read.assignee.is_none());
        let summary = story.summary();
        let v2: SummaryV2 = decode(&encode_summary(&summary).unwrap()[1..]).unwrap();
        assert_eq!(
            decode_summary(&encode(SUMMARY_V2, &v2).unwrap()).unwrap(),
            summary
        );
    }

    #[test]
    fn a_first_version_story_and_summary_still_read_without_an_embargo() {
        let story = sample_story();
        let v2: StoryV2 = decode(&encode_story(&story).unwrap()[1..]).unwrap();
        let v1 = StoryV1 {
            id: v2.id,
            revision: v2.revision,
            headline: v2.headline,
            standfirst: v2.standfirst,
            slug: v2.slug,
            section: v2.section,
            bylines: v2.bylines,
            source: v2.source,
            dateline: v2.dateline,
            body: v2.body,
            photo: v2.photo,
            status: StatusV1::Scheduled(story.created_at.unix_timestamp_nanos()),
            submitted: v2.submitted,
            created_at: v2.created_at,
            updated_at: v2.updated_at,
            published_at: v2.published_at,
            first_published_at: v2.first_published_at,
            revised_at: v2.revised_at,
            editor: v2.editor,
            author: v2.author,
            last_edited_by: v2.last_edited_by,
        };
        let read = decode_story(&encode(STORY_V1, &v1).unwrap()).unwrap();
        assert_eq!(read, older(&story));
        assert_eq!(read.content.embargo, None);

        let summary = story.summary();
        let v1 = SummaryV1 {
            id: summary.id.to_bytes(),
            headline: summary.headline.to_string(),
            standfirst: summary.standfirst.as_ref().map(ToString::to_string),
            slug: summary.slug.to_string(),
            section: summary.section.key().to_owned(),
            bylines: summary.bylines.iter().map(ToString::to_string).collect(),
            status: StatusV1::Scheduled(story.created_at.unix_timestamp_nanos()),
            submitted: summary.submitted,
            published_at: None,
            updated_at: summary.updated_at.unix_timestamp_nanos(),
            author: summary.author.map(UserId::to_bytes),
            last_edited_by: None,
        };
        assert_eq!(
            decode_summary(&encode(SUMMARY_V1, &v1).unwrap()).unwrap(),
            summary
        );
    }

    #[test]
    fn a_change_round_trips_and_an_unknown_kind_is_an_error() {
        for subject in [
            ChangeSubject::Story(StoryId::new()),
            ChangeSubject::Photo(PhotoId::new()),
            ChangeSubject::Site,
        ] {
            let change = Change {
                seq: 42,
                at: OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap(),
                subject,
                public: true,
            };
            assert_eq!(
                decode_change(&encode_change(&change).unwrap()).unwrap(),
                change
            );
        }
        let mut damaged = encode_change(&Change {
            seq: 1,
            at: OffsetDateTime::UNIX_EPOCH,
            subject: ChangeSubject::Site,
            public: false,
        })
        .unwrap();
        // The kind follows the version byte, the sequence number (a varint) and the time.
        let kind = damaged.len() - 18;
        damaged[kind] = 9;
        assert!(decode_change(&damaged).is_err());
    }

    #[test]
    fn a_user_round_trips() {
        let user = User {
            id: UserId::new(),
            username: Username::parse("zhang.dan").unwrap(),
            initials: Initials::parse("ZD").unwrap(),
            role: Role::Editor,
            password_hash: PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$x$y".into()),
            disabled: true,
            created_at: datetime!(2020-01-01 00:00 UTC),
            two_factor: None,
        };
        assert_eq!(decode_user(&encode_user(&user).unwrap()).unwrap(), user);
    }

    #[test]
    fn an_audit_event_round_trips() {
        let event = AuditEvent {
            at: datetime!(2020-01-01 00:00:00.5 UTC),
            actor: Some(UserId::new()),
            actor_name: "zhang.dan".into(),
            action: AuditAction::Publish,
            detail: "Talks end".into(),
        };
        assert_eq!(decode_audit(&encode_audit(&event).unwrap()).unwrap(), event);
    }

    #[test]
    fn a_summary_round_trips() {
        let summary = sample_story().summary();
        assert_eq!(
            decode_summary(&encode_summary(&summary).unwrap()).unwrap(),
            summary
        );
    }

    #[test]
    fn records_start_with_their_format_version() {
        let bytes = encode_story(&sample_story()).unwrap();
        assert_eq!(bytes[0], STORY_V5);
    }

    #[test]
    fn an_unknown_version_is_refused_not_misread() {
        let mut bytes = encode_story(&sample_story()).unwrap();
        bytes[0] = 99;
        assert!(matches!(
            decode_story(&bytes),
            Err(CodecError::UnknownVersion(99))
        ));
        assert!(matches!(decode_story(&[]), Err(CodecError::Empty)));
    }

    #[test]
    fn a_huge_length_prefix_is_refused_without_allocating_it() {
        // Version byte, then a bincode varint announcing a u64::MAX-long first field.
        let bytes = [
            STORY_V2, 251, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ];
        assert!(decode_story(&bytes).is_err());
    }

    #[test]
    fn a_stored_body_is_read_back_as_written_but_never_empty() {
        let story = sample_story();
        let decoded = decode_story(&encode_story(&story).unwrap()).unwrap();
        assert_eq!(decoded.content.body.as_str(), "One.\n<!--nextpage-->\nTwo.");

        // A damaged record whose body is empty is refused, not shown as an empty story.
        let mut record: StoryV2 = decode(&encode_story(&story).unwrap()[1..]).unwrap();
        record.body = String::new();
        let bytes = encode(STORY_V2, &record).unwrap();
        assert!(decode_story(&bytes).is_err());
    }

    #[test]
    fn truncated_records_are_errors() {
        let bytes = encode_story(&sample_story()).unwrap();
        for len in [1, 2, 10, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode_story(&bytes[..len]).is_err(), "decoded {len} bytes");
        }
    }

    #[test]
    fn a_session_and_an_autosave_round_trip_to_the_second() {
        let session = Session {
            state: vec![("user".into(), "\"0190\"".into())],
            expires_at: datetime!(2030-01-01 12:00:00 UTC),
            user: Some(UserId::new()),
            browser: "Firefox on Linux".into(),
            address: "203.0.113.9".into(),
            last_seen: Some(datetime!(2030-01-01 11:00:00 UTC)),
        };
        assert_eq!(
            decode_session(&encode_session(&session).unwrap()).unwrap(),
            session
        );
        let copy = Autosave {
            saved_at: datetime!(2030-01-01 12:00:00 UTC),
            fields: vec![("headline".into(), "Half a headl".into())],
        };
        assert_eq!(
            decode_autosave(&encode_autosave(&copy).unwrap()).unwrap(),
            copy
        );
    }

    #[test]
    fn a_redirect_and_a_presence_round_trip_and_refuse_damage() {
        let (story, at) = (StoryId::new(), datetime!(2030-01-01 12:00:00 UTC));
        let bytes = encode_redirect(story, at).unwrap();
        assert_eq!(bytes[0], REDIRECT_V1);
        assert_eq!(decode_redirect(&bytes).unwrap(), (story, at));
        for len in [0, 1, bytes.len() - 1] {
            assert!(
                decode_redirect(&bytes[..len]).is_err(),
                "decoded {len} bytes"
            );
        }
        let presence = crate::domain::Presence {
            user: UserId::new(),
            username: Username::parse("ann.lee").unwrap(),
            since: at,
            seen: at + time::Duration::seconds(30),
        };
        let bytes = encode_presence(&presence).unwrap();
        assert_eq!(bytes[0], PRESENCE_V1);
        assert_eq!(decode_presence(&bytes).unwrap(), presence);
        let mut wrong = bytes.clone();
        wrong[0] = 99;
        assert!(matches!(
            decode_presence(&wrong),
            Err(CodecError::UnknownVersion(99))
        ));
        for len in [1, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                decode_presence(&bytes[..len]).is_err(),
                "decoded {len} bytes"
            );
        }
    }

    #[test]
    fn a_session_written_before_the_domain_type_still_reads() {
        // The layout the session record has always had: state, expiry in seconds, user bytes.
        #[derive(Serialize)]
        struct Earlier {
            state: Vec<(String, String)>,
            expires_at: i64,
            user: Option<[u8; 16]>,
        }
        let user = UserId::new();
        let bytes = encode(
            SESSION_V1,
            &Earlier {
                state: vec![("k".into(), "v".into())],
                expires_at: 1_900_000_000,
                user: Some(user.to_bytes()),
            },
        )
        .unwrap();
        let session = decode_session(&bytes).unwrap();
        assert_eq!(session.expires_at.unix_timestamp(), 1_900_000_000);
        assert_eq!(session.user, Some(user));
        assert_eq!((session.browser.as_str(), session.last_seen), ("", None));
    }

    #[test]
    fn an_account_with_a_second_factor_round_trips_and_a_first_version_account_still_reads() {
        let mut user = User {
            id: UserId::new(),
            username: Username::parse("ann").unwrap(),
            initials: Initials::parse("A").unwrap(),
            role: Role::Editor,
            password_hash: PasswordHash("$argon2id$x".into()),
            disabled: false,
            created_at: datetime!(2020-01-01 00:00 UTC),
            two_factor: Some(TwoFactor {
                secret: TotpSecret([7; 20]),
                last_step: 12345,
                recovery: vec![RecoveryDigest([1; 32]), RecoveryDigest([2; 32])],
                enrolled_at: datetime!(2021-01-01 00:00 UTC),
            }),
        };
        assert_eq!(decode_user(&encode_user(&user).unwrap()).unwrap(), user);

        let v1 = encode(
            USER_V1,
            &UserV1 {
                id: user.id.to_bytes(),
                username: "ann".into(),
                initials: "A".into(),
                role: "editor".into(),
                password_hash: "$argon2id$x".into(),
                disabled: false,
                created_at: user.created_at.unix_timestamp_nanos(),
            },
        )
        .unwrap();
        user.two_factor = None;
        assert_eq!(decode_user(&v1).unwrap(), user);
    }

    #[test]
    fn a_photo_round_trips_and_a_first_version_photo_still_reads() {
        let photo = Photo {
            id: PhotoId::new(),
            content_type: "image/png".into(),
            width: 1200,
            height: 800,
            uploaded_by: Some(UserId::new()),
            uploaded_at: datetime!(2024-05-01 10:00:00 UTC),
            hash: Some([9; 32]),
            renditions: vec![Rendition {
                width: 640,
                height: 427,
            }],
            caption: "The envoy speaks.".into(),
            credit: String::new(),
            alt: "A man at a lectern".into(),
            focal: FocalPoint::parse(20, 70).unwrap(),
            crops: vec![Crop {
                aspect: Aspect::Square,
                width: 800,
                height: 800,
            }],
        };
        assert_eq!(decode_photo(&encode_photo(&photo).unwrap()).unwrap(), photo);

        #[derive(Serialize)]
        struct First {
            id: [u8; 16],
            content_type: String,
            width: u32,
            height: u32,
            uploaded_by: Option<[u8; 16]>,
            uploaded_at: i64,
        }
        let first = encode(
            PHOTO_V1,
            &First {
                id: photo.id.to_bytes(),
                content_type: "image/jpeg".into(),
                width: 300,
                height: 200,
                uploaded_by: None,
                uploaded_at: 1_500_000_000,
            },
        )
        .unwrap();
        let read = decode_photo(&first).unwrap();
        assert_eq!(read.id, photo.id);
        assert_eq!(read.hash, None);
        assert_eq!(
            read.largest(),
            Some(Rendition {
                width: 300,
                height: 200
            })
        );
    }

    #[test]
    fn a_photo_stored_before_crops_reads_with_none_and_the_centre_as_its_focal_point() {
        let v2 = PhotoV2 {
            id: PhotoId::new().to_bytes(),
            content_type: "image/jpeg".into(),
            width: 2000,
            height: 1000,
            uploaded_by: None,
            uploaded_at: 1_700_000_000,
            hash: Some([3; 32]),
            renditions: vec![RenditionV2 {
                width: 1600,
                height: 800,
            }],
            caption: "Harbour".into(),
            credit: "Ann".into(),
            alt: "Boats".into(),
        };
        let read = decode_photo(&encode(PHOTO_V2, &v2).unwrap()).unwrap();
        assert!(read.crops.is_empty());
        assert_eq!(read.focal, FocalPoint::CENTRE);
        assert_eq!(read.largest().map(|r| r.width), Some(1600));
    }

    #[test]
    fn a_photo_use_round_trips_and_damage_is_refused() {
        for flags in 0..8u8 {
            let usage = PhotoUse {
                lead: flags & 1 != 0,
                inline: flags & 2 != 0,
                public: flags & 4 != 0,
            };
            assert_eq!(decode_photo_use(&encode_photo_use(usage)).unwrap(), usage);
        }
        assert!(decode_photo_use(&[]).is_err());
        assert!(decode_photo_use(&[PHOTO_USE_V1]).is_err());
        assert!(decode_photo_use(&[PHOTO_USE_V1, 8]).is_err());
        assert!(decode_photo_use(&[PHOTO_USE_V1, 1, 0]).is_err());
        assert!(decode_photo_use(&[2, 1]).is_err());
    }

    #[test]
    fn incoming_copy_reads_back_in_every_state_and_refuses_damage() {
        let story = sample_story();
        let at = datetime!(2017-07-15 08:00:00.5 UTC);
        for state in [
            CopyState::Waiting,
            CopyState::Spiked { at, by: None },
            CopyState::Taken {
                at,
                by: Some(UserId::new()),
                story: story.id,
            },
        ] {
            let copy = IncomingCopy {
                identity: CopyIdentity::wire("Xinhua", "Talks end"),
                format: CopyFormat::Wire,
                file_name: "syria.txt".into(),
                version: 1_500_102_717,
                arrived_at: at,
                updated_at: at,
                story: story.clone(),
                state,
            };
            let bytes = encode_incoming(&copy).unwrap();
            assert_eq!(bytes[0], INCOMING_V1);
            assert_eq!(decode_incoming(&bytes).unwrap(), copy);
            assert!(decode_incoming(&bytes[..bytes.len() / 2]).is_err());
        }
        let key = "waiting/00000000000000000001/abc";
        assert_eq!(
            decode_incoming_ref(&encode_incoming_ref(key).unwrap()).unwrap(),
            key
        );
        assert!(matches!(
            decode_incoming_ref(&[9, 1]),
            Err(CodecError::UnknownVersion(9))
        ));
    }
}
