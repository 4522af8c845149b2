//! The story form: blank, filled from a saved story, or from an autosaved copy, and with a
//! photo chosen in the library.

use super::html;
use crate::domain::story_form::{FieldErrors, StoryInput};
use crate::domain::{PageNumber, Slug, Story, StoryId, User, UserId};
use crate::storage::StoreError;
use crate::views::desk::{AutosaveNote, ReviewPanel, StoryFormPage};
use crate::views::reader::{ArticlePage, PreviewForm};
use crate::web::auth::SignedIn;
use crate::web::desk::editable::{Editable, IfNot, story_id};
use crate::web::desk::story_form::{form_page, photo_url};
use crate::web::desk::{autosave, story_photo};
use crate::web::{AppError, State};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct EditQuery {
    saved: Option<String>,
    restore: Option<String>,
    /// A photo chosen in the library.
    photo: Option<String>,
    /// The slug a new story asked for, taken by another story: it got a numbered one.
    taken: Option<String>,
}

#[get("/desk/stories/new")]
pub(in crate::web::desk) async fn new_story(
    state: State,
    signed_in: SignedIn,
    query: web::Query<EditQuery>,
) -> Result<HttpResponse, AppError> {
    // Back from the library, the form is as it was left (see `save::to_library`).
    let restore = query.restore.as_deref() == Some("autosave") || query.photo.is_some();
    let mut page = form_with_autosave(&state, &signed_in, None, restore, None).await?;
    choose_photo(&state, &signed_in, None, query.photo.as_deref(), &mut page).await?;
    crate::web::desk::topics::suggest(&state, &signed_in, &mut page, !restore).await?;
    html(StatusCode::OK, page.render()?)
}

#[get("/desk/stories/{id}")]
pub(in crate::web::desk) async fn edit(
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    query: web::Query<EditQuery>,
) -> Result<HttpResponse, AppError> {
    let story = Editable::load(&state, &signed_in, story_id(&path)?, IfNot::RefusalPage).await?;
    let notice = query
        .saved
        .as_deref()
        .map(saved_notice)
        .or_else(|| crate::web::desk::restore::take_notice(&signed_in))
        .map(|notice| match query.taken.as_deref().map(Slug::parse) {
            Some(Ok(taken)) if taken != story.content.slug => format!(
                "{notice} The slug {taken} is taken by another story, so this story got {}.",
                story.content.slug
            ),
            _ => notice,
        });
    let restore = query.restore.as_deref() == Some("autosave") || query.photo.is_some();
    let mut page = form_with_autosave(&state, &signed_in, Some(&*story), restore, notice).await?;
    choose_photo(
        &state,
        &signed_in,
        Some(story.id),
        query.photo.as_deref(),
        &mut page,
    )
    .await?;
    // Whoever opens the form is seen by the others from now on, with or without the script.
    crate::web::desk::presence::arrive(&state, &signed_in, story.id).await?;
    name_people(&state, &signed_in, &story, &mut page).await?;
    crate::web::desk::topics::suggest(&state, &signed_in, &mut page, false).await?;
    html(StatusCode::OK, page.render()?)
}

/// The story as it will read once its pending changes go live (or as it reads now, with
/// none), for whoever may edit it.
#[get("/desk/stories/{id}/preview")]
pub(in crate::web::desk) async fn preview_pending(
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let story = Editable::load(&state, &signed_in, story_id(&path)?, IfNot::RefusalPage).await?;
    let edited = story.as_edited();
    let photo_id = edited
        .content
        .photo
        .as_ref()
        .and_then(|photo| photo.image)
        .map(|id| id.to_string())
        .unwrap_or_default();
    let photo = story_photo::chosen(&state, &photo_id).await?;
    // Its pager sends the pending text as a form, as the preview of a form being edited does.
    let mut input = StoryInput::from_story(&edited, &signed_in.zone);
    input.revision = story.revision.to_string();
    let form = PreviewForm {
        action: format!("/desk/stories/{}", story.id),
        csrf: signed_in.csrf.clone(),
        fields: input.to_pairs(),
    };
    let inline = story_photo::placed(&state, &edited.content.body).await?;
    let mut page = ArticlePage::preview(&state.site, &edited, PageNumber::FIRST, form, &inline)
        .with_photo(photo.as_ref());
    // What it shows is saved and not what readers see: pending changes, or a story not live.
    page.preview_of_saved = story.pending.is_some() || !story.is_public();
    html(StatusCode::OK, page.render()?)
}

/// The form of a stored story as it is now, with `errors`, naming the people it speaks of:
/// what a form posted about the story shows when nothing was done.
pub(super) async fn stored_form(
    state: &State,
    signed_in: &SignedIn,
    story: &Editable,
    errors: FieldErrors,
) -> Result<StoryFormPage, AppError> {
    let mut page = form_page(
        signed_in,
        Some(story),
        StoryInput::editing(story, &signed_in.zone),
        errors,
        None,
    );
    name_people(state, signed_in, story, &mut page).await?;
    Ok(page)
}

