//! Who has a story's form open, as site records of [`RecordKind::Presence`] under
//! `STORY-ID/USER-ID`: kept in the database, not in one server's memory, so an editor on one
//! server sees a writer on another. Never public, never in backups. An entry is renewed by
//! every autosave or ping of the form and counts only until it expires (see
//! [`Presence::is_current`]); expired ones are deleted when a story's list is read.

use super::codec;
use super::records::{Expect, RecordKind};
use super::{Store, StoreError, transaction};
use crate::domain::{Presence, StoryId, UserId, Username};
use time::OffsetDateTime;

/// More people than this on one story's form are not listed.
const MAX_LISTED: usize = 50;

fn key(story: StoryId, user: UserId) -> String {
    format!("{story}/{user}")
}

/// Records that `user` has the form of `story` open at `now`.
pub fn mark_present(
    store: &dyn Store,
    story: StoryId,
    user: UserId,
    username: &Username,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let key = key(story, user);
    transaction(store, |tx| {
        let previous = match tx.site_record(RecordKind::Presence, &key)? {
            Some(record) => codec::decode_presence(&record.bytes).ok(),
            None => None,
        };
        let renewed = Presence::renewed(previous.as_ref(), user, username.clone(), now);
        let bytes = codec::encode_presence(&renewed)?;
        tx.put_site_record(RecordKind::Presence, &key, bytes, Expect::Any, false)?;
        Ok::<_, StoreError>(())
    })
}

/// Forgets that `user` has the form of `story` open (the form was left).
pub fn mark_absent(store: &dyn Store, story: StoryId, user: UserId) -> Result<(), StoreError> {
    let key = key(story, user);
    transaction(store, |tx| {
        tx.delete_site_record(RecordKind::Presence, &key, Expect::Any, false)?;
        Ok::<_, StoreError>(())
    })
}

/// Who has the form of `story` open at `now`, earliest first, deleting the entries that have
/// expired (an entry renewed meanwhile is left alone).
pub fn present(
    store: &dyn Store,
    story: StoryId,
    now: OffsetDateTime,
) -> Result<Vec<Presence>, StoreError> {
    let prefix = format!("{story}/");
    let records = store.site_records(RecordKind::Presence, &prefix, None, MAX_LISTED)?;
    let mut current = Vec::new();
    for record in records {
        match codec::decode_presence(&record.bytes) {
            Ok(p) if p.is_current(now) => current.push(p),
            // Expired or unreadable: it says nothing true any more.
            _ => {
                let pruned = transaction(store, |tx| {
                    tx.delete_site_record(
                        RecordKind::Presence,
                        &record.key,
                        Expect::Revision(record.revision),
                        false,
                    )?;
                    Ok::<_, StoreError>(())
                });
                match pruned {
                    Ok(()) | Err(StoreError::RecordConflict { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
    current.sort_by_key(|p| (p.since, p.username.to_string()));
    Ok(current)
}

/// [`present`] without `user`: who else has the form open.
pub fn others_present(
    store: &dyn Store,
    story: StoryId,
    user: UserId,
    now: OffsetDateTime,
) -> Result<Vec<Presence>, StoreError> {
    let mut all = present(store, story, now)?;
    all.retain(|p| p.user != user);
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::storage::{RecordStore, SledStore};
    use time::Duration;
    use time::macros::datetime;

    #[test]
    fn an_expired_presence_is_not_listed_and_is_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open_with_clock(dir.path(), 1 << 20, Clock::system()).unwrap();
        let story = StoryId::from_bytes([7; 16]);
        let (ann, bo) = (UserId::from_bytes([1; 16]), UserId::from_bytes([2; 16]));
        let at = datetime!(2026-12-08 10:42 UTC);
        mark_present(&store, story, ann, &Username::parse("ann.lee").unwrap(), at).unwrap();
        let later = at + Duration::minutes(3);
        mark_present(
            &store,
            story,
            bo,
            &Username::parse("bo.chen").unwrap(),
            later,
        )
        .unwrap();
        let listed = others_present(&store, story, bo, later).unwrap();
        assert!(listed.is_empty(), "{listed:?}");
        let left = store
            .site_records(RecordKind::Presence, "", None, 10)
            .unwrap();
        assert_eq!(left.len(), 1, "the expired entry was deleted");
        mark_absent(&store, story, bo).unwrap();
        assert!(present(&store, story, later).unwrap().is_empty());
    }
}
