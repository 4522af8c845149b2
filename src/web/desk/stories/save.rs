//! Saving the story form: the session and the form's origin are checked before its body is
//! read, the body is read within limits, and what the button asked for is done by the
//! editorial service.

use super::{confirm, conflict, form, html};
use crate::domain::story_form::{Action, FieldErrors, StoryInput};
use crate::domain::{PageNumber, Photo, Slug, Story, StoryId};
use crate::editorial::{self, Actor, Edit, EditorialError, Merged, Outcome, Unmerged};
use crate::storage::StoreError;
use crate::urls;
use crate::views::ErrorPage;
use crate::views::reader::{ArticlePage, PreviewForm};
use crate::web::auth::{SignedIn, check_origin};
use crate::web::desk::story_form::{self, Limits, ReadError, Submission, form_page};
use crate::web::desk::{autosave, login, not_allowed, story_photo};
use crate::web::{AppError, State};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, post, web};
use askama::Template;
use time::OffsetDateTime;

#[post("/desk/stories")]
pub(in crate::web::desk) async fn create(
    req: HttpRequest,
    state: State,
    signed_in: Result<SignedIn, AppError>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    submit(req, state, signed_in, payload, None).await
}

#[post("/desk/stories/{id}")]
pub(in crate::web::desk) async fn update(
    req: HttpRequest,
    state: State,
    signed_in: Result<SignedIn, AppError>,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id: StoryId = path.parse().map_err(|_| AppError::NotFound)?;
    submit(req, state, signed_in, payload, Some(id)).await
}

async fn submit(
    req: HttpRequest,
    state: State,
    signed_in: Result<SignedIn, AppError>,
    payload: Multipart,
    id: Option<StoryId>,
) -> Result<HttpResponse, AppError> {
    // Nothing of the body is read for a post from another site.
    check_origin(&req)?;
    let (max_photo, idle) = (state.settings.max_photo_bytes, state.settings.form_idle);
    let signed_in = match signed_in {
        Ok(signed_in) => signed_in,
        // Logged out while writing: keep every word (never a photo), and offer to log in again.
        Err(AppError::LoginRequired { .. }) => {
            return match story_form::read(payload, Limits::signed_out(max_photo, idle)).await {
                Ok(submission) => login::relogin_with(&req, id, &submission.input),
                Err(e) => unreadable(e),
            };
        }
        Err(e) => return Err(e),
    };
    let submission = match story_form::read(payload, Limits::signed_in(max_photo, idle)).await {
        Ok(submission) => submission,
        Err(e) => return unreadable(e),
    };
    signed_in.check_csrf(&req, &submission.csrf)?;
    save(state, signed_in, submission, id).await
}

async fn save(
    state: State,
    signed_in: SignedIn,
    mut submission: Submission,
    id: Option<StoryId>,
) -> Result<HttpResponse, AppError> {
    let now = state.settings.clock.now();
    let action = submission.action;
    // Refused before an upload is stored.
    let current = allowed(&state, &signed_in, id, action).await?;
    let mut errors = std::mem::take(&mut submission.errors);
    let mut input = std::mem::take(&mut submission.input);
    if submission.choose_photo {
        return to_library(&state, &signed_in, id, &input).await;
    }
    // Sent from the conflict page: the story as merged, with the editor's choices.
    conflict::settle(&mut input, std::mem::take(&mut submission.settling));
    let photo = photo(
        &state,
        &signed_in,
        &mut submission,
        &mut input,
        &mut errors,
        now,
    )
    .await?;
    story_photo::check_placed(&state, &input.body, &mut errors).await?;
    let edit = match Edit::from_form(
        current.as_ref(),
        &input,
        action,
        errors,
        now,
        &signed_in.zone,
    ) {
        Ok(edit) => edit,
        Err(errors) => return invalid(&state, &signed_in, current.as_ref(), input, errors).await,
    };
    let actor = Actor::User(signed_in.user.clone());
    if action == Action::Preview {
        let preview = state
            .blocking(move |store| {
                Ok::<_, StoreError>(editorial::preview(store, &actor, edit, now))
            })
            .await?;
        return match preview {
            Ok(story) => {
                let page = submission.preview_page;
                let inline = story_photo::placed(&state, &story.content.body).await?;
                let shown = (photo.as_ref(), inline.as_slice());
                preview_page(&state, &signed_in, id, &story, page, &input, shown)
            }
            Err(e) => refused(&state, &signed_in, action, current.as_ref(), input, e).await,
        };
    }
    if let Some(story) = current.as_ref().filter(|_| confirm::asks_first(action))
        && !submission.confirmed
    {
        // Cancelling leads back to the form as typed.
        autosave::keep(&state, &signed_in.user, id, &input).await?;
        let page = confirm::story_step(&signed_in, story, action, &input);
        return html(StatusCode::OK, page.render()?);
    }
    let mine = input.clone();
    let asked = edit.content.slug.clone();
    let started = std::time::Instant::now();
    let saved = state
        .blocking(move |store| {
            Ok::<_, StoreError>(editorial::save_merging(store, &actor, edit, &mine, now))
        })
        .await?;
    if let Some(metrics) = &state.metrics {
        metrics.saves.observe(started.elapsed().as_secs_f64());
    }
    match saved {
        Ok(Outcome::Saved { story, merged }) => {
            autosave::discard(&state, &signed_in.user, id).await?;
            // A new story whose slug was taken got a free one: the form says which.
            let renamed = (id.is_none() && story.content.slug != asked).then_some(&asked);
            saved_page(&state, &signed_in, action, &story, merged, renamed).await
        }
        Ok(Outcome::Conflicts(unmerged)) => conflicts(&signed_in, action, &unmerged),
        Err(e) => refused(&state, &signed_in, action, current.as_ref(), input, e).await,
    }
}

