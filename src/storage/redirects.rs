//! Old addresses of stories, as site records of [`RecordKind::Redirect`]: under
//! `story:OLD-SLUG`, the story that slug now leads to. Keyed by the story's id rather than its
//! new slug, so that every address a story ever had leads to wherever it is now: a chain of
//! renames collapses by itself. A retired slug stays reserved for its story: another story
//! cannot take it, the story itself may take it back (and the record goes).
//!
//! The rules of when an address is retired are the editorial service's; this module only
//! keeps the records.

use super::codec;
use super::records::{Expect, RecordKind, RecordStore};
use super::{StoreError, Transaction};
use crate::domain::{Slug, StoryId};
use time::OffsetDateTime;

/// The record key of a story's old slug. Other kinds of address (tags, say) take their own
/// prefix under the same kind.
pub fn story_key(slug: &Slug) -> String {
    format!("story:{slug}")
}

/// The story an old slug leads to, if it is a retired slug.
pub fn story_redirect(store: &dyn RecordStore, slug: &Slug) -> Result<Option<StoryId>, StoreError> {
    match store.site_record(RecordKind::Redirect, &story_key(slug))? {
        Some(record) => Ok(Some(codec::decode_redirect(&record.bytes)?.0)),
        None => Ok(None),
    }
}

/// Lets story `id` take `slug` as far as old addresses go: [`StoreError::SlugTaken`] when it
/// is another story's old slug; the story's own old slug is taken back, and no longer
/// redirects.
pub fn claim_story_slug(
    tx: &mut dyn Transaction,
    id: StoryId,
    slug: &Slug,
) -> Result<(), StoreError> {
    let key = story_key(slug);
    let Some(record) = tx.site_record(RecordKind::Redirect, &key)? else {
        return Ok(());
    };
    let (owner, _) = codec::decode_redirect(&record.bytes)?;
    if owner != id {
        return Err(StoreError::SlugTaken(slug.to_string()));
    }
    tx.delete_site_record(
        RecordKind::Redirect,
        &key,
        Expect::Revision(record.revision),
        true,
    )?;
    Ok(())
}

/// Makes `old` lead to story `id` from now on. Public: readers see a redirect where they saw
/// the story, so every server's cached pages move on.
pub fn retire_story_slug(
    tx: &mut dyn Transaction,
    old: &Slug,
    id: StoryId,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let key = story_key(old);
    let expect = match tx.site_record(RecordKind::Redirect, &key)? {
        Some(record) => Expect::Revision(record.revision),
        None => Expect::Absent,
    };
    let bytes = codec::encode_redirect(id, at)?;
    tx.put_site_record(RecordKind::Redirect, &key, bytes, expect, true)?;
    Ok(())
}
