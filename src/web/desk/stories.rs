//! Writing, editing and publishing stories: the list, the form, and saving it. The rules of a
//! story are the editorial service's; these handlers parse, call it and render.

mod confirm;
mod conflict;
mod form;
mod listing;
mod notes;
mod review;
mod save;
mod withdrawal;

pub(super) use form::{edit, new_story, preview_pending};
pub(super) use listing::list;
pub(super) use notes::add_note;
pub(super) use review::{send_back, take};
pub(super) use save::{create, update};
pub(super) use withdrawal::{reinstate, withdraw};

use crate::editorial::EditorialError;
use crate::web::AppError;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;

/// What the desk shows for a refusal of the editorial service that the page itself does not
/// explain (a conflict, a taken slug and invalid fields are shown on the form).
impl From<EditorialError> for AppError {
    fn from(e: EditorialError) -> Self {
        match e {
            EditorialError::NotAllowed(_) => AppError::Forbidden,
            EditorialError::NotFound => AppError::NotFound,
            EditorialError::Conflict { .. } => AppError::Stale,
            EditorialError::Store(e) => e.into(),
            other => AppError::internal("saving a story", other),
        }
    }
}

fn html(status: StatusCode, body: String) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}
