use super::*;
use crate::domain::story_form::{StoryInput, apply};
use crate::domain::{
    AuditAction, Body, Bylines, Headline, Initials, PasswordHash, PhotoId, Role, Section, Slug,
    Username, WithdrawalReason,
};
use crate::storage::SledStore;
use crate::storage::prelude::*;
use time::Duration;
use time::macros::datetime;

pub(super) const NOW: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

pub(super) fn store() -> (tempfile::TempDir, SledStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path(), 1 << 20).unwrap();
    (dir, store)
}

pub(super) fn user(name: &str, role: Role) -> Actor {
    Actor::User(User {
        id: UserId::new(),
        username: Username::parse(name).unwrap(),
        initials: Initials::parse("AL").unwrap(),
        role,
        password_hash: PasswordHash("$argon2id$test".into()),
        disabled: false,
        created_at: NOW,
        two_factor: None,
    })
}

fn writer() -> Actor {
    user("ann.lee", Role::Writer)
}

pub(super) fn editor() -> Actor {
    user("zhang.dan", Role::Editor)
}

pub(super) fn content(headline: &str, body: &str) -> StoryContent {
    let input = StoryInput {
        headline: headline.into(),
        bylines: "Ann Lee".into(),
        section: "world".into(),
        body: body.into(),
        ..StoryInput::default()
    };
    apply(&input, NOW.date(), &crate::domain::SiteZone::utc())
        .unwrap()
        .content
}

fn new(step: Step) -> Edit {
    Edit {
        story: None,
        expected_revision: None,
        content: content("Talks end", "First words."),
        filed_at: None,
        step,
        note: None,
        zone: crate::domain::SiteZone::utc(),
    }
}

fn change(story: &Story, content: StoryContent, step: Step) -> Edit {
    Edit {
        story: Some(story.id),
        expected_revision: Some(story.revision),
        content,
        filed_at: story.filed_at(),
        step,
        note: None,
        zone: crate::domain::SiteZone::utc(),
    }
}

fn actions(store: &SledStore) -> Vec<(AuditAction, String)> {
    store
        .audit_log(None, 100)
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.actor_name))
        .collect()
}

fn published(store: &SledStore) -> Story {
    save(store, &editor(), new(Step::Publish), NOW).unwrap()
}

#[test]
fn a_new_story_is_built_from_its_content_and_its_author() {
    let (_dir, store) = store();
    let writer = writer();
    let saved = save(&store, &writer, new(Step::Save), NOW).unwrap();
    assert_eq!(saved.revision, 1);
    assert_eq!(saved.content.headline.as_str(), "Talks end");
    assert_eq!(saved.content.slug.as_str(), "talks-end");
    assert_eq!(saved.author, writer.id());
    assert_eq!(saved.last_edited_by, writer.id());
    assert_eq!(saved.status, Status::Draft);
    assert!(actions(&store).is_empty(), "a draft leaves no audit entry");
}

#[test]
fn a_writer_may_not_publish_and_nothing_is_stored() {
    let (_dir, store) = store();
    let refused = save(&store, &writer(), new(Step::Publish), NOW);
    assert!(matches!(refused, Err(EditorialError::NotAllowed(_))));
    assert_eq!(
        store
            .story_by_slug(&Slug::parse("talks-end").unwrap())
            .unwrap(),
        None
    );
}

#[test]
fn a_writer_may_not_change_a_published_story() {
    let (_dir, store) = store();
    let story = published(&store);
    let edit = change(&story, content("Talks end", "Other words."), Step::Save);
    let refused = save(&store, &writer(), edit, NOW);
    assert!(matches!(refused, Err(EditorialError::NotAllowed(_))));
}

#[test]
fn a_missing_story_is_not_found() {
    let (_dir, store) = store();
    let mut edit = new(Step::Save);
    edit.story = Some(StoryId::new());
    assert!(matches!(
        save(&store, &editor(), edit, NOW),
        Err(EditorialError::NotFound)
    ));
}

#[test]
fn a_change_on_an_old_revision_is_a_conflict_that_changes_nothing() {
    let (_dir, store) = store();
    let story = save(&store, &editor(), new(Step::Save), NOW).unwrap();
    let first = change(&story, content("Talks end", "Second words."), Step::Save);
    save(&store, &editor(), first, NOW).unwrap();
    let stale = change(&story, content("Talks end", "Third words."), Step::Save);
    match save(&store, &editor(), stale, NOW) {
        Err(EditorialError::Conflict { current }) => assert_eq!(current.revision, 2),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        store
            .story(story.id)
            .unwrap()
            .unwrap()
            .content
            .body
            .as_str(),
        "Second words."
    );
}

