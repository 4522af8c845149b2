//! Saving the story form: the session and the form's origin are checked before its body is
//! read, the body is read within limits, and what the button asked for is done by the
//! editorial service.

use super::{conflict, form, html};
use crate::domain::story_form::{self as fields, Action, FieldErrors, StoryInput};
use crate::domain::{Story, StoryId};
use crate::editorial::{self, Actor, Edit, EditorialError, Outcome, Step, Unmerged};
use crate::storage::StoreError;
use crate::views::ErrorPage;
use crate::views::desk::DeskContext;
use crate::views::desk_refusal::RefusalPage;
use crate::views::reader::{ArticlePage, PreviewForm};
use crate::web::auth::{SignedIn, check_origin};
use crate::web::desk::story_form::{self, Limits, ReadError, Submission, form_page};
use crate::web::desk::{autosave, login, story_photo};
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
    let actor = Actor::User(signed_in.user.clone());
    let action = submission.action;
    let preview_page = submission.preview_page;
    // Refused before an upload is stored.
    let current = {
        let actor = actor.clone();
        let allowed = state
            .blocking(move |store| {
                Ok::<_, StoreError>(editorial::allowed(store, &actor, id, action.needs_editor()))
            })
            .await?;
        match allowed {
            Ok(current) => current,
            Err(EditorialError::NotAllowed(reason)) => {
                return not_allowed(&signed_in, id, reason);
            }
            Err(e) => return Err(e.into()),
        }
    };

    let mut errors = std::mem::take(&mut submission.errors);
    let mut input = submission.input;
    // Sent from the conflict page: the story as merged, with the editor's choices.
    conflict::settle(&mut input, std::mem::take(&mut submission.settling));
    if submission.remove_photo {
        input.photo_id.clear();
    }
    if let Some(upload) = submission.upload.take() {
        story_photo::store_upload(
            &state,
            &signed_in.user,
            upload,
            &mut input,
            &mut errors,
            now,
        )
        .await?;
    }
    let chosen_photo = story_photo::chosen(&state, &input.photo_id).await?;
    if let Some(photo) = &chosen_photo {
        story_photo::fill_defaults(&mut input, photo);
    }
    let dateline_date = current
        .as_ref()
        .and_then(|s| s.published_at)
        .unwrap_or(now)
        .date();
    let content = fields::apply(&input, dateline_date)
        .map_err(|e| errors.extend(e))
        .ok();
    let step = step(action, &input, now).map_err(|e| errors.extend(e)).ok();
    // Its form was checked with the rest: here, that it does not lie ahead.
    if content.is_some()
        && let Err(e) = fields::filed_at_time(&input, now)
    {
        errors.extend(e);
    }
    let note = fields::note(&input).map_err(|e| errors.extend(e)).ok();
    let (Some(content), Some(step), Some(note), true) = (content, step, note, errors.is_empty())
    else {
        return invalid(&state, &signed_in, current.as_ref(), input, errors).await;
    };
    let edit = Edit {
        story: id,
        expected_revision: input.base_revision(),
        content: content.content,
        filed_at: content.filed_at,
        step,
        note,
    };

    if action == Action::Preview {
        let preview = state
            .blocking(move |store| {
                Ok::<_, StoreError>(editorial::preview(store, &actor, edit, now))
            })
            .await?;
        return match preview {
            Ok(story) => {
                let form = PreviewForm {
                    action: id.map_or_else(
                        || "/desk/stories".to_owned(),
                        |id| format!("/desk/stories/{id}"),
                    ),
                    csrf: signed_in.csrf.clone(),
                    fields: input.to_pairs(),
                };
                let page = ArticlePage::preview(&state.site, &story, preview_page, form)
                    .with_photo(chosen_photo.as_ref());
                html(StatusCode::OK, page.render()?)
            }
            Err(e) => refused(&state, &signed_in, action, current.as_ref(), input, e).await,
        };
    }

    let mine = input.clone();
    let saved = state
        .blocking(move |store| {
            Ok::<_, StoreError>(editorial::save_merging(store, &actor, edit, &mine, now))
        })
        .await?;
    match saved {
        Ok(Outcome::Saved { story, merged }) => {
            autosave::discard(&state, &signed_in.user, id).await?;
            // A save that left changes pending says they are not live yet.
            let key = match action {
                Action::Save | Action::Submit if story.pending.is_some() => "staged",
                _ => action.key(),
            };
            let Some(merged) = merged else {
                return Ok(HttpResponse::SeeOther()
                    .insert_header((LOCATION, format!("/desk/stories/{}?saved={key}", story.id)))
                    .finish());
            };
            // Shown at once rather than after a redirect, as the notice exists only now.
            let notice = format!("{} {}", form::saved_notice(key), merged.notice());
            let input = StoryInput::editing(&story);
            let mut page = form_page(&signed_in, Some(&*story), input, Vec::new(), Some(notice));
            form::name_people(&state, &signed_in, &story, &mut page).await?;
            html(StatusCode::OK, page.render()?)
        }
        Ok(Outcome::Conflicts(unmerged)) => conflicts(&signed_in, action, &unmerged),
        Err(e) => refused(&state, &signed_in, action, current.as_ref(), input, e).await,
    }
}

/// What the button asks for, with the publication time typed for Schedule.
fn step(action: Action, input: &StoryInput, now: OffsetDateTime) -> Result<Step, FieldErrors> {
    Ok(match action {
        Action::Save | Action::Preview => Step::Save,
        Action::Submit => Step::Submit,
        Action::Publish => Step::Publish,
        Action::Schedule => Step::Schedule(fields::schedule_time(input, now)?),
        Action::ScheduleAtEmbargo => Step::Schedule(fields::embargo_time(input, now)?),
        Action::Unpublish => Step::Unpublish,
        Action::UpdateLive => Step::UpdateLive,
        Action::DiscardChanges => Step::DiscardChanges,
    })
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
                merge: editorial::merge::merge_forms(None, &current, &input),
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
        EditorialError::NotAllowed(reason) => {
            not_allowed(signed_in, current.map(|story| story.id), reason)
        }
        other => Err(other.into()),
    }
}

/// What the account may not do, why, and what to do instead, on a desk page.
fn not_allowed(
    signed_in: &SignedIn,
    id: Option<StoryId>,
    reason: &str,
) -> Result<HttpResponse, AppError> {
    let page = RefusalPage::new(
        DeskContext::new(signed_in, "Not allowed"),
        reason,
        id.map(|id| format!("/desk/stories/{id}")),
    );
    html(StatusCode::FORBIDDEN, page.render()?)
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
