//! "Add a correction" on a published story's page: a public note added without changing the
//! story's text. The rules are the editorial service's; this handler parses, calls it and
//! redirects, or shows the form again with what was typed and why it was refused.

use super::html;
use crate::domain::{NoteDraft, NoteKind, NoteText};
use crate::editorial::{self, Actor, EditorialError};
use crate::storage::StoreError;
use crate::web::auth::SignedIn;
use crate::web::desk::editable::{Editable, IfNot, story_id};
use crate::web::{AppError, State};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, post, web};
use askama::Template;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    revision: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    text: String,
}

impl NoteForm {
    fn draft(&self) -> Result<NoteDraft, String> {
        let kind = NoteKind::parse(&self.kind).map_err(|e| e.to_string())?;
        let text = NoteText::parse(&self.text).map_err(|e| e.to_string())?;
        Ok(NoteDraft { kind, text })
    }
}

#[post("/desk/stories/{id}/notes")]
pub(in crate::web::desk) async fn add_note(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<NoteForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.check_csrf(&req, &form.csrf)?;
    let story = Editable::load(&state, &signed_in, story_id(&path)?, IfNot::Forbidden).await?;
    let id = story.id();
    let draft = match form.draft() {
        Ok(draft) => draft,
        Err(message) => return refused(&state, &signed_in, &story, &form, message).await,
    };
    let actor = Actor::User(signed_in.user.clone());
    let now = state.settings.clock.now();
    let revision = form.revision.trim().parse().ok();
    let outcome = state
        .blocking(move |store| {
            Ok::<_, StoreError>(editorial::add_note(store, &actor, id, revision, draft, now))
        })
        .await?;
    let message = match outcome {
        Ok(_) => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, format!("/desk/stories/{id}?saved=note")))
                .finish());
        }
        Err(EditorialError::Invalid(errors)) => errors
            .into_iter()
            .map(|(_, message)| message)
            .collect::<Vec<_>>()
            .join(" "),
        Err(EditorialError::Conflict { .. }) => "The story was saved by someone else since this \
                                                 page was loaded; check it and add the note again."
            .to_owned(),
        Err(e) => return Err(e.into()),
    };
    // Shown as it is now, which someone may have changed meanwhile.
    let story = Editable::load(&state, &signed_in, id, IfNot::Forbidden).await?;
    refused(&state, &signed_in, &story, &form, message).await
}

/// The story's page again, the note as typed in its box and why it was refused beside it.
async fn refused(
    state: &State,
    signed_in: &SignedIn,
    story: &Editable,
    form: &NoteForm,
    message: String,
) -> Result<HttpResponse, AppError> {
    let errors = vec![("add_note", message)];
    let mut page = super::form::stored_form(state, signed_in, story, errors).await?;
    page.typed_note_kind = form.kind.clone();
    page.typed_note_text = form.text.clone();
    html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?)
}
