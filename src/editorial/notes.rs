//! Public notes: the corrections, clarifications and editor's notes readers are shown with a
//! story. A note goes live with a change put live on a story readers can already see, or on its
//! own; this module says when one may be added, stamps the story as updated, and says what the
//! audit log keeps of it.

use super::{Actor, EditorialError, Step, check_revision, story};
use crate::domain::{AuditAction, AuditEvent, NoteDraft, Story, StoryId};
use crate::storage::Store;
use time::OffsetDateTime;

/// Whether `step` puts content live on `current`, a story readers already see: the only changes
/// a note may come with: Update live story, or Publish, which does the same to a live story.
fn puts_live(step: Step, current: &Story) -> bool {
    current.is_public() && matches!(step, Step::UpdateLive | Step::Publish)
}

/// Adds the edit's note to `story`, the story `step` makes of `current`, and stamps its revision
/// time so readers see it was updated. Refused, naming why, unless an editor adds it with a
/// step that puts a story readers already see live.
pub(super) fn attach(
    actor: &Actor,
    current: Option<&Story>,
    step: Step,
    story: &mut Story,
    draft: NoteDraft,
    now: OffsetDateTime,
) -> Result<(), EditorialError> {
    check_may_add(actor, current)?;
    if !current.is_some_and(|current| puts_live(step, current)) {
        return Err(refused(
            "A public note goes live with the story: press Update live story to put the note \
             and the story's changes live.",
        ));
    }
    add(story, draft, now);
    Ok(())
}

/// Adds the note to `shown`, the preview of an edit of `current`: as it will read once the
/// changes go live. Refused as adding it would be, for a writer or a story readers do not see.
pub(super) fn preview(
    actor: &Actor,
    current: Option<&Story>,
    shown: &mut Story,
    draft: NoteDraft,
    now: OffsetDateTime,
) -> Result<(), EditorialError> {
    check_may_add(actor, current)?;
    add(shown, draft, now);
    Ok(())
}

/// Adds a note to published story `id` without changing its content: the desk's "Add a
/// correction". `expected_revision` is the revision the editor was shown.
pub fn add_note(
    store: &dyn Store,
    actor: &Actor,
    id: StoryId,
    expected_revision: Option<u64>,
    draft: NoteDraft,
    now: OffsetDateTime,
) -> Result<Story, EditorialError> {
    let current = story(store, id)?;
    if !actor.may_edit(&current) {
        return Err(EditorialError::NotAllowed(
            "only editors may add a public note to a story",
        ));
    }
    check_may_add(actor, Some(&current))?;
    check_revision(&current, expected_revision)?;
    let mut noted = current.clone();
    add(&mut noted, draft, now);
    noted.updated_at = now;
    noted.last_edited_by = actor.id();
    let event = audit(actor, Some(&current), &noted, None, now)
        .ok_or_else(|| refused("The note could not be added."))?;
    Ok(super::save_audited(
        store,
        &noted,
        Some(current.revision),
        &event,
    )?)
}

/// Only editors add notes, and only to a story readers can see (not to a draft, a scheduled,
/// unpublished or withdrawn story, whose readers have nothing to be told of).
fn check_may_add(actor: &Actor, current: Option<&Story>) -> Result<(), EditorialError> {
    if !actor.may_publish() {
        return Err(refused(
            "Only editors can add a public note; ask an editor to add the correction.",
        ));
    }
    if !current.is_some_and(Story::is_public) {
        return Err(refused(
            "A public note can only be added to a published story: readers have not seen this \
             one. Leave the note empty, or publish the story first.",
        ));
    }
    Ok(())
}

fn add(story: &mut Story, draft: NoteDraft, now: OffsetDateTime) {
    story.notes.push(draft.at(now));
    story.revised_at = Some(now);
}

fn refused(message: &str) -> EditorialError {
    EditorialError::Invalid(vec![("form", message.into())])
}

