//! The story form: reading it (multipart, because of the photo) without ever losing what was
//! typed, and turning it into a story with a specific message for every field that is wrong.

use crate::domain::{
    AltText, Body, Bylines, Caption, Credit, Dateline, DomainError, Headline, LeadPhoto, PhotoId,
    Section, Slug, Source, Standfirst, Story,
};
use crate::web::AppError;
use actix_multipart::Multipart;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Every field of the form exactly as typed, so it can always be shown back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoryInput {
    /// The revision the form was loaded from; empty for a new story.
    pub revision: String,
    pub headline: String,
    pub standfirst: String,
    pub bylines: String,
    pub dateline: String,
    pub source: String,
    pub section: String,
    pub slug: String,
    pub body: String,
    /// A photo already stored (uploaded earlier or kept from the story).
    pub photo_id: String,
    pub caption: String,
    pub credit: String,
    pub alt: String,
    pub schedule_at: String,
}

impl StoryInput {
    pub fn from_story(story: &Story) -> Self {
        let photo = story.photo.as_ref();
        Self {
            revision: story.revision.to_string(),
            headline: story.headline.to_string(),
            standfirst: story
                .standfirst
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            bylines: story
                .bylines
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            dateline: story
                .dateline
                .as_ref()
                .map(Dateline::to_form_value)
                .unwrap_or_default(),
            source: story
                .source
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            section: story.section.key().to_owned(),
            slug: story.slug.to_string(),
            body: story.body.as_str().to_owned(),
            photo_id: photo
                .and_then(|p| p.image)
                .map(|id| id.to_string())
                .unwrap_or_default(),
            caption: photo.map(|p| p.caption.to_string()).unwrap_or_default(),
            credit: photo
                .and_then(|p| p.credit.as_ref())
                .map(ToString::to_string)
                .unwrap_or_default(),
            alt: photo
                .and_then(|p| p.alt.as_ref())
                .map(ToString::to_string)
                .unwrap_or_default(),
            schedule_at: match story.status {
                crate::domain::Status::Scheduled(at) => format_local(at),
                _ => String::new(),
            },
        }
    }

    /// Sets the field named `name` as the form names it; other names are ignored.
    pub fn set(&mut self, name: &str, value: String) {
        let field = match name {
            "revision" => &mut self.revision,
            "headline" => &mut self.headline,
            "standfirst" => &mut self.standfirst,
            "bylines" => &mut self.bylines,
            "dateline" => &mut self.dateline,
            "source" => &mut self.source,
            "section" => &mut self.section,
            "slug" => &mut self.slug,
            "body" => &mut self.body,
            "photo_id" => &mut self.photo_id,
            "caption" => &mut self.caption,
            "credit" => &mut self.credit,
            "alt" => &mut self.alt,
            "schedule_at" => &mut self.schedule_at,
            _ => return,
        };
        *field = value;
    }

    /// The fields by name, as [`StoryInput::set`] takes them back.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        [
            ("revision", &self.revision),
            ("headline", &self.headline),
            ("standfirst", &self.standfirst),
            ("bylines", &self.bylines),
            ("dateline", &self.dateline),
            ("source", &self.source),
            ("section", &self.section),
            ("slug", &self.slug),
            ("body", &self.body),
            ("photo_id", &self.photo_id),
            ("caption", &self.caption),
            ("credit", &self.credit),
            ("alt", &self.alt),
            ("schedule_at", &self.schedule_at),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.clone()))
        .collect()
    }

    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut input = Self::default();
        for (name, value) in pairs {
            input.set(&name, value);
        }
        input
    }

    pub fn base_revision(&self) -> Option<u64> {
        self.revision.trim().parse().ok()
    }
}

/// A `datetime-local` value, in UTC (the site's time).
pub fn format_local(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.format(format_description!("[year]-[month]-[day]T[hour]:[minute]"))
        .unwrap_or_default()
}

/// What the user asked for with the button they pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Save,
    Submit,
    Publish,
    Schedule,
    Unpublish,
    Preview,
}

impl Action {
    fn parse(raw: &str) -> Self {
        match raw {
            "publish" => Action::Publish,
            "submit" => Action::Submit,
            "schedule" => Action::Schedule,
            "unpublish" => Action::Unpublish,
            "preview" => Action::Preview,
            _ => Action::Save,
        }
    }

    /// Actions only editors may take.
    pub fn needs_editor(self) -> bool {
        matches!(self, Action::Publish | Action::Schedule | Action::Unpublish)
    }
}

/// A file sent in the Photo field.
pub struct Upload {
    pub bytes: Vec<u8>,
    /// The file went over the size cap; its bytes were dropped.
    pub too_large: bool,
}

