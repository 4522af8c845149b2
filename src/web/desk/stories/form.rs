//! The story form: blank, filled from a saved story, or from an autosaved copy, and with a
//! photo chosen in the library.

use super::html;
use crate::domain::story_form::{FieldErrors, StoryInput};
use crate::domain::{PhotoId, Section, Story, StoryId};
use crate::editorial;
use crate::views::desk::{AutosaveNote, DeskContext, StoryFormPage};
use crate::web::auth::SignedIn;
use crate::web::desk::{autosave, story_photo};
use crate::web::{AppError, State, urls};
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
}

#[get("/desk/stories/new")]
pub(in crate::web::desk) async fn new_story(
    state: State,
    signed_in: SignedIn,
    query: web::Query<EditQuery>,
) -> Result<HttpResponse, AppError> {
    let restore = query.restore.as_deref() == Some("autosave");
    let mut page = form_with_autosave(&state, &signed_in, None, restore, None).await?;
    choose_photo(&state, query.photo.as_deref(), &mut page).await?;
    html(StatusCode::OK, page.render()?)
}

#[get("/desk/stories/{id}")]
pub(in crate::web::desk) async fn edit(
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    query: web::Query<EditQuery>,
) -> Result<HttpResponse, AppError> {
    let id: StoryId = path.parse().map_err(|_| AppError::NotFound)?;
    let story = state
        .blocking(move |store| editorial::story(store, id))
        .await?;
    if !signed_in.user.can_edit(&story) && !signed_in.user.role.can_publish() {
        return Err(AppError::Forbidden);
    }
    let notice = query.saved.as_deref().map(|what| match what {
        "publish" => "Published.".to_owned(),
        "schedule" => "Scheduled.".to_owned(),
        "unpublish" => "Unpublished: readers no longer see this story.".to_owned(),
        "submit" => "Submitted for review.".to_owned(),
        _ => "Saved.".to_owned(),
    });
    let restore = query.restore.as_deref() == Some("autosave");
    let mut page = form_with_autosave(&state, &signed_in, Some(&story), restore, notice).await?;
    choose_photo(&state, query.photo.as_deref(), &mut page).await?;
    html(StatusCode::OK, page.render()?)
}

/// Puts the photo chosen in the library into the form (not yet saved).
async fn choose_photo(
    state: &State,
    photo: Option<&str>,
    page: &mut StoryFormPage,
) -> Result<(), AppError> {
    let Some(raw) = photo else {
        return Ok(());
    };
    let chosen = StoryInput {
        photo_id: raw.to_owned(),
        ..StoryInput::default()
    };
    page.notice = Some(match story_photo::chosen(state, &chosen).await? {
        Some(record) => {
            story_photo::choose(&mut page.input, &record);
            page.photo_url = photo_url(&page.input);
            "Photo chosen from the library: save the story to keep it.".into()
        }
        None => "The chosen photo no longer exists.".into(),
    });
    Ok(())
}

fn photo_url(input: &StoryInput) -> Option<String> {
    input
        .photo_id
        .trim()
        .parse::<PhotoId>()
        .ok()
        .map(urls::desk_photo_widest)
}

pub(in crate::web::desk) fn form_page(
    signed_in: &SignedIn,
    story: Option<&Story>,
    input: StoryInput,
    errors: FieldErrors,
    notice: Option<String>,
) -> StoryFormPage {
    let heading = match story {
        Some(story) => format!("Edit: {}", story.headline),
        None => "New story".to_owned(),
    };
    let photo_url = photo_url(&input);
    let library_url = urls::photo_library(
        "",
        1,
        Some(&story.map_or_else(|| "new".to_owned(), |s| s.id.to_string())),
    );
    StoryFormPage {
        ctx: DeskContext::new(signed_in, heading.clone()),
        heading,
        form_url: story.map_or_else(
            || "/desk/stories".to_owned(),
            |s| format!("/desk/stories/{}", s.id),
        ),
        input,
        errors,
        notice,
        status_label: story.map(|s| s.status.label()),
        can_publish: signed_in.user.role.can_publish(),
        is_published: story.is_some_and(Story::is_public),
        history_url: story.map(|s| format!("/desk/stories/{}/history", s.id)),
        public_url: story
            .filter(|s| s.is_public())
            .and_then(|s| s.published_at.map(|at| urls::article(at, &s.slug, 1))),
        photo_url,
        library_url,
        sections: Section::all().collect(),
        story_id: story.map(|s| s.id.to_string()).unwrap_or_default(),
        autosaved: None,
    }
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
    let saved = story.map_or_else(StoryInput::blank, StoryInput::from_story);
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
