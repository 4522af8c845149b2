//! The sled backend's own behaviour: restores stopped at each point, revisions, audited saves.

use super::*;
use tempfile::TempDir;

/// A save and its audit entry in one transaction, as the editorial service makes them.
fn save_audited(
    store: &SledStore,
    story: &Story,
    expected: Option<u64>,
    event: &AuditEvent,
) -> Result<Story, StoreError> {
    crate::storage::transaction(store, |tx| {
        let saved = tx.save_story(story, expected)?;
        tx.record_audit(event)?;
        Ok(saved)
    })
}

/// A setting a backup may hold, standing for all the data.
const KEY: &str = "secret:edition";

/// A data directory whose database holds `edition`.
fn data_dir(edition: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path(), 1 << 20).unwrap();
    store.meta.insert(KEY, edition.as_bytes()).unwrap();
    store.flush().unwrap();
    dir
}

fn edition(dir: &Path) -> Option<String> {
    let store = SledStore::open(dir, 1 << 20).unwrap();
    let value = store.meta.get(KEY).unwrap();
    value.map(|v| String::from_utf8(v.to_vec()).unwrap())
}

/// A backup of a database holding `edition`, at `holder/backup`.
fn backup_of(edition: &str) -> (TempDir, PathBuf) {
    let data = data_dir(edition);
    let holder = tempfile::tempdir().unwrap();
    let path = holder.path().join("backup");
    SledStore::open(data.path(), 1 << 20)
        .unwrap()
        .backup(&path)
        .unwrap();
    (holder, path)
}

fn leftovers(dir: &Path) -> Vec<&'static str> {
    [DB_RESTORING, DB_REPLACED]
        .into_iter()
        .filter(|name| dir.join(name).exists())
        .collect()
}

#[test]
fn a_restore_replaces_the_database_and_leaves_nothing_beside_it() {
    let data = data_dir("old");
    let (_holder, backup) = backup_of("new");

    SledStore::restore(data.path(), &backup, 1 << 20, Replace::Anything).unwrap();

    assert_eq!(edition(data.path()).as_deref(), Some("new"));
    assert!(leftovers(data.path()).is_empty());
}

#[test]
fn a_restore_stopped_while_writing_leaves_the_old_data() {
    let data = data_dir("old");
    let staging = data.path().join(DB_RESTORING);
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join("half-written"), b"...").unwrap();

    assert_eq!(edition(data.path()).as_deref(), Some("old"));
    assert!(leftovers(data.path()).is_empty());
}

#[test]
fn a_restore_stopped_after_moving_the_old_data_aside_is_completed_on_open() {
    let data = data_dir("old");
    // A complete restored database, where the restore writes it.
    let restored = data_dir("new");
    std::fs::rename(restored.path().join(DB), data.path().join(DB_RESTORING)).unwrap();
    std::fs::rename(data.path().join(DB), data.path().join(DB_REPLACED)).unwrap();

    assert_eq!(edition(data.path()).as_deref(), Some("new"));
    assert!(leftovers(data.path()).is_empty());
}

#[test]
fn a_restore_stopped_before_removing_the_old_data_is_tidied_on_open() {
    let data = data_dir("new");
    let old = data_dir("old");
    std::fs::rename(old.path().join(DB), data.path().join(DB_REPLACED)).unwrap();

    assert_eq!(edition(data.path()).as_deref(), Some("new"));
    assert!(leftovers(data.path()).is_empty());
}

#[test]
fn a_database_made_beside_an_interrupted_restore_is_refused_not_removed() {
    let data = data_dir("made since");
    let restored = data_dir("new");
    let old = data_dir("old");
    std::fs::rename(restored.path().join(DB), data.path().join(DB_RESTORING)).unwrap();
    std::fs::rename(old.path().join(DB), data.path().join(DB_REPLACED)).unwrap();

    assert!(SledStore::open(data.path(), 1 << 20).is_err());
    assert_eq!(leftovers(data.path()), [DB_RESTORING, DB_REPLACED]);
}

#[test]
fn a_restore_that_may_only_fill_an_empty_directory_refuses_one_with_data() {
    let data = data_dir("old");
    let (_holder, backup) = backup_of("new");

    let refused = SledStore::restore(data.path(), &backup, 1 << 20, Replace::OnlyEmpty);

    assert!(matches!(refused, Err(StoreError::NotEmpty(_))));
    assert_eq!(edition(data.path()).as_deref(), Some("old"));
    let empty = tempfile::tempdir().unwrap();
    SledStore::restore(empty.path(), &backup, 1 << 20, Replace::OnlyEmpty).unwrap();
    assert_eq!(edition(empty.path()).as_deref(), Some("new"));
}

