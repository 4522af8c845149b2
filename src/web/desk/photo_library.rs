//! A library photo's own page (its defaults for stories and the stories using it) and uploads
//! straight into the library, several files at once, each accepted or refused on its own.

use crate::domain::{DomainError, PhotoDefaults, PhotoId, Status};
use crate::photo_library::{self, DefaultsError, Uploaded};
use crate::storage::{StoreError, StoryUsingPhoto};
use crate::urls;
use crate::views::desk::DeskContext;
use crate::views::desk_photo::{
    DefaultsInput, PhotoPage, PhotoUseRow, UploadResultPage, UploadRow,
};
use crate::web::auth::{SignedIn, check_origin};
use crate::web::{AppError, State};
use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use futures_util::StreamExt;
use serde::Deserialize;
use std::time::Duration;

/// Files taken from one upload; more are read past and refused.
const MAX_FILES: usize = 20;
/// A text field of the upload form (the CSRF token) is never longer.
const MAX_TEXT_BYTES: usize = 1024;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource(urls::DESK_PHOTO_UPLOAD).route(web::post().to(upload)))
        .service(show)
        .service(
            web::resource("/desk/photos/{id}/defaults")
                // A caption may be 2,000 characters, each up to 12 bytes once form-encoded.
                .app_data(web::FormConfig::default().limit(64 * 1024))
                .route(web::post().to(save_defaults)),
        );
}

#[derive(Deserialize)]
pub struct PhotoQuery {
    saved: Option<String>,
}

#[get("/desk/photos/{id}")]
async fn show(
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    query: web::Query<PhotoQuery>,
) -> Result<HttpResponse, AppError> {
    let id: PhotoId = path.parse().map_err(|_| AppError::NotFound)?;
    let saved = query.saved.is_some();
    render(
        &state,
        &signed_in,
        id,
        None,
        Vec::new(),
        saved,
        StatusCode::OK,
    )
    .await
}

/// Every field defaults to empty, so that a forged or truncated form reaches the CSRF check.
#[derive(Deserialize)]
pub struct DefaultsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    caption: String,
    #[serde(default)]
    credit: String,
    #[serde(default)]
    alt: String,
}

async fn save_defaults(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<DefaultsForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    signed_in.check_csrf(&req, &form.csrf)?;
    let id: PhotoId = path.parse().map_err(|_| AppError::NotFound)?;
    let input = DefaultsInput {
        caption: form.caption,
        credit: form.credit,
        alt: form.alt,
    };
    let defaults = match PhotoDefaults::parse(&input.caption, &input.credit, &input.alt) {
        Ok(defaults) => defaults,
        Err(errors) => {
            let errors = errors.iter().map(field_error).collect();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render(&state, &signed_in, id, Some(input), errors, false, status).await;
        }
    };
    let user = signed_in.user.clone();
    let now = state.settings.clock.now();
    state
        .blocking(move |store| photo_library::save_defaults(store, &user, id, &defaults, now))
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("{}?saved=1", urls::desk_photo_page(id)),
        ))
        .finish())
}

/// The form field a domain error belongs to, and the sentence shown beside it.
fn field_error(e: &DomainError) -> (&'static str, String) {
    let field = match e.field() {
        f if f == crate::domain::Credit::FIELD => "credit",
        f if f == crate::domain::AltText::FIELD => "alt",
        _ => "caption",
    };
    (field, format!("{e}."))
}

