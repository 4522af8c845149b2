//! Staged edits of live stories: saved for the desk, put live or discarded by an editor.

use super::*;

fn later(hours: i64) -> OffsetDateTime {
    NOW + Duration::hours(hours)
}

fn generation(store: &SledStore) -> u64 {
    store.public_version().unwrap().generation
}

/// A published story whose body is two paragraphs, written by `author` and published by an
/// editor.
fn live_story(store: &SledStore, author: &Actor) -> Story {
    let mut edit = new(Step::Save);
    edit.content = content("Talks end", "First words.\n\nSecond words.");
    let draft = save(store, author, edit, NOW).unwrap();
    let publish = change(&draft, draft.content.clone(), Step::Publish);
    save(store, &editor(), publish, NOW).unwrap()
}

fn staged_body(story: &Story) -> Option<&str> {
    story.pending.as_ref().map(|p| p.content.body.as_str())
}

#[test]
fn saving_a_published_story_stages_the_changes_and_readers_keep_the_published_words() {
    let (_dir, store) = store();
    let story = live_story(&store, &editor());
    let before = generation(&store);
    let ann = editor();

    let edit = change(&story, content("Talks end", "New words."), Step::Save);
    let saved = save(&store, &ann, edit, later(1)).unwrap();

    assert_eq!(
        saved.revision,
        story.revision + 1,
        "a save is still a revision"
    );
    assert_eq!(saved.content.body.as_str(), "First words.\n\nSecond words.");
    assert_eq!(saved.revised_at, None, "readers are told of no update");
    let pending = saved.pending.as_deref().unwrap();
    assert_eq!(pending.content.body.as_str(), "New words.");
    assert_eq!((pending.by, pending.at), (ann.id(), later(1)));
    assert_eq!(actions(&store)[0].0, AuditAction::StageChanges);
    assert_eq!(generation(&store), before, "cached pages stay valid");
}

#[test]
fn a_save_that_changes_nothing_leaves_nothing_pending_and_the_log_alone() {
    let (_dir, store) = store();
    let story = live_story(&store, &editor());
    let edit = change(&story, story.content.clone(), Step::Save);
    let saved = save(&store, &editor(), edit, later(1)).unwrap();
    assert_eq!(saved.pending, None);
    assert_eq!(actions(&store).len(), 1, "only the publication is audited");
}

#[test]
fn update_live_puts_the_form_live_clears_what_was_pending_and_tells_readers() {
    let (_dir, store) = store();
    let story = live_story(&store, &editor());
    let edit = change(&story, content("Talks end", "New words."), Step::Save);
    let staged = save(&store, &editor(), edit, later(1)).unwrap();
    let before = generation(&store);

    let form = staged.editable_content().clone();
    let live = save(
        &store,
        &editor(),
        change(&staged, form, Step::UpdateLive),
        later(2),
    )
    .unwrap();

    assert_eq!(live.content.body.as_str(), "New words.");
    assert_eq!(live.pending, None);
    assert_eq!(live.revised_at, Some(later(2)));
    assert_eq!(live.published_at, Some(NOW), "the publication time stays");
    assert_eq!(actions(&store)[0].0, AuditAction::UpdateLive);
    assert!(generation(&store) > before, "readers' pages change");
}

#[test]
fn discarding_drops_the_pending_changes_and_keeps_the_live_words() {
    let (_dir, store) = store();
    let story = live_story(&store, &editor());
    let edit = change(&story, content("Talks end", "New words."), Step::Save);
    let staged = save(&store, &editor(), edit, later(1)).unwrap();

    let form = staged.editable_content().clone();
    let discard = change(&staged, form.clone(), Step::DiscardChanges);
    let kept = save(&store, &editor(), discard, later(2)).unwrap();

    assert_eq!(kept.pending, None);
    assert_eq!(kept.content.body.as_str(), "First words.\n\nSecond words.");
    assert_eq!(kept.revised_at, None);
    assert_eq!(actions(&store)[0].0, AuditAction::DiscardChanges);

    let again = change(&kept, form, Step::DiscardChanges);
    assert_eq!(
        error_keys(save(&store, &editor(), again, later(3))),
        vec!["form"],
        "nothing is left to discard"
    );
}