/// Keeps the form as typed (as the autosaved copy the form comes back with) and opens the
/// photo library to choose a photo for it.
async fn to_library(
    state: &State,
    signed_in: &SignedIn,
    id: Option<StoryId>,
    input: &StoryInput,
) -> Result<HttpResponse, AppError> {
    autosave::keep(state, &signed_in.user, id, input).await?;
    let story = id.map_or_else(|| "new".to_owned(), |id| id.to_string());
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, urls::photo_library("", 1, Some(&story))))
        .finish())
}

/// The story as the edit would leave it, as readers would see it, with a form that sends the
/// edit again from its pager and its buttons.
fn preview_page(
    state: &State,
    signed_in: &SignedIn,
    id: Option<StoryId>,
    story: &Story,
    page: PageNumber,
    input: &StoryInput,
    (photo, inline): (Option<&Photo>, &[Photo]),
) -> Result<HttpResponse, AppError> {
    let form = PreviewForm {
        action: id.map_or_else(
            || "/desk/stories".to_owned(),
            |id| format!("/desk/stories/{id}"),
        ),
        csrf: signed_in.csrf.clone(),
        fields: input.to_pairs(),
    };
    let page = ArticlePage::preview(&state.site, story, page, form, inline).with_photo(photo);
    html(StatusCode::OK, page.render()?)
}

/// The stored story the form edits (`None`: a new one), if the account may take `action` on
/// it; a refusal is the desk's page saying why.
async fn allowed(
    state: &State,
    signed_in: &SignedIn,
    id: Option<StoryId>,
    action: Action,
) -> Result<Option<Story>, AppError> {
    let actor = Actor::User(signed_in.user.clone());
    let publishing = action.needs_editor();
    let allowed = state
        .blocking(move |store| {
            Ok::<_, StoreError>(editorial::allowed(store, &actor, id, publishing))
        })
        .await?;
    allowed.map_err(|e| match e {
        EditorialError::NotAllowed(reason) => not_allowed(signed_in, reason, id),
        e => e.into(),
    })
}

/// The form's photo: removed, uploaded (said on the form if it cannot be used) or chosen, its
/// stored caption, credit and alt text filling what the form left empty.
async fn photo(
    state: &State,
    signed_in: &SignedIn,
    submission: &mut Submission,
    input: &mut StoryInput,
    errors: &mut FieldErrors,
    now: OffsetDateTime,
) -> Result<Option<Photo>, AppError> {
    if submission.remove_photo {
        input.photo_id.clear();
    }
    if let Some(upload) = submission.upload.take() {
        story_photo::store_upload(state, &signed_in.user, upload, input, errors, now).await?;
    }
    let chosen = story_photo::chosen(state, &input.photo_id).await?;
    if let Some(photo) = &chosen {
        story_photo::fill_defaults(input, photo);
    }
    Ok(chosen)
}

