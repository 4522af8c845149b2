//! The desk's incoming copy: the list of copy waiting and of copy spiked, newest first a page
//! at a time; uploads of wire and ninjs files; taking, spiking and restoring copy. The rules
//! are the editorial service's (`editorial::incoming`); these handlers parse, call and render.

use crate::domain::{IncomingCopy, Section, SiteZone};
use crate::editorial::incoming::{self, Listed, Shelf};
use crate::editorial::{Actor, EditorialError, TakenIn};
use crate::import::copy::{self, MAX_FILE_BYTES};
use crate::storage::Store;
use crate::views::desk::DeskContext;
use crate::views::desk_incoming::{CopyRow, IncomingPage, UploadResult};
use crate::web::auth::{SignedIn, check_origin};
use crate::web::{AppError, State};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use futures_util::StreamExt;
use serde::Deserialize;
use std::time::Duration;
use time::OffsetDateTime;

/// Copy shown on one page of a list.
const PER_PAGE: usize = 30;
/// Files taken from one upload; the rest are refused.
const MAX_FILES: usize = 20;
/// Everything one upload may send; past it the upload is refused whole.
const MAX_UPLOAD_BYTES: usize = MAX_FILES * (1 << 20) + MAX_FILE_BYTES;
/// Fields of an upload form: the token, the files, and room for a browser's extras.
const MAX_FIELDS: usize = MAX_FILES * 2 + 8;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(waiting)
        .service(spiked)
        .service(upload)
        .service(take)
        .service(spike)
        .service(restore);
}

#[derive(Deserialize)]
struct ListQuery {
    after: Option<String>,
    done: Option<String>,
}

#[derive(Deserialize)]
struct CopyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    key: String,
}

#[get("/desk/incoming")]
async fn waiting(
    state: State,
    signed_in: SignedIn,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    show(state, signed_in, Shelf::Waiting, query.into_inner()).await
}

#[get("/desk/incoming/spiked")]
async fn spiked(
    state: State,
    signed_in: SignedIn,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    show(state, signed_in, Shelf::Spiked, query.into_inner()).await
}

async fn show(
    state: State,
    signed_in: SignedIn,
    shelf: Shelf,
    query: ListQuery,
) -> Result<HttpResponse, AppError> {
    let after = match query.after.filter(|a| !a.is_empty()) {
        Some(key) if incoming::is_copy_key(&key) => Some(key),
        Some(_) => return Err(AppError::NotFound),
        None => None,
    };
    let notice = match query.done.as_deref() {
        Some("spiked") => Some("Spiked. It is kept under Spiked, where it can be restored."),
        Some("restored") => Some("Restored to the incoming list."),
        _ => None,
    };
    let mut page = page(&state, &signed_in, shelf, after).await?;
    page.notice = notice.map(str::to_owned);
    ok(StatusCode::OK, &page)
}

/// A page of `shelf` from the copy after `after`.
async fn page(
    state: &State,
    signed_in: &SignedIn,
    shelf: Shelf,
    after: Option<String>,
) -> Result<IncomingPage, AppError> {
    let from = after.clone();
    // One more than a page tells whether an older page exists.
    let mut listed: Vec<Listed> = state
        .blocking(move |store| incoming::list(store, shelf, from.as_deref(), PER_PAGE + 1))
        .await?;
    let base = match shelf {
        Shelf::Waiting => "/desk/incoming",
        Shelf::Spiked => "/desk/incoming/spiked",
    };
    let older = if listed.len() > PER_PAGE {
        listed.truncate(PER_PAGE);
        listed.last().map(|l| format!("{base}?after={}", l.key))
    } else {
        None
    };
    let is_spiked = shelf == Shelf::Spiked;
    let title = if is_spiked { "Spiked copy" } else { "Incoming" };
    Ok(IncomingPage {
        ctx: DeskContext::new(signed_in, title),
        spiked: is_spiked,
        rows: listed
            .into_iter()
            .map(|l| CopyRow::new(l.key, &l.copy, &signed_in.zone))
            .collect(),
        newest: after.map(|_| base.to_owned()),
        older,
        results: Vec::new(),
        upload_error: None,
        notice: None,
    })
}