/// The whole submitted form.
pub struct Submission {
    pub input: StoryInput,
    pub csrf: String,
    pub action: Action,
    pub remove_photo: bool,
    pub upload: Option<Upload>,
    /// Problems found while reading, by field (e.g. a text field over its size cap).
    pub errors: Vec<(&'static str, String)>,
}

/// Text fields are capped a little above the largest body the story model accepts.
const MAX_TEXT_BYTES: usize = Body::MAX_BYTES + 64 * 1024;
const MAX_FIELDS: usize = 64;

/// Reads the multipart form. Oversized parts are cut off and reported, never a dropped
/// connection, so the rest of what was typed still comes back to the user.
pub async fn read(mut payload: Multipart, max_photo_bytes: usize) -> Result<Submission, AppError> {
    let mut submission = Submission {
        input: StoryInput::default(),
        csrf: String::new(),
        action: Action::Save,
        remove_photo: false,
        upload: None,
        errors: Vec::new(),
    };
    let mut fields = 0;
    while let Some(field) = payload.next().await {
        let mut field =
            field.map_err(|e| AppError::BadRequest(format!("the form could not be read: {e}")))?;
        fields += 1;
        if fields > MAX_FIELDS {
            return Err(AppError::BadRequest("the form has too many fields".into()));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let cap = if name == "photo" {
            max_photo_bytes
        } else {
            MAX_TEXT_BYTES
        };
        let mut bytes = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = field.next().await {
            let chunk = chunk
                .map_err(|e| AppError::BadRequest(format!("the form could not be read: {e}")))?;
            if bytes.len() + chunk.len() > cap {
                too_large = true;
                continue; // keep reading so the fields after this one arrive
            }
            bytes.extend_from_slice(&chunk);
        }
        if name == "photo" {
            if !bytes.is_empty() || too_large {
                submission.upload = Some(Upload {
                    bytes: if too_large { Vec::new() } else { bytes },
                    too_large,
                });
            }
            continue;
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if too_large {
            submission.errors.push((
                field_key(&name),
                format!("is over {} KiB and was cut short", cap / 1024),
            ));
        }
        match name.as_str() {
            "csrf" => submission.csrf = text,
            "action" => submission.action = Action::parse(&text),
            "remove_photo" => submission.remove_photo = !text.is_empty(),
            _ => submission.input.set(&name, text),
        }
    }
    Ok(submission)
}

fn field_key(name: &str) -> &'static str {
    const KNOWN: [&str; 13] = [
        "headline",
        "standfirst",
        "bylines",
        "dateline",
        "source",
        "section",
        "slug",
        "body",
        "caption",
        "credit",
        "alt",
        "schedule_at",
        "photo",
    ];
    KNOWN.into_iter().find(|k| *k == name).unwrap_or("form")
}

/// Field errors, keyed by form field name.
pub type FieldErrors = Vec<(&'static str, String)>;

fn record<T>(
    errors: &mut FieldErrors,
    field: &'static str,
    result: Result<T, DomainError>,
) -> Option<T> {
    result.map_err(|e| errors.push((field, e.to_string()))).ok()
}

fn optional<T>(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    parse: impl Fn(&str) -> Result<T, DomainError>,
) -> Option<T> {
    if raw.trim().is_empty() {
        None
    } else {
        record(errors, field, parse(raw))
    }
}

/// Writes the form's content into `story` (a copy of the stored one, or a new draft). Returns
/// every field's problem at once, so the user can fix them all in one go.
pub fn apply(
    input: &StoryInput,
    story: &mut Story,
    now: OffsetDateTime,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    let headline = record(&mut errors, "headline", Headline::parse(&input.headline));
    let standfirst = optional(
        &mut errors,
        "standfirst",
        &input.standfirst,
        Standfirst::parse,
    );
    let bylines = record(&mut errors, "bylines", Bylines::parse(&input.bylines));
    let source = optional(&mut errors, "source", &input.source, Source::parse);
    let section = record(&mut errors, "section", Section::parse(&input.section));
    let reference = story.published_at.unwrap_or(now).date();
    let dateline = optional(&mut errors, "dateline", &input.dateline, |raw| {
        Dateline::parse(raw, reference)
    });
    let body = record(&mut errors, "body", Body::parse(&input.body));
    let slug = match (&headline, input.slug.trim()) {
        (Some(headline), "") => Some(Slug::from_headline(headline.as_str())),
        (_, raw) => record(&mut errors, "slug", Slug::parse(raw)),
    };
    let photo = photo(input, &mut errors);
    let (Some(headline), Some(bylines), Some(section), Some(body), Some(slug), true) =
        (headline, bylines, section, body, slug, errors.is_empty())
    else {
        return Err(errors);
    };
    story.headline = headline;
    story.standfirst = standfirst;
    story.bylines = bylines;
    story.source = source;
    story.section = section;
    story.dateline = dateline;
    story.body = body;
    story.slug = slug;
    story.photo = photo;
    Ok(())
}

fn photo(input: &StoryInput, errors: &mut FieldErrors) -> Option<LeadPhoto> {
    let image = match input.photo_id.trim() {
        "" => None,
        raw => match raw.parse::<PhotoId>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push((
                    "photo",
                    "the attached photo is not valid; please attach it again".into(),
                ));
                None
            }
        },
    };
    let words_given = [&input.caption, &input.credit, &input.alt]
        .iter()
        .any(|s| !s.trim().is_empty());
    if image.is_none() && !words_given {
        return None;
    }
    let caption = record(errors, "caption", Caption::parse(&input.caption));
    let credit = optional(errors, "credit", &input.credit, Credit::parse);
    let alt = optional(errors, "alt", &input.alt, AltText::parse);
    if image.is_some() && alt.is_none() && input.alt.trim().is_empty() {
        errors.push((
            "alt",
            "Alt text is required for a photo: describe it for readers who cannot see it".into(),
        ));
    }
    Some(LeadPhoto {
        image,
        caption: caption?,
        credit,
        alt,
    })
}

/// The publication time typed for scheduling, which must be in the future.
pub fn schedule_time(
    input: &StoryInput,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, FieldErrors> {
    let raw = input.schedule_at.trim();
    if raw.is_empty() {
        return Err(vec![(
            "schedule_at",
            "Choose the publication time to schedule the story".into(),
        )]);
    }
    let formats = [
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]"),
    ];
    let at = formats
        .iter()
        .find_map(|f| PrimitiveDateTime::parse(raw, f).ok())
        .map(PrimitiveDateTime::assume_utc)
        .ok_or_else(|| {
            vec![(
                "schedule_at",
                format!("{raw:?} is not a date and time like 2026-12-01T09:30"),
            )]
        })?;
    if at <= now {
        return Err(vec![(
            "schedule_at",
            "The publication time is in the past; choose a later time".into(),
        )]);
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_fields_survive_a_trip_through_name_value_pairs() {
        let mut typed = input();
        typed.revision = "3".into();
        typed.schedule_at = "2026-12-01T09:30".into();
        typed.alt = "Delegates".into();
        assert_eq!(StoryInput::from_pairs(typed.to_pairs()), typed);
    }

    fn input() -> StoryInput {
        StoryInput {
            headline: "Talks end".into(),
            bylines: "Ann Lee".into(),
            section: "world".into(),
            body: "Text.".into(),
            ..StoryInput::default()
        }
    }

    fn blank_story() -> Story {
        let mut story = Story::draft(
            Headline::parse("x").unwrap(),
            Section::parse("world").unwrap(),
            Bylines::parse("x").unwrap(),
            Body::parse("x").unwrap(),
            datetime!(2026-01-01 00:00 UTC),
        );
        story.slug = Slug::parse("x").unwrap();
        story
    }

    #[test]
    fn a_valid_form_fills_the_story_and_derives_the_slug() {
        let mut story = blank_story();
        apply(&input(), &mut story, datetime!(2026-01-01 00:00 UTC)).unwrap();
        assert_eq!(story.headline.as_str(), "Talks end");
        assert_eq!(story.slug.as_str(), "talks-end");
        assert!(story.photo.is_none());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = StoryInput {
            headline: " ".into(),
            body: "".into(),
            slug: "Bad Slug".into(),
            ..input()
        };
        let errors = apply(&bad, &mut blank_story(), datetime!(2026-01-01 00:00 UTC)).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["headline", "body", "slug"]);
    }

    #[test]
    fn a_photo_needs_a_caption_and_alt_text() {
        let with_photo = StoryInput {
            photo_id: PhotoId::new().to_string(),
            ..input()
        };
        let errors = apply(
            &with_photo,
            &mut blank_story(),
            datetime!(2026-01-01 00:00 UTC),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["caption", "alt"]);
    }

    #[test]
    fn a_schedule_time_must_be_in_the_future() {
        let now = datetime!(2026-06-01 12:00 UTC);
        let at = |raw: &str| {
            schedule_time(
                &StoryInput {
                    schedule_at: raw.into(),
                    ..input()
                },
                now,
            )
        };
        assert_eq!(
            at("2026-06-01T12:30").unwrap(),
            datetime!(2026-06-01 12:30 UTC)
        );
        assert!(at("2026-06-01T11:59").unwrap_err()[0].1.contains("past"));
        assert!(at("tomorrow").is_err());
        assert!(at("").is_err());
    }
}
