//! The review listings (`desk:review:*` and one per section) of a database made before they
//! existed: built once, when the database is opened, from the stories themselves.

use super::*;

impl SledStore {
    /// Gives every submitted story its review entries, unless the marker in `meta` says this
    /// was done. Runs before the store serves anyone, so no save races it. An entry already
    /// there is overwritten rather than counted again, so a run stopped part-way (before the
    /// marker is set) is simply run again on the next open. Costs one scan of the stories,
    /// once in a database's life; a new database sets the marker at once.
    pub(super) fn build_review_index(&self) -> Result<(), StoreError> {
        if self.meta.get(REVIEW_INDEX_BUILT)?.is_some() {
            return Ok(());
        }
        let mut added = 0usize;
        for item in self.stories.iter() {
            let (_, bytes) = item?;
            let story = decode_story(&bytes)?;
            let entries = review_entries_of(&story);
            if entries.is_empty() {
                continue;
            }
            let summary = encode_summary(&story.summary())?;
            let result: Result<(), TransactionError<StoreError>> =
                self.indexes.transaction(|indexes| {
                    for entry in &entries {
                        if indexes.get(entry.key())?.is_some() {
                            counted_index::overwrite(indexes, entry, &summary)?;
                        } else {
                            counted_index::insert(indexes, entry, &summary)?;
                        }
                    }
                    Ok(())
                });
            finish(result)?;
            added += 1;
        }
        self.meta.insert(REVIEW_INDEX_BUILT, &[1u8][..])?;
        self.db.flush()?;
        if added > 0 {
            tracing::info!(stories = added, "listed the stories waiting for review");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Section, Status};
    use crate::storage::StatusFilter;
    use crate::storage::codec::tests::sample_story;

    fn waiting_for_review(store: &SledStore, section: Option<Section>) -> Vec<StoryId> {
        let listing = Listing::Desk {
            status: Some(StatusFilter::ForReview),
            section,
        };
        store
            .listing(listing, PageNumber::FIRST, 10)
            .unwrap()
            .items
            .iter()
            .map(|s| s.id)
            .collect()
    }

    fn a_story(submitted: bool) -> Story {
        let mut story = sample_story();
        story.id = StoryId::new();
        story.content.slug = Slug::parse(&format!("story-{}", story.id)).unwrap();
        story.status = Status::Draft;
        story.submitted = submitted;
        story
    }

    /// What a database of an earlier release holds: the stories, without review entries or
    /// the marker.
    fn forget_the_review_index(store: &SledStore) {
        for key in store.indexes.scan_prefix(b"desk:review:").keys() {
            store.indexes.remove(key.unwrap()).unwrap();
        }
        store.meta.remove(REVIEW_INDEX_BUILT).unwrap();
        store.flush().unwrap();
    }

    #[test]
    fn a_submitted_story_is_listed_for_review_and_leaves_the_list_when_it_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path(), 1 << 20).unwrap();
        let story = store.save_story(&a_story(true), None).unwrap();
        store.save_story(&a_story(false), None).unwrap();
        assert_eq!(waiting_for_review(&store, None), vec![story.id]);
        assert_eq!(
            waiting_for_review(&store, Some(story.content.section)),
            vec![story.id]
        );

        let mut sent_back = story.clone();
        sent_back.submitted = false;
        store.save_story(&sent_back, Some(story.revision)).unwrap();
        assert!(waiting_for_review(&store, None).is_empty());
        assert!(waiting_for_review(&store, Some(story.content.section)).is_empty());
    }

    #[test]
    fn a_database_made_before_the_review_listings_gets_them_on_its_next_open_and_only_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path(), 1 << 20).unwrap();
        let submitted = store.save_story(&a_story(true), None).unwrap();
        store.save_story(&a_story(false), None).unwrap();
        forget_the_review_index(&store);
        assert!(waiting_for_review(&store, None).is_empty());
        drop(store);

        let store = SledStore::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(waiting_for_review(&store, None), vec![submitted.id]);
        assert_eq!(
            waiting_for_review(&store, Some(submitted.content.section)),
            vec![submitted.id]
        );
        assert!(store.meta.get(REVIEW_INDEX_BUILT).unwrap().is_some());
        drop(store);

        // Opened again, with the marker gone but the entries there: nothing is counted twice.
        let store = SledStore::open(dir.path(), 1 << 20).unwrap();
        store.meta.remove(REVIEW_INDEX_BUILT).unwrap();
        store.flush().unwrap();
        drop(store);
        let store = SledStore::open(dir.path(), 1 << 20).unwrap();
        let listing = Listing::Desk {
            status: Some(StatusFilter::ForReview),
            section: None,
        };
        let page = store.listing(listing, PageNumber::FIRST, 10).unwrap();
        assert_eq!(page.total_items, 1);
        assert_eq!(waiting_for_review(&store, None), vec![submitted.id]);
    }

    #[test]
    fn a_restored_site_lists_its_stories_waiting_for_review() {
        let data = tempfile::tempdir().unwrap();
        let store = SledStore::open(data.path(), 1 << 20).unwrap();
        let story = store.save_story(&a_story(true), None).unwrap();
        let holder = tempfile::tempdir().unwrap();
        store.backup(&holder.path().join("backup")).unwrap();
        // A directory a server was started on once, and so holds only the marker.
        let target = tempfile::tempdir().unwrap();
        drop(SledStore::open(target.path(), 1 << 20).unwrap());

        SledStore::restore(
            target.path(),
            &holder.path().join("backup"),
            1 << 20,
            Replace::OnlyEmpty,
        )
        .unwrap();

        let restored = SledStore::open(target.path(), 1 << 20).unwrap();
        assert_eq!(waiting_for_review(&restored, None), vec![story.id]);
        assert_eq!(
            waiting_for_review(&restored, Some(story.content.section)),
            vec![story.id]
        );
    }

    #[test]
    fn an_empty_database_with_the_review_listings_built_still_counts_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path(), 1 << 20).unwrap();
        assert!(store.meta.get(REVIEW_INDEX_BUILT).unwrap().is_some());
        assert!(!holds_data(&store.db).unwrap());
    }
}
