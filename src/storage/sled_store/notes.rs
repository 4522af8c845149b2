//! The corrections listing: an index of the public notes of public stories, newest first,
//! kept in the `indexes` tree beside the story listings and written in the same transaction as
//! the story, so it never lists a note readers cannot see.
//!
//! An entry is a counted-index entry (see `counted_index`) under its own prefix, at the second
//! the note was added. Its 16 id bytes keep entries unique and in time order within that
//! second: the note's nanoseconds (4 bytes), the random end of the story id (8 bytes) and the
//! note's place among the story's notes (4 bytes). Its value names the note: the story id and
//! that place, so the page reads the note from the story record, never from a copy.

use super::StoreError;
use super::counted_index::{self, Entry};
use crate::domain::{Story, StoryId};
use crate::storage::index_ts;
use sled::transaction::{TransactionalTree, UnabortableTransactionError};

pub(super) fn prefix_notes() -> Vec<u8> {
    b"notes\0".to_vec()
}

/// The length of an entry's value: a story id and a note's place.
pub(super) const VALUE_LEN: usize = 20;

/// The entries a story has in the corrections listing: one per note while readers can see the
/// story, none otherwise (a draft, scheduled, unpublished or withdrawn story).
fn entries_of(story: &Story) -> Vec<(Entry, [u8; VALUE_LEN])> {
    if !story.is_public() {
        return Vec::new();
    }
    let id = story.id.to_bytes();
    story
        .notes
        .iter()
        .enumerate()
        .map(|(place, note)| {
            let place = u32::try_from(place).unwrap_or(u32::MAX).to_be_bytes();
            let mut entry_id = [0u8; 16];
            entry_id[..4].copy_from_slice(&note.at.nanosecond().to_be_bytes());
            entry_id[4..12].copy_from_slice(&id[8..]);
            entry_id[12..].copy_from_slice(&place);
            let mut value = [0u8; VALUE_LEN];
            value[..16].copy_from_slice(&id);
            value[16..].copy_from_slice(&place);
            let entry = Entry {
                prefix: prefix_notes(),
                ts: index_ts(note.at),
                id: entry_id,
            };
            (entry, value)
        })
        .collect()
}

/// Brings the listing from what it held of `old` (the story as stored before, if any) to
/// `new`, inside the story's transaction.
pub(super) fn update(
    indexes: &TransactionalTree,
    old: Option<&Story>,
    new: &Story,
) -> Result<(), UnabortableTransactionError> {
    let before = old.map(entries_of).unwrap_or_default();
    let after = entries_of(new);
    for (entry, _) in &before {
        if !after.iter().any(|(kept, _)| kept == entry) {
            counted_index::remove(indexes, entry)?;
        }
    }
    for (entry, value) in &after {
        if !before.iter().any(|(had, _)| had == entry) {
            counted_index::insert(indexes, entry, value)?;
        }
    }
    Ok(())
}

/// The story and the place of the note an entry's value names.
pub(super) fn decode_value(value: &[u8]) -> Result<(StoryId, usize), StoreError> {
    let bad = || StoreError::Inconsistent("a corrections entry of the wrong length".into());
    let (id, place) = value.split_at_checked(16).ok_or_else(bad)?;
    let id: [u8; 16] = id.try_into().map_err(|_| bad())?;
    let place: [u8; 4] = place.try_into().map_err(|_| bad())?;
    let place = usize::try_from(u32::from_be_bytes(place)).map_err(|_| bad())?;
    Ok((StoryId::from_bytes(id), place))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Body, Bylines, Headline, NoteKind, NoteText, PublicNote, Section, Status};
    use time::macros::datetime;

    fn story_with_notes(count: usize) -> Story {
        let mut story = Story::draft(
            Headline::parse("Talks end").unwrap(),
            Section::parse("world").unwrap(),
            Bylines::parse("Ann Lee").unwrap(),
            Body::parse("Words.").unwrap(),
            datetime!(2026-06-01 09:00 UTC),
        );
        story.publish(datetime!(2026-06-01 10:00 UTC), None);
        for _ in 0..count {
            story.notes.push(PublicNote {
                kind: NoteKind::Correction,
                text: NoteText::parse("Fixed.").unwrap(),
                // Notes added in the same instant still get an entry each.
                at: datetime!(2026-06-01 11:00:00.5 UTC),
            });
        }
        story
    }

    #[test]
    fn every_note_of_a_public_story_has_its_own_entry_naming_it() {
        let story = story_with_notes(2);
        let entries = entries_of(&story);
        assert_eq!(entries.len(), 2);
        assert_ne!(entries[0].0, entries[1].0);
        assert_eq!(decode_value(&entries[1].1).unwrap(), (story.id, 1));
    }

    #[test]
    fn a_story_readers_cannot_see_has_no_entries() {
        let mut story = story_with_notes(1);
        story.status = Status::Withdrawn(datetime!(2026-06-02 09:00 UTC));
        assert!(entries_of(&story).is_empty());
        story.status = Status::Unpublished;
        assert!(entries_of(&story).is_empty());
    }

    #[test]
    fn the_listing_follows_the_story_in_and_out_of_public_view() {
        use crate::domain::PageNumber;
        use crate::storage::SledStore;
        use crate::storage::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path(), 1 << 20).unwrap();
        let story = store.save_story(&story_with_notes(3), None).unwrap();
        let page = |n: u32| store.notes(PageNumber::new(n).unwrap(), 2);

        let first = page(1).unwrap();
        assert_eq!(first.total_items, 3);
        assert_eq!((first.paging.current, first.paging.total), (1, 2));
        assert_eq!(first.items.len(), 2);
        assert!(first.items.iter().all(|item| item.story.id == story.id));
        assert_eq!(page(2).unwrap().items.len(), 1);
        assert!(matches!(page(3), Err(StoreError::NotFound)));

        let mut unpublished = story.clone();
        unpublished.status = Status::Unpublished;
        let unpublished = store
            .save_story(&unpublished, Some(story.revision))
            .unwrap();
        assert_eq!(page(1).unwrap().total_items, 0);

        let mut again = unpublished.clone();
        again.status = Status::Published;
        store
            .save_story(&again, Some(unpublished.revision))
            .unwrap();
        assert_eq!(page(1).unwrap().total_items, 3);
    }

    #[test]
    fn a_restore_rebuilds_the_listing_from_the_stories() {
        use crate::domain::PageNumber;
        use crate::storage::prelude::*;
        use crate::storage::{Replace, SledStore};
        let data = tempfile::tempdir().unwrap();
        let store = SledStore::open(data.path(), 1 << 20).unwrap();
        let story = store.save_story(&story_with_notes(2), None).unwrap();
        let holder = tempfile::tempdir().unwrap();
        store.backup(&holder.path().join("backup")).unwrap();

        let dir = tempfile::tempdir().unwrap();
        SledStore::restore(
            dir.path(),
            &holder.path().join("backup"),
            1 << 20,
            Replace::OnlyEmpty,
        )
        .unwrap();
        let restored = SledStore::open(dir.path(), 1 << 20).unwrap();

        let page = restored.notes(PageNumber::FIRST, 10).unwrap();
        assert_eq!(page.total_items, 2);
        assert!(page.items.iter().all(|item| item.story.id == story.id));
    }

    #[test]
    fn a_value_of_the_wrong_length_is_inconsistent_not_a_panic() {
        assert!(decode_value(&[1, 2, 3]).is_err());
    }
}