#[test]
fn a_restore_into_a_held_directory_is_refused_and_changes_nothing() {
    let data = data_dir("old");
    let (_holder, backup) = backup_of("new");
    let running = SledStore::open(data.path(), 1 << 20).unwrap();

    let refused = SledStore::restore(data.path(), &backup, 1 << 20, Replace::Anything);

    assert!(matches!(refused, Err(StoreError::Locked(_))));
    drop(running);
    assert_eq!(edition(data.path()).as_deref(), Some("old"));
}

fn store() -> (TempDir, SledStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path(), 1 << 20).unwrap();
    (dir, store)
}

fn publish_event(at: OffsetDateTime) -> AuditEvent {
    AuditEvent {
        at,
        actor: None,
        actor_name: "desk".into(),
        action: crate::domain::AuditAction::Publish,
        detail: "Talks end".into(),
    }
}

#[test]
fn a_story_at_the_last_revision_is_refused_rather_than_wrapped() {
    let (_dir, store) = store();
    let mut story = super::super::codec::tests::sample_story();
    story.revision = MAX_REVISION;
    assert_eq!(
        store.import_story_version(&story).unwrap(),
        ImportOutcome::Created
    );

    let refused = store.save_story(&story, Some(MAX_REVISION));

    assert!(matches!(
        refused,
        Err(StoreError::RevisionLimit(MAX_REVISION))
    ));
    assert_eq!(store.story_revisions(story.id).unwrap().len(), 1);
    assert_eq!(
        store.story(story.id).unwrap().unwrap().revision,
        MAX_REVISION
    );
}

#[test]
fn an_import_claiming_more_revisions_than_a_story_can_have_is_refused() {
    let (_dir, store) = store();
    let mut story = super::super::codec::tests::sample_story();
    for claimed in [MAX_REVISION + 1, u64::MAX] {
        story.revision = claimed;
        assert!(matches!(
            store.import_story_version(&story),
            Err(StoreError::RevisionLimit(r)) if r == claimed
        ));
    }
    assert!(store.story(story.id).unwrap().is_none());
}

#[test]
fn an_audited_save_stores_the_story_and_its_event_together() {
    let (_dir, store) = store();
    let story = super::super::codec::tests::sample_story();
    let event = publish_event(story.updated_at);

    let saved = save_audited(&store, &story, None, &event).unwrap();

    assert_eq!(saved.revision, 1);
    assert_eq!(store.audit_log(None, 10).unwrap(), [event]);
}

#[test]
fn an_audited_save_that_conflicts_records_no_event() {
    let (_dir, store) = store();
    let story = super::super::codec::tests::sample_story();
    let saved = store.save_story(&story, None).unwrap();
    store.save_story(&saved, Some(1)).unwrap();

    let stale = save_audited(&store, &saved, Some(1), &publish_event(story.updated_at));

    assert!(matches!(stale, Err(StoreError::Conflict { .. })));
    assert!(store.audit_log(None, 10).unwrap().is_empty());
}

/// A backup in the tree-dump format of earlier releases that passes its checksum but holds
/// `tree`/`key`/`value`.
fn backup_holding(tree: &str, key: &[u8], value: &[u8]) -> (TempDir, PathBuf) {
    let holder = tempfile::tempdir().unwrap();
    let path = holder.path().join("backup");
    let mut writer = backup::TreeDumpWriter::create(&path).unwrap();
    writer.record("meta", KEY.as_bytes(), b"new").unwrap();
    writer.record(tree, key, value).unwrap();
    writer.finish().unwrap();
    (holder, path)
}

#[test]
fn a_backup_with_an_undecodable_record_is_refused_and_changes_nothing() {
    let data = data_dir("old");
    let (_holder, backup) = backup_holding("stories", &[7; 16], b"\x01not a story");

    let refused = SledStore::restore(data.path(), &backup, 1 << 20, Replace::Anything);

    assert!(matches!(
        refused,
        Err(StoreError::UnreadableBackupRecord { ref tree, .. }) if tree == "stories"
    ));
    assert_eq!(edition(data.path()).as_deref(), Some("old"));
    assert!(leftovers(data.path()).is_empty());
}

#[test]
fn a_backup_with_an_absurd_index_counter_is_refused() {
    let data = data_dir("old");
    let counter = [&b"front\0"[..], &[8], &[0; 4]].concat();
    let (_holder, backup) = backup_holding("indexes", &counter, &(1u64 << 63).to_be_bytes());

    let refused = SledStore::restore(data.path(), &backup, 1 << 20, Replace::Anything);

    assert!(matches!(refused, Err(StoreError::DamagedBackup { .. })));
    assert_eq!(edition(data.path()).as_deref(), Some("old"));
}

