//! Photos as served: to readers once a published story shows them, to the desk always.

use super::auth::SignedIn;
use super::{AppError, State};
use crate::domain::PhotoId;
use actix_web::http::header::{CacheControl, CacheDirective, ETag, EntityTag};
use actix_web::{HttpResponse, get, web};

#[get("/media/{id}")]
pub(super) async fn public(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: PhotoId = path.parse().map_err(|_| AppError::NotFound)?;
    let store = state.store.clone();
    let bytes = web::block(move || -> Result<_, crate::storage::StoreError> {
        if !store.photo_is_public(id)? {
            return Ok(None);
        }
        store.photo_bytes(id, false)
    })
    .await??
    .ok_or(AppError::NotFound)?;
    Ok(jpeg(id, bytes, true))
}

#[get("/desk/photos/{id}")]
pub(super) async fn desk(
    state: State,
    _signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: PhotoId = path.parse().map_err(|_| AppError::NotFound)?;
    let store = state.store.clone();
    let bytes = web::block(move || store.photo_bytes(id, false))
        .await??
        .ok_or(AppError::NotFound)?;
    Ok(jpeg(id, bytes, false))
}

/// A stored photo never changes under its id, so readers' copies may be kept for a year.
fn jpeg(id: PhotoId, bytes: Vec<u8>, for_readers: bool) -> HttpResponse {
    let cache = if for_readers {
        vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(31_536_000),
            CacheDirective::Extension("immutable".into(), None),
        ]
    } else {
        vec![CacheDirective::Private, CacheDirective::NoStore]
    };
    HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header(CacheControl(cache))
        .insert_header(ETag(EntityTag::new_strong(id.to_string())))
        .body(bytes)
}
