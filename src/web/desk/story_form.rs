//! The story form on the desk: the page that shows it, and reading it back (multipart, because
//! of the photo) without ever losing what was typed and without letting a sender hold memory or
//! a connection: the whole form has a size cap, and a body that stops arriving is given up on.

pub use crate::domain::story_form::{Action, FieldErrors, StoryInput, error_key, format_local};
use crate::domain::{Body, PageNumber, PhotoId, Role, Section, Status, Story};
use crate::urls;
use crate::views::Timestamp;
use crate::views::desk::{DeskContext, PendingNote, ReviewPanel, StoryFormPage};
use crate::views::desk_confirm::{CONFIRM_FIELD, CONFIRMED};
use crate::web::auth::SignedIn;
use actix_multipart::Multipart;
use futures_util::StreamExt;
use std::time::Duration;

pub(super) fn photo_url(input: &StoryInput) -> Option<String> {
    input
        .photo_id
        .trim()
        .parse::<PhotoId>()
        .ok()
        .map(urls::desk_photo_widest)
}

pub(super) fn form_page(
    signed_in: &SignedIn,
    story: Option<&Story>,
    input: StoryInput,
    errors: FieldErrors,
    notice: Option<String>,
) -> StoryFormPage {
    let heading = match story {
        Some(story) => format!("Edit: {}", story.content.headline),
        None => "New story".to_owned(),
    };
    let photo_url = photo_url(&input);
    let watch = crate::views::story_watch::StoryWatch::new(story, &input.slug);
    let library_url = urls::photo_library(
        "",
        1,
        Some(&story.map_or_else(|| "new".to_owned(), |s| s.id.to_string())),
    );
    StoryFormPage {
        ctx: DeskContext::new(signed_in, heading.clone()),
        heading,
        form_url: story.map_or_else(
            || "/desk/stories".to_owned(),
            |s| format!("/desk/stories/{}", s.id),
        ),
        input,
        errors,
        notice,
        status_label: story.map(status_label),
        can_publish: signed_in.user.role.can_publish(),
        is_published: story.is_some_and(Story::is_public),
        is_withdrawn: story.is_some_and(Story::is_withdrawn),
        history_url: story.map(|s| format!("/desk/stories/{}/history", s.id)),
        public_url: story.filter(|s| s.is_public()).and_then(|s| {
            s.published_at
                .map(|at| urls::article(at, &s.content.slug, 1))
        }),
        photo_url,
        library_url,
        sections: Section::offered(story.map(|s| s.editable_content().section)),
        story_id: story.map(|s| s.id.to_string()).unwrap_or_default(),
        autosaved: None,
        can_withdraw: signed_in.user.role.can_publish() && story.is_some_and(Story::is_public),
        can_reinstate: signed_in.user.role == Role::Admin && story.is_some_and(Story::is_withdrawn),
        withdrawal_reason: story
            .and_then(|s| s.withdrawal_reason.as_ref())
            .map(ToString::to_string),
        typed_withdrawal_reason: String::new(),
        filed_at_fixed: story
            .filter(|s| s.first_published_at.is_some())
            .and_then(|s| s.published_at)
            .map(|at| signed_in.zone.input_value_seconds(at)),
        // Named by the handlers that can look accounts up (see `stories::review::panel`).
        review: ReviewPanel::of(story, &signed_in.user, &signed_in.zone, &|_| None),
        typed_note_kind: String::new(),
        typed_note_text: String::new(),
        pending: story.and_then(|s| {
            s.pending.as_ref().map(|pending| PendingNote {
                by: String::new(),
                at: Timestamp::named(pending.at, &signed_in.zone),
                preview_url: format!("/desk/stories/{}/preview", s.id),
            })
        }),
        watch,
        // Filled in by the handlers that can read the store (see `topics::suggest`).
        suggestions: Default::default(),
    }
}

/// The story's status as its form names it: a draft waiting for an editor says so, to its
/// writer as to the desk.
fn status_label(story: &Story) -> &'static str {
    if story.submitted && matches!(story.status, Status::Draft | Status::Unpublished) {
        "Submitted for review"
    } else {
        story.status_label()
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
    pub errors: FieldErrors,
    /// The conflict page's own fields (settled stretches of the body, each conflict's texts
    /// and choice), in the order they were sent.
    pub settling: Vec<(String, String)>,
    /// The page a preview shows (its pager sends the form again with it); the first if none.
    pub preview_page: PageNumber,
    /// Sent from the page that asks before a step that takes something away.
    pub confirmed: bool,
    /// "Choose a photo from the library" was pressed: the form is kept, then the library opens.
    pub choose_photo: bool,
}

/// Why a form could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the form is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the form stopped arriving")]
    TimedOut,
    #[error("the form has too many fields")]
    TooManyFields,
    #[error("the form could not be read")]
    Broken(#[source] actix_multipart::MultipartError),
}