#[test]
fn a_story_readers_do_not_see_cannot_be_updated_live_or_have_changes_discarded() {
    let (_dir, store) = store();
    let draft = save(&store, &editor(), new(Step::Save), NOW).unwrap();
    for step in [Step::UpdateLive, Step::DiscardChanges] {
        let edit = change(&draft, draft.content.clone(), step);
        assert_eq!(error_keys(save(&store, &editor(), edit, NOW)), vec!["form"]);
        assert_eq!(
            error_keys(save(&store, &editor(), new(step), NOW)),
            vec!["form"]
        );
    }
    assert_eq!(store.story(draft.id).unwrap().unwrap().revision, 1);
}

#[test]
fn a_writer_proposes_changes_to_her_own_published_story_but_only_an_editor_puts_them_live() {
    let (_dir, store) = store();
    let ann = writer();
    let story = live_story(&store, &ann);

    let edit = change(&story, content("Talks end", "Her words."), Step::Submit);
    let proposed = save(&store, &ann, edit, later(1)).unwrap();
    assert_eq!(staged_body(&proposed), Some("Her words."));
    assert!(proposed.submitted, "submitted for review");
    assert!(proposed.is_public());
    assert_eq!(
        proposed.content.body.as_str(),
        "First words.\n\nSecond words."
    );

    for step in [Step::UpdateLive, Step::DiscardChanges, Step::Unpublish] {
        let edit = change(&proposed, proposed.editable_content().clone(), step);
        assert!(
            matches!(
                save(&store, &ann, edit, later(2)),
                Err(EditorialError::NotAllowed(_))
            ),
            "{step:?}"
        );
    }
    let other = change(&proposed, proposed.editable_content().clone(), Step::Save);
    assert!(
        matches!(
            save(&store, &writer(), other, later(2)),
            Err(EditorialError::NotAllowed(_))
        ),
        "another writer's published story is not hers to change"
    );

    let edit = change(
        &proposed,
        proposed.editable_content().clone(),
        Step::UpdateLive,
    );
    let live = save(&store, &editor(), edit, later(3)).unwrap();
    assert_eq!(live.content.body.as_str(), "Her words.");
    assert!(!live.submitted, "the review is done");
}

#[test]
fn unpublishing_folds_the_pending_changes_into_the_story() {
    let (_dir, store) = store();
    let story = live_story(&store, &editor());
    let edit = change(&story, content("Talks end", "New words."), Step::Save);
    let staged = save(&store, &editor(), edit, later(1)).unwrap();

    let form = staged.editable_content().clone();
    let unpublished = save(
        &store,
        &editor(),
        change(&staged, form, Step::Unpublish),
        later(2),
    )
    .unwrap();

    assert!(!unpublished.is_public());
    assert_eq!(unpublished.pending, None);
    assert_eq!(
        unpublished.content.body.as_str(),
        "New words.",
        "nothing saved is lost"
    );
}

#[test]
fn a_withdrawn_story_keeps_its_pending_changes() {
    let (_dir, store) = store();
    let story = live_story(&store, &editor());
    let edit = change(&story, content("Talks end", "New words."), Step::Save);
    save(&store, &editor(), edit, later(1)).unwrap();

    let withdrawn = withdraw(&store, &editor(), story.id, reason(), later(2)).unwrap();

    assert_eq!(staged_body(&withdrawn), Some("New words."));
    assert_eq!(
        withdrawn.content.body.as_str(),
        "First words.\n\nSecond words."
    );
}

#[test]
fn restoring_a_withdrawn_story_with_pending_changes_makes_the_restored_words_its_own() {
    let (_dir, store) = store();
    let story = live_story(&store, &editor());
    let edit = change(&story, content("Talks end", "New words."), Step::Save);
    save(&store, &editor(), edit, later(1)).unwrap();
    withdraw(&store, &editor(), story.id, reason(), later(2)).unwrap();

    let Restored::Saved(restored) =
        restore(&store, &editor(), story.id, story.revision, None, later(3)).unwrap()
    else {
        panic!("expected a restore");
    };

    assert_eq!(
        restored.content.body.as_str(),
        "First words.\n\nSecond words."
    );
    assert_eq!(
        restored.pending, None,
        "no older pending text stands in front of the restore"
    );
    assert_eq!(
        restored.editable_content().body.as_str(),
        "First words.\n\nSecond words."
    );
}

#[test]
fn a_live_story_cannot_be_put_under_embargo_through_its_pending_changes() {
    let (_dir, store) = store();
    let story = live_story(&store, &editor());
    let mut held = story.content.clone();
    held.embargo = Some(UNTIL);
    let refused = save(&store, &editor(), change(&story, held, Step::Save), NOW);
    assert_eq!(error_keys(refused), vec!["embargo"]);
}

