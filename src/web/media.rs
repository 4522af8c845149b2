//! Photos as served: renditions to readers once a published story shows them, renditions and
//! originals to the desk always.

use super::auth::SignedIn;
use super::{AppError, State};
use crate::domain::{Aspect, FocalPoint, Photo, PhotoId};
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
    let wanted = parse_file(&file)?;
    serve(&req, &state, id, Some(wanted), Audience::Readers).await
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
    // `/desk/photos/ID` itself is the photo's page.
    if file == WIDEST {
        return serve(&req, &state, id, None, Audience::Desk).await;
    }
    let wanted = parse_file(&file)?;
    serve(&req, &state, id, Some(wanted), Audience::Desk).await
}

/// The file name of a photo's widest rendition on the desk.
const WIDEST: &str = "widest.jpg";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Audience {
    Readers,
    Desk,
}

/// Which of a photo's JPEGs an address names.
#[derive(Clone, Copy)]
enum Wanted {
    Rendition(u32),
    Crop(Aspect, FocalPoint),
}

/// `960.jpg` is a rendition; `16x9-50-40.jpg` a crop around that focal point.
fn parse_file(file: &str) -> Result<Wanted, AppError> {
    let name = file.strip_suffix(".jpg").ok_or(AppError::NotFound)?;
    let number = |n: &str| -> Option<u32> {
        let canonical = n == "0" || !n.starts_with('0');
        n.bytes()
            .all(|b| b.is_ascii_digit())
            .then_some(n)
            .filter(|_| canonical && !n.is_empty())
            .and_then(|n| n.parse().ok())
    };
    let crop = || -> Option<Wanted> {
        let mut parts = name.split('-');
        let aspect = Aspect::parse(parts.next()?)?;
        let x = number(parts.next()?)?;
        let y = number(parts.next()?)?;
        if parts.next().is_some() {
            return None;
        }
        let focal = FocalPoint::parse(x.into(), y.into()).ok()?;
        Some(Wanted::Crop(aspect, focal))
    };
    if name.contains('-') {
        return crop().ok_or(AppError::NotFound);
    }
    number(name)
        .filter(|w| *w > 0)
        .map(Wanted::Rendition)
        .ok_or(AppError::NotFound)
}

async fn serve(
    req: &HttpRequest,
    state: &State,
    id: PhotoId,
    wanted: Option<Wanted>,
    audience: Audience,
) -> Result<HttpResponse, AppError> {
    let if_none_match = req.get_header::<IfNoneMatch>();
    let found = state.blocking(move |store| -> Result<_, StoreError> {
        // An author's photo is public while the profile shows it, story or not.
        if audience == Audience::Readers
            && !store.photo_is_public(id)?
            && !crate::authors::shows_photo(store, id)?
        {
            return Ok(None);
        }
        let Some(record) = store.photo(id)? else {
            return Ok(None);
        };
        let widest = record.largest().map(|r| PhotoBlob::Rendition(r.width));
        // A photo stored before crops existed stands in with its widest rendition, until an
        // editor sets its focal point and the crops are cut: that answer may change.
        let stand_in = matches!(wanted, Some(Wanted::Crop(..))) && record.crops.is_empty();
        let blob = match wanted {
            Some(Wanted::Rendition(width)) => {
                record.rendition(width).map(|_| PhotoBlob::Rendition(width))
            }
            Some(Wanted::Crop(..)) if stand_in => widest,
            Some(Wanted::Crop(aspect, focal)) => (record.focal == focal
                && record.crop(aspect).is_some())
            .then_some(PhotoBlob::Crop(aspect, focal)),
            None => widest,
        };
        let Some(blob) = blob else {
            return Ok(None);
        };
        // The tag names the content, so a revalidation is answered without reading the bytes.
        let tag = etag(&record, blob);
        if if_none_match
            .as_ref()
            .is_some_and(|inm| matches_tag(inm, &tag))
        {
            return Ok(Some((tag, None, stand_in)));
        }
        Ok(store
            .photo_blob(id, blob)?
            .map(|bytes| (tag, Some(bytes), stand_in)))
    });
    let Some((tag, bytes, stand_in)) = found.await? else {
        return Err(match audience {
            Audience::Readers if withdrawn(state, id).await? => AppError::Gone,
            _ => AppError::NotFound,
        });
    };
    let cache = match audience {
        Audience::Readers if stand_in => vec![CacheDirective::MaxAge(STAND_IN_SECONDS)],
        // A rendition or crop never changes under its address.
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

/// How long a stand-in for a crop not cut yet may be kept: crops are cut when an editor sets
/// the photo's focal point, and the address then serves the crop.
const STAND_IN_SECONDS: u32 = 3600;

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

/// Renditions are addressed by their original's content hash and width, crops by the hash,
/// their aspect and focal point.
fn etag(record: &Photo, blob: PhotoBlob) -> EntityTag {
    let base = match record.hash {
        Some(hash) => hex::encode(&hash[..12]),
        None => hex::encode(record.id.to_bytes()),
    };
    let what = match blob {
        PhotoBlob::Rendition(width) => width.to_string(),
        PhotoBlob::Crop(aspect, focal) => {
            format!("{}-{}-{}", aspect.as_str(), focal.x(), focal.y())
        }
        PhotoBlob::Original => "original".to_owned(),
    };
    EntityTag::new_strong(format!("{base}-{what}"))
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
