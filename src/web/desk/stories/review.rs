//! The review desk on the story form: an editor takes a story, or sends a submitted one back to
//! its writer with a note. The rules are the editorial service's; these handlers parse, call it
//! and redirect with a notice, or show the story form again saying why nothing was done, with
//! the note as typed.

use super::form::stored_form;
use super::html;
use crate::domain::{NoteText, StoryId, UserId};
use crate::editorial::{self, Actor, EditorialError, Take};
use crate::storage::StoreError;
use crate::views::desk::ConfirmTake;
use crate::web::auth::SignedIn;
use crate::web::desk::editable::{Editable, IfNot, story_id};
use crate::web::{AppError, State};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, post, web};
use askama::Template;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct SendBackForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    revision: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
pub struct TakeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    revision: String,
    /// The editor who has the story, when taking it from them was confirmed.
    #[serde(default)]
    from: String,
}

#[post("/desk/stories/{id}/send-back")]
pub(in crate::web::desk) async fn send_back(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<SendBackForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.check_csrf(&req, &form.csrf)?;
    let story = Editable::load(&state, &signed_in, story_id(&path)?, IfNot::Forbidden).await?;
    let id = story.id();
    let SendBackForm { revision, note, .. } = form.into_inner();
    let text = match NoteText::parse(&note) {
        Ok(text) => text,
        Err(e) => {
            let refusal = Refusal {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                message: None,
                note_error: Some(e.to_string()),
            };
            return shown(&state, &signed_in, &story, refusal, note, None).await;
        }
    };
    let actor = Actor::User(signed_in.user.clone());
    let now = state.settings.clock.now();
    let expected = revision.trim().parse().ok();
    let outcome = state
        .blocking(move |store| {
            Ok::<_, StoreError>(editorial::send_back(store, &actor, id, expected, text, now))
        })
        .await?;
    match outcome {
        Ok(_) => Ok(done(id, "send-back")),
        Err(e) => {
            let refusal = refusal(&state, e, "sent back").await?;
            again(&state, &signed_in, id, refusal, note, None).await
        }
    }
}

#[post("/desk/stories/{id}/take")]
pub(in crate::web::desk) async fn take(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<TakeForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.check_csrf(&req, &form.csrf)?;
    let id = Editable::load(&state, &signed_in, story_id(&path)?, IfNot::Forbidden)
        .await?
        .id();
    let from: Option<UserId> = form.from.trim().parse().ok();
    let actor = Actor::User(signed_in.user.clone());
    let now = state.settings.clock.now();
    let expected = form.revision.trim().parse().ok();
    let outcome = state
        .blocking(move |store| {
            Ok::<_, StoreError>(editorial::take(store, &actor, id, expected, from, now))
        })
        .await?;
    match outcome {
        Ok(Take::Taken(_) | Take::AlreadyYours(_)) => Ok(done(id, "take")),
        Ok(Take::HeldBy { editor, story }) => {
            let holder = name_of(&state, editor).await?;
            let refusal = Refusal {
                status: StatusCode::CONFLICT,
                message: None,
                note_error: None,
            };
            let confirm = ConfirmTake {
                holder,
                holder_id: editor.to_string(),
            };
            let story = Editable::check(&signed_in, *story, IfNot::Forbidden)?;
            shown(
                &state,
                &signed_in,
                &story,
                refusal,
                String::new(),
                Some(confirm),
            )
            .await
        }
        Err(e) => {
            let refusal = refusal(&state, e, "taken").await?;
            again(&state, &signed_in, id, refusal, String::new(), None).await
        }
    }
}

/// Why nothing was done, for the story form.
struct Refusal {
    status: StatusCode,
    /// Said at the top of the form.
    message: Option<String>,
    /// Said by the note's box.
    note_error: Option<String>,
}

/// What the form says for a refusal of the editorial service; a missing story or a fault is
/// the desk's error page.
async fn refusal(state: &State, error: EditorialError, what: &str) -> Result<Refusal, AppError> {
    let (status, message) = match error {
        EditorialError::NotAllowed(why) => (StatusCode::FORBIDDEN, sentence(why)),
        EditorialError::Conflict { current } => {
            let who = match current.last_edited_by {
                Some(id) => name_of(state, id).await?,
                None => "someone".to_owned(),
            };
            let message = format!(
                "Nothing was {what}: {who} saved this story after you opened it (it is now at \
                 revision {}). It is shown as it is now; look it over and try again.",
                current.revision
            );
            (StatusCode::CONFLICT, message)
        }
        EditorialError::Invalid(errors) => {
            let messages: Vec<String> = errors.into_iter().map(|(_, m)| m).collect();
            (StatusCode::UNPROCESSABLE_ENTITY, messages.join(" "))
        }
        other => return Err(other.into()),
    };
    Ok(Refusal {
        status,
        message: Some(message),
        note_error: None,
    })
}

/// The story form for story `id` as stored now, saying why nothing was done, with the note as
/// typed.
async fn again(
    state: &State,
    signed_in: &SignedIn,
    id: StoryId,
    refusal: Refusal,
    typed_note: String,
    confirm: Option<ConfirmTake>,
) -> Result<HttpResponse, AppError> {
    let story = Editable::load(state, signed_in, id, IfNot::Forbidden).await?;
    shown(state, signed_in, &story, refusal, typed_note, confirm).await
}

async fn shown(
    state: &State,
    signed_in: &SignedIn,
    story: &Editable,
    refusal: Refusal,
    typed_note: String,
    confirm: Option<ConfirmTake>,
) -> Result<HttpResponse, AppError> {
    let mut page = stored_form(state, signed_in, story, Vec::new()).await?;
    page.review.error = refusal.message;
    page.review.note_error = refusal.note_error;
    page.review.typed_note = typed_note;
    page.review.confirm_take = confirm;
    html(refusal.status, page.render()?)
}

async fn name_of(state: &State, id: UserId) -> Result<String, AppError> {
    let user = state.blocking(move |store| store.user(id)).await?;
    Ok(user.map_or_else(|| "another editor".to_owned(), |u| u.username.to_string()))
}

/// "only editors may take a story" as a sentence: "Only editors may take a story."
fn sentence(why: &str) -> String {
    let mut chars = why.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// Back to the story's form, which says what was done.
fn done(id: StoryId, what: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("/desk/stories/{id}?saved={what}")))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::sentence;

    #[test]
    fn a_refusal_of_the_service_reads_as_a_sentence() {
        assert_eq!(
            sentence("only editors may take a story"),
            "Only editors may take a story."
        );
        assert_eq!(sentence(""), "");
    }
}
