//! Restoring an older revision of a story as a new revision on top of the current one.

use super::{Actor, EditorialError, check_revision, stamp_revision, story};
use crate::domain::{AuditAction, Story, StoryId};
use crate::storage::{Store, StoreError};
use time::OffsetDateTime;

/// Whether `actor` may restore a revision of `story`: whoever may edit it, except that a
/// writer proposes changes to her published story through the form, not the history.
pub fn may_restore(actor: &Actor, story: &Story) -> bool {
    actor.may_edit(story) && (actor.may_publish() || !story.is_public())
}

/// Whether `actor` may see the history of `story`: editors that of every story, a writer that
/// of a story she wrote or may edit.
pub fn may_see_history(actor: &Actor, story: &Story) -> bool {
    actor.may_publish()
        || actor.may_edit(story)
        || story.author.is_some_and(|a| Some(a) == actor.id())
}

/// What became of a restore.
#[derive(Debug)]
pub enum Restored {
    /// Saved as this new revision.
    Saved(Box<Story>),
    /// The revision asked for is the current one: nothing to do.
    Current,
}

/// Restores revision `revision` of story `id`. `expected` is the revision that was current
/// when the history was shown (`None`: whatever is current now); a story saved since is a
/// conflict, and nothing changes.
pub fn restore(
    store: &dyn Store,
    actor: &Actor,
    id: StoryId,
    revision: u64,
    expected: Option<u64>,
    now: OffsetDateTime,
) -> Result<Restored, EditorialError> {
    let current = story(store, id)?;
    let old = store
        .story_revision(id, revision)?
        .ok_or(EditorialError::NotFound)?;
    if !may_restore(actor, &current) {
        return Err(EditorialError::NotAllowed(
            "only editors may restore a story once it is submitted, scheduled or published. \
             To propose older words for your published story, copy them into the story form \
             and save them as changes.",
        ));
    }
    check_revision(&current, Some(expected.unwrap_or(current.revision)))?;
    if old.revision == current.revision {
        return Ok(Restored::Current);
    }
    // The words the desk saw in that revision: its pending changes, if it had some.
    let mut restored = current.restored_from(&old.as_edited(), actor.id(), now);
    let staged = current.is_public();
    if staged {
        // Readers keep the live text: the restored words wait, as any save of a live story
        // does, for an editor to update the live story.
        let words = restored.content;
        restored = current.clone();
        restored.stage(words, actor.id(), now);
        restored.updated_at = now;
        restored.last_edited_by = actor.id();
    } else {
        // Out of public view the restored words are the story's own: pending changes left
        // from its time as a live story would stand in front of them on the form, and the
        // next save would put them back over the restore.
        restored.pending = None;
    }
    stamp_revision(&current, &mut restored, now);
    let event = |saved_as: u64, headline: &str| {
        actor.event(
            AuditAction::Restore,
            format!(
                "{headline}: revision {} restored as revision {saved_as}{}",
                old.revision,
                if staged {
                    ", pending, not live yet"
                } else {
                    ""
                }
            ),
            now,
        )
    };
    // The store numbers the new revision; the audit entry names it before the save.
    let next = current.revision.saturating_add(1);
    let base = Some(current.revision);
    let saved = match super::save_audited(
        store,
        &restored,
        base,
        &event(next, restored.content.headline.as_str()),
    ) {
        // The old slug went to another story meanwhile: keep the current one.
        Err(StoreError::SlugTaken(_)) => {
            restored.content.slug = current.content.slug.clone();
            super::save_audited(
                store,
                &restored,
                base,
                &event(next, restored.content.headline.as_str()),
            )
        }
        other => other,
    }?;
    Ok(Restored::Saved(Box::new(saved)))
}
