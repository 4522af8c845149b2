//! Photos as served: renditions to readers once a published story shows them, renditions and
//! originals to the desk always.

use super::auth::SignedIn;
use super::{AppError, State};
use crate::domain::{Photo, PhotoId};
use crate::editorial;
use crate::storage::{PhotoBlob, StoreError};
use actix_web::http::header::{
    self, CacheControl, CacheDirective, ContentEncoding, ETag, EntityTag, IfNoneMatch,
};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, route, web};

/// The widest rendition; kept for addresses made before renditions existed.
#[route("/media/{id}", method = "GET", method = "HEAD")]
pub(super) async fn public(
    req: HttpRequest,
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: PhotoId = path.parse().map_err(|_| AppError::NotFound)?;
    serve(&req, &state, id, None, Audience::Readers).await
}

#[route("/media/{id}/{file}", method = "GET", method = "HEAD")]
pub(super) async fn public_rendition(
    req: HttpRequest,
    state: State,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, file) = path.into_inner();
    let id: PhotoId = id.parse().map_err(|_| AppError::NotFound)?;
    let width = parse_file(&file)?;
    serve(&req, &state, id, Some(width), Audience::Readers).await
}

#[get("/desk/photos/{id}")]
pub(super) async fn desk(
    req: HttpRequest,
    state: State,
    _signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: PhotoId = path.parse().map_err(|_| AppError::NotFound)?;
    serve(&req, &state, id, None, Audience::Desk).await
}

#[get("/desk/photos/{id}/{file}")]
pub(super) async fn desk_file(
    req: HttpRequest,
    state: State,
    _signed_in: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, file) = path.into_inner();
    let id: PhotoId = id.parse().map_err(|_| AppError::NotFound)?;
    if file == "original" {
        return original(&state, id).await;
    }
    let width = parse_file(&file)?;
    serve(&req, &state, id, Some(width), Audience::Desk).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Audience {
    Readers,
    Desk,
}

/// `960.jpg` -> 960.
fn parse_file(file: &str) -> Result<u32, AppError> {
    file.strip_suffix(".jpg")
        .filter(|w| !w.starts_with('0') && w.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|w| w.parse().ok())
        .ok_or(AppError::NotFound)
}

async fn serve(
    req: &HttpRequest,
    state: &State,
    id: PhotoId,
    width: Option<u32>,
    audience: Audience,
) -> Result<HttpResponse, AppError> {
    let if_none_match = req.get_header::<IfNoneMatch>();
    let found = state.blocking(move |store| -> Result<_, StoreError> {
        if audience == Audience::Readers && !store.photo_is_public(id)? {
            return Ok(None);
        }
        let Some(record) = store.photo(id)? else {
            return Ok(None);
        };
        let Some(width) = width.or_else(|| record.largest().map(|r| r.width)) else {
            return Ok(None);
        };
        if record.rendition(width).is_none() {
            return Ok(None);
        }
        // The tag names the content, so a revalidation is answered without reading the bytes.
        let tag = etag(&record, width);
        if if_none_match
            .as_ref()
            .is_some_and(|inm| matches_tag(inm, &tag))
        {
            return Ok(Some((tag, None)));
        }
        Ok(store
            .photo_blob(id, PhotoBlob::Rendition(width))?
            .map(|bytes| (tag, Some(bytes))))
    });
    let Some((tag, bytes)) = found.await? else {
        return Err(match audience {
            Audience::Readers if withdrawn(state, id).await? => AppError::Gone,
            _ => AppError::NotFound,
        });
    };
    let cache = match audience {
        // A rendition never changes under its address.
        Audience::Readers => vec![
            CacheDirective::MaxAge(31_536_000),
            CacheDirective::Extension("immutable".into(), None),
        ],
        Audience::Desk => vec![CacheDirective::Private, CacheDirective::NoCache],
    };
    let mut response = match bytes {
        Some(_) => HttpResponse::Ok(),
        None => HttpResponse::NotModified(),
    };
    response
        .insert_header(CacheControl(cache))
        .insert_header(ETag(tag))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        // JPEG does not compress further; skip the compression middleware.
        .insert_header(ContentEncoding::Identity);
    Ok(match bytes {
        Some(bytes) => response.content_type("image/jpeg").body(bytes),
        None => response.finish(),
    })
}

/// Whether a photo readers may not see belonged to a withdrawn story (and no public one).
async fn withdrawn(state: &State, id: PhotoId) -> Result<bool, AppError> {
    state
        .blocking(move |store| editorial::shows_withdrawn_photo(store, id))
        .await
}

fn matches_tag(if_none_match: &IfNoneMatch, tag: &EntityTag) -> bool {
    match if_none_match {
        IfNoneMatch::Any => true,
        IfNoneMatch::Items(items) => items.iter().any(|t| t.weak_eq(tag)),
    }
}

/// Renditions are addressed by their original's content hash and width.
fn etag(record: &Photo, width: u32) -> EntityTag {
    let base = match record.hash {
        Some(hash) => hex::encode(&hash[..12]),
        None => hex::encode(record.id.to_bytes()),
    };
    EntityTag::new_strong(format!("{base}-{width}"))
}

async fn original(state: &State, id: PhotoId) -> Result<HttpResponse, AppError> {
    let found = state
        .blocking(move |store| -> Result<_, StoreError> {
            let Some(record) = store.photo(id)? else {
                return Ok(None);
            };
            Ok(store
                .photo_blob(id, PhotoBlob::Original)?
                .map(|bytes| (record, bytes)))
        })
        .await?;
    let (record, bytes) = found.ok_or(AppError::NotFound)?;
    let extension = record
        .content_type
        .strip_prefix("image/")
        .unwrap_or("bin")
        .to_owned();
    Ok(HttpResponse::Ok()
        .content_type(record.content_type)
        .insert_header(CacheControl(vec![
            CacheDirective::Private,
            CacheDirective::NoStore,
        ]))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(ContentEncoding::Identity)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"photo-{id}.{extension}\""),
        ))
        .body(bytes))
}
