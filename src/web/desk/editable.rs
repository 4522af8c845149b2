//! The rule for working on a stored story at the desk, said once: the story is loaded by the id
//! in its address (an unknown or malformed id is the 404 page) and handed over only when the
//! signed-in account may edit it: editors any story, a writer her own while it is a draft,
//! unpublished or published ([`User::can_edit`](crate::domain::User::can_edit)). The story form
//! of a stored story is only built from an [`Editable`], so no handler reaches it without the
//! rule.

use crate::domain::{Story, StoryId};
use crate::editorial;
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use std::ops::Deref;

/// A stored story the signed-in account may edit; only [`Editable::load`] and
/// [`Editable::check`] make one.
pub(super) struct Editable(Story);

/// What the account is answered when it may not edit the story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IfNot {
    /// The desk's page saying why and what to do: for a page that shows the story.
    RefusalPage,
    /// The bare 403 a forged form gets: for a form posted about the story, or the autosave
    /// script, whose sender is shown nothing of the story.
    Forbidden,
}

impl Editable {
    /// Story `id`, if the signed-in account may edit it.
    pub(super) async fn load(
        state: &State,
        signed_in: &SignedIn,
        id: StoryId,
        if_not: IfNot,
    ) -> Result<Editable, AppError> {
        let story = state
            .blocking(move |store| editorial::story(store, id))
            .await?;
        Editable::check(signed_in, story, if_not)
    }

    /// `story`, already loaded (with other records in one trip to the store, say), if the
    /// signed-in account may edit it.
    pub(super) fn check(
        signed_in: &SignedIn,
        story: Story,
        if_not: IfNot,
    ) -> Result<Editable, AppError> {
        if signed_in.user.can_edit(&story) {
            return Ok(Editable(story));
        }
        Err(match if_not {
            IfNot::Forbidden => AppError::Forbidden,
            IfNot::RefusalPage => super::not_allowed(signed_in, &reason(&story), None),
        })
    }

    pub(super) fn id(&self) -> StoryId {
        self.0.id
    }
}

impl Deref for Editable {
    type Target = Story;

    fn deref(&self) -> &Story {
        &self.0
    }
}

/// The id in a story's address; anything else names no page.
pub(super) fn story_id(raw: &str) -> Result<StoryId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// Why a story's form is not shown, by what the story is now.
fn reason(story: &Story) -> String {
    format!(
        "This story is {}: only editors, and its writer while it is a draft, unpublished or \
         published, may edit it. Ask an editor if it needs a change.",
        story.status.label().to_lowercase()
    )
}
