//! A story's lead photo on the form: storing an upload (once, however often it is sent),
//! taking the photo's stored caption, credit and alt text as defaults, and refusing to publish
//! a photo readers could not be told about.

use super::story_form::{Action, FieldErrors, StoryInput, Upload};
use crate::domain::{AltText, Caption, Credit, Photo, PhotoId, Story, User};
use crate::photos::{self, PhotoDetails, PhotoError};
use crate::web::{AppError, State};
use actix_web::web;
use time::OffsetDateTime;

/// Stores an upload and puts its id in the form, or says on the form why it cannot be used.
/// The caption, credit and alt text typed with it become the photo's defaults.
pub async fn store_upload(
    state: &State,
    user: &User,
    upload: Upload,
    input: &mut StoryInput,
    errors: &mut FieldErrors,
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
        .map_err(|_| AppError::Internal("the photo workers have stopped".into()))?;
    let store = state.store.clone();
    let details = details(user, input);
    let stored = web::block(move || photos::store_upload(&*store, upload.bytes, details)).await??;
    match stored {
        Ok(record) => input.photo_id = record.id.to_string(),
        Err(e) => errors.push(("photo", format!("{e} Please attach the photo again."))),
    }
    Ok(())
}

/// A new photo's uploader, and the caption, credit and alt text of the form that are valid.
fn details(user: &User, input: &StoryInput) -> PhotoDetails {
    PhotoDetails {
        uploaded_by: Some(user.id),
        uploaded_at: OffsetDateTime::now_utc(),
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

/// The stored photo the form names, if it names one that exists.
pub async fn chosen(state: &State, input: &StoryInput) -> Result<Option<Photo>, AppError> {
    let Ok(id) = input.photo_id.trim().parse::<PhotoId>() else {
        return Ok(None);
    };
    let store = state.store.clone();
    Ok(web::block(move || store.photo(id)).await??)
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

/// Readers must be told who took a photo and what it shows: publishing or scheduling a story
/// whose photo lacks a credit or alt text is refused, naming what is missing.
pub fn check_publishable(story: &Story, action: Action, errors: &mut FieldErrors) {
    let verb = match action {
        Action::Publish => "published",
        Action::Schedule => "scheduled",
        _ => return,
    };
    let Some(photo) = story.photo.as_ref().filter(|p| p.image.is_some()) else {
        return;
    };
    let mut missing = Vec::new();
    if photo.credit.is_none() {
        missing.push("credit");
        errors.push((
            "credit",
            format!("A credit is required before the story can be {verb}"),
        ));
    }
    if photo.alt.is_none() {
        missing.push("alt text");
        errors.push((
            "alt",
            format!("Alt text is required before the story can be {verb}"),
        ));
    }
    if !missing.is_empty() {
        errors.push((
            "form",
            format!(
                "The story cannot be {verb}: its photo has no {}.",
                missing.join(" and no ")
            ),
        ));
    }
}