#[test]
fn two_editors_staging_changes_to_different_paragraphs_are_merged_and_nothing_goes_live() {
    let (_dir, store) = store();
    let (ann, ben) = (
        stored_user(&store, "ann.lee"),
        stored_user(&store, "ben.cho"),
    );
    let story = live_story(&store, &ann);
    let (_, theirs) = form_of(&story, "First words, edited.\n\nSecond words.");
    save(&store, &ann, change(&story, theirs, Step::Save), later(1)).unwrap();

    // Ben loaded the story before Ann saved.
    let (mine, content) = form_of(&story, "First words.\n\nSecond words, edited.");
    let outcome = save_merging(
        &store,
        &ben,
        change(&story, content, Step::Save),
        &mine,
        later(2),
    )
    .unwrap();

    let Outcome::Saved { story: merged, .. } = outcome else {
        panic!("expected a merged save");
    };
    assert_eq!(
        staged_body(&merged),
        Some("First words, edited.\n\nSecond words, edited.")
    );
    assert_eq!(
        merged.content.body.as_str(),
        "First words.\n\nSecond words."
    );
}

#[test]
fn a_stale_discard_is_a_conflict_and_keeps_what_was_saved_meanwhile() {
    let (_dir, store) = store();
    let story = live_story(&store, &editor());
    let first = change(&story, content("Talks end", "New words."), Step::Save);
    let staged = save(&store, &editor(), first, later(1)).unwrap();
    let (mine, form) = form_of(&staged.as_edited(), "New words.");
    let second = change(&staged, content("Talks end", "Newer words."), Step::Save);
    save(&store, &editor(), second, later(2)).unwrap();

    let discard = save_merging(
        &store,
        &editor(),
        change(&staged, form, Step::DiscardChanges),
        &mine,
        later(3),
    );

    assert!(matches!(discard, Err(EditorialError::Conflict { .. })));
    let stored = store.story(story.id).unwrap().unwrap();
    assert_eq!(staged_body(&stored), Some("Newer words."));
}

#[test]
fn the_live_revision_is_the_newest_with_nothing_pending_while_the_story_is_public() {
    let (_dir, store) = store();
    let story = live_story(&store, &editor());
    let live = |store: &SledStore| {
        let current = store.story(story.id).unwrap().unwrap();
        live_revision(&current, &store.story_revisions(story.id).unwrap())
    };
    assert_eq!(live(&store), Some(story.revision));

    let edit = change(&story, content("Talks end", "New words."), Step::Save);
    let staged = save(&store, &editor(), edit, later(1)).unwrap();
    assert_eq!(live(&store), Some(story.revision), "readers still see it");

    let edit = change(&staged, staged.editable_content().clone(), Step::UpdateLive);
    let updated = save(&store, &editor(), edit, later(2)).unwrap();
    assert_eq!(live(&store), Some(updated.revision));

    let edit = change(&updated, updated.content.clone(), Step::Unpublish);
    save(&store, &editor(), edit, later(3)).unwrap();
    assert_eq!(live(&store), None, "readers see no revision");
}

#[test]
fn restoring_a_revision_of_a_live_story_stages_its_words() {
    let (_dir, store) = store();
    let story = live_story(&store, &editor());
    let edit = change(&story, content("Talks end", "New words."), Step::UpdateLive);
    let updated = save(&store, &editor(), edit, later(1)).unwrap();

    let Restored::Saved(restored) =
        restore(&store, &editor(), story.id, story.revision, None, later(2)).unwrap()
    else {
        panic!("expected a restore");
    };

    assert_eq!(
        restored.content.body.as_str(),
        "New words.",
        "readers keep the live words"
    );
    assert_eq!(
        staged_body(&restored),
        Some("First words.\n\nSecond words.")
    );
    assert_eq!(restored.revised_at, updated.revised_at);
}

#[test]
fn the_preview_of_a_staged_save_shows_the_pending_version() {
    let (_dir, store) = store();
    let story = live_story(&store, &editor());
    let edit = change(&story, content("Talks end", "New words."), Step::Save);
    let shown = preview(&store, &editor(), edit, later(1)).unwrap();
    assert_eq!(shown.content.body.as_str(), "New words.");
}
