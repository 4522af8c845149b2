//! The photo library's own desk work, shared by every way in: a photo's defaults changed and
//! audited, and a batch of uploads stored one by one, each accepted or refused on its own.

use crate::domain::{AuditAction, AuditEvent, Photo, PhotoDefaults, PhotoId, User};
use crate::photos::{self, PhotoDetails, PhotoError};
use crate::storage::{Store, StoreError};
use time::OffsetDateTime;

/// Why a photo's defaults were not changed.
#[derive(Debug, thiserror::Error)]
pub enum DefaultsError {
    #[error("no such photo")]
    NotFound,
    /// Only editors and whoever uploaded the photo change what it gives every story.
    #[error("not allowed to change this photo")]
    NotAllowed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Gives photo `id` the defaults `defaults`, for `user`, and records who did it in the audit
/// log. Stories that use the photo already keep their own words.
pub fn save_defaults(
    store: &dyn Store,
    user: &User,
    id: PhotoId,
    defaults: &PhotoDefaults,
    now: OffsetDateTime,
) -> Result<Photo, DefaultsError> {
    let photo = store.photo(id)?.ok_or(DefaultsError::NotFound)?;
    // The same people who may move its focal point.
    if !photo.may_be_reframed_by(user) {
        return Err(DefaultsError::NotAllowed);
    }
    let saved = match store.save_photo_defaults(id, defaults) {
        Err(StoreError::NotFound) => return Err(DefaultsError::NotFound),
        other => other?,
    };
    let caption = if saved.caption.is_empty() {
        "no caption".to_owned()
    } else {
        saved.caption.chars().take(80).collect()
    };
    store.record_audit(&AuditEvent {
        at: now,
        actor: Some(user.id),
        actor_name: user.username.to_string(),
        action: AuditAction::PhotoDefaults,
        detail: format!("photo {id}: {caption}"),
    })?;
    Ok(saved)
}

/// What became of one file of a batch upload.
#[derive(Debug)]
pub enum Uploaded {
    /// Stored as a new photo of the library.
    Added(Photo),
    /// The same bytes are in the library already, as this photo.
    AlreadyThere(Photo),
    Refused(PhotoError),
}

/// Stores one file of a batch as a photo uploaded by `user`, with no words yet. Decodes the
/// whole image: run it off the async threads, a few at a time.
pub fn store_one(
    store: &dyn Store,
    user: &User,
    bytes: Vec<u8>,
    now: OffsetDateTime,
) -> Result<Uploaded, StoreError> {
    if let Some(existing) = store.photo_by_hash(&photos::content_hash(&bytes))? {
        return Ok(Uploaded::AlreadyThere(existing));
    }
    let details = PhotoDetails {
        uploaded_by: Some(user.id),
        uploaded_at: now,
        caption: String::new(),
        credit: String::new(),
        alt: String::new(),
    };
    Ok(match photos::store_upload(store, bytes, details)? {
        Ok(photo) => Uploaded::Added(photo),
        Err(e) => Uploaded::Refused(e),
    })
}
