//! Restoring a revision from a story's history, the step before it and the notice after it:
//! the history's button leads to a page saying which revision's text becomes the current text
//! and what readers will see, whose form does the restore; the story form then says what
//! happened.

use super::editable::{Editable, IfNot, story_id};
use crate::domain::Story;
use crate::storage::StoreError;
use crate::views::desk::DeskContext;
use crate::views::desk_admin::{RestorePage, restored_notice};
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

/// The session key of the notice shown once on the story form after a restore.
const NOTICE_KEY: &str = "restore_notice";

#[derive(Deserialize)]
pub(super) struct ConfirmQuery {
    /// The revision that was current when the history was shown.
    current: Option<u64>,
}

#[get("/desk/stories/{id}/restore/{revision}")]
pub(super) async fn confirm(
    state: State,
    signed_in: SignedIn,
    path: web::Path<(String, String)>,
    query: web::Query<ConfirmQuery>,
) -> Result<HttpResponse, AppError> {
    let (raw_id, raw_revision) = path.into_inner();
    let id = story_id(&raw_id)?;
    let revision: u64 = raw_revision.parse().map_err(|_| AppError::NotFound)?;
    let loaded = state
        .blocking(move |store| -> Result<_, StoreError> {
            let Some(current) = store.story(id)? else {
                return Ok(None);
            };
            let Some(old) = store.story_revision(id, revision)? else {
                return Ok(None);
            };
            let who = match old.last_edited_by {
                Some(user) => store.user(user)?.map(|u| u.username.to_string()),
                None => None,
            };
            Ok(Some((current, old, who)))
        })
        .await?;
    let (current, old, who) = loaded.ok_or(AppError::NotFound)?;
    let current = Editable::check(&signed_in, current, IfNot::Forbidden)?;
    if old.revision == current.revision {
        // Nothing to restore: the history shows the current revision without a button.
        return Ok(HttpResponse::SeeOther()
            .insert_header((
                actix_web::http::header::LOCATION,
                format!("/desk/stories/{id}/history"),
            ))
            .finish());
    }
    let who = who.unwrap_or_else(|| "no account (import or schedule)".to_owned());
    let title = format!("Restore revision {revision}: {}", current.content.headline);
    let page = RestorePage::new(
        DeskContext::new(&signed_in, title),
        &current,
        &old,
        who,
        query.current.unwrap_or(current.revision),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

/// Keeps the notice of revision `restored` saved as `saved` for the story form to show once.
pub(super) fn remember_notice(
    signed_in: &SignedIn,
    restored: u64,
    saved: &Story,
) -> Result<(), AppError> {
    signed_in
        .session
        .insert(
            NOTICE_KEY,
            restored_notice(restored, saved, &signed_in.zone),
        )
        .map_err(|e| AppError::internal("keeping a notice in the session", e))
}

/// The notice of a restore just made, once.
pub(super) fn take_notice(signed_in: &SignedIn) -> Option<String> {
    signed_in
        .session
        .remove_as::<String>(NOTICE_KEY)
        .and_then(Result::ok)
}
