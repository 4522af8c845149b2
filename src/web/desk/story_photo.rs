//! A story's lead photo on the form: storing an upload (once, however often it is sent) and
//! taking the photo's stored caption, credit and alt text as defaults.

use super::story_form::{FieldErrors, StoryInput, Upload};
use crate::domain::body::{self, BodyProblem, ProblemKind};
use crate::domain::{AltText, Body, Caption, Credit, Photo, PhotoId, User};
use crate::photos::{self, PhotoDetails, PhotoError};
use crate::storage::StoreError;
use crate::web::{AppError, State};
use time::OffsetDateTime;

/// Stores an upload and puts its id in the form, or says on the form why it cannot be used.
/// The caption, credit and alt text typed with it become the photo's defaults.
pub async fn store_upload(
    state: &State,
    user: &User,
    upload: Upload,
    input: &mut StoryInput,
    errors: &mut FieldErrors,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    if upload.too_large {
        let cap = PhotoError::TooLarge(state.settings.max_photo_bytes);
        errors.push(("photo", format!("{cap} Please attach a smaller file.")));
        return Ok(());
    }
    // Decoding a large photo takes a few hundred megabytes and a core: a few at a time.
    let _permit = state
        .photo_jobs
        .acquire()
        .await
        .map_err(|e| AppError::internal("waiting for a photo worker", e))?;
    let details = details(user, input, now);
    let stored = state
        .blocking(move |store| photos::store_upload(store, upload.bytes, details))
        .await?;
    match stored {
        Ok(record) => input.photo_id = record.id.to_string(),
        Err(e) => errors.push(("photo", format!("{e} Please attach the photo again."))),
    }
    Ok(())
}

/// A new photo's uploader, and the caption, credit and alt text of the form that are valid.
fn details(user: &User, input: &StoryInput, now: OffsetDateTime) -> PhotoDetails {
    PhotoDetails {
        uploaded_by: Some(user.id),
        uploaded_at: now,
        caption: Caption::parse(&input.caption)
            .map(|c| c.to_string())
            .unwrap_or_default(),
        credit: Credit::parse(&input.credit)
            .map(|c| c.to_string())
            .unwrap_or_default(),
        alt: AltText::parse(&input.alt)
            .map(|c| c.to_string())
            .unwrap_or_default(),
    }
}

/// The stored photo a form or link names by id, if it names one that exists.
pub async fn chosen(state: &State, photo_id: &str) -> Result<Option<Photo>, AppError> {
    let Ok(id) = photo_id.trim().parse::<PhotoId>() else {
        return Ok(None);
    };
    state.blocking(move |store| store.photo(id)).await
}

/// The records of the library photos a body places, for a preview of it.
pub async fn placed(state: &State, body: &Body) -> Result<Vec<Photo>, AppError> {
    let ids = body.inline_photos();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    state
        .blocking(move |store| -> Result<_, StoreError> {
            let mut found = Vec::with_capacity(ids.len());
            for id in ids {
                found.extend(store.photo(id)?);
            }
            Ok(found)
        })
        .await
}

/// Says on the form, line by line, what the typed body holds that the desk does not accept:
/// raw HTML, images from elsewhere, and library photos the library does not hold.
pub async fn check_placed(
    state: &State,
    body: &str,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    let mut problems = body::problems(body);
    let lines = body::photo_lines(body);
    let missing = if lines.is_empty() {
        Vec::new()
    } else {
        state
            .blocking(move |store| -> Result<_, StoreError> {
                let mut missing = Vec::new();
                for (line, id) in lines {
                    if store.photo(id)?.is_none() {
                        missing.push(BodyProblem {
                            line,
                            kind: ProblemKind::UnknownPhoto(id),
                        });
                    }
                }
                Ok(missing)
            })
            .await?
    };
    problems.extend(missing);
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        errors.push(("body", body::describe(&problems)));
    }
    Ok(())
}

/// Fills the form's empty caption, credit and alt text from the photo's stored defaults; what
/// the form gives overrides them for this story.
pub fn fill_defaults(input: &mut StoryInput, photo: &Photo) {
    for (field, default) in [
        (&mut input.caption, &photo.caption),
        (&mut input.credit, &photo.credit),
        (&mut input.alt, &photo.alt),
    ] {
        if field.trim().is_empty() {
            field.clone_from(default);
        }
    }
}

/// Puts `photo` in the form in place of whatever photo it had, with its defaults.
pub fn choose(input: &mut StoryInput, photo: &Photo) {
    let id = photo.id.to_string();
    if input.photo_id.trim() != id {
        input.photo_id = id;
        input.caption.clear();
        input.credit.clear();
        input.alt.clear();
    }
    fill_defaults(input, photo);
}