/// Names the people the form of `story` speaks of: who has it, who sent it back, who saved its
/// pending changes (the page itself cannot look accounts up). Keeps what the review panel says
/// of a refusal.
pub(super) async fn name_people(
    state: &State,
    signed_in: &SignedIn,
    story: &Story,
    page: &mut StoryFormPage,
) -> Result<(), AppError> {
    let pending_by = story.pending.as_ref().and_then(|p| p.by);
    let ids: Vec<UserId> = [
        story.assignee,
        story.sent_back.as_ref().and_then(|n| n.by),
        pending_by,
    ]
    .into_iter()
    .flatten()
    .collect();
    let people: Vec<User> = state
        .blocking(move |store| {
            ids.into_iter()
                .filter_map(|id| store.user(id).transpose())
                .collect::<Result<Vec<User>, StoreError>>()
        })
        .await?;
    let name = |id: UserId| {
        people
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.username.to_string())
    };
    page.review = ReviewPanel {
        error: page.review.error.take(),
        note_error: page.review.note_error.take(),
        typed_note: std::mem::take(&mut page.review.typed_note),
        confirm_take: page.review.confirm_take.take(),
        ..ReviewPanel::of(Some(story), &signed_in.user, &signed_in.zone, &name)
    };
    if let (Some(note), Some(by)) = (page.pending.as_mut(), pending_by.and_then(name)) {
        note.by = by;
    }
    let others = crate::web::desk::presence::others(state, signed_in, story.id).await?;
    page.watch.presence = crate::views::story_watch::presence_line(&others, &signed_in.zone);
    Ok(())
}

/// What the form says after a save, by the `?saved=` word of the action taken.
pub(super) fn saved_notice(what: &str) -> String {
    match what {
        "publish" => "Published.",
        "schedule" => "Scheduled.",
        "unpublish" => "Unpublished: readers no longer see this story.",
        "withdraw" => {
            "Withdrawn: every public address of this story now tells readers it has been \
             withdrawn."
        }
        "reinstate" => {
            "Reinstated as unpublished: readers do not see it until it is published again."
        }
        "submit" => "Submitted for review.",
        "take" => "You have this story: the desk lists it as yours.",
        "send-back" => "Sent back to its writer with your note.",
        "note" => "Note added: readers see it with the story from now on.",
        "staged" => {
            "Changes saved, not live yet: readers see the published version until an editor \
             updates the live story."
        }
        "update-live" => "Live story updated: readers now see these changes.",
        "discard" => "Pending changes discarded: the live story is as it was.",
        _ => "Saved.",
    }
    .to_owned()
}

/// Puts the photo chosen in the library into the form (not yet saved), which holds what was
/// typed before the library opened, and keeps the form so as the autosaved copy: a restore of
/// that copy keeps the photo too.
async fn choose_photo(
    state: &State,
    signed_in: &SignedIn,
    story: Option<StoryId>,
    photo: Option<&str>,
    page: &mut StoryFormPage,
) -> Result<(), AppError> {
    let Some(raw) = photo else {
        return Ok(());
    };
    page.notice = Some(match story_photo::chosen(state, raw).await? {
        Some(record) => {
            story_photo::choose(&mut page.input, &record);
            page.photo_url = photo_url(&page.input);
            autosave::keep(state, &signed_in.user, story, &page.input).await?;
            // The copy now holds the photo: restoring it is what this page already shows.
            page.autosaved = None;
            "Photo chosen from the library: save the story to keep it.".into()
        }
        None => "The chosen photo no longer exists.".into(),
    });
    Ok(())
}

/// The story form as last saved, offering back an autosaved copy that differs from it, or, with
/// `?restore=autosave`, filled in from that copy.
async fn form_with_autosave(
    state: &State,
    signed_in: &SignedIn,
    story: Option<&Story>,
    restore: bool,
    notice: Option<String>,
) -> Result<StoryFormPage, AppError> {
    // A live story's form holds its pending changes, the words the desk is working on.
    let saved = story.map_or_else(StoryInput::blank, |s| {
        StoryInput::editing(s, &signed_in.zone)
    });
    let offer = autosave::offer(state, &signed_in.user, story.map(|s| s.id))
        .await?
        .filter(|offer| offer.input != saved);
    Ok(match offer {
        Some(offer) if restore => {
            let notice = format!(
                "Restored the copy autosaved at {}. It is not saved to the story yet: review it and save.",
                offer.saved_at.display
            );
            form_page(signed_in, story, offer.input, Vec::new(), Some(notice))
        }
        Some(offer) => {
            let mut page = form_page(signed_in, story, saved, Vec::new(), notice);
            page.autosaved = Some(AutosaveNote {
                restore_url: format!(
                    "{}?restore=autosave",
                    story.map_or_else(
                        || "/desk/stories/new".to_owned(),
                        |s| format!("/desk/stories/{}", s.id)
                    )
                ),
                saved_at: offer.saved_at,
            });
            page
        }
        None => form_page(signed_in, story, saved, Vec::new(), notice),
    })
}
