//! Tags as the desk manages them (`/desk/tags`): every tag with how many stories carry it,
//! renaming one and merging one into another. Each tag has a record of kind `Tag` under its key
//! holding the name readers see (written by the first save that uses the tag, see
//! `editorial::filing`). A tag whose key changes (renamed to a name with another key, or merged
//! away) leaves a record of kind `Redirect` under `tag:OLD` naming the new key, so `/tag/OLD`
//! answers 301 to `/tag/NEW` for good; every story carrying it is saved again with the new tag,
//! each at a new revision, in one transaction with the records and the audit entry.

use crate::accounts::Actor;
use crate::domain::{AuditAction, AuditEvent, PageNumber, Slug, Tag, Tags};
use crate::storage::codec::{self, TagRecord};
use crate::storage::prelude::*;
use crate::storage::records::{Expect, RecordKind};
use crate::storage::{self, Listing, StoreError, Transaction};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TagError {
    #[error("there is no tag {0:?}")]
    Unknown(String),
    #[error("a tag cannot be merged into itself")]
    Itself,
    #[error("the tags were changed by someone else meanwhile; try again")]
    Conflict,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for TagError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::RecordConflict { .. } | StoreError::Conflict { .. } => TagError::Conflict,
            other => TagError::Store(other),
        }
    }
}

/// A tag on the desk's list.
#[derive(Debug, Clone)]
pub struct TagUse {
    pub tag: Tag,
    pub description: Option<String>,
    /// Stories readers can see under it.
    pub published: u64,
    /// Stories of any status carrying it.
    pub stories: u64,
}

/// The redirect key of tag `key`'s old address.
pub fn redirect_key(key: &Slug) -> String {
    format!("tag:{key}")
}

/// Deletes the redirect away from `key`, if any: `key` is a tag again (a rename or merge into
/// it, or a story tagged with it anew), and an old redirect away from it would hide its page.
pub(crate) fn clear_redirect(tx: &mut dyn Transaction, key: &Slug) -> Result<(), StoreError> {
    let redirect = redirect_key(key);
    if let Some(r) = tx.site_record(RecordKind::Redirect, &redirect)? {
        tx.delete_site_record(
            RecordKind::Redirect,
            &redirect,
            Expect::Revision(r.revision),
            true,
        )?;
    }
    Ok(())
}

/// The tag's record, if it has one.
pub fn record(store: &dyn Store, key: &Slug) -> Result<Option<TagRecord>, StoreError> {
    store
        .site_record(RecordKind::Tag, key.as_str())?
        .map(|r| Ok(codec::decode_tag(&r.key, &r.bytes)?))
        .transpose()
}

/// Where `/tag/KEY` has gone, when the tag was renamed or merged away.
pub fn moved_to(store: &dyn Store, key: &Slug) -> Result<Option<Slug>, StoreError> {
    store
        .site_record(RecordKind::Redirect, &redirect_key(key))?
        .map(|r| Ok(codec::decode_key_redirect(&r.bytes)?))
        .transpose()
}

const STEP: usize = 500;

/// Every tag's record, by key.
pub fn all(store: &dyn Store) -> Result<Vec<TagRecord>, StoreError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let records = store.site_records(RecordKind::Tag, "", after.as_deref(), STEP)?;
        let done = records.len() < STEP;
        after = records.last().map(|r| r.key.clone());
        for r in records {
            out.push(codec::decode_tag(&r.key, &r.bytes)?);
        }
        if done {
            return Ok(out);
        }
    }
}

/// Every tag with its story counts, by name.
pub fn uses(store: &dyn Store) -> Result<Vec<TagUse>, StoreError> {
    let mut out = Vec::new();
    for record in all(store)? {
        let key = record.tag.key().clone();
        let count = |listing| {
            store
                .listing(listing, PageNumber::FIRST, 1)
                .map(|p| p.total_items)
        };
        out.push(TagUse {
            published: count(Listing::Tag(key.clone()))?,
            stories: count(Listing::DeskTag(key))?,
            tag: record.tag,
            description: record.description,
        });
    }
    out.sort_by_key(|u| u.tag.name().to_lowercase());
    Ok(out)
}

/// Renames tag `key` to `name`. A name with the same key only changes how the tag is written;
/// one with another key moves the tag there (merging it into a tag of that key if there is
/// one), leaving the old address redirecting.
pub fn rename(store: &dyn Store, actor: &Actor, key: &Slug, name: &Tag) -> Result<Tag, TagError> {
    let old = record(store, key)?.ok_or_else(|| TagError::Unknown(key.to_string()))?;
    let new = Tag::with_key(name.name(), name.key().clone())
        .map_err(|_| TagError::Unknown(name.to_string()))?;
    let detail = format!("renamed {:?} to {:?}", old.tag.name(), new.name());
    change(store, actor, &old.tag, &new, detail)?;
    Ok(new)
}

/// Merges tag `from` into tag `into`: stories carrying `from` carry `into` instead, and
/// `/tag/FROM` redirects to `/tag/INTO`.
pub fn merge(store: &dyn Store, actor: &Actor, from: &Slug, into: &Slug) -> Result<Tag, TagError> {
    if from == into {
        return Err(TagError::Itself);
    }
    let old = record(store, from)?.ok_or_else(|| TagError::Unknown(from.to_string()))?;
    let new = record(store, into)?.ok_or_else(|| TagError::Unknown(into.to_string()))?;
    let detail = format!("merged {:?} into {:?}", old.tag.name(), new.tag.name());
    change(store, actor, &old.tag, &new.tag, detail)?;
    Ok(new.tag)
}

