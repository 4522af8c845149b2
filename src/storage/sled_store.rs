//! The embedded backend: sled trees, one transaction per save, flushed before returning.
//!
//! Trees:
//! - `stories`: story id -> story record
//! - `slugs`:   slug -> story id (unique slugs)
//! - `indexes`: every listing's [`counted_index`] entries and counters, under one prefix each

use super::codec::{decode_story, decode_summary, encode_story, encode_summary};
use super::counted_index::{self, Entry};
use super::{Listing, ListingPage, StatusFilter, Store, StoreError};
use crate::domain::{PageNumber, Paging, Section, Slug, Status, Story, StoryId};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::{Db, Transactional, Tree};
use std::collections::HashMap;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

pub struct SledStore {
    db: Db,
    stories: Tree,
    slugs: Tree,
    indexes: Tree,
    /// Held for the life of the store so that a second process gets a clear refusal.
    _lock: File,
}

impl SledStore {
    /// Opens (creating if needed) the database in `dir` with a page cache of `cache_bytes`.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Backend(format!("cannot create {}: {e}", dir.display())))?;
        let lock = lock_dir(dir)?;
        let db = sled::Config::new()
            .path(dir.join("db"))
            .cache_capacity(cache_bytes)
            .open()?;
        Ok(Self {
            stories: db.open_tree("stories")?,
            slugs: db.open_tree("slugs")?,
            indexes: db.open_tree("indexes")?,
            db,
            _lock: lock,
        })
    }

    /// Writes everything to disk; `save_story` already does after each save.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    /// One transaction: the record, its slug and its index entries change together or not at all.
    fn save_unflushed(
        &self,
        story: &Story,
        expected_revision: Option<u64>,
    ) -> Result<Story, StoreError> {
        let mut stored = story.clone();
        stored.revision = expected_revision.map_or(1, |r| r + 1);
        let record = encode_story(&stored)?;
        let summary = encode_summary(&stored.summary())?;
        let new_entries = entries_of(&stored);
        let id = stored.id.to_bytes();
        let slug = stored.slug.as_str().as_bytes();

        let result =
            (&self.stories, &self.slugs, &self.indexes).transaction(|(stories, slugs, indexes)| {
                let abort = |e: StoreError| ConflictableTransactionError::Abort(e);
                let old = match stories.get(id)? {
                    Some(bytes) => Some(decode_story(&bytes).map_err(|e| abort(e.into()))?),
                    None => None,
                };
                match (&old, expected_revision) {
                    (None, None) => {}
                    (None, Some(_)) => return Err(abort(StoreError::NotFound)),
                    (Some(current), expected) if expected != Some(current.revision) => {
                        return Err(abort(StoreError::Conflict {
                            current: Box::new(current.clone()),
                        }));
                    }
                    (Some(_), _) => {}
                }
                if let Some(owner) = slugs.get(slug)?
                    && owner.as_ref() != id
                {
                    return Err(abort(StoreError::SlugTaken(stored.slug.to_string())));
                }

                let old_entries: HashMap<Vec<u8>, Entry> = old
                    .as_ref()
                    .map(entries_of)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|e| (e.key(), e))
                    .collect();
                for entry in &new_entries {
                    let value: &[u8] = if entry.prefix == prefix_scheduled() {
                        &id
                    } else {
                        &summary
                    };
                    if old_entries.contains_key(&entry.key()) {
                        counted_index::overwrite(indexes, entry, value)?;
                    } else {
                        counted_index::insert(indexes, entry, value)?;
                    }
                }
                let new_keys: Vec<Vec<u8>> = new_entries.iter().map(Entry::key).collect();
                for (key, entry) in &old_entries {
                    if !new_keys.contains(key) {
                        counted_index::remove(indexes, entry)?;
                    }
                }

                if let Some(old) = &old
                    && old.slug != stored.slug
                {
                    slugs.remove(old.slug.as_str().as_bytes())?;
                }
                slugs.insert(slug, &id)?;
                stories.insert(&id, record.as_slice())?;
                Ok(())
            });
        match result {
            Ok(()) => Ok(stored),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    fn get_story(&self, id: StoryId) -> Result<Option<Story>, StoreError> {
        match self.stories.get(id.to_bytes())? {
            Some(bytes) => Ok(Some(decode_story(&bytes)?)),
            None => Ok(None),
        }
    }
}

