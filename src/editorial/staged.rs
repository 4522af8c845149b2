//! Staged edits of live stories: readers keep the published text while the desk works on the
//! next one. Saving a published story (Save, or a writer's Submit) keeps the form's content as
//! the story's pending changes; only an editor's Update live story puts it live, and Discard
//! changes drops it. A step that takes the story out of public view (Unpublish, Schedule)
//! folds the pending changes, as the form shows them, into the story's own content; a
//! withdrawal (which takes no form) keeps them pending. Either way nothing saved is lost.

use super::{EditorialError, Step};
use crate::domain::{Story, StoryContent, UserId};
use time::OffsetDateTime;

/// Puts `content`, the form's, where `step` says it goes on stored story `story` (see the
/// module doc). `by` saved it at `now`.
pub(super) fn place_content(
    story: &mut Story,
    content: StoryContent,
    step: Step,
    by: Option<UserId>,
    now: OffsetDateTime,
) -> Result<(), EditorialError> {
    let live = story.is_public();
    match step {
        Step::Save | Step::Submit if live => story.stage(content, by, now),
        Step::UpdateLive | Step::Publish if live => put_live(story, content),
        Step::DiscardChanges if live && story.pending.is_some() => {
            story.pending = None;
            // Nothing is left to review.
            story.submitted = false;
        }
        Step::DiscardChanges if live => return Err(refusal(NOTHING_PENDING)),
        Step::UpdateLive | Step::DiscardChanges => return Err(not_live()),
        Step::Publish => put_live(story, content),
        // Not public, or leaving public view: the form showed the pending changes, so its
        // content holds them.
        Step::Save | Step::Submit | Step::Schedule(_) | Step::Unpublish => {
            story.content = content;
            story.pending = None;
        }
    }
    Ok(())
}

/// The one place where content becomes what readers see: publishing a story, or updating a
/// live one. Whatever else goes live with the words (a public note of the edit) belongs here.
fn put_live(story: &mut Story, content: StoryContent) {
    story.content = content;
    story.pending = None;
    story.submitted = false;
}

const NOT_LIVE: &str = "This story is not live, so there is nothing to update or discard: save \
                        it, or publish it to put it live.";
const NOTHING_PENDING: &str = "There are no pending changes to discard: readers already see \
                               the story as saved.";

/// The refusal of Update live story or Discard changes for a story readers do not see.
pub(super) fn not_live() -> EditorialError {
    refusal(NOT_LIVE)
}

fn refusal(message: &str) -> EditorialError {
    EditorialError::Invalid(vec![("form", message.to_owned())])
}

/// The revision readers see, given the story as stored now and its revisions newest first:
/// while the story is public, the newest revision with nothing pending, since every save that
/// changes what readers see (publishing, Update live story) leaves nothing pending and every
/// save after it that leaves changes pending keeps the words readers see. A story out of
/// public view has no live revision.
pub fn live_revision(current: &Story, revisions: &[Story]) -> Option<u64> {
    if !current.is_public() {
        return None;
    }
    revisions
        .iter()
        .find(|story| story.pending.is_none())
        .map(|story| story.revision)
}
