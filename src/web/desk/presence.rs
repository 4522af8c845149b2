//! Who has a story's form open: recorded when the form is opened, with every autosave and
//! with the form's ping, and ended (best effort) when the form is left. Kept in the database
//! (see [`storage::presence`]), so every server sees everyone.

use super::editable::{Editable, IfNot, story_id};
use crate::domain::{Presence, StoryId};
use crate::storage::presence;
use crate::views::story_watch::presence_line;
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;

/// Records that the signed-in account has the form of `story` open now.
pub(super) async fn arrive(
    state: &State,
    signed_in: &SignedIn,
    story: StoryId,
) -> Result<(), AppError> {
    let (user, name, now) = (
        signed_in.user.id,
        signed_in.user.username.clone(),
        state.settings.clock.now(),
    );
    state
        .blocking(move |store| presence::mark_present(store, story, user, &name, now))
        .await
}

/// Who else has the form of `story` open now.
pub(super) async fn others(
    state: &State,
    signed_in: &SignedIn,
    story: StoryId,
) -> Result<Vec<Presence>, AppError> {
    let (user, now) = (signed_in.user.id, state.settings.clock.now());
    state
        .blocking(move |store| presence::others_present(store, story, user, now))
        .await
}

/// Records the sender on `story` and answers who else is there: 204 for nobody, otherwise 200
/// with `{"presence": "ann.lee is editing, since 10:42 UTC."}` for the script to show.
pub(super) async fn answer(
    state: &State,
    signed_in: &SignedIn,
    story: StoryId,
) -> Result<HttpResponse, AppError> {
    arrive(state, signed_in, story).await?;
    let others = others(state, signed_in, story).await?;
    if others.is_empty() {
        return Ok(HttpResponse::NoContent().finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header(actix_web::http::header::CacheControl(vec![
            actix_web::http::header::CacheDirective::NoStore,
        ]))
        .json(serde_json::json!({ "presence": presence_line(&others, &signed_in.zone) })))
}

#[derive(Deserialize)]
pub(super) struct Ping {
    csrf: String,
    story: String,
    /// Present when the form is being left.
    #[serde(default)]
    leave: Option<String>,
}

/// `POST /desk/presence`: `csrf`, `story` (its id) and, when the form is being left, `leave`.
/// The form's script sends it every half minute, so someone reading without typing stays
/// seen; answered as [`answer`] does, or 204 after leaving.
#[post("/desk/presence")]
pub(super) async fn ping(
    req: HttpRequest,
    state: State,
    signed_in: Result<SignedIn, AppError>,
    form: web::Form<Ping>,
) -> Result<HttpResponse, AppError> {
    let signed_in = match signed_in {
        Ok(signed_in) => signed_in,
        Err(AppError::LoginRequired { .. }) => {
            return Ok(HttpResponse::Unauthorized().body("Your session has ended."));
        }
        Err(e) => return Err(e),
    };
    signed_in.check_csrf(&req, &form.csrf)?;
    let id = story_id(&form.story)?;
    let story = Editable::load(&state, &signed_in, id, IfNot::Forbidden)
        .await?
        .id();
    if form.leave.is_some() {
        let user = signed_in.user.id;
        state
            .blocking(move |store| presence::mark_absent(store, story, user))
            .await?;
        return Ok(HttpResponse::NoContent().finish());
    }
    answer(&state, &signed_in, story).await
}