#[test]
fn a_revision_typed_as_the_largest_number_is_a_conflict_not_a_panic() {
    let (_dir, store) = store();
    let story = save(&store, &editor(), new(Step::Save), NOW).unwrap();
    for expected in [Some(u64::MAX), None] {
        let mut edit = change(&story, content("Talks end", "More."), Step::Save);
        edit.expected_revision = expected;
        assert!(matches!(
            save(&store, &editor(), edit, NOW),
            Err(EditorialError::Conflict { .. })
        ));
    }
}

#[test]
fn publishing_stamps_the_editor_and_is_audited() {
    let (_dir, store) = store();
    let before = store.public_version().unwrap().generation;
    let story = published(&store);
    assert!(story.is_public());
    assert_eq!(story.published_at, Some(NOW));
    assert_eq!(story.editor.as_ref().map(|i| i.as_str()), Some("AL"));
    assert_eq!(
        actions(&store),
        vec![(AuditAction::Publish, "zhang.dan".into())]
    );
    assert!(store.public_version().unwrap().generation > before);
}

#[test]
fn an_edit_readers_see_stamps_the_revision_time_and_is_audited() {
    let (_dir, store) = store();
    let story = published(&store);
    let later = NOW + Duration::hours(1);
    let edit = change(
        &story,
        content("Talks end", "Corrected words."),
        Step::UpdateLive,
    );
    let edited = save(&store, &editor(), edit, later).unwrap();
    assert_eq!(edited.revised_at, Some(later));
    assert_eq!(edited.published_at, Some(NOW), "the publication time stays");
    assert_eq!(
        actions(&store)[0],
        (AuditAction::UpdateLive, "zhang.dan".into())
    );
}

#[test]
fn moving_a_public_story_to_another_section_is_not_a_revision_readers_are_told_of() {
    let (_dir, store) = store();
    let story = published(&store);
    let mut moved = story.content.clone();
    moved.section = Section::parse("business").unwrap();
    let edit = change(&story, moved, Step::UpdateLive);
    let edited = save(&store, &editor(), edit, NOW).unwrap();
    assert_eq!(edited.content.section.key(), "business");
    assert_eq!(edited.revised_at, None);
}

#[test]
fn unpublishing_is_audited_and_hides_the_story() {
    let (_dir, store) = store();
    let story = published(&store);
    let edit = change(&story, story.content.clone(), Step::Unpublish);
    let hidden = save(&store, &editor(), edit, NOW + Duration::hours(1)).unwrap();
    assert!(!hidden.is_public());
    assert_eq!(actions(&store)[0].0, AuditAction::Unpublish);
}

#[test]
fn a_submitted_draft_waits_for_review() {
    let (_dir, store) = store();
    let saved = save(&store, &writer(), new(Step::Submit), NOW).unwrap();
    assert!(saved.submitted);
    assert_eq!(saved.status, Status::Draft);
}

