//! Autosave: the desk's script sends the story form here every few seconds while someone types,
//! so a crash, a closed tab or a lost connection costs at most those seconds. The copy is kept
//! per account and story, apart from the story itself (it is not a save), and offered back on the
//! story form until the story is saved.

use super::editable::{Editable, IfNot, story_id};
use crate::domain::story_form::StoryInput;
use crate::domain::{Autosave, StoryId, User};
use crate::views::Timestamp;
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_web::{HttpRequest, HttpResponse, web};

/// The story form's size, without the photo.
pub const FORM_LIMIT: usize = 2 << 20;

/// `POST /desk/autosave`: the story form's fields, urlencoded, plus `csrf` and `story` (the
/// story's id, or empty for a story not saved yet). Answers 204, or 401 once the session has
/// ended (the script then says so; what was typed stays in the page); on a saved story, 200
/// naming who else has it open when someone does (see `presence::answer`).
pub(super) async fn receive(
    req: HttpRequest,
    state: State,
    signed_in: Result<SignedIn, AppError>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let signed_in = match signed_in {
        Ok(signed_in) => signed_in,
        Err(AppError::LoginRequired { .. }) => {
            return Ok(HttpResponse::Unauthorized().body("Your session has ended."));
        }
        Err(e) => return Err(e),
    };
    let pairs = form.into_inner();
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    };
    signed_in.check_csrf(&req, value("csrf"))?;
    // Only someone who may save the story keeps a copy of it.
    let story = match value("story") {
        "" => None,
        raw => {
            let id = story_id(raw)?;
            Some(
                Editable::load(&state, &signed_in, id, IfNot::Forbidden)
                    .await?
                    .id(),
            )
        }
    };
    let user = signed_in.user.id;
    let copy = Autosave {
        saved_at: state.settings.clock.now(),
        fields: StoryInput::from_pairs(pairs).to_pairs(),
    };
    state
        .blocking(move |store| store.put_autosave(user, story, &copy))
        .await?;
    // The sender is seen on the story, and told who else is there.
    match story {
        Some(story) => super::presence::answer(&state, &signed_in, story).await,
        None => Ok(HttpResponse::NoContent().finish()),
    }
}

/// An autosaved copy, offered back on the story form.
pub struct Offer {
    pub saved_at: Timestamp,
    pub input: StoryInput,
}

/// The account's autosaved copy of `story` (or of its unsaved new story). Saving the story
/// discards it, so a copy that exists holds work not saved yet, even if a colleague has saved
/// the story since (restoring it then leads to the conflict page, where both texts are shown).
pub(super) async fn offer(
    state: &State,
    user: &User,
    story: Option<StoryId>,
) -> Result<Option<Offer>, AppError> {
    let user = user.id;
    let copy = state
        .blocking(move |store| store.autosave(user, story))
        .await?;
    let Some(copy) = copy else {
        return Ok(None);
    };
    Ok(Some(Offer {
        saved_at: Timestamp::named(copy.saved_at, &state.settings.time_zone),
        input: StoryInput::from_pairs(copy.fields),
    }))
}

/// Keeps `input` as the account's autosaved copy of `story` (or of its unsaved new story): the
/// form as typed, when the desk leaves it for another page (the photo library, a question
/// before a step) and comes back to it.
pub(super) async fn keep(
    state: &State,
    user: &User,
    story: Option<StoryId>,
    input: &StoryInput,
) -> Result<(), AppError> {
    let user = user.id;
    let copy = Autosave {
        saved_at: state.settings.clock.now(),
        fields: input.to_pairs(),
    };
    state
        .blocking(move |store| store.put_autosave(user, story, &copy))
        .await
}

/// Forgets the account's autosaved copy once the story has been saved.
pub(super) async fn discard(
    state: &State,
    user: &User,
    story: Option<StoryId>,
) -> Result<(), AppError> {
    let user = user.id;
    state
        .blocking(move |store| store.delete_autosave(user, story))
        .await
}