fn ok(status: StatusCode, page: &IncomingPage) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

/// One file of an upload as it arrived.
struct Sent {
    name: String,
    bytes: Vec<u8>,
    /// Why it is refused before it is read (too large, one too many).
    refused: Option<String>,
}

/// Why an upload could not be read at all.
enum Unread {
    TooLarge,
    TimedOut,
    TooManyFields,
    Broken,
}

impl Unread {
    fn said(&self) -> String {
        match self {
            Unread::TooLarge => format!(
                "The upload is over {} MiB, so nothing of it was taken. Send fewer files at once.",
                MAX_UPLOAD_BYTES >> 20
            ),
            Unread::TimedOut => "The upload stopped arriving; nothing of it was taken.".into(),
            Unread::TooManyFields => {
                format!("Send at most {MAX_FILES} files at once; nothing was taken.")
            }
            Unread::Broken => "The upload could not be read; nothing of it was taken.".into(),
        }
    }
}

async fn next<S: futures_util::Stream + Unpin>(
    stream: &mut S,
    idle: Duration,
) -> Result<Option<S::Item>, Unread> {
    actix_web::rt::time::timeout(idle, stream.next())
        .await
        .map_err(|_| Unread::TimedOut)
}

/// Reads the upload's token and files within the limits: a file over its cap or past the
/// count is kept as a refusal, and the reading goes on, so the other files still arrive.
async fn read_upload(
    mut payload: Multipart,
    idle: Duration,
) -> Result<(String, Vec<Sent>), Unread> {
    let (mut csrf, mut files) = (String::new(), Vec::new());
    let (mut fields, mut total) = (0usize, 0usize);
    while let Some(field) = next(&mut payload, idle).await? {
        let mut field = field.map_err(|_| Unread::Broken)?;
        fields += 1;
        if fields > MAX_FIELDS {
            return Err(Unread::TooManyFields);
        }
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(IncomingCopy::clean_name);
        let cap = if name == "files" {
            MAX_FILE_BYTES
        } else {
            4096
        };
        let (mut bytes, mut too_large) = (Vec::new(), false);
        while let Some(chunk) = next(&mut field, idle).await? {
            let chunk = chunk.map_err(|_| Unread::Broken)?;
            total += chunk.len();
            if total > MAX_UPLOAD_BYTES {
                return Err(Unread::TooLarge);
            }
            if bytes.len() + chunk.len() > cap {
                too_large = true;
                bytes = Vec::new();
                continue;
            }
            if !too_large {
                bytes.extend_from_slice(&chunk);
            }
        }
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "files" => {
                // A file input left empty still sends a part, with no name and no bytes.
                let Some(file_name) = file_name.filter(|_| !bytes.is_empty() || too_large) else {
                    continue;
                };
                let refused = if too_large {
                    Some(format!(
                        "line 1: the file is over {} KiB; at most {} KiB is taken",
                        MAX_FILE_BYTES / 1024,
                        MAX_FILE_BYTES / 1024
                    ))
                } else if files.len() >= MAX_FILES {
                    Some(format!("at most {MAX_FILES} files are taken at once"))
                } else {
                    None
                };
                files.push(Sent {
                    name: file_name,
                    bytes,
                    refused,
                });
            }
            _ => {}
        }
    }
    Ok((csrf, files))
}