/// Back to the story's form, which says what was done; or, when the save was merged with
/// someone else's, the form at once, saying so.
async fn saved_page(
    state: &State,
    signed_in: &SignedIn,
    action: Action,
    story: &Story,
    merged: Option<Merged>,
    renamed: Option<&Slug>,
) -> Result<HttpResponse, AppError> {
    // A save that left changes pending says they are not live yet.
    let key = match action {
        Action::Save | Action::Submit if story.pending.is_some() => "staged",
        _ => action.key(),
    };
    let Some(merged) = merged else {
        return Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, saved_location(story, key, renamed)))
            .finish());
    };
    // Shown at once rather than after a redirect, as the notice exists only now.
    let notice = format!("{} {}", form::saved_notice(key), merged.notice());
    let input = StoryInput::editing(story, &signed_in.zone);
    let mut page = form_page(signed_in, Some(story), input, Vec::new(), Some(notice));
    form::name_people(state, signed_in, story, &mut page).await?;
    html(StatusCode::OK, page.render()?)
}

/// The story's form after a save, saying what was done (`key`) and, for a new story whose
/// slug was taken, the slug it asked for (`taken`).
fn saved_location(story: &Story, key: &str, taken: Option<&Slug>) -> String {
    match taken {
        Some(taken) => format!("/desk/stories/{}?saved={key}&taken={taken}", story.id),
        None => format!("/desk/stories/{}?saved={key}", story.id),
    }
}

/// The page for an edit the service refused: the form with its errors, or the conflict page.
async fn refused(
    state: &State,
    signed_in: &SignedIn,
    action: Action,
    current: Option<&Story>,
    input: StoryInput,
    error: EditorialError,
) -> Result<HttpResponse, AppError> {
    match error {
        // Discarding what someone saved meanwhile, unseen, would lose it: nothing is done.
        EditorialError::Conflict { .. } if action == Action::DiscardChanges => Err(AppError::Stale),
        // Not merged (a preview, or a save overtaken time and again): shown as a conflict
        // with nothing assumed about where the editor started.
        EditorialError::Conflict { current } => {
            let with = match current.last_edited_by {
                Some(id) => state.blocking(move |store| store.user(id)).await?,
                None => None,
            };
            let unmerged = Unmerged {
                merge: editorial::merge::merge_forms(None, &current, &input, &signed_in.zone),
                with: with.map(|u| u.username.to_string()).into_iter().collect(),
                current: *current,
            };
            conflicts(signed_in, action, &unmerged)
        }
        EditorialError::SlugTaken(slug) => {
            let message =
                format!("The slug {slug:?} is already used by another story; choose another");
            invalid(state, signed_in, current, input, vec![("slug", message)]).await
        }
        EditorialError::Invalid(errors) => invalid(state, signed_in, current, input, errors).await,
        EditorialError::NotAllowed(reason) => Err(not_allowed(
            signed_in,
            reason,
            current.map(|story| story.id),
        )),
        other => Err(other.into()),
    }
}

/// The form again with what was typed and why it was refused, naming the people it speaks of.
async fn invalid(
    state: &State,
    signed_in: &SignedIn,
    current: Option<&Story>,
    input: StoryInput,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut page = form_page(signed_in, current, input, errors, None);
    if let Some(story) = current {
        form::name_people(state, signed_in, story, &mut page).await?;
    }
    crate::web::desk::topics::suggest(state, signed_in, &mut page, false).await?;
    html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?)
}

fn conflicts(
    signed_in: &SignedIn,
    action: Action,
    unmerged: &Unmerged,
) -> Result<HttpResponse, AppError> {
    let page = conflict::page(signed_in, action, unmerged);
    html(StatusCode::CONFLICT, page.render()?)
}

/// A form that could not be read: too large, too slow, or broken.
fn unreadable(error: ReadError) -> Result<HttpResponse, AppError> {
    let (status, title, message) = match &error {
        ReadError::TooLarge(_) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "The form is too large",
            "The story and its photo together are larger than the desk accepts. Attach a smaller \
             photo and try again.",
        ),
        ReadError::TimedOut => (
            StatusCode::REQUEST_TIMEOUT,
            "The form stopped arriving",
            "The connection stalled while the form was being sent. Check the connection and send \
             it again.",
        ),
        ReadError::TooManyFields | ReadError::Broken(_) => {
            return Err(AppError::BadRequest(error.to_string()));
        }
    };
    tracing::info!(error = %error, "story form refused");
    let page = ErrorPage {
        title,
        message: message.into(),
    };
    html(status, page.render()?)
}
