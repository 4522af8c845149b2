//! The review desk: an editor sends a submitted story back to its writer with a note, or takes
//! a story to work on it. Both are saves like any other: editors only, built on the revision
//! the editor saw (a stale form is a conflict, and changes nothing), and recorded in the audit
//! log in the same write as the story.

use super::{Actor, EditorialError, check_revision, story};
use crate::domain::{AuditAction, NoteText, ReviewNote, Story, StoryId, UserId};
use crate::storage::Store;
use time::OffsetDateTime;

/// Sends submitted story `id` back to its writer with `note`. It stops waiting for review; the
/// writer sees the note on the story form and a badge in her list until she submits it again;
/// and an editor who had taken it no longer has it, since it is the writer's turn.
pub fn send_back(
    store: &dyn Store,
    actor: &Actor,
    id: StoryId,
    expected_revision: Option<u64>,
    note: NoteText,
    now: OffsetDateTime,
) -> Result<Story, EditorialError> {
    if !actor.may_publish() {
        return Err(EditorialError::NotAllowed(
            "only editors may send a story back to its writer",
        ));
    }
    let current = story(store, id)?;
    check_revision(&current, expected_revision)?;
    if !current.submitted {
        return Err(EditorialError::Invalid(vec![(
            "review",
            "This story is not waiting for review: only a story its writer submitted can be \
             sent back."
                .into(),
        )]));
    }
    let mut sent = current.clone();
    sent.submitted = false;
    sent.sent_back = Some(ReviewNote {
        text: note.clone(),
        by: actor.id(),
        at: now,
    });
    sent.assignee = None;
    sent.updated_at = now;
    sent.last_edited_by = actor.id();
    let event = actor.event(
        AuditAction::SendBack,
        format!("{}; note: {note}", current.content.headline),
        now,
    );
    Ok(super::save_audited(
        store,
        &sent,
        Some(current.revision),
        &event,
    )?)
}

/// What came of taking a story.
#[derive(Debug)]
pub enum Take {
    /// The editor has the story now.
    Taken(Story),
    /// The editor had it already; nothing changed.
    AlreadyYours(Story),
    /// Another editor has it, and the editor did not say to take it from them; nothing
    /// changed. Taking it anyway is asked for by naming them (`from`).
    HeldBy { editor: UserId, story: Box<Story> },
}