#[post("/desk/incoming/upload")]
async fn upload(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    // Nothing of the body is read for a post from another site.
    check_origin(&req)?;
    let read = read_upload(payload, state.settings.form_idle).await;
    let (csrf, files) = match read {
        Ok(read) => read,
        Err(unread) => {
            let mut page = page(&state, &signed_in, Shelf::Waiting, None).await?;
            page.upload_error = Some(unread.said());
            return ok(StatusCode::PAYLOAD_TOO_LARGE, &page);
        }
    };
    signed_in.check_csrf(&req, &csrf)?;
    if files.is_empty() {
        let mut page = page(&state, &signed_in, Shelf::Waiting, None).await?;
        page.upload_error =
            Some("Choose one or more files of wire copy or ninjs to upload.".into());
        return ok(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let actor = Actor::User(signed_in.user.clone());
    let clock = state.settings.clock.clone();
    let base_url = state.settings.base_url.clone();
    let site_language = state.settings.language.clone();
    let results = state
        .blocking(move |store| {
            // Uploaded wire copy carries no zone of its own: its time stamps are read as UTC.
            let utc = SiteZone::utc();
            let mut reading = copy::Reading {
                section: Section::parse("world").map_err(|_| AppError::NotFound)?,
                base_url: base_url.trim_end_matches('/'),
                page_words: None,
                now: clock.now(),
                site_language: &site_language,
                language: None,
                wire_zone: &utc,
            };
            let mut results = Vec::with_capacity(files.len());
            for sent in files {
                let mut result = UploadResult {
                    file_name: sent.name.clone(),
                    refused: sent.refused,
                    taken: Vec::new(),
                };
                if result.refused.is_none() {
                    // Each file arrives after the one before it, so the list keeps their order.
                    reading.now = clock.now();
                    match copy::read(&sent.name, &sent.bytes, reading) {
                        Ok(copies) => {
                            for mut piece in copies {
                                let headline = piece.story.content.headline.to_string();
                                let now = clock.now();
                                piece.arrived_at = now;
                                piece.updated_at = now;
                                let outcome = incoming::take_in(store, &actor, piece, now)?;
                                result.taken.push(said(&headline, &outcome));
                            }
                        }
                        Err(e) => result.refused = Some(e.to_string()),
                    }
                }
                results.push(result);
            }
            Ok::<_, AppError>(results)
        })
        .await?;
    let refused = results.iter().any(|r| r.refused.is_some());
    let mut page = page(&state, &signed_in, Shelf::Waiting, None).await?;
    page.results = results;
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    ok(status, &page)
}

fn said(headline: &str, outcome: &TakenIn) -> String {
    format!("“{headline}”: {}", outcome.said())
}

#[post("/desk/incoming/take")]
async fn take(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    form: web::Form<CopyForm>,
) -> Result<HttpResponse, AppError> {
    let story = act_on(&req, &state, &signed_in, form, incoming::take).await?;
    see_other(&format!("/desk/stories/{}", story.id))
}

#[post("/desk/incoming/spike")]
async fn spike(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    form: web::Form<CopyForm>,
) -> Result<HttpResponse, AppError> {
    act_on(&req, &state, &signed_in, form, incoming::spike).await?;
    see_other("/desk/incoming?done=spiked")
}

#[post("/desk/incoming/restore")]
async fn restore(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    form: web::Form<CopyForm>,
) -> Result<HttpResponse, AppError> {
    act_on(&req, &state, &signed_in, form, incoming::restore).await?;
    see_other("/desk/incoming/spiked?done=restored")
}

/// Does `step` (take, spike or restore) to the copy the form names, as the signed-in editor.
async fn act_on<T: Send + 'static>(
    req: &HttpRequest,
    state: &State,
    signed_in: &SignedIn,
    form: web::Form<CopyForm>,
    step: fn(&dyn Store, &Actor, &str, OffsetDateTime) -> Result<T, EditorialError>,
) -> Result<T, AppError> {
    signed_in.check_csrf(req, &form.csrf)?;
    // Editors decide what of the agencies' copy the newsroom runs.
    signed_in.require_editor()?;
    let key = form.into_inner().key;
    let actor = Actor::User(signed_in.user.clone());
    let now = state.settings.clock.now();
    state
        .blocking(move |store| step(store, &actor, &key, now))
        .await
}

fn see_other(to: &str) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, to.to_owned()))
        .finish())
}