/// Makes every story carrying `old` carry `new`, and the records follow.
fn change(
    store: &dyn Store,
    actor: &Actor,
    old: &Tag,
    new: &Tag,
    detail: String,
) -> Result<(), TagError> {
    let event = AuditEvent {
        at: actor.at,
        actor: actor.id,
        actor_name: actor.name.clone(),
        action: AuditAction::TagChanged,
        detail,
    };
    let carrying = carrying(store, old.key())?;
    storage::transaction(store, |tx| {
        for id in &carrying {
            let Some(story) = tx.story(*id)? else {
                continue;
            };
            let mut changed = story.clone();
            let live = retag(&mut changed.content.tags, old, new);
            let pending = changed
                .pending
                .as_mut()
                .is_some_and(|p| retag(&mut p.content.tags, old, new));
            if live || pending {
                tx.save_story(&changed, Some(story.revision))?;
            }
        }
        move_records(tx, old, new)?;
        tx.record_audit(&event)?;
        Ok::<_, StoreError>(())
    })?;
    if old.key() != new.key() {
        repoint(store, old.key(), new.key())?;
    }
    Ok(())
}

/// The stories carrying tag `key`, whatever their status.
fn carrying(store: &dyn Store, key: &Slug) -> Result<Vec<crate::domain::StoryId>, StoreError> {
    let mut ids = Vec::new();
    let mut page = PageNumber::FIRST;
    loop {
        let found = match store.listing(Listing::DeskTag(key.clone()), page, 200) {
            Ok(found) => found,
            Err(StoreError::NotFound) => break,
            Err(e) => return Err(e),
        };
        ids.extend(found.items.iter().map(|s| s.id));
        match found.paging.next().and_then(PageNumber::new) {
            Some(next) => page = next,
            None => break,
        }
    }
    Ok(ids)
}

/// Replaces `old` with `new` in `tags`, in its place (dropped if `new` is already there).
/// True when `tags` held `old`.
fn retag(tags: &mut Tags, old: &Tag, new: &Tag) -> bool {
    if !tags.iter().any(|t| t.key() == old.key()) {
        return false;
    }
    let replaced: Vec<Tag> = tags
        .iter()
        .map(|t| {
            if t.key() == old.key() {
                new.clone()
            } else {
                t.clone()
            }
        })
        .collect();
    // `Tags::new` keeps the first of two with one key; at most as many as before.
    if let Ok(retagged) = Tags::new(replaced) {
        *tags = retagged;
    }
    true
}

/// The new tag's record holds its name; the old one's goes, leaving a redirect to the new key
/// (and redirects that led to the old key lead to the new one).
fn move_records(tx: &mut dyn Transaction, old: &Tag, new: &Tag) -> Result<(), StoreError> {
    let put_tag =
        |tx: &mut dyn Transaction, description: Option<String>| -> Result<(), StoreError> {
            let current = tx.site_record(RecordKind::Tag, new.key().as_str())?;
            let description = match (&current, description) {
                (Some(r), None) => codec::decode_tag(&r.key, &r.bytes)?.description,
                (_, d) => d,
            };
            let bytes = codec::encode_tag(&TagRecord {
                tag: new.clone(),
                description,
            })?;
            let expect = current.map_or(Expect::Absent, |r| Expect::Revision(r.revision));
            tx.put_site_record(RecordKind::Tag, new.key().as_str(), bytes, expect, true)?;
            Ok(())
        };
    if old.key() == new.key() {
        return put_tag(tx, None);
    }
    let old_record = tx.site_record(RecordKind::Tag, old.key().as_str())?;
    let old_description = old_record
        .as_ref()
        .map(|r| codec::decode_tag(&r.key, &r.bytes))
        .transpose()?
        .and_then(|r| r.description);
    let new_exists = tx
        .site_record(RecordKind::Tag, new.key().as_str())?
        .is_some();
    put_tag(tx, if new_exists { None } else { old_description })?;
    if let Some(r) = old_record {
        tx.delete_site_record(
            RecordKind::Tag,
            old.key().as_str(),
            Expect::Revision(r.revision),
            true,
        )?;
    }
    clear_redirect(tx, new.key())?;
    let bytes = codec::encode_key_redirect(new.key())?;
    let old_redirect = redirect_key(old.key());
    let expect = tx
        .site_record(RecordKind::Redirect, &old_redirect)?
        .map_or(Expect::Absent, |r| Expect::Revision(r.revision));
    tx.put_site_record(RecordKind::Redirect, &old_redirect, bytes, expect, true)?;
    Ok(())
}

/// Redirects that led to `old` and should now lead to `new`, found outside the transaction
/// (the store lists records; a transaction reads them one by one).
pub fn repoint(store: &dyn Store, old: &Slug, new: &Slug) -> Result<(), StoreError> {
    let records = store.site_records(RecordKind::Redirect, "tag:", None, 10_000)?;
    let bytes = codec::encode_key_redirect(new)?;
    for r in records {
        if codec::decode_key_redirect(&r.bytes)? == *old && r.key != redirect_key(new) {
            let (key, revision, bytes) = (r.key.clone(), r.revision, bytes.clone());
            storage::transaction(store, |tx| {
                tx.put_site_record(
                    RecordKind::Redirect,
                    &key,
                    bytes.clone(),
                    Expect::Revision(revision),
                    true,
                )
                .map(|_| ())
            })?;
        }
    }
    Ok(())
}

/// Tag `key` as the newest published story carrying it writes it, if any does.
pub fn named_by_stories(store: &dyn Store, key: &Slug) -> Result<Option<Tag>, StoreError> {
    let page = store.listing(Listing::Tag(key.clone()), PageNumber::FIRST, 1)?;
    let Some(first) = page.items.first() else {
        return Ok(None);
    };
    Ok(store
        .story(first.id)?
        .and_then(|s| s.content.tags.iter().find(|t| t.key() == key).cloned()))
}