#[test]
fn a_photo_deleted_meanwhile_is_a_field_error() {
    let (_dir, store) = store();
    let mut edit = new(Step::Save);
    edit.content.photo = Some(crate::domain::LeadPhoto {
        image: Some(PhotoId::new()),
        caption: crate::domain::Caption::parse("Delegates").unwrap(),
        credit: None,
        alt: None,
    });
    match save(&store, &editor(), edit, NOW) {
        Err(EditorialError::Invalid(errors)) => assert_eq!(errors[0].0, "photo"),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn the_scheduler_publishes_at_the_scheduled_time_and_is_audited() {
    let (_dir, store) = store();
    let at = NOW + Duration::hours(2);
    let story = save(&store, &editor(), new(Step::Schedule(at)), NOW).unwrap();
    assert_eq!(story.status, Status::Scheduled(at));
    assert_eq!(
        publish_due(&store, NOW + Duration::hours(1)).unwrap().len(),
        0
    );

    let before = store.public_version().unwrap().generation;
    assert_eq!(
        publish_due(&store, at + Duration::minutes(1))
            .unwrap()
            .len(),
        1
    );
    let live = store.story(story.id).unwrap().unwrap();
    assert!(live.is_public());
    assert_eq!(live.published_at, Some(at));
    assert_eq!(live.last_edited_by, None);
    assert_eq!(
        actions(&store)[0],
        (AuditAction::Publish, "scheduler".into())
    );
    assert_eq!(actions(&store)[1].0, AuditAction::Schedule);
    assert!(store.public_version().unwrap().generation > before);
}

#[test]
fn restoring_a_revision_saves_it_on_top_and_is_audited() {
    let (_dir, store) = store();
    let story = save(&store, &editor(), new(Step::Save), NOW).unwrap();
    let later = NOW + Duration::hours(1);
    let edit = change(&story, content("Talks end", "Wrong words."), Step::Save);
    // Before the restore: audit entries of the same instant have no order.
    save(&store, &editor(), edit, later - Duration::minutes(30)).unwrap();

    // A moment after the edit: events of the same instant have no order in the log.
    let restoring = later + Duration::seconds(1);
    let restored = restore(&store, &editor(), story.id, 1, Some(2), restoring).unwrap();
    let Restored::Saved(restored) = restored else {
        panic!("expected a new revision");
    };
    assert_eq!(restored.revision, 3);
    assert_eq!(restored.content.body.as_str(), "First words.");
    assert_eq!(restored.status, Status::Draft, "the workflow stays");
    let (action, _) = &actions(&store)[0];
    assert_eq!(*action, AuditAction::Restore);
    let detail = &store.audit_log(None, 1).unwrap()[0].detail;
    assert_eq!(detail, "Talks end: revision 1 restored as revision 3");
}

#[test]
fn a_restore_after_someone_saved_is_a_conflict() {
    let (_dir, store) = store();
    let story = save(&store, &editor(), new(Step::Save), NOW).unwrap();
    let edit = change(&story, content("Talks end", "Second."), Step::Save);
    save(&store, &editor(), edit, NOW).unwrap();
    assert!(matches!(
        restore(&store, &editor(), story.id, 1, Some(1), NOW),
        Err(EditorialError::Conflict { .. })
    ));
    assert!(matches!(
        restore(&store, &editor(), story.id, 2, None, NOW),
        Ok(Restored::Current)
    ));
}

#[test]
fn a_writer_may_not_restore_a_published_story() {
    let (_dir, store) = store();
    let story = published(&store);
    assert!(matches!(
        restore(&store, &writer(), story.id, 1, None, NOW),
        Err(EditorialError::NotAllowed(_))
    ));
}

fn wire_story(now: OffsetDateTime) -> Story {
    let mut story = Story::draft(
        Headline::parse("Quake hits coast").unwrap(),
        Section::parse("world").unwrap(),
        Bylines::parse("Xinhua").unwrap(),
        Body::parse("Words.").unwrap(),
        now,
    );
    story.published_at = Some(now);
    story.publish(now, None);
    story
}

#[test]
fn a_wire_story_is_imported_once_and_audited() {
    let (_dir, store) = store();
    let first = import_wire(&store, &Actor::CommandLine, wire_story(NOW), NOW).unwrap();
    assert!(matches!(first, Imported::New(_)));
    let again = import_wire(&store, &Actor::CommandLine, wire_story(NOW), NOW).unwrap();
    assert!(matches!(again, Imported::AlreadyThere(_)));
    let other = wire_story(NOW + Duration::hours(1));
    let Imported::New(other) = import_wire(&store, &Actor::CommandLine, other, NOW).unwrap() else {
        panic!("a different story with the same headline is new");
    };
    assert_eq!(other.content.slug.as_str(), "quake-hits-coast-2");
    assert_eq!(
        actions(&store),
        vec![
            (AuditAction::Import, "command line".into()),
            (AuditAction::Import, "command line".into())
        ]
    );
}

#[test]
fn a_ninjs_story_without_a_slug_gets_a_free_one_and_is_audited_when_stored() {
    let (_dir, store) = store();
    import_wire(&store, &Actor::CommandLine, wire_story(NOW), NOW).unwrap();
    let mut story = wire_story(NOW + Duration::hours(1));
    story.revision = 1;
    let outcome = import_ninjs(&store, &Actor::CommandLine, story.clone(), false, NOW).unwrap();
    assert_eq!(outcome, crate::storage::ImportOutcome::Created);
    let stored = store.story(story.id).unwrap().unwrap();
    assert_eq!(stored.content.slug.as_str(), "quake-hits-coast-2");
    let unchanged = import_ninjs(&store, &Actor::CommandLine, story, false, NOW).unwrap();
    assert_eq!(unchanged, crate::storage::ImportOutcome::Unchanged);
    assert_eq!(actions(&store).len(), 2);
}

// --- Saves merged with changes made meanwhile ---

/// An account of `role`, stored so the audit log can name it.
pub(super) fn account(store: &SledStore, name: &str, role: Role) -> Actor {
    let actor = user(name, role);
    if let Actor::User(user) = &actor {
        store.create_user(user).unwrap();
    }
    actor
}

fn stored_user(store: &SledStore, name: &str) -> Actor {
    account(store, name, Role::Editor)
}

fn form_of(story: &Story, body: &str) -> (StoryInput, StoryContent) {
    let mut input = StoryInput::from_story(story, &crate::domain::SiteZone::utc());
    input.body = body.into();
    let content = apply(&input, NOW.date(), &crate::domain::SiteZone::utc())
        .unwrap()
        .content;
    (input, content)
}

#[test]
fn a_public_story_published_over_a_newer_revision_keeps_the_publish_entry_and_notes_the_merge() {
    let (_dir, store) = store();
    let (ann, ben) = (
        stored_user(&store, "ann.lee"),
        stored_user(&store, "ben.cho"),
    );
    let first = save(&store, &ann, new(Step::Save), NOW).unwrap();
    let both = "First words.\n\nSecond words.";
    let (_, content) = form_of(&first, both);
    let start = save(&store, &ann, change(&first, content, Step::Save), NOW).unwrap();
    let (_, theirs) = form_of(&start, "First words, edited.\n\nSecond words.");
    save(&store, &ann, change(&start, theirs, Step::Save), NOW).unwrap();

    let (mine, content) = form_of(&start, "First words.\n\nSecond words, edited.");
    let outcome = save_merging(
        &store,
        &ben,
        change(&start, content, Step::Publish),
        &mine,
        NOW,
    )
    .unwrap();

    let Outcome::Saved { story, merged } = outcome else {
        panic!("expected a merged save");
    };
    assert_eq!(
        story.content.body.as_str(),
        "First words, edited.\n\nSecond words, edited."
    );
    assert!(story.is_public());
    assert_eq!(
        merged.unwrap().notice(),
        "Merged with ann.lee's changes to paragraph 1."
    );
    let log = store.audit_log(None, 10).unwrap();
    assert_eq!(log.len(), 1, "one entry for the one save");
    assert_eq!(log[0].action, AuditAction::Publish);
    assert_eq!(
        log[0].detail,
        "Talks end; merged with ann.lee's changes to paragraph 1"
    );
}

#[test]
fn a_form_that_names_no_revision_shows_every_difference_as_a_conflict_and_saves_nothing() {
    let (_dir, store) = store();
    let ann = stored_user(&store, "ann.lee");
    let first = save(&store, &ann, new(Step::Save), NOW).unwrap();
    let (mine, content) = form_of(&first, "Other words.");
    let mut edit = change(&first, content, Step::Save);
    edit.expected_revision = None;

    let outcome = save_merging(&store, &ann, edit, &mine, NOW).unwrap();

    let Outcome::Conflicts(unmerged) = outcome else {
        panic!("expected conflicts");
    };
    let parts: Vec<String> = unmerged
        .merge
        .conflicts()
        .iter()
        .map(|c| c.part.to_string())
        .collect();
    assert_eq!(parts, ["new paragraphs at the start"]);
    assert_eq!(unmerged.who(), "ann.lee");
    assert_eq!(store.story(first.id).unwrap().unwrap().revision, 1);
}

#[test]
fn a_save_on_the_stored_revision_is_not_a_merge() {
    let (_dir, store) = store();
    let first = save(&store, &editor(), new(Step::Save), NOW).unwrap();
    let (mine, content) = form_of(&first, "Other words.");
    let outcome = save_merging(
        &store,
        &editor(),
        change(&first, content, Step::Save),
        &mine,
        NOW,
    )
    .unwrap();
    assert!(matches!(outcome, Outcome::Saved { merged: None, .. }));
}

// --- Embargo -------------------------------------------------------------------------------------

const UNTIL: OffsetDateTime = datetime!(2026-06-02 06:00 UTC);

fn embargoed(step: Step) -> Edit {
    let mut edit = new(step);
    edit.content.embargo = Some(UNTIL);
    edit
}

fn admin() -> Actor {
    user("root.admin", Role::Admin)
}

fn error_keys(result: Result<Story, EditorialError>) -> Vec<&'static str> {
    match result {
        Err(EditorialError::Invalid(errors)) => errors.into_iter().map(|(key, _)| key).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn publishing_before_the_embargo_is_refused_with_the_offer_and_nothing_is_stored() {
    let (_dir, store) = store();
    let refused = save(&store, &editor(), embargoed(Step::Publish), NOW);
    assert_eq!(
        error_keys(refused),
        vec!["embargo", crate::domain::story_form::EMBARGO_OFFER]
    );
    let slug = Slug::parse("talks-end").unwrap();
    assert_eq!(store.story_by_slug(&slug).unwrap(), None);
}

#[test]
fn an_embargoed_draft_cannot_be_published_by_a_later_save_either() {
    let (_dir, store) = store();
    let draft = save(&store, &writer(), embargoed(Step::Save), NOW).unwrap();
    assert_eq!(draft.content.embargo, Some(UNTIL));
    let publish = change(&draft, draft.content.clone(), Step::Publish);
    assert!(matches!(
        save(&store, &editor(), publish, UNTIL - Duration::seconds(1)),
        Err(EditorialError::Invalid(_))
    ));
    let publish = change(&draft, draft.content.clone(), Step::Publish);
    let live = save(&store, &editor(), publish, UNTIL).unwrap();
    assert!(live.is_public(), "at the embargo time it may go out");
}

#[test]
fn scheduling_before_the_embargo_is_refused_and_at_the_embargo_accepted() {
    let (_dir, store) = store();
    let early = save(
        &store,
        &editor(),
        embargoed(Step::Schedule(UNTIL - Duration::minutes(1))),
        NOW,
    );
    assert!(error_keys(early).contains(&crate::domain::story_form::EMBARGO_OFFER));
    let scheduled = save(&store, &editor(), embargoed(Step::Schedule(UNTIL)), NOW).unwrap();
    assert_eq!(scheduled.status, Status::Scheduled(UNTIL));
}

#[test]
fn the_scheduler_publishes_an_embargoed_story_at_its_embargo_and_not_before() {
    let (_dir, store) = store();
    let story = save(&store, &editor(), embargoed(Step::Schedule(UNTIL)), NOW).unwrap();
    assert_eq!(
        publish_due(&store, UNTIL - Duration::seconds(1))
            .unwrap()
            .len(),
        0
    );
    assert!(!store.story(story.id).unwrap().unwrap().is_public());
    assert_eq!(publish_due(&store, UNTIL).unwrap().len(), 1);
    let live = store.story(story.id).unwrap().unwrap();
    assert_eq!(live.published_at, Some(UNTIL));
}

#[test]
fn an_embargo_moved_past_the_scheduled_time_is_refused() {
    let (_dir, store) = store();
    let story = save(&store, &editor(), embargoed(Step::Schedule(UNTIL)), NOW).unwrap();
    let mut later = story.content.clone();
    later.embargo = Some(UNTIL + Duration::hours(1));
    let refused = save(&store, &editor(), change(&story, later, Step::Save), NOW);
    assert_eq!(error_keys(refused), vec!["embargo"]);
}

#[test]
fn a_published_story_cannot_be_put_under_embargo() {
    let (_dir, store) = store();
    let story = published(&store);
    let mut held = story.content.clone();
    held.embargo = Some(UNTIL);
    let refused = save(&store, &editor(), change(&story, held, Step::Save), NOW);
    assert_eq!(error_keys(refused), vec!["embargo"]);
    assert!(store.story(story.id).unwrap().unwrap().is_public());
}

#[test]
fn an_embargo_that_has_passed_holds_nothing_back() {
    let (_dir, store) = store();
    let mut edit = new(Step::Publish);
    edit.content.embargo = Some(NOW - Duration::hours(1));
    assert!(save(&store, &editor(), edit, NOW).unwrap().is_public());
}

#[test]
fn setting_and_lifting_an_embargo_are_audited() {
    let (_dir, store) = store();
    let story = save(&store, &writer(), embargoed(Step::Save), NOW).unwrap();
    let mut lifted = story.content.clone();
    lifted.embargo = None;
    let later = NOW + Duration::hours(1);
    save(&store, &editor(), change(&story, lifted, Step::Save), later).unwrap();
    let log = store.audit_log(None, 10).unwrap();
    let entries: Vec<_> = log.iter().map(|e| (e.action, e.detail.as_str())).collect();
    assert_eq!(
        entries,
        vec![
            (AuditAction::Embargo, "Talks end; embargo lifted"),
            (
                AuditAction::Embargo,
                "Talks end; embargo until 2 June 2026, 06:00 (UTC)"
            ),
        ]
    );
}

#[test]
fn an_imported_story_under_embargo_is_scheduled_for_its_end_not_published() {
    let (_dir, store) = store();
    let mut wire = wire_story(NOW);
    wire.content.embargo = Some(UNTIL);
    let Imported::New(saved) = import_wire(&store, &Actor::CommandLine, wire, NOW).unwrap() else {
        panic!("a new wire story is saved");
    };
    assert_eq!(saved.status, Status::Scheduled(UNTIL));
    assert!(!saved.is_public());

    let mut feed = wire_story(NOW);
    feed.revision = 1;
    feed.content.slug = Slug::parse("feed-story").unwrap();
    feed.content.embargo = Some(UNTIL);
    import_ninjs(&store, &Actor::CommandLine, feed.clone(), true, NOW).unwrap();
    let stored = store.story(feed.id).unwrap().unwrap();
    assert_eq!(stored.status, Status::Scheduled(UNTIL));
    assert_eq!(stored.published_at, None);
}

// --- Withdrawal ----------------------------------------------------------------------------------

fn reason() -> WithdrawalReason {
    WithdrawalReason::parse("Court order of 2 June").unwrap()
}

#[test]
fn an_editor_withdraws_a_published_story_and_the_log_keeps_the_reason() {
    let (_dir, store) = store();
    let story = published(&store);
    let before = store.public_version().unwrap().generation;
    let later = NOW + Duration::hours(3);
    let withdrawn = withdraw(&store, &editor(), story.id, reason(), later).unwrap();
    assert_eq!(withdrawn.status, Status::Withdrawn(later));
    assert_eq!(withdrawn.withdrawal_reason, Some(reason()));
    assert!(!withdrawn.is_public());
    assert!(store.public_version().unwrap().generation > before);
    let entry = &store.audit_log(None, 1).unwrap()[0];
    assert_eq!(entry.action, AuditAction::Withdraw);
    assert_eq!(entry.detail, "Talks end; reason: Court order of 2 June");
}

#[test]
fn a_writer_may_not_withdraw_and_a_draft_cannot_be_withdrawn() {
    let (_dir, store) = store();
    let story = published(&store);
    assert!(matches!(
        withdraw(&store, &writer(), story.id, reason(), NOW),
        Err(EditorialError::NotAllowed(_))
    ));
    let mut other = embargoed(Step::Save);
    other.content = content("Talks resume", "Words.");
    let draft = save(&store, &editor(), other, NOW).unwrap();
    assert!(matches!(
        withdraw(&store, &editor(), draft.id, reason(), NOW),
        Err(EditorialError::NotAllowed(_))
    ));
}

#[test]
fn a_withdrawn_story_cannot_be_published_again_until_an_admin_reinstates_it() {
    let (_dir, store) = store();
    let story = published(&store);
    let withdrawn = withdraw(&store, &editor(), story.id, reason(), NOW).unwrap();
    let republish = change(&withdrawn, withdrawn.content.clone(), Step::Publish);
    assert_eq!(
        error_keys(save(&store, &editor(), republish, NOW)),
        vec!["form"]
    );
    assert!(matches!(
        reinstate(&store, &editor(), story.id, NOW),
        Err(EditorialError::NotAllowed(_))
    ));

    // Audit entries of the same instant have no order, so the reinstatement comes later.
    let later = NOW + Duration::hours(1);
    let back = reinstate(&store, &admin(), story.id, later).unwrap();
    assert_eq!(back.status, Status::Unpublished);
    assert_eq!(back.withdrawal_reason, None);
    assert_eq!(
        actions(&store)[0],
        (AuditAction::Reinstate, "root.admin".into())
    );
    let republish = change(&back, back.content.clone(), Step::Publish);
    assert!(save(&store, &editor(), republish, NOW).unwrap().is_public());
}

#[test]
fn a_withdrawn_story_is_listed_for_export_and_its_photo_known_as_gone() {
    let (_dir, store) = store();
    let story = published(&store);
    assert!(withdrawn(&store).unwrap().is_empty());
    withdraw(&store, &editor(), story.id, reason(), NOW).unwrap();
    let listed = withdrawn(&store).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, story.id);
    assert!(!shows_withdrawn_photo(&store, PhotoId::new()).unwrap());
}

mod staged;