fn lock_dir(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join("newsroom.lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| StoreError::Backend(format!("cannot open {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(StoreError::Locked(PathBuf::from(dir))),
        Err(TryLockError::Error(e)) => Err(StoreError::Backend(format!(
            "cannot lock {}: {e}",
            path.display()
        ))),
    }
}

/// Seconds since 1970 as an index timestamp, clamped to what 32 bits hold (1970 to 2106).
fn index_ts(at: OffsetDateTime) -> u32 {
    at.unix_timestamp().clamp(0, i64::from(u32::MAX)) as u32
}

fn prefix_front() -> Vec<u8> {
    b"front\0".to_vec()
}

fn prefix_section(section: Section) -> Vec<u8> {
    format!("section:{}\0", section.key()).into_bytes()
}

fn prefix_desk(status: Option<StatusFilter>, section: Option<Section>) -> Vec<u8> {
    let status = status.map_or("*", StatusFilter::key);
    let section = section.map_or("*", Section::key);
    format!("desk:{status}:{section}\0").into_bytes()
}

fn prefix_scheduled() -> Vec<u8> {
    b"scheduled\0".to_vec()
}

fn prefix_of(listing: Listing) -> Vec<u8> {
    match listing {
        Listing::Front => prefix_front(),
        Listing::Section(section) => prefix_section(section),
        Listing::Desk { status, section } => prefix_desk(status, section),
    }
}

/// The entries a story has in the listing indexes. Values are filled in by the caller.
fn entries_of(story: &Story) -> Vec<Entry> {
    let id = story.id.to_bytes();
    let mut out = Vec::with_capacity(7);
    if let (Status::Published, Some(at)) = (story.status, story.published_at) {
        let ts = index_ts(at);
        out.push(Entry {
            prefix: prefix_front(),
            ts,
            id,
        });
        out.push(Entry {
            prefix: prefix_section(story.section),
            ts,
            id,
        });
    }
    let ts = index_ts(story.updated_at);
    let status = Some(StatusFilter::of(story.status));
    let section = Some(story.section);
    for (st, sec) in [
        (None, None),
        (status, None),
        (None, section),
        (status, section),
    ] {
        out.push(Entry {
            prefix: prefix_desk(st, sec),
            ts,
            id,
        });
    }
    if let Status::Scheduled(at) = story.status {
        out.push(Entry {
            prefix: prefix_scheduled(),
            ts: index_ts(at),
            id,
        });
    }
    out
}

impl Store for SledStore {
    fn save_story(
        &self,
        story: &Story,
        expected_revision: Option<u64>,
    ) -> Result<Story, StoreError> {
        let stored = self.save_unflushed(story, expected_revision)?;
        self.db.flush()?;
        Ok(stored)
    }

    fn import_stories(&self, stories: &[Story]) -> Result<usize, StoreError> {
        let mut saved = 0;
        for story in stories {
            match self.save_unflushed(story, None) {
                Ok(_) => saved += 1,
                Err(StoreError::SlugTaken(_) | StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        self.db.flush()?;
        Ok(saved)
    }

    fn story(&self, id: StoryId) -> Result<Option<Story>, StoreError> {
        self.get_story(id)
    }

    fn story_by_slug(&self, slug: &Slug) -> Result<Option<Story>, StoreError> {
        let Some(id) = self.slugs.get(slug.as_str().as_bytes())? else {
            return Ok(None);
        };
        let bytes: [u8; 16] = id
            .as_ref()
            .try_into()
            .map_err(|_| StoreError::Backend(format!("bad id under slug {slug}")))?;
        self.get_story(StoryId::from_bytes(bytes))
    }

    fn listing(
        &self,
        listing: Listing,
        page: PageNumber,
        per_page: usize,
    ) -> Result<ListingPage, StoreError> {
        let per_page = per_page.max(1);
        let prefix = prefix_of(listing);
        let total_items = counted_index::len(&self.indexes, &prefix)?;
        let total_pages = total_items.div_ceil(per_page as u64).max(1);
        if u64::from(page.get()) > total_pages {
            return Err(StoreError::NotFound);
        }
        let offset = u64::from(page.get() - 1) * per_page as u64;
        let items = counted_index::newest(&self.indexes, &prefix, offset, per_page)?
            .iter()
            .map(|v| decode_summary(v))
            .collect::<Result<Vec<_>, _>>()?;
        let total = u32::try_from(total_pages).unwrap_or(u32::MAX);
        Ok(ListingPage {
            items,
            paging: Paging {
                current: page.get(),
                total,
            },
            total_items,
        })
    }

    fn due_scheduled(&self, now: OffsetDateTime, limit: usize) -> Result<Vec<StoryId>, StoreError> {
        counted_index::oldest_until(&self.indexes, &prefix_scheduled(), index_ts(now), limit)?
            .iter()
            .map(|v| {
                let bytes: [u8; 16] = v
                    .as_ref()
                    .try_into()
                    .map_err(|_| StoreError::Backend("bad scheduled entry".into()))?;
                Ok(StoryId::from_bytes(bytes))
            })
            .collect()
    }
}
