//! The `photo_uses` tree: how every story uses every photo, read for readers' access and for
//! the desk, and built once for a database made before it held more than public lead photos.

use super::*;
use crate::storage::codec::{decode_photo_use, encode_photo_use};
use crate::storage::photo_uses::{self, PhotoUse, StoryUsingPhoto};

impl SledStore {
    /// Fills `photo_uses` from every stored story, in place of the public lead photos (with no
    /// value) that databases made before held, unless that was done already. Runs on open,
    /// before anything is served; a stop part-way leaves the marker unset, so it runs again.
    pub(super) fn build_photo_uses(&self) -> Result<(), StoreError> {
        if self.meta.get(PHOTO_USES_BUILT)?.is_some() {
            return Ok(());
        }
        self.photo_uses.clear()?;
        let mut stories = 0usize;
        for item in self.stories.iter() {
            let (_, bytes) = item?;
            let story = decode_story(&bytes)?;
            let uses = photo_uses::uses_of(&story);
            for (photo, usage) in &uses {
                self.photo_uses.insert(
                    photo_use_key(*photo, story.id),
                    &encode_photo_use(*usage)[..],
                )?;
            }
            stories += usize::from(!uses.is_empty());
        }
        self.meta.insert(PHOTO_USES_BUILT, &[1u8][..])?;
        self.db.flush()?;
        if stories > 0 {
            tracing::info!(stories, "recorded the photos every story uses");
        }
        Ok(())
    }

    /// The stories using photo `id` and how, by story id.
    fn uses_of_photo(&self, id: PhotoId) -> Result<Vec<(StoryId, PhotoUse)>, StoreError> {
        let mut out = Vec::new();
        for item in self.photo_uses.scan_prefix(id.to_bytes()) {
            let (key, value) = item?;
            let story =
                key.get(16..).map(id_bytes).transpose()?.ok_or_else(|| {
                    StoreError::Inconsistent("a photo use without a story".into())
                })?;
            out.push((StoryId::from_bytes(story), decode_photo_use(&value)?));
        }
        Ok(out)
    }

    pub(super) fn photo_is_shown(&self, id: PhotoId) -> Result<bool, StoreError> {
        Ok(self
            .uses_of_photo(id)?
            .iter()
            .any(|(_, usage)| usage.public))
    }

    /// One point read of a story per use.
    pub(super) fn stories_using(&self, id: PhotoId) -> Result<Vec<StoryUsingPhoto>, StoreError> {
        let mut out = Vec::new();
        for (story, usage) in self.uses_of_photo(id)?.into_iter().rev() {
            // A use is written with its story: one without is a story deleted by hand.
            if let Some(story) = self.story(story)? {
                out.push(StoryUsingPhoto {
                    story: story.summary(),
                    usage,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Body, LeadPhoto, Status};
    use crate::storage::codec::tests::sample_story;

    fn with_lead(mut story: Story, photo: PhotoId) -> Story {
        story.id = StoryId::new();
        story.content.slug = Slug::parse(&format!("story-{}", story.id)).unwrap();
        story.content.photo = Some(LeadPhoto {
            image: Some(photo),
            ..story.content.photo.clone().unwrap()
        });
        story
    }

    #[test]
    fn a_database_from_before_photo_uses_said_how_is_rebuilt_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let (shown, drafted, inline) = (PhotoId::new(), PhotoId::new(), PhotoId::new());
        let (published, draft) = {
            let store = SledStore::open(dir.path(), 1 << 20).unwrap();
            let mut published = with_lead(sample_story(), shown);
            published.status = Status::Published;
            published.published_at = Some(published.updated_at);
            let published = store.save_story(&published, None).unwrap();
            let mut draft = with_lead(sample_story(), drafted);
            draft.content.body =
                Body::parse(&format!("Text.\n\n![A view](photo:{inline})")).unwrap();
            let draft = store.save_story(&draft, None).unwrap();
            // What a release before wrote: the public lead photo alone, with no value.
            store.photo_uses.clear().unwrap();
            store
                .photo_uses
                .insert(photo_use_key(shown, published.id), &[])
                .unwrap();
            store.meta.remove(PHOTO_USES_BUILT).unwrap();
            store.flush().unwrap();
            (published, draft)
        };

        let store = SledStore::open(dir.path(), 1 << 20).unwrap();

        assert!(store.photo_is_public(shown).unwrap());
        assert!(!store.photo_is_public(drafted).unwrap());
        assert!(!store.photo_is_public(inline).unwrap());
        let users = store.stories_using_photo(shown).unwrap();
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].story.id, published.id);
        assert_eq!(
            users[0].usage,
            PhotoUse {
                lead: true,
                inline: false,
                public: true
            }
        );
        let users = store.stories_using_photo(inline).unwrap();
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].story.id, draft.id);
        assert!(users[0].usage.inline && !users[0].usage.public);
        assert_eq!(store.stories_using_photo(drafted).unwrap().len(), 1);
    }
}