/// The audit entry of a save that added a note to the story (`current` before it, `edited`
/// after): a Note entry naming the kind and the words after what the step's own entry
/// (`event`) said, and that the story's changes went live with it when they did, so one entry
/// tells the whole change. `None` keeps `event` when no note was added.
pub(super) fn audit(
    actor: &Actor,
    current: Option<&Story>,
    edited: &Story,
    event: Option<AuditEvent>,
    now: OffsetDateTime,
) -> Option<AuditEvent> {
    let before = current.map_or(0, |c| c.notes.len());
    let Some(note) = edited.notes.get(before..).and_then(<[_]>::last) else {
        return event;
    };
    let (said, went_live) = match &event {
        Some(event) => (
            event.detail.clone(),
            matches!(event.action, AuditAction::UpdateLive | AuditAction::Publish),
        ),
        None => (edited.content.headline.to_string(), false),
    };
    let live = if went_live {
        "; the story's changes put live with"
    } else {
        ";"
    };
    Some(actor.event(
        AuditAction::Note,
        format!("{said}{live} {}: {}", note.kind.label(), note.text),
        now,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW, content, editor, store, user};
    use super::super::{Edit, save};
    use super::*;
    use crate::domain::{NoteKind, NoteText, Role};
    use crate::storage::SledStore;
    use crate::storage::prelude::*;
    use time::Duration;

    fn draft() -> NoteDraft {
        NoteDraft {
            kind: NoteKind::Correction,
            text: NoteText::parse("An earlier version misspelt the envoy's name.").unwrap(),
        }
    }

    fn edit(story: Option<&Story>, step: Step, note: Option<NoteDraft>) -> Edit {
        Edit {
            story: story.map(|s| s.id),
            expected_revision: story.map(|s| s.revision),
            content: content("Talks end", "The envoy, Mr Smyth, spoke."),
            filed_at: None,
            step,
            note,
            zone: crate::domain::SiteZone::utc(),
        }
    }

    fn published(store: &SledStore) -> Story {
        save(store, &editor(), edit(None, Step::Publish, None), NOW).unwrap()
    }

    fn form_error(result: Result<Story, EditorialError>) -> String {
        match result {
            Err(EditorialError::Invalid(errors)) => {
                assert_eq!(errors[0].0, "form");
                errors[0].1.clone()
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_note_put_live_with_a_published_story_is_shown_stamped_and_audited() {
        let (_dir, store) = store();
        let story = published(&store);
        let later = NOW + Duration::hours(2);

        let noted = save(
            &store,
            &editor(),
            edit(Some(&story), Step::Publish, Some(draft())),
            later,
        )
        .unwrap();

        assert_eq!(noted.notes, vec![draft().at(later)]);
        assert_eq!(
            noted.revised_at,
            Some(later),
            "readers are told it was updated"
        );
        assert_eq!(noted.published_at, Some(NOW));
        let entry = &store.audit_log(None, 1).unwrap()[0];
        assert_eq!(entry.action, AuditAction::Note);
        assert_eq!(
            entry.detail,
            "Talks end; the story's changes put live with Correction: An earlier version \
             misspelt the envoy's name."
        );
    }

    #[test]
    fn a_note_on_a_story_readers_have_not_seen_is_refused_and_nothing_is_stored() {
        let (_dir, store) = store();
        let refused = save(
            &store,
            &editor(),
            edit(None, Step::Publish, Some(draft())),
            NOW,
        );
        assert!(form_error(refused).contains("only be added to a published story"));
        assert!(store.audit_log(None, 10).unwrap().is_empty());
    }

    #[test]
    fn a_note_with_a_plain_save_of_a_published_story_is_refused() {
        let (_dir, store) = store();
        let story = published(&store);
        let refused = save(
            &store,
            &editor(),
            edit(Some(&story), Step::Save, Some(draft())),
            NOW,
        );
        assert!(form_error(refused).contains("press Update live story"));
        assert!(store.story(story.id).unwrap().unwrap().notes.is_empty());
    }

    #[test]
    fn a_writer_cannot_add_a_note() {
        let (_dir, store) = store();
        let writer = user("ann.lee", Role::Writer);
        let own = save(&store, &writer, edit(None, Step::Save, None), NOW).unwrap();
        let refused = save(
            &store,
            &writer,
            edit(Some(&own), Step::Save, Some(draft())),
            NOW,
        );
        assert!(form_error(refused).contains("Only editors"));
    }

    #[test]
    fn a_note_added_on_its_own_keeps_the_content_and_builds_on_the_revision_shown() {
        let (_dir, store) = store();
        let story = published(&store);
        let later = NOW + Duration::minutes(5);

        let noted = add_note(
            &store,
            &editor(),
            story.id,
            Some(story.revision),
            draft(),
            later,
        )
        .unwrap();
        assert_eq!(noted.content.body, story.content.body);
        assert_eq!(noted.notes.len(), 1);
        assert_eq!(noted.revised_at, Some(later));
        assert_eq!(
            store.audit_log(None, 1).unwrap()[0].action,
            AuditAction::Note
        );

        let stale = add_note(
            &store,
            &editor(),
            story.id,
            Some(story.revision),
            draft(),
            later,
        );
        assert!(matches!(stale, Err(EditorialError::Conflict { .. })));
    }

    #[test]
    fn an_unpublished_story_takes_no_note_on_its_own_either() {
        let (_dir, store) = store();
        let story = published(&store);
        let hidden = save(
            &store,
            &editor(),
            edit(Some(&story), Step::Unpublish, None),
            NOW,
        )
        .unwrap();
        let refused = add_note(
            &store,
            &editor(),
            hidden.id,
            Some(hidden.revision),
            draft(),
            NOW,
        );
        assert!(form_error(refused).contains("published story"));
    }
}
