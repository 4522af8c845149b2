//! The `story_photos` rows (every story's use of every photo) read for the desk, and rebuilt
//! for stories whose rows are missing or stale: every story of a database made before them,
//! and any story a release from before them has changed since.

use super::connection::get;
use super::story_write::update_photo_uses;
use super::*;
use crate::storage::photo_uses::{PhotoUse, StoryUsingPhoto};

/// Stories rebuilt in one transaction.
const BATCH: i64 = 500;

impl PgStore {
    /// Rebuilds the photo uses of stories whose rows were written for another revision than
    /// theirs. Called on open; a look at an empty partial index when there are none.
    pub(super) fn fill_missing_photo_uses(&self) -> Result<u64, StoreError> {
        let mut filled = 0;
        loop {
            let done = self.write(|tx| {
                let rows = tx.db.query(
                    "SELECT record FROM stories
                     WHERE photos_revision IS DISTINCT FROM revision ORDER BY id LIMIT $1",
                    &[&BATCH],
                )?;
                for row in &rows {
                    let story = decode_story(get(row, 0)?)?;
                    update_photo_uses(&mut tx.db, None, &story)?;
                }
                Ok(rows.len() as u64)
            })?;
            filled += done;
            if done < BATCH as u64 {
                break;
            }
        }
        if filled > 0 {
            tracing::info!(stories = filled, "recorded the photos every story uses");
        }
        Ok(filled)
    }
}

pub(super) fn stories_using<C: GenericClient>(
    db: &mut Db<'_, C>,
    id: PhotoId,
) -> Result<Vec<StoryUsingPhoto>, StoreError> {
    let rows = db.query(
        "SELECT s.summary, u.lead, u.inline, u.public
         FROM story_photos u JOIN stories s ON s.id = u.story
         WHERE u.photo = $1 ORDER BY u.story DESC",
        &[&uuid(id.to_bytes())],
    )?;
    rows.iter()
        .map(|row| {
            Ok(StoryUsingPhoto {
                story: decode_summary(get(row, 0)?)?,
                usage: PhotoUse {
                    lead: get(row, 1)?,
                    inline: get(row, 2)?,
                    public: get(row, 3)?,
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Body, LeadPhoto, Slug};
    use crate::storage::codec::tests::sample_story;
    use crate::storage::postgres::tests::TestDb;

    fn story_with(lead: PhotoId, body: &str) -> Story {
        let mut story = sample_story();
        story.id = StoryId::new();
        story.content.slug = Slug::parse(&format!("s-{}", Uuid::now_v7().simple())).unwrap();
        story.content.body = Body::parse(body).unwrap();
        story.content.photo = Some(LeadPhoto {
            image: Some(lead),
            ..story.content.photo.clone().unwrap()
        });
        story
    }

    #[test]
    fn a_database_from_before_story_photos_records_every_use_once_migrated() {
        let db = TestDb::new();
        let store = db.open();
        let (shown, drafted, inline) = (PhotoId::new(), PhotoId::new(), PhotoId::new());
        let mut published = story_with(shown, "Words.");
        published.publish(published.updated_at, None);
        store.save_story(&published, None).unwrap();
        let draft = story_with(drafted, &format!("Words.\n\n![A view](photo:{inline})"));
        store.save_story(&draft, None).unwrap();
        drop(store);
        // The database as schema 6 left it: `photo_uses` holds the public lead photo alone.
        db.client()
            .batch_execute(
                "DROP TABLE story_photos;
                 ALTER TABLE stories DROP COLUMN photos_revision;
                 DELETE FROM photo_uses;
                 DELETE FROM schema_migrations WHERE version >= 7;",
            )
            .unwrap();
        db.client()
            .execute(
                "INSERT INTO photo_uses (photo, story) VALUES ($1, $2)",
                &[&uuid(shown.to_bytes()), &uuid(published.id.to_bytes())],
            )
            .unwrap();

        let store = db.open();

        assert!(store.photo_is_public(shown).unwrap());
        assert!(!store.photo_is_public(drafted).unwrap());
        assert!(!store.photo_is_public(inline).unwrap());
        let users = store.stories_using_photo(inline).unwrap();
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].story.id, draft.id);
        assert_eq!(
            users[0].usage,
            PhotoUse {
                lead: false,
                inline: true,
                public: false
            }
        );
        assert_eq!(store.stories_using_photo(drafted).unwrap().len(), 1);
        let shown_by = store.stories_using_photo(shown).unwrap();
        assert_eq!(shown_by.len(), 1);
        assert!(shown_by[0].usage.public && shown_by[0].usage.lead);
        let stale: i64 = db
            .client()
            .query_one(
                "SELECT count(*) FROM stories WHERE photos_revision IS DISTINCT FROM revision",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(stale, 0);
    }
}
