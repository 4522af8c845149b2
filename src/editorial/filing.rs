//! What a save files a story under besides its section: its tags get a record of their own
//! (the first time one is used), and its bylines are linked to the authors' profiles they name.
//! Both happen as the story is saved, so a later rename of a profile leaves the links alone.

use crate::domain::{AuthorLinks, Story, StoryContent};
use crate::storage::codec::{self, TagRecord};
use crate::storage::prelude::*;
use crate::storage::records::{Expect, RecordKind};
use crate::storage::{StoreError, Transaction};

/// Links the bylines of `content` to the profiles they name.
pub(crate) fn link_authors(
    store: &dyn Store,
    content: &mut StoryContent,
) -> Result<(), StoreError> {
    let profiles = crate::authors::all(store)?;
    content.byline_links = AuthorLinks::resolve(&content.bylines, &profiles);
    Ok(())
}

/// Gives every tag of `story` (live or pending) that has no record one, holding the name it
/// was first typed with, in the transaction that saves the story. A tag renamed or merged away
/// earlier and typed again is a tag again: its old address stops redirecting.
pub(crate) fn register_tags(tx: &mut dyn Transaction, story: &Story) -> Result<(), StoreError> {
    let pending = story.pending.iter().flat_map(|p| p.content.tags.iter());
    for tag in story.content.tags.iter().chain(pending) {
        if tx
            .site_record(RecordKind::Tag, tag.key().as_str())?
            .is_none()
        {
            let record = TagRecord {
                tag: tag.clone(),
                description: None,
            };
            tx.put_site_record(
                RecordKind::Tag,
                tag.key().as_str(),
                codec::encode_tag(&record)?,
                // Read in this transaction: no other one writes between the read and this.
                Expect::Any,
                false,
            )?;
            crate::tags::clear_redirect(tx, tag.key())?;
        }
    }
    Ok(())
}
