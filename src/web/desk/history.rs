//! A story's history: every saved revision with what changed, and restoring an older one as a
//! new revision on top.

use super::editable::story_id;
use crate::domain::{Story, StoryId};
use crate::editorial::{self, Actor, EditorialError};
use crate::storage::StoreError;
use crate::views::desk::DeskContext;
use crate::views::desk_admin::{HistoryPage, RevisionView};
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show)
        .service(super::restore::confirm)
        .service(restore);
}

/// The story's history page, with `error` above it; diffs are computed on the blocking pool.
async fn render(
    state: &State,
    signed_in: &SignedIn,
    id: StoryId,
    status: StatusCode,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let viewer = Actor::User(signed_in.user.clone());
    let zone = signed_in.zone.clone();
    let loaded = state
        .blocking(move |store| -> Result<_, StoreError> {
            let Some(story) = store.story(id)? else {
                return Ok(None);
            };
            if !editorial::may_see_history(&viewer, &story) {
                return Ok(Some((story, None)));
            }
            let revisions = store.story_revisions(id)?;
            let users = store.users()?;
            let live = editorial::live_revision(&story, &revisions);
            // Each revision as the desk saw it: a live story's pending changes are its words.
            let edited: Vec<Story> = revisions.iter().map(Story::as_edited).collect();
            let mut views = RevisionView::all(&edited, &users, &zone);
            for (view, revision) in views.iter_mut().zip(&revisions) {
                view.is_live = Some(view.revision) == live;
                view.pending = revision.pending.is_some();
            }
            Ok(Some((story, Some(views))))
        })
        .await?;
    let (story, revisions) = loaded.ok_or(AppError::NotFound)?;
    let Some(revisions) = revisions else {
        return Err(super::not_allowed(
            signed_in,
            "only editors, and the writer of a story, may see its history. Ask an editor if \
             you need to know how it changed",
            Some(id),
        ));
    };
    let page = HistoryPage {
        ctx: DeskContext::new(signed_in, format!("History: {}", story.content.headline)),
        story_id: story.id.to_string(),
        headline: story.content.headline.to_string(),
        current_revision: story.revision,
        revisions,
        can_restore: editorial::may_restore(&Actor::User(signed_in.user.clone()), &story),
        keeps_slug: story.first_published_at.is_some(),
        is_live_story: story.is_public(),
        error,
    };
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

#[get("/desk/stories/{id}/history")]
async fn show(
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = story_id(&path)?;
    render(&state, &signed_in, id, StatusCode::OK, None).await
}

#[derive(Deserialize)]
struct RestoreForm {
    #[serde(default)]
    csrf: String,
    /// The revision that was current when the history was shown.
    current: Option<u64>,
}

#[post("/desk/stories/{id}/restore/{revision}")]
async fn restore(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    path: web::Path<(String, String)>,
    form: web::Form<RestoreForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.check_csrf(&req, &form.csrf)?;
    let (raw_id, raw_revision) = path.into_inner();
    let id = story_id(&raw_id)?;
    let revision: u64 = raw_revision.parse().map_err(|_| AppError::NotFound)?;
    let expected = form.current;

    let actor = Actor::User(signed_in.user.clone());
    let now = state.settings.clock.now();
    let outcome = state
        .blocking(move |store| {
            Ok::<_, StoreError>(editorial::restore(
                store, &actor, id, revision, expected, now,
            ))
        })
        .await?;

    match outcome {
        Ok(restored) => {
            if let editorial::Restored::Saved(saved) = &restored {
                super::restore::remember_notice(&signed_in, revision, saved)?;
            }
            Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, format!("/desk/stories/{id}")))
                .finish())
        }
        Err(EditorialError::Conflict { current }) => {
            let message = format!(
                "Nothing was restored: someone saved this story while you were looking at its \
                 history, and it is now at revision {}. Check the changes below, then \
                 restore again if you still want to.",
                current.revision
            );
            render(&state, &signed_in, id, StatusCode::CONFLICT, Some(message)).await
        }
        Err(EditorialError::NotAllowed(reason)) => {
            Err(super::not_allowed(&signed_in, reason, Some(id)))
        }
        Err(e) => Err(e.into()),
    }
}