#[test]
fn a_backup_with_an_absurd_public_version_or_a_stranger_tree_is_refused() {
    let data = data_dir("old");
    let mut version = [0u8; 16];
    version[..8].copy_from_slice(&(1u64 << 63).to_be_bytes());
    for (tree, key, value) in [
        ("meta", PUBLIC_VERSION, &version[..]),
        ("elsewhere", &b"k"[..], &b"v"[..]),
    ] {
        let (_holder, backup) = backup_holding(tree, key, value);
        let refused = SledStore::restore(data.path(), &backup, 1 << 20, Replace::Anything);
        assert!(matches!(refused, Err(StoreError::DamagedBackup { .. })));
    }
    assert_eq!(edition(data.path()).as_deref(), Some("old"));
}

#[test]
fn a_backup_of_a_database_with_stories_users_and_events_restores() {
    let (_dir, store) = store();
    let story = super::super::codec::tests::sample_story();
    let mut published = story.clone();
    published.status = crate::domain::Status::Published;
    published.published_at = Some(story.updated_at);
    save_audited(&store, &published, None, &publish_event(story.updated_at)).unwrap();
    let holder = tempfile::tempdir().unwrap();
    let path = holder.path().join("backup");
    store.backup(&path).unwrap();
    let restored_dir = tempfile::tempdir().unwrap();

    SledStore::restore(restored_dir.path(), &path, 1 << 20, Replace::OnlyEmpty).unwrap();

    let restored = SledStore::open(restored_dir.path(), 1 << 20).unwrap();
    assert_eq!(restored.story(story.id).unwrap().unwrap().revision, 1);
    assert_eq!(restored.audit_log(None, 10).unwrap().len(), 1);
    let front = restored
        .listing(Listing::Published, PageNumber::FIRST, 10)
        .unwrap();
    assert_eq!(front.total_items, 1);
}

#[test]
fn a_stored_secret_of_the_wrong_length_is_replaced_not_handed_out() {
    let (_dir, store) = store();
    store
        .meta
        .insert("secret:session-cookie-key", &b"short"[..])
        .unwrap();

    let key = store.secret("session-cookie-key", 64).unwrap();

    assert_eq!(key.len(), 64);
    assert_eq!(store.secret("session-cookie-key", 64).unwrap(), key);
}

#[test]
fn every_write_is_in_the_change_feed_saying_whether_readers_see_it() {
    let (_dir, store) = store();
    let mut story = super::super::codec::tests::sample_story();
    story.status = crate::domain::Status::Draft;
    let draft = store.save_story(&story, None).unwrap();
    let mut live = draft.clone();
    live.publish(draft.updated_at, None);
    let live = store.save_story(&live, Some(draft.revision)).unwrap();

    let changes = store.changes_after(0, 10).unwrap();

    let seen: Vec<_> = changes
        .iter()
        .map(|c| (c.seq, c.subject, c.public))
        .collect();
    let id = ChangeSubject::Story(live.id);
    assert_eq!(seen, [(1, id, false), (2, id, true)]);
    assert_eq!(store.public_version().unwrap().generation, 2);
    assert_eq!(store.changes_after(1, 10).unwrap(), changes[1..]);
}

#[test]
fn a_new_page_look_is_a_public_change_once() {
    let (_dir, store) = store();
    store.adopt_page_look("build-1").unwrap();
    let first = store.public_version().unwrap();
    store.adopt_page_look("build-1").unwrap();
    assert_eq!(
        store.public_version().unwrap(),
        first,
        "the same look again"
    );
    store.adopt_page_look("build-2").unwrap();
    assert!(store.public_version().unwrap().generation > first.generation);
    let last = store.changes_after(0, 10).unwrap().pop().unwrap();
    assert_eq!((last.subject, last.public), (ChangeSubject::Site, true));
}

#[test]
fn a_renewal_never_brings_back_an_ended_session() {
    let (_dir, store) = store();
    let session = crate::domain::Session {
        state: vec![("user".into(), "\"someone\"".into())],
        expires_at: time::macros::datetime!(2030-01-01 00:00 UTC),
        user: None,
        browser: String::new(),
        address: String::new(),
        last_seen: None,
    };
    let key = [7; 32];
    store.put_session(&key, &session).unwrap();
    let mut later = session.clone();
    later.expires_at += time::Duration::hours(1);
    assert!(store.renew_session(&key, &later).unwrap());
    assert_eq!(
        store.session(&key, session.expires_at).unwrap(),
        Some(later.clone())
    );

    store.delete_session(&key).unwrap();

    assert!(!store.renew_session(&key, &later).unwrap());
    assert_eq!(store.session(&key, session.expires_at).unwrap(), None);
}