/// The editor `actor` takes story `id` to work on it: the desk lists it as theirs. A story
/// another editor has is taken from them only when `from` names that editor, so nobody takes
/// a colleague's story without having been told whose it was.
pub fn take(
    store: &dyn Store,
    actor: &Actor,
    id: StoryId,
    expected_revision: Option<u64>,
    from: Option<UserId>,
    now: OffsetDateTime,
) -> Result<Take, EditorialError> {
    let editor = match actor {
        Actor::User(user) if user.role.can_publish() => user.id,
        _ => return Err(EditorialError::NotAllowed("only editors may take a story")),
    };
    let current = story(store, id)?;
    check_revision(&current, expected_revision)?;
    let detail = match current.assignee {
        Some(holder) if holder == editor => return Ok(Take::AlreadyYours(current)),
        Some(holder) if from != Some(holder) => {
            return Ok(Take::HeldBy {
                editor: holder,
                story: Box::new(current),
            });
        }
        Some(holder) => {
            let name = store
                .user(holder)?
                .map_or_else(|| "another editor".to_owned(), |u| u.username.to_string());
            format!("{}; from {name}", current.content.headline)
        }
        None => current.content.headline.to_string(),
    };
    let mut taken = current.clone();
    taken.assignee = Some(editor);
    taken.updated_at = now;
    taken.last_edited_by = Some(editor);
    let event = actor.event(AuditAction::Take, detail, now);
    let saved = super::save_audited(store, &taken, Some(current.revision), &event)?;
    Ok(Take::Taken(saved))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW, account as user, content, store};
    use super::super::{Edit, Step, save};
    use super::*;
    use crate::domain::{PageNumber, Role, Status};
    use crate::storage::prelude::*;
    use crate::storage::{Listing, SledStore, StatusFilter};
    use time::Duration;

    fn note(text: &str) -> NoteText {
        NoteText::parse(text).unwrap()
    }

    /// A draft its writer submitted for review.
    fn submitted(store: &SledStore, writer: &Actor) -> Story {
        let edit = Edit {
            story: None,
            expected_revision: None,
            content: content("Talks end", "First words."),
            filed_at: None,
            step: Step::Submit,
            note: None,
            zone: crate::domain::SiteZone::utc(),
        };
        save(store, writer, edit, NOW).unwrap()
    }

    fn last_event(store: &SledStore) -> (AuditAction, String, String) {
        let event = store.audit_log(None, 1).unwrap().remove(0);
        (event.action, event.actor_name, event.detail)
    }

    fn waiting_for_review(store: &SledStore) -> u64 {
        let listing = Listing::Desk {
            status: Some(StatusFilter::ForReview),
            section: None,
        };
        store
            .listing(listing, PageNumber::FIRST, 10)
            .unwrap()
            .total_items
    }

    #[test]
    fn an_editor_sends_a_submitted_story_back_with_a_note_the_writer_can_read() {
        let (_dir, store) = store();
        let writer = user(&store, "ann.lee", Role::Writer);
        let editor = user(&store, "zhang.dan", Role::Editor);
        let story = submitted(&store, &writer);
        assert_eq!(waiting_for_review(&store), 1);
        let later = NOW + Duration::hours(1);

        let sent = send_back(
            &store,
            &editor,
            story.id,
            Some(story.revision),
            note("Needs a second source."),
            later,
        )
        .unwrap();

        assert!(!sent.submitted);
        assert_eq!(sent.status, Status::Draft);
        assert_eq!(
            sent.sent_back,
            Some(ReviewNote {
                text: note("Needs a second source."),
                by: editor.id(),
                at: later,
            })
        );
        assert_eq!(sent.revision, story.revision + 1);
        assert_eq!(waiting_for_review(&store), 0);
        assert_eq!(
            last_event(&store),
            (
                AuditAction::SendBack,
                "zhang.dan".into(),
                "Talks end; note: Needs a second source.".into()
            )
        );
    }

    #[test]
    fn submitting_again_clears_the_note_and_puts_the_story_back_up_for_review() {
        let (_dir, store) = store();
        let writer = user(&store, "ann.lee", Role::Writer);
        let editor = user(&store, "zhang.dan", Role::Editor);
        let story = submitted(&store, &writer);
        let sent = send_back(
            &store,
            &editor,
            story.id,
            Some(story.revision),
            note("Needs a second source."),
            NOW,
        )
        .unwrap();

        let edit = Edit {
            story: Some(sent.id),
            expected_revision: Some(sent.revision),
            content: sent.content.clone(),
            filed_at: sent.filed_at(),
            step: Step::Submit,
            note: None,
            zone: crate::domain::SiteZone::utc(),
        };
        let again = save(&store, &writer, edit, NOW).unwrap();

        assert!(again.submitted);
        assert_eq!(again.sent_back, None);
        assert_eq!(waiting_for_review(&store), 1);
    }

    #[test]
    fn a_writer_may_neither_send_back_nor_take_a_story_and_nothing_changes() {
        let (_dir, store) = store();
        let writer = user(&store, "ann.lee", Role::Writer);
        let story = submitted(&store, &writer);

        let sent = send_back(
            &store,
            &writer,
            story.id,
            Some(story.revision),
            note("Fine."),
            NOW,
        );
        assert!(
            matches!(sent, Err(EditorialError::NotAllowed(_))),
            "{sent:?}"
        );
        let taken = take(&store, &writer, story.id, Some(story.revision), None, NOW);
        assert!(
            matches!(taken, Err(EditorialError::NotAllowed(_))),
            "{taken:?}"
        );
        assert_eq!(store.story(story.id).unwrap(), Some(story));
    }

    #[test]
    fn a_send_back_from_a_stale_form_is_a_conflict_and_changes_nothing() {
        let (_dir, store) = store();
        let writer = user(&store, "ann.lee", Role::Writer);
        let editor = user(&store, "zhang.dan", Role::Editor);
        let story = submitted(&store, &writer);
        let Take::Taken(taken) =
            take(&store, &editor, story.id, Some(story.revision), None, NOW).unwrap()
        else {
            panic!("not taken");
        };

        let stale = send_back(
            &store,
            &editor,
            story.id,
            Some(story.revision),
            note("Needs a second source."),
            NOW,
        );

        match stale {
            Err(EditorialError::Conflict { current }) => assert_eq!(*current, taken),
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!(store.story(story.id).unwrap(), Some(taken));
    }

    #[test]
    fn only_a_story_waiting_for_review_can_be_sent_back() {
        let (_dir, store) = store();
        let writer = user(&store, "ann.lee", Role::Writer);
        let editor = user(&store, "zhang.dan", Role::Editor);
        let story = submitted(&store, &writer);
        let sent = send_back(
            &store,
            &editor,
            story.id,
            Some(story.revision),
            note("Once."),
            NOW,
        )
        .unwrap();

        let twice = send_back(
            &store,
            &editor,
            sent.id,
            Some(sent.revision),
            note("Twice."),
            NOW,
        );

        match twice {
            Err(EditorialError::Invalid(errors)) => assert_eq!(errors[0].0, "review"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn an_editor_takes_a_story_and_the_audit_log_says_so() {
        let (_dir, store) = store();
        let writer = user(&store, "ann.lee", Role::Writer);
        let editor = user(&store, "zhang.dan", Role::Editor);
        let story = submitted(&store, &writer);

        let taken = take(&store, &editor, story.id, Some(story.revision), None, NOW).unwrap();

        let Take::Taken(taken) = taken else {
            panic!("not taken: {taken:?}");
        };
        assert_eq!(taken.assignee, editor.id());
        assert!(taken.submitted, "taking a story does not end its review");
        assert_eq!(
            last_event(&store),
            (AuditAction::Take, "zhang.dan".into(), "Talks end".into())
        );
        let again = take(&store, &editor, story.id, Some(taken.revision), None, NOW).unwrap();
        assert!(matches!(again, Take::AlreadyYours(_)), "{again:?}");
        assert_eq!(store.story(story.id).unwrap(), Some(taken));
    }

    #[test]
    fn a_story_another_editor_has_is_taken_from_them_only_when_they_are_named() {
        let (_dir, store) = store();
        let writer = user(&store, "ann.lee", Role::Writer);
        let first = user(&store, "zhang.dan", Role::Editor);
        let second = user(&store, "bo.chen", Role::Admin);
        let story = submitted(&store, &writer);
        let Take::Taken(held) =
            take(&store, &first, story.id, Some(story.revision), None, NOW).unwrap()
        else {
            panic!("not taken");
        };

        let asked = take(&store, &second, story.id, Some(held.revision), None, NOW).unwrap();
        match asked {
            Take::HeldBy { editor, .. } => assert_eq!(Some(editor), first.id()),
            other => panic!("expected to be told who has it, got {other:?}"),
        }
        assert_eq!(store.story(story.id).unwrap().as_ref(), Some(&held));

        // Later than the first take, so that its audit entry is the newest.
        let confirmed = take(
            &store,
            &second,
            story.id,
            Some(held.revision),
            first.id(),
            NOW + Duration::minutes(1),
        )
        .unwrap();
        let Take::Taken(taken) = confirmed else {
            panic!("not taken: {confirmed:?}");
        };
        assert_eq!(taken.assignee, second.id());
        assert_eq!(
            last_event(&store),
            (
                AuditAction::Take,
                "bo.chen".into(),
                "Talks end; from zhang.dan".into()
            )
        );
    }

    #[test]
    fn sending_a_taken_story_back_hands_it_back_to_its_writer() {
        let (_dir, store) = store();
        let writer = user(&store, "ann.lee", Role::Writer);
        let editor = user(&store, "zhang.dan", Role::Editor);
        let story = submitted(&store, &writer);
        let Take::Taken(taken) =
            take(&store, &editor, story.id, Some(story.revision), None, NOW).unwrap()
        else {
            panic!("not taken");
        };

        let sent = send_back(
            &store,
            &editor,
            story.id,
            Some(taken.revision),
            note("Over to you."),
            NOW,
        )
        .unwrap();

        assert_eq!(sent.assignee, None);
    }
}
