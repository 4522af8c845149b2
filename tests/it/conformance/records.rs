//! Site records: compare-and-swap writes, listing by prefix, the public version, backups.

use crate::helpers::TestSite;
use newsroom::storage::{Expect, RecordKind, SiteRecord, StoreError, transaction};

fn put(
    store: &dyn newsroom::storage::Store,
    kind: RecordKind,
    key: &str,
    bytes: &[u8],
    expect: Expect,
    public: bool,
) -> Result<u64, StoreError> {
    transaction(store, |tx| {
        tx.put_site_record(kind, key, bytes.to_vec(), expect, public)
    })
}

pub fn a_record_is_written_once_and_then_only_over_the_revision_read(site: &TestSite) {
    let store = site.open();
    let kind = RecordKind::Tag;
    assert_eq!(store.site_record(kind, "syria").unwrap(), None);
    assert_eq!(
        put(&*store, kind, "syria", b"one", Expect::Absent, false).unwrap(),
        1
    );
    // A second creation, and a write over a revision that is gone, are conflicts.
    let again = put(&*store, kind, "syria", b"two", Expect::Absent, false);
    assert!(
        matches!(
            again,
            Err(StoreError::RecordConflict {
                current: Some(1),
                ..
            })
        ),
        "{again:?}"
    );
    assert_eq!(
        put(&*store, kind, "syria", b"two", Expect::Revision(1), false).unwrap(),
        2
    );
    let stale = put(&*store, kind, "syria", b"three", Expect::Revision(1), false);
    assert!(matches!(
        stale,
        Err(StoreError::RecordConflict {
            current: Some(2),
            ..
        })
    ));
    assert_eq!(
        store.site_record(kind, "syria").unwrap(),
        Some(SiteRecord {
            key: "syria".into(),
            revision: 2,
            bytes: b"two".to_vec()
        })
    );
    // The same key of another kind is another record.
    assert_eq!(
        store.site_record(RecordKind::Author, "syria").unwrap(),
        None
    );
    assert_eq!(
        put(&*store, kind, "syria", b"any", Expect::Any, false).unwrap(),
        3
    );
    // A delete expecting an older revision changes nothing; one expecting the current deletes.
    let deleted = transaction(&*store, |tx| {
        tx.delete_site_record(kind, "syria", Expect::Revision(2), false)
    });
    assert!(matches!(deleted, Err(StoreError::RecordConflict { .. })));
    assert!(
        transaction(&*store, |tx| tx.delete_site_record(
            kind,
            "syria",
            Expect::Revision(3),
            false
        ))
        .unwrap()
    );
    assert_eq!(store.site_record(kind, "syria").unwrap(), None);
    assert!(
        !transaction(&*store, |tx| tx.delete_site_record(
            kind,
            "syria",
            Expect::Any,
            false
        ))
        .unwrap()
    );
    // Keys are checked.
    assert!(put(&*store, kind, "", b"x", Expect::Any, false).is_err());
    assert!(put(&*store, kind, "a\0b", b"x", Expect::Any, false).is_err());
}

pub fn a_transaction_sees_its_own_record_writes_and_stores_all_or_none(site: &TestSite) {
    let store = site.open();
    let kind = RecordKind::Redirect;
    let revisions = transaction(&*store, |tx| {
        let first = tx.put_site_record(kind, "old", b"a".to_vec(), Expect::Absent, false)?;
        let seen = tx.site_record(kind, "old")?.map(|r| (r.revision, r.bytes));
        let second = tx.put_site_record(kind, "old", b"b".to_vec(), Expect::Revision(1), false)?;
        Ok::<_, StoreError>((first, seen, second))
    })
    .unwrap();
    assert_eq!(revisions, (1, Some((1, b"a".to_vec())), 2));
    assert_eq!(store.site_record(kind, "old").unwrap().unwrap().revision, 2);
    // A transaction whose work fails stores none of its writes.
    let failed: Result<(), StoreError> = transaction(&*store, |tx| {
        tx.put_site_record(kind, "new", b"c".to_vec(), Expect::Absent, false)?;
        tx.put_site_record(kind, "old", b"d".to_vec(), Expect::Revision(1), false)?;
        Ok(())
    });
    assert!(matches!(failed, Err(StoreError::RecordConflict { .. })));
    assert_eq!(store.site_record(kind, "new").unwrap(), None);
    assert_eq!(store.site_record(kind, "old").unwrap().unwrap().bytes, b"b");
}

