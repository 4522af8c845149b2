//! Withdrawing a published story from the desk (editors), and reinstating it (administrators).
//! The rules are the editorial service's; these handlers parse, call it and redirect.

use super::form::stored_form;
use super::{confirm, html};
use crate::domain::{StoryId, WithdrawalReason};
use crate::editorial::{self, Actor, EditorialError};
use crate::storage::StoreError;
use crate::views::desk_confirm::CONFIRMED;
use crate::web::auth::SignedIn;
use crate::web::desk::editable::{Editable, IfNot, story_id};
use crate::web::{AppError, State};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, post, web};
use askama::Template;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    /// Set by the page that asks first; without it, that page is shown.
    #[serde(default)]
    confirm: String,
}

#[derive(Deserialize)]
pub struct ReinstateForm {
    #[serde(default)]
    csrf: String,
}

#[post("/desk/stories/{id}/withdraw")]
pub(in crate::web::desk) async fn withdraw(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<WithdrawForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.check_csrf(&req, &form.csrf)?;
    let story = Editable::load(&state, &signed_in, story_id(&path)?, IfNot::Forbidden).await?;
    let id = story.id();
    let reason = match WithdrawalReason::parse(&form.reason) {
        Ok(reason) => reason,
        Err(e) => {
            let errors = vec![("withdraw_reason", e.to_string())];
            let mut page = stored_form(&state, &signed_in, &story, errors).await?;
            page.typed_withdrawal_reason = form.reason.clone();
            return html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?);
        }
    };
    if form.confirm != CONFIRMED {
        let page = confirm::withdrawal(&signed_in, &story, reason.as_str());
        return html(StatusCode::OK, page.render()?);
    }
    let actor = Actor::User(signed_in.user.clone());
    let now = state.settings.clock.now();
    let outcome = state
        .blocking(move |store| {
            Ok::<_, StoreError>(editorial::withdraw(store, &actor, id, reason, now))
        })
        .await?;
    done(outcome, id, "withdraw")
}

#[post("/desk/stories/{id}/reinstate")]
pub(in crate::web::desk) async fn reinstate(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<ReinstateForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.check_csrf(&req, &form.csrf)?;
    let id = Editable::load(&state, &signed_in, story_id(&path)?, IfNot::Forbidden)
        .await?
        .id();
    let actor = Actor::User(signed_in.user.clone());
    let now = state.settings.clock.now();
    let outcome = state
        .blocking(move |store| Ok::<_, StoreError>(editorial::reinstate(store, &actor, id, now)))
        .await?;
    done(outcome, id, "reinstate")
}

/// Back to the story's page, which says what was done; a refusal is the desk's error page.
fn done<T>(
    outcome: Result<T, EditorialError>,
    id: StoryId,
    what: &str,
) -> Result<HttpResponse, AppError> {
    outcome?;
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("/desk/stories/{id}?saved={what}")))
        .finish())
}