/// The `action` of the story form's button that opens the photo library.
pub const CHOOSE_PHOTO: &str = "choose-photo";

/// A text field is capped a little above the largest body the story model accepts.
const MAX_TEXT_BYTES: usize = Body::MAX_BYTES + 64 * 1024;
/// All text fields together: a body and room for every other field.
const MAX_ALL_TEXT_BYTES: usize = Body::MAX_BYTES + 512 * 1024;
/// Room for the conflict page, which sends four fields for each conflict.
const MAX_FIELDS: usize = 256;
/// How much of a form is read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The photo's cap; `None` reads past a photo without keeping a byte of it.
    photo_bytes: Option<usize>,
    /// Everything sent, photo included; past it the form is refused.
    total_bytes: usize,
    idle: Duration,
}

impl Limits {
    /// A signed-in writer's form, with a photo of up to `max_photo_bytes`. A photo somewhat
    /// over it is read to the end, so the form can say it is too large and keep the text;
    /// one over twice the cap ends the reading. A sender silent for `idle` is given up on.
    pub fn signed_in(max_photo_bytes: usize, idle: Duration) -> Self {
        Self {
            photo_bytes: Some(max_photo_bytes),
            total_bytes: MAX_ALL_TEXT_BYTES + max_photo_bytes.saturating_mul(2) + 64 * 1024,
            idle,
        }
    }

    /// The form of someone whose session has ended: only its text is kept, to be given back
    /// on the login page; a photo sent with it is read past, never kept.
    pub fn signed_out(max_photo_bytes: usize, idle: Duration) -> Self {
        Self {
            photo_bytes: None,
            ..Self::signed_in(max_photo_bytes, idle)
        }
    }
}

/// A field of the conflict page, named `part:FIELD` or `conflict:FIELD:INDEX:WHAT`.
fn is_settling(name: &str) -> bool {
    name.starts_with("part:") || name.starts_with("conflict:")
}

/// Waits for the next item of a body, giving up after `idle` without one.
async fn next<S: futures_util::Stream + Unpin>(
    stream: &mut S,
    idle: Duration,
) -> Result<Option<S::Item>, ReadError> {
    actix_web::rt::time::timeout(idle, stream.next())
        .await
        .map_err(|_| ReadError::TimedOut)
}

/// Reads the multipart form. An oversized field is cut off and reported, never a dropped
/// connection, so the rest of what was typed still comes back to the user.
pub async fn read(mut payload: Multipart, limits: Limits) -> Result<Submission, ReadError> {
    let mut submission = Submission {
        input: StoryInput::default(),
        csrf: String::new(),
        action: Action::Save,
        remove_photo: false,
        upload: None,
        errors: Vec::new(),
        settling: Vec::new(),
        preview_page: PageNumber::FIRST,
        confirmed: false,
        choose_photo: false,
    };
    let (mut fields, mut total, mut text_total) = (0, 0usize, 0usize);
    while let Some(field) = next(&mut payload, limits.idle).await? {
        let mut field = field.map_err(ReadError::Broken)?;
        fields += 1;
        if fields > MAX_FIELDS {
            return Err(ReadError::TooManyFields);
        }
        let name = field.name().unwrap_or_default().to_owned();
        let is_photo = name == "photo";
        let cap = if is_photo {
            limits.photo_bytes.unwrap_or(0)
        } else {
            MAX_TEXT_BYTES.min(MAX_ALL_TEXT_BYTES - text_total)
        };
        let mut bytes = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = next(&mut field, limits.idle).await? {
            let chunk = chunk.map_err(ReadError::Broken)?;
            total += chunk.len();
            if total > limits.total_bytes {
                return Err(ReadError::TooLarge(limits.total_bytes));
            }
            if bytes.len() + chunk.len() > cap {
                too_large = true;
                continue; // keep reading so the fields after this one arrive
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_photo {
            let kept = limits.photo_bytes.is_some();
            if kept && (!bytes.is_empty() || too_large) {
                submission.upload = Some(Upload {
                    bytes: if too_large { Vec::new() } else { bytes },
                    too_large,
                });
            }
            continue;
        }
        text_total += bytes.len();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if too_large {
            submission.errors.push((
                error_key(&name),
                format!("is over {} KiB and was cut short", cap / 1024),
            ));
        }
        match name.as_str() {
            "csrf" => submission.csrf = text,
            "action" => {
                submission.choose_photo = text == CHOOSE_PHOTO;
                submission.action = Action::parse(&text);
            }
            CONFIRM_FIELD => submission.confirmed = text == CONFIRMED,
            "remove_photo" => submission.remove_photo = !text.is_empty(),
            "preview_page" => submission.preview_page = text.parse().unwrap_or(PageNumber::FIRST),
            _ if is_settling(&name) => submission.settling.push((name, text)),
            _ => submission.input.set(&name, text),
        }
    }
    Ok(submission)
}