pub fn records_list_in_key_order_by_prefix_from_a_key(site: &TestSite) {
    let store = site.open();
    let kind = RecordKind::Incoming;
    for key in ["b/2", "a/1", "b/1", "b/10", "c", "b"] {
        put(&*store, kind, key, key.as_bytes(), Expect::Absent, false).unwrap();
    }
    put(
        &*store,
        RecordKind::Tag,
        "b/0",
        b"other kind",
        Expect::Absent,
        false,
    )
    .unwrap();
    let keys = |prefix: &str, after: Option<&str>, limit: usize| -> Vec<String> {
        store
            .site_records(kind, prefix, after, limit)
            .unwrap()
            .into_iter()
            .map(|r| r.key)
            .collect()
    };
    assert_eq!(keys("", None, 100), ["a/1", "b", "b/1", "b/10", "b/2", "c"]);
    assert_eq!(keys("b/", None, 100), ["b/1", "b/10", "b/2"]);
    assert_eq!(keys("b/", Some("b/1"), 100), ["b/10", "b/2"]);
    assert_eq!(keys("b/", None, 2), ["b/1", "b/10"]);
    assert_eq!(keys("", Some("b/2"), 100), ["c"]);
    assert!(keys("d", None, 100).is_empty());
}

pub fn a_public_record_write_moves_the_public_version_and_a_desk_one_does_not(site: &TestSite) {
    let store = site.open();
    let before = store.public_version().unwrap();
    put(
        &*store,
        RecordKind::Presence,
        "s/u",
        b"x",
        Expect::Any,
        false,
    )
    .unwrap();
    assert_eq!(store.public_version().unwrap(), before);
    put(
        &*store,
        RecordKind::FrontPage,
        "front",
        b"x",
        Expect::Absent,
        true,
    )
    .unwrap();
    let after = store.public_version().unwrap();
    assert!(
        after.generation > before.generation,
        "{before:?} -> {after:?}"
    );
}

pub fn records_are_in_backups_but_presence_is_not(site: &TestSite) {
    let store = site.open();
    put(
        &*store,
        RecordKind::Section,
        "world",
        b"World",
        Expect::Absent,
        true,
    )
    .unwrap();
    put(
        &*store,
        RecordKind::Section,
        "world",
        b"World!",
        Expect::Revision(1),
        true,
    )
    .unwrap();
    put(
        &*store,
        RecordKind::Author,
        "ann-lee",
        b"Ann",
        Expect::Absent,
        false,
    )
    .unwrap();
    put(
        &*store,
        RecordKind::Presence,
        "s/u",
        b"here",
        Expect::Absent,
        false,
    )
    .unwrap();
    let dir = site.path().join("backup");
    let summary = store.backup(&dir).unwrap();
    assert_eq!(summary.of("site records"), 2);
    let target = TestSite::on(site.engine());
    let copy = target.open();
    copy.restore_backup(&dir).unwrap();
    assert_eq!(
        copy.site_record(RecordKind::Section, "world").unwrap(),
        store.site_record(RecordKind::Section, "world").unwrap()
    );
    assert_eq!(
        copy.site_record(RecordKind::Section, "world")
            .unwrap()
            .unwrap()
            .revision,
        2
    );
    assert!(
        copy.site_record(RecordKind::Author, "ann-lee")
            .unwrap()
            .is_some()
    );
    assert_eq!(copy.site_record(RecordKind::Presence, "s/u").unwrap(), None);
}