/// The photo's page; `input` is what was typed, when a save was refused.
async fn render(
    state: &State,
    signed_in: &SignedIn,
    id: PhotoId,
    input: Option<DefaultsInput>,
    errors: Vec<(&'static str, String)>,
    saved: bool,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (photo, uses) = state
        .blocking(move |store| -> Result<_, StoreError> {
            let Some(photo) = store.photo(id)? else {
                return Ok(None);
            };
            Ok(Some((photo, store.stories_using_photo(id)?)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let shown = photo.renditions.get(1).or(photo.renditions.last()).copied();
    let (image_url, image_width, image_height) = match shown {
        Some(r) => (urls::desk_photo(id, r.width), r.width, r.height),
        None => (urls::desk_photo_widest(id), photo.width, photo.height),
    };
    let input = input.unwrap_or_else(|| DefaultsInput {
        caption: photo.caption.clone(),
        credit: photo.credit.clone(),
        alt: photo.alt.clone(),
    });
    let page = PhotoPage {
        ctx: DeskContext::new(signed_in, "Photo"),
        id: id.to_string(),
        image_url,
        image_width,
        image_height,
        image_alt: photo.alt.clone(),
        dimensions: format!("{}×{}", photo.width, photo.height),
        original_url: urls::desk_photo_original(id),
        action: urls::desk_photo_defaults(id),
        input,
        errors,
        editable: photo.may_be_reframed_by(&signed_in.user),
        saved,
        uses: uses.iter().map(use_row).collect(),
    };
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

fn use_row(u: &StoryUsingPhoto) -> PhotoUseRow {
    let how = match (u.usage.lead, u.usage.inline) {
        (true, true) => "Lead photo and in the body",
        (true, false) => "Lead photo",
        _ => "In the body",
    };
    let status = u.story.status;
    PhotoUseRow {
        edit_url: format!("/desk/stories/{}", u.story.id),
        headline: u.story.headline.to_string(),
        status_key: match status {
            Status::Published => "published",
            Status::Scheduled(_) => "scheduled",
            Status::Unpublished | Status::Withdrawn(_) => "unpublished",
            Status::Draft => "draft",
        },
        status_label: u.story.status_label(),
        how: how.to_owned(),
        public: u.usage.public,
    }
}

impl From<DefaultsError> for AppError {
    fn from(e: DefaultsError) -> Self {
        match e {
            DefaultsError::NotFound => AppError::NotFound,
            DefaultsError::NotAllowed => AppError::Forbidden,
            DefaultsError::Store(e) => e.into(),
        }
    }
}

/// Why an upload form could not be read at all.
#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error("the upload stopped arriving")]
    TimedOut,
    #[error("the upload could not be read")]
    Broken(#[source] actix_multipart::MultipartError),
}

async fn next<S: futures_util::Stream + Unpin>(
    stream: &mut S,
    idle: Duration,
) -> Result<Option<S::Item>, ReadError> {
    actix_web::rt::time::timeout(idle, stream.next())
        .await
        .map_err(|_| ReadError::TimedOut)
}

/// Stores each file of the form in the library as it arrives (one in memory at a time), after
/// the CSRF token, which the form sends first: a file before it is refused unread.
async fn upload(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    mut payload: Multipart,
) -> Result<HttpResponse, AppError> {
    check_origin(&req)?;
    let (max_bytes, idle) = (state.settings.max_photo_bytes, state.settings.form_idle);
    let mut checked = false;
    let mut rows: Vec<UploadRow> = Vec::new();
    let mut files = 0usize;
    while let Some(field) = next(&mut payload, idle).await.map_err(bad)? {
        let mut field = field.map_err(|e| bad(ReadError::Broken(e)))?;
        let name = field.name().unwrap_or_default().to_owned();
        if name == "csrf" {
            let mut token = Vec::new();
            while let Some(chunk) = next(&mut field, idle).await.map_err(bad)? {
                let chunk = chunk.map_err(|e| bad(ReadError::Broken(e)))?;
                if token.len() + chunk.len() > MAX_TEXT_BYTES {
                    return Err(AppError::Forbidden);
                }
                token.extend_from_slice(&chunk);
            }
            signed_in.check_csrf(&req, &String::from_utf8_lossy(&token))?;
            checked = true;
            continue;
        }
        if name != "photos" {
            continue;
        }
        if !checked {
            return Err(AppError::Forbidden);
        }
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect::<String>();
        files += 1;
        let keep = files <= MAX_FILES;
        let mut bytes = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = next(&mut field, idle).await.map_err(bad)? {
            let chunk = chunk.map_err(|e| bad(ReadError::Broken(e)))?;
            if !keep || too_large || bytes.len() + chunk.len() > max_bytes {
                // Read past it, so the files after it still arrive.
                too_large = keep;
                bytes = Vec::new();
                continue;
            }
            bytes.extend_from_slice(&chunk);
        }
        // A browser sends an empty part when no file was chosen.
        if filename.is_empty() && bytes.is_empty() && !too_large {
            files -= 1;
            continue;
        }
        let filename = if filename.is_empty() {
            "(no name)".to_owned()
        } else {
            filename
        };
        let refused = |why: String| UploadRow {
            filename: filename.clone(),
            photo_url: None,
            thumb_url: None,
            thumb_width: 0,
            thumb_height: 0,
            outcome: why,
            accepted: false,
        };
        if !keep {
            rows.push(refused(format!(
                "Not read: at most {MAX_FILES} files are taken at once. Upload it again."
            )));
            continue;
        }
        if too_large {
            let cap = crate::photos::PhotoError::TooLarge(max_bytes);
            rows.push(refused(cap.to_string()));
            continue;
        }
        // Decoding a large photo takes a few hundred megabytes and a core: a few at a time.
        let _permit = state
            .photo_jobs
            .acquire()
            .await
            .map_err(|e| AppError::internal("waiting for a photo worker", e))?;
        let user = signed_in.user.clone();
        let now = state.settings.clock.now();
        let stored = state
            .blocking(move |store| photo_library::store_one(store, &user, bytes, now))
            .await?;
        rows.push(match stored {
            Uploaded::Added(photo) => accepted(&filename, &photo, "Added to the library."),
            Uploaded::AlreadyThere(photo) => accepted(
                &filename,
                &photo,
                "Already in the library: the same file was uploaded before.",
            ),
            Uploaded::Refused(e) => refused(e.to_string()),
        });
    }
    if !checked {
        return Err(AppError::Forbidden);
    }
    let accepted_count = rows.iter().filter(|r| r.accepted).count();
    let page = UploadResultPage {
        ctx: DeskContext::new(&signed_in, "Upload"),
        accepted: accepted_count,
        refused: rows.len() - accepted_count,
        rows,
    };
    let status = if page.accepted == 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

fn accepted(filename: &str, photo: &crate::domain::Photo, outcome: &str) -> UploadRow {
    let thumb = photo.renditions.first();
    UploadRow {
        filename: filename.to_owned(),
        photo_url: Some(urls::desk_photo_page(photo.id)),
        thumb_url: thumb.map(|t| urls::desk_photo(photo.id, t.width)),
        thumb_width: thumb.map_or(0, |t| t.width),
        thumb_height: thumb.map_or(0, |t| t.height),
        outcome: outcome.to_owned(),
        accepted: true,
    }
}

fn bad(e: ReadError) -> AppError {
    AppError::BadRequest(e.to_string())
}
