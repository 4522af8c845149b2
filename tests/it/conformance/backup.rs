//! A backup and its restore.

use super::accounts::user;
use super::photos::{photo, save};
use super::{at, draft, published};
use crate::helpers::TestSite;
use newsroom::domain::{AuditAction, AuditEvent, Autosave, PageNumber, Role, Story};
use newsroom::storage::{Listing, PhotoBlob, Store};

/// Every story with every revision of it, by id.
fn stories(store: &dyn Store) -> Vec<(Story, Vec<Story>)> {
    let desk = Listing::Desk {
        status: None,
        section: None,
    };
    let mut out: Vec<(Story, Vec<Story>)> = store
        .listing(desk, PageNumber::FIRST, 1000)
        .unwrap()
        .items
        .iter()
        .map(|s| {
            (
                store.story(s.id).unwrap().unwrap(),
                store.story_revisions(s.id).unwrap(),
            )
        })
        .collect();
    out.sort_by_key(|(story, _)| story.id);
    out
}

pub fn a_backup_restored_into_an_empty_store_gives_the_same_records(site: &TestSite) {
    let store = site.open();
    let editor = user("night.editor", Role::Editor);
    store.create_user(&editor).unwrap();
    store.create_user(&user("boss", Role::Admin)).unwrap();
    let first = store
        .save_story(&published("Talks begin", "world", 0), None)
        .unwrap();
    let mut edited = first.clone();
    edited.content.body = newsroom::domain::Body::parse("A second revision.").unwrap();
    store.save_story(&edited, Some(first.revision)).unwrap();
    store
        .save_story(&draft("A draft", "business", 1), None)
        .unwrap();
    store
        .record_audit(&AuditEvent {
            at: at(2),
            actor: Some(editor.id),
            actor_name: "night.editor".into(),
            action: AuditAction::UserCreated,
            detail: "boss".into(),
        })
        .unwrap();
    let photo = save(&*store, &photo(9));
    let copy = Autosave {
        saved_at: at(3),
        fields: vec![("headline".into(), "Unsaved".into())],
    };
    store
        .put_autosave(editor.id, Some(first.id), &copy)
        .unwrap();
    let secret = store.secret("signing", 32).unwrap();
    let backup_dir = site.path().join("backup");

    let summary = store.backup(&backup_dir).unwrap();

    assert!(summary.records() > 0);
    let target = TestSite::on(site.engine());
    let copy_store = target.open();
    let restored = copy_store.restore_backup(&backup_dir).unwrap();
    assert_eq!(restored.records(), summary.records());
    assert_eq!(stories(&*copy_store), stories(&*store));
    assert_eq!(copy_store.users().unwrap(), store.users().unwrap());
    assert_eq!(
        copy_store.audit_log(None, 100).unwrap(),
        store.audit_log(None, 100).unwrap()
    );
    assert_eq!(copy_store.photo(photo.id).unwrap(), Some(photo.clone()));
    for which in [
        PhotoBlob::Original,
        PhotoBlob::Rendition(320),
        PhotoBlob::Rendition(1024),
        PhotoBlob::Crop(newsroom::domain::Aspect::Wide, photo.focal),
        PhotoBlob::Crop(newsroom::domain::Aspect::Square, photo.focal),
    ] {
        assert_eq!(
            copy_store.photo_blob(photo.id, which).unwrap(),
            store.photo_blob(photo.id, which).unwrap(),
            "{which:?}"
        );
    }
    assert_eq!(
        copy_store.autosave(editor.id, Some(first.id)).unwrap(),
        Some(copy)
    );
    assert_eq!(copy_store.secret("signing", 32).unwrap(), secret);
}
