//! The embedded backend: sled trees, one transaction per save, flushed before returning.
//!
//! Trees:
//! - `stories`: story id -> story record
//! - `slugs`:   slug -> story id (unique slugs)
//! - `indexes`: every listing's [`counted_index`] entries and counters, under one prefix each
//! - `revisions`: story id | revision (u64 BE) -> story record as saved
//! - `photo_uses`: photo id | story id -> how that story uses the photo (lead or inline, public
//!   or not; see [`photo_uses`](super::photo_uses)), for every story whatever its status
//! - `users`, `usernames`: user id -> record; username -> user id
//! - `sessions`: SHA-256 of the session id -> session record
//! - `autosaves`: user id | story id (zeros for a story not saved yet) -> autosaved form copy
//! - `audit`: time (ns, u64 BE) | 4 random bytes -> event
//! - `photos`, `photo_blobs`: photo id -> record; photo id | kind -> bytes
//! - `photo_hashes`: SHA-256 of an original -> photo id; blobs of such photos are keyed by the
//!   hash (content-addressed): hash | 0 -> original, hash | 'w' | width (u32 BE) -> rendition
//! - `records`: site records by kind and key (`records.rs`)
//! - `meta`: site secrets, the setup token, the public version (generation u64 BE | time of
//!   the change, ns since 1970 as i64 BE) and markers of indexes built for older databases
//!
//! Costs: a save is one sled transaction over the trees it touches and one flush (an fsync) before
//! it returns; a record is one point read; a listing page finds its start through the counters of
//! [`counted_index`] (at most 8 × 16 reads) and then scans one page of entries; the photo library
//! and `users` scan their records. Transactions ([`Store::transaction`]) run one at a time.
//!
//! Submodules: `keys` (key layouts), `transaction`, `review_index` (the review listings of a
//! database made before them), `backup_stream` (the records a backup holds,
//! written from the trees and taken back through the write paths), `restore` (restore by renames
//! and the directory lock) and `restore_check` (what a restore checks of an old tree dump).

use super::codec::{
    decode_audit, decode_autosave, decode_change, decode_photo, decode_session, decode_story,
    decode_summary, decode_user, encode_audit, encode_autosave, encode_change, encode_photo,
    encode_session, encode_story, encode_summary, encode_user,
};
use super::counted_index::{self, Entry};
use backup_stream::Restorer;
use keys::*;
pub use restore::Replace;
use restore::*;
use restore_check::RestoreCheck;
use transaction::SledTransaction;

mod backup_stream;
mod keys;
mod login_throttle;
mod notes;
mod photo_uses_index;
mod records;
mod restore;
mod restore_check;
mod review_index;
mod search;
mod story_write;
mod transaction;
use super::Revision;
use super::SETTING_PREFIX;
use super::prelude::*;
use super::{
    Change, ChangeSubject, Cursor, ImportOutcome, Listing, ListingPage, MAX_REVISION, PhotoBlob,
    PhotoPage, PublicVersion, Store, StoreError, StoryUsingPhoto, Transaction, backup, index_ts,
};
use super::{Expect, RecordKind, SiteRecord};
use super::{ListedNote, NotePage};
use crate::clock::Clock;
use crate::domain::{
    AuditEvent, Autosave, PageNumber, Paging, Photo, PhotoDefaults, PhotoId, Session, Slug, Story,
    StoryId, StorySummary, User, UserId, Username,
};
use crate::domain::{Crop, FocalPoint};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::{Db, Transactional, Tree};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};
use story_write::{StoryTrees, StoryWrite, record_change};
use time::OffsetDateTime;

pub struct SledStore {
    db: Db,
    stories: Tree,
    slugs: Tree,
    indexes: Tree,
    revisions: Tree,
    photo_uses: Tree,
    users: Tree,
    usernames: Tree,
    sessions: Tree,
    autosaves: Tree,
    audit: Tree,
    photos: Tree,
    photo_blobs: Tree,
    photo_hashes: Tree,
    meta: Tree,
    changes: Tree,
    /// Failed logins by throttle key, and the accounts' device keys: not in backups.
    login_failures: Tree,
    device_keys: Tree,
    /// Site records (`records.rs`).
    records: Tree,
    /// Every write holds this shared; a backup holds it exclusively, so a backup never sees
    /// half of a write that spans several calls into sled.
    gate: RwLock<()>,
    /// Held by every [`Store::transaction`] from its first read to its commit (and by the few
    /// single writes that check before they write), so no two check-then-write changes
    /// interleave.
    serial: Mutex<()>,
    /// The public version as last stored. Readers' pages ask for it on every request, from the
    /// async workers, so it is answered from memory; every write that may change it refreshes
    /// it before returning.
    public: RwLock<PublicVersion>,
    /// Tells the time of public changes; the application's clock, which tests move forward.
    clock: Clock,
    /// The search index (`search.rs`): none for a database a restore is writing.
    search: Option<search::SearchIndex>,
    /// Held for the life of the store so that a second process gets a clear refusal.
    _lock: Option<File>,
}

impl SledStore {
    /// Opens (creating if needed) the database in `dir` with a page cache of `cache_bytes`.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<Self, StoreError> {
        Self::open_with_clock(dir, cache_bytes, Clock::system())
    }

    /// [`SledStore::open`], telling the time of public changes by `clock`.
    pub fn open_with_clock(dir: &Path, cache_bytes: u64, clock: Clock) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(StoreError::io("create", dir))?;
        let lock = lock_dir(dir)?;
        finish_restore(dir)?;
        let db = open_db(&dir.join(DB), cache_bytes)?;
        let mut store = Self::on(db, Some(lock), clock)?;
        store.search = Some(search::SearchIndex::open(
            &dir.join(search::SEARCH_DIR),
            store.search_source(),
        ));
        Ok(store)
    }

    /// The trees the search index is made from.
    fn search_source(&self) -> search::Source {
        search::Source {
            stories: self.stories.clone(),
            photos: self.photos.clone(),
            changes: self.changes.clone(),
            meta: self.meta.clone(),
        }
    }

    /// The store over an open database; `lock` is the data directory's, held for the store's
    /// life (none for a database a restore is writing, inside a directory already locked).
    fn on(db: Db, lock: Option<File>, clock: Clock) -> Result<Self, StoreError> {
        let meta = db.open_tree("meta")?;
        let store = Self {
            stories: db.open_tree("stories")?,
            slugs: db.open_tree("slugs")?,
            indexes: db.open_tree("indexes")?,
            revisions: db.open_tree("revisions")?,
            photo_uses: db.open_tree("photo_uses")?,
            users: db.open_tree("users")?,
            usernames: db.open_tree("usernames")?,
            sessions: db.open_tree("sessions")?,
            autosaves: db.open_tree("autosaves")?,
            audit: db.open_tree("audit")?,
            photos: db.open_tree("photos")?,
            photo_blobs: db.open_tree("photo_blobs")?,
            photo_hashes: db.open_tree("photo_hashes")?,
            changes: db.open_tree("changes")?,
            login_failures: db.open_tree(login_throttle::LOGIN_FAILURES)?,
            device_keys: db.open_tree(login_throttle::DEVICE_KEYS)?,
            records: db.open_tree(records::RECORDS)?,
            public: RwLock::new(decode_public_version(meta.get(PUBLIC_VERSION)?.as_deref())),
            meta,
            db,
            gate: RwLock::new(()),
            serial: Mutex::new(()),
            clock,
            search: None,
            _lock: lock,
        };
        store.build_review_index()?;
        store.build_photo_uses()?;
        Ok(store)
    }

    /// Writes everything to disk; `save_story` already does after each save.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    /// Takes the stored public version into memory unless a newer one is there already (two
    /// writers may refresh in either order; the generation only grows).
    fn refresh_public_version(&self) -> Result<(), StoreError> {
        let stored = decode_public_version(self.meta.get(PUBLIC_VERSION)?.as_deref());
        let mut public = self.public.write().unwrap_or_else(PoisonError::into_inner);
        if stored.generation > public.generation {
            *public = stored;
        }
        Ok(())
    }

    /// A write's share of the backup gate.
    fn writing(&self) -> RwLockReadGuard<'_, ()> {
        self.gate.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Exclusive use for a change that reads before it writes.
    fn serial(&self) -> MutexGuard<'_, ()> {
        self.serial.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The keys of an account's sessions. A session that no longer decodes counts too: it
    /// could not be trusted anyway.
    fn session_keys_of(&self, user: UserId) -> Result<Vec<sled::IVec>, StoreError> {
        let mut keys = Vec::new();
        for item in self.sessions.iter() {
            let (key, bytes) = item?;
            if decode_session(&bytes).map_or(true, |r| r.user == Some(user)) {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    /// One transaction: the record, its slug and its index entries change together or not at all.
    fn save_unflushed(
        &self,
        story: &Story,
        expected_revision: Option<u64>,
    ) -> Result<Story, StoreError> {
        self.write_story(story, Revision::After(expected_revision))
            .map(|(stored, _)| stored)
    }

    /// Writes a story with everything that follows it (see [`StoryWrite`]) in one sled
    /// transaction, without flushing.
    fn write_story(
        &self,
        story: &Story,
        rule: Revision,
    ) -> Result<(Story, ImportOutcome), StoreError> {
        let write = StoryWrite::prepare(story, rule, self.clock.now())?;
        let trees = [
            &self.stories,
            &self.slugs,
            &self.indexes,
            &self.revisions,
            &self.photo_uses,
            &self.meta,
            &self.changes,
        ];
        let result = trees[..].transaction(|t| {
            write.apply(&StoryTrees {
                stories: &t[0],
                slugs: &t[1],
                indexes: &t[2],
                revisions: &t[3],
                photo_uses: &t[4],
                meta: &t[5],
                changes: &t[6],
            })
        });
        let (outcome, stored) = finish(result)?;
        self.refresh_public_version()?;
        Ok((stored, outcome))
    }

    /// Adds an account and its username lookup in one transaction, without flushing.
    fn insert_user(&self, user: &User) -> Result<(), StoreError> {
        let record = encode_user(user)?;
        let id = user.id.to_bytes();
        let name = user.username.as_str().as_bytes();
        let result = (&self.users, &self.usernames).transaction(|(users, usernames)| {
            if usernames.get(name)?.is_some() {
                return Err(ConflictableTransactionError::Abort(
                    StoreError::UsernameTaken(user.username.to_string()),
                ));
            }
            usernames.insert(name, &id)?;
            users.insert(&id, record.as_slice())?;
            Ok(())
        });
        finish(result)
    }

    /// Stores a photo's record and bytes, and its hash lookup when it has a hash, in one
    /// transaction without flushing; a missing blob (`None`) is left out. Returns the id of
    /// the photo already stored with the same hash instead, writing nothing.
    fn insert_photo(
        &self,
        record: &Photo,
        original: Option<&[u8]>,
        renditions: &[Option<&[u8]>],
        crops: &[Vec<u8>],
    ) -> Result<Option<PhotoId>, StoreError> {
        let encoded = encode_photo(record)?;
        let now = self.clock.now();
        let trees = (
            &self.photos,
            &self.photo_blobs,
            &self.photo_hashes,
            &self.meta,
            &self.changes,
        );
        let existing: Result<Option<sled::IVec>, TransactionError<StoreError>> =
            trees.transaction(|(photos, blobs, hashes, meta, changes)| {
                if let Some(hash) = record.hash {
                    if let Some(id) = hashes.get(hash)? {
                        return Ok(Some(id));
                    }
                    hashes.insert(&hash, &record.id.to_bytes())?;
                }
                if let Some(original) = original {
                    blobs.insert(blob_key(record, PhotoBlob::Original), original)?;
                }
                for (rendition, bytes) in record.renditions.iter().zip(renditions) {
                    if let Some(bytes) = bytes {
                        blobs.insert(
                            blob_key(record, PhotoBlob::Rendition(rendition.width)),
                            *bytes,
                        )?;
                    }
                }
                for (crop, bytes) in record.crops.iter().zip(crops) {
                    blobs.insert(
                        blob_key(record, PhotoBlob::Crop(crop.aspect, record.focal)),
                        bytes.as_slice(),
                    )?;
                }
                photos.insert(&record.id.to_bytes(), encoded.as_slice())?;
                // In the feed, so the search index finds the photo; readers see nothing of a
                // photo until a story shows it.
                record_change(meta, changes, ChangeSubject::Photo(record.id), false, now)?;
                Ok(None)
            });
        let Some(id) = finish(existing)? else {
            return Ok(None);
        };
        let id: [u8; 16] = id
            .as_ref()
            .try_into()
            .map_err(|_| StoreError::Inconsistent("bad photo hash entry".into()))?;
        Ok(Some(PhotoId::from_bytes(id)))
    }

    fn get_story(&self, id: StoryId) -> Result<Option<Story>, StoreError> {
        read(&self.stories, id.to_bytes(), decode_story)
    }
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Backend(Box::new(e))
    }
}

fn finish<T>(result: Result<T, TransactionError<StoreError>>) -> Result<T, StoreError> {
    match result {
        Ok(value) => Ok(value),
        Err(TransactionError::Abort(e)) => Err(e),
        Err(TransactionError::Storage(e)) => Err(e.into()),
    }
}

impl StoryStore for SledStore {
    fn save_story(
        &self,
        story: &Story,
        expected_revision: Option<u64>,
    ) -> Result<Story, StoreError> {
        let _writing = self.writing();
        let stored = self.save_unflushed(story, expected_revision)?;
        self.db.flush()?;
        Ok(stored)
    }

    fn import_stories(&self, stories: &[Story]) -> Result<usize, StoreError> {
        let _writing = self.writing();
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
            .map_err(|_| StoreError::Inconsistent(format!("bad id under slug {slug}")))?;
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

    fn listing_after(
        &self,
        listing: Listing,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<Vec<StorySummary>, StoreError> {
        let prefix = prefix_of(listing);
        let before = after.map(|c| (index_ts(c.published_at()), c.id().to_bytes()));
        counted_index::newest_before(&self.indexes, &prefix, before, limit)?
            .iter()
            .map(|v| Ok(decode_summary(v)?))
            .collect()
    }

    fn notes(&self, page: PageNumber, per_page: usize) -> Result<NotePage, StoreError> {
        let per_page = per_page.max(1);
        let prefix = notes::prefix_notes();
        let total_items = counted_index::len(&self.indexes, &prefix)?;
        let total_pages = total_items.div_ceil(per_page as u64).max(1);
        if u64::from(page.get()) > total_pages {
            return Err(StoreError::NotFound);
        }
        let offset = u64::from(page.get() - 1) * per_page as u64;
        let mut items = Vec::with_capacity(per_page);
        for value in counted_index::newest(&self.indexes, &prefix, offset, per_page)? {
            let (id, place) = notes::decode_value(&value)?;
            let missing = || StoreError::Inconsistent(format!("a listed note of {id} is gone"));
            let story = self.get_story(id)?.ok_or_else(missing)?;
            // Read apart from the index: a story taken down since is left out, not shown.
            if !story.is_public() {
                continue;
            }
            let note = story.notes.get(place).cloned().ok_or_else(missing)?;
            items.push(ListedNote {
                story: story.summary(),
                note,
            });
        }
        Ok(NotePage {
            items,
            paging: Paging {
                current: page.get(),
                total: u32::try_from(total_pages).unwrap_or(u32::MAX),
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
                    .map_err(|_| StoreError::Inconsistent("bad scheduled entry".into()))?;
                Ok(StoryId::from_bytes(bytes))
            })
            .collect()
    }

    fn story_revisions(&self, id: StoryId) -> Result<Vec<Story>, StoreError> {
        self.revisions
            .scan_prefix(id.to_bytes())
            .rev()
            .map(|item| Ok(decode_story(&item?.1)?))
            .collect()
    }

    fn story_revision(&self, id: StoryId, revision: u64) -> Result<Option<Story>, StoreError> {
        read(&self.revisions, revision_key(id, revision), decode_story)
    }

    fn import_story_version(&self, story: &Story) -> Result<ImportOutcome, StoreError> {
        let _writing = self.writing();
        let (_, outcome) = self.write_story(story, Revision::Keep)?;
        if outcome != ImportOutcome::Unchanged {
            self.db.flush()?;
        }
        Ok(outcome)
    }
}

impl AccountStore for SledStore {
    fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.insert_user(user)?;
        self.db.flush()?;
        Ok(())
    }

    fn update_user(&self, user: &User) -> Result<(), StoreError> {
        let _writing = self.writing();
        let _serial = self.serial();
        if self.users.get(user.id.to_bytes())?.is_none() {
            return Err(StoreError::NotFound);
        }
        self.users.insert(user.id.to_bytes(), encode_user(user)?)?;
        self.db.flush()?;
        Ok(())
    }

    fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        read(&self.users, id.to_bytes(), decode_user)
    }

    fn user_by_name(&self, username: &Username) -> Result<Option<User>, StoreError> {
        match self.usernames.get(username.as_str().as_bytes())? {
            Some(id) => self.user(UserId::from_bytes(id_bytes(&id)?)),
            None => Ok(None),
        }
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        self.usernames
            .iter()
            .map(|item| {
                let (_, id) = item?;
                self.user(UserId::from_bytes(id_bytes(&id)?))?
                    .ok_or_else(|| {
                        StoreError::Inconsistent("a username without its account".into())
                    })
            })
            .collect()
    }
}

impl LoginSessionStore for SledStore {
    fn session(&self, key: &[u8; 32], now: OffsetDateTime) -> Result<Option<Session>, StoreError> {
        let Some(bytes) = self.sessions.get(key)? else {
            return Ok(None);
        };
        let record = decode_session(&bytes)?;
        if record.expires_at <= now {
            let _writing = self.writing();
            // Only the expired record goes: a session renewed meanwhile stays.
            let _ = self
                .sessions
                .compare_and_swap(key, Some(bytes), None as Option<&[u8]>)?;
            return Ok(None);
        }
        Ok(Some(record))
    }

    fn put_session(&self, key: &[u8; 32], session: &Session) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.sessions.insert(key, encode_session(session)?)?;
        self.db.flush()?;
        Ok(())
    }

    fn renew_session(&self, key: &[u8; 32], session: &Session) -> Result<bool, StoreError> {
        let _writing = self.writing();
        let record = encode_session(session)?;
        let before = self
            .sessions
            .fetch_and_update(key, |old| old.map(|_| record.clone()))?;
        if before.is_some() {
            self.db.flush()?;
        }
        Ok(before.is_some())
    }

    fn delete_session(&self, key: &[u8; 32]) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.sessions.remove(key)?;
        self.db.flush()?;
        Ok(())
    }

    fn delete_sessions_of(&self, user: UserId) -> Result<usize, StoreError> {
        let _writing = self.writing();
        let keys = self.session_keys_of(user)?;
        for key in &keys {
            self.sessions.remove(key)?;
        }
        self.db.flush()?;
        Ok(keys.len())
    }

    fn sessions_of(
        &self,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<Vec<([u8; 32], Session)>, StoreError> {
        let mut found = Vec::new();
        for item in self.sessions.iter() {
            let (key, bytes) = item?;
            let Ok(record) = decode_session(&bytes) else {
                continue;
            };
            if record.user == Some(user)
                && record.expires_at > now
                && let Ok(key) = <[u8; 32]>::try_from(key.as_ref())
            {
                found.push((key, record));
            }
        }
        Ok(found)
    }
}

impl AutosaveStore for SledStore {
    fn put_autosave(
        &self,
        user: UserId,
        story: Option<StoryId>,
        copy: &Autosave,
    ) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.autosaves
            .insert(autosave_key(user, story), encode_autosave(copy)?)?;
        self.db.flush()?;
        Ok(())
    }

    fn autosave(
        &self,
        user: UserId,
        story: Option<StoryId>,
    ) -> Result<Option<Autosave>, StoreError> {
        read(&self.autosaves, autosave_key(user, story), decode_autosave)
    }

    fn delete_autosave(&self, user: UserId, story: Option<StoryId>) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.autosaves.remove(autosave_key(user, story))?;
        self.db.flush()?;
        Ok(())
    }
}

impl AuditStore for SledStore {
    fn record_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.audit.insert(audit_key(event), encode_audit(event)?)?;
        self.db.flush()?;
        Ok(())
    }

    fn audit_log(
        &self,
        before: Option<OffsetDateTime>,
        limit: usize,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let end = before.map_or(u64::MAX, audit_ts).to_be_bytes();
        self.audit
            .range(..end)
            .rev()
            .take(limit)
            .map(|item| Ok(decode_audit(&item?.1)?))
            .collect()
    }
}

impl PhotoStore for SledStore {
    fn save_photo(
        &self,
        record: &Photo,
        original: &[u8],
        renditions: &[Vec<u8>],
        crops: &[Vec<u8>],
    ) -> Result<Photo, StoreError> {
        if record.hash.is_none() {
            return Err(StoreError::Invalid("a new photo needs its content hash"));
        }
        if renditions.len() != record.renditions.len() || crops.len() != record.crops.len() {
            return Err(StoreError::Invalid(
                "a photo's renditions or crops do not match its record",
            ));
        }
        let _writing = self.writing();
        let renditions: Vec<Option<&[u8]>> =
            renditions.iter().map(|r| Some(r.as_slice())).collect();
        match self.insert_photo(record, Some(original), &renditions, crops)? {
            Some(id) => self.photo(id)?.ok_or(StoreError::NotFound),
            None => {
                self.db.flush()?;
                Ok(record.clone())
            }
        }
    }

    fn photo(&self, id: PhotoId) -> Result<Option<Photo>, StoreError> {
        match self.photos.get(id.to_bytes())? {
            Some(bytes) => Ok(Some(decode_photo(&bytes)?)),
            None => Ok(None),
        }
    }

    fn photo_by_hash(&self, hash: &[u8; 32]) -> Result<Option<Photo>, StoreError> {
        let Some(id) = self.photo_hashes.get(hash)? else {
            return Ok(None);
        };
        match self.photos.get(id)? {
            Some(bytes) => Ok(Some(decode_photo(&bytes)?)),
            None => Ok(None),
        }
    }

    fn photo_blob(&self, id: PhotoId, blob: PhotoBlob) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(record) = self.photo(id)? else {
            return Ok(None);
        };
        if let PhotoBlob::Rendition(width) = blob
            && record.rendition(width).is_none()
        {
            return Ok(None);
        }
        if let PhotoBlob::Crop(aspect, focal) = blob
            && (record.focal != focal || record.crop(aspect).is_none())
        {
            return Ok(None);
        }
        Ok(self
            .photo_blobs
            .get(blob_key(&record, blob))?
            .map(|v| v.to_vec()))
    }

    fn save_photo_crops(
        &self,
        id: PhotoId,
        focal: FocalPoint,
        crops: &[(Crop, Vec<u8>)],
    ) -> Result<Photo, StoreError> {
        let _writing = self.writing();
        // Read outside the transaction: a photo only becomes public through a story's save,
        // which moves the public version itself, so at worst the version changes once more.
        let public = self.photo_is_public(id)?;
        let now = self.clock.now();
        let trees = (&self.photos, &self.photo_blobs, &self.meta, &self.changes);
        let result: Result<Photo, TransactionError<StoreError>> =
            trees.transaction(|(photos, blobs, meta, changes)| {
                let Some(bytes) = photos.get(id.to_bytes())? else {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound));
                };
                let mut record = decode_photo(&bytes)
                    .map_err(|e| ConflictableTransactionError::Abort(StoreError::from(e)))?;
                for old in &record.crops {
                    blobs.remove(blob_key(&record, PhotoBlob::Crop(old.aspect, record.focal)))?;
                }
                record.focal = focal;
                record.crops = crops.iter().map(|(crop, _)| *crop).collect();
                for (crop, jpeg) in crops {
                    blobs.insert(
                        blob_key(&record, PhotoBlob::Crop(crop.aspect, focal)),
                        jpeg.as_slice(),
                    )?;
                }
                let encoded = encode_photo(&record)
                    .map_err(|e| ConflictableTransactionError::Abort(StoreError::from(e)))?;
                photos.insert(&id.to_bytes(), encoded)?;
                record_change(meta, changes, ChangeSubject::Photo(id), public, now)?;
                Ok(record)
            });
        let record = finish(result)?;
        self.refresh_public_version()?;
        self.db.flush()?;
        Ok(record)
    }

    fn photos(&self, page: PageNumber, per_page: usize) -> Result<PhotoPage, StoreError> {
        // Counted by a scan of the keys; only the page's records are decoded. A newsroom's
        // library is thousands of photos.
        let per_page = per_page.max(1);
        let offset = page.index() * per_page;
        let mut items = Vec::with_capacity(per_page);
        let mut total_items = 0u64;
        for item in self.photos.iter().rev() {
            let (_, bytes) = item?;
            if total_items as usize >= offset && items.len() < per_page {
                items.push(decode_photo(&bytes)?);
            }
            total_items += 1;
        }
        let total_pages = total_items.div_ceil(per_page as u64).max(1);
        if u64::from(page.get()) > total_pages {
            return Err(StoreError::NotFound);
        }
        Ok(PhotoPage {
            items,
            paging: Paging {
                current: page.get(),
                total: u32::try_from(total_pages).unwrap_or(u32::MAX),
            },
            total_items,
        })
    }

    fn photo_is_public(&self, id: PhotoId) -> Result<bool, StoreError> {
        self.photo_is_shown(id)
    }

    fn stories_using_photo(&self, id: PhotoId) -> Result<Vec<StoryUsingPhoto>, StoreError> {
        self.stories_using(id)
    }

    fn save_photo_defaults(
        &self,
        id: PhotoId,
        defaults: &PhotoDefaults,
    ) -> Result<Photo, StoreError> {
        let _writing = self.writing();
        let now = self.clock.now();
        let trees = (&self.photos, &self.meta, &self.changes);
        let result: Result<Photo, TransactionError<StoreError>> =
            trees.transaction(|(photos, meta, changes)| {
                let abort = |e: StoreError| ConflictableTransactionError::Abort(e);
                let Some(bytes) = photos.get(id.to_bytes())? else {
                    return Err(abort(StoreError::NotFound));
                };
                let mut record = decode_photo(&bytes).map_err(|e| abort(e.into()))?;
                record.set_defaults(defaults);
                let encoded = encode_photo(&record).map_err(|e| abort(e.into()))?;
                photos.insert(&id.to_bytes(), encoded)?;
                // The search index follows the feed; readers see nothing of a photo's defaults.
                record_change(meta, changes, ChangeSubject::Photo(id), false, now)?;
                Ok(record)
            });
        let record = finish(result)?;
        self.db.flush()?;
        Ok(record)
    }
}

impl SecretStore for SledStore {
    fn set_setup_token(&self, digest: &[u8; 32], replace: bool) -> Result<bool, StoreError> {
        let _writing = self.writing();
        let set = if replace {
            self.meta.insert(SETUP_TOKEN, digest)?;
            true
        } else {
            self.meta
                .compare_and_swap(SETUP_TOKEN, None as Option<&[u8]>, Some(&digest[..]))?
                .is_ok()
        };
        if set {
            self.db.flush()?;
        }
        Ok(set)
    }

    fn clear_setup_token(&self) -> Result<(), StoreError> {
        let _writing = self.writing();
        if self.meta.remove(SETUP_TOKEN)?.is_some() {
            self.db.flush()?;
        }
        Ok(())
    }

    fn setup_token_matches(&self, digest: &[u8; 32]) -> Result<bool, StoreError> {
        Ok(self
            .meta
            .get(SETUP_TOKEN)?
            .is_some_and(|stored| stored.as_ref() == digest))
    }

    fn setting(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let key = [SECRET_PREFIX, SETTING_PREFIX.as_bytes(), name.as_bytes()].concat();
        Ok(self.meta.get(key)?.map(|v| v.to_vec()))
    }

    fn secret(&self, name: &str, len: usize) -> Result<Vec<u8>, StoreError> {
        let _writing = self.writing();
        let key = [SECRET_PREFIX, name.as_bytes()].concat();
        let mut fresh = vec![0u8; len];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut fresh);
        // Only the first caller's secret is stored; everyone gets the stored one.
        let _ = self
            .meta
            .compare_and_swap(&key, None as Option<&[u8]>, Some(fresh.as_slice()))?;
        let stored = self
            .meta
            .get(&key)?
            .ok_or_else(|| StoreError::Inconsistent(format!("secret {name} vanished")))?;
        if stored.len() != len {
            // A damaged secret (or one written by hand) is replaced rather than handed to code
            // that would panic on its length; what it protected (sessions) starts over.
            tracing::warn!(
                secret = name,
                stored = stored.len(),
                expected = len,
                "replacing a stored secret of the wrong length"
            );
            let swapped = self
                .meta
                .compare_and_swap(&key, Some(stored), Some(fresh.as_slice()))?;
            self.db.flush()?;
            return match swapped {
                Ok(()) => Ok(fresh),
                // Another caller replaced it first: theirs is the one stored.
                Err(current) => current
                    .current
                    .filter(|now| now.len() == len)
                    .map(|now| now.to_vec())
                    .ok_or_else(|| StoreError::Inconsistent(format!("secret {name} vanished"))),
            };
        }
        self.db.flush()?;
        Ok(stored.to_vec())
    }
}

impl BackupStore for SledStore {
    fn restore_backup(&self, dir: &Path) -> Result<backup::Summary, StoreError> {
        let _exclusive = self.gate.write().unwrap_or_else(PoisonError::into_inner);
        if !self.stories.is_empty() || !self.users.is_empty() {
            return Err(StoreError::NotEmpty(dir.to_owned()));
        }
        // Checked in full first, so a damaged backup writes nothing.
        backup::read(dir, |record| backup::check_record(&record))?;
        let backup_file = backup::file_in(dir);
        let mut restorer = Restorer::new(self, &backup_file);
        let summary = backup::read(dir, |record| restorer.record(record))?;
        restorer.finish()?;
        Ok(summary)
    }

    fn backup(&self, dir: &Path) -> Result<backup::Summary, StoreError> {
        // The time in the header only labels the backup; this backend reads the system clock
        // for it, as it does for the public version.
        let writer = backup::Writer::create(dir, self.clock.now())?;
        let _exclusive = self.gate.write().unwrap_or_else(PoisonError::into_inner);
        self.write_backup(writer)
    }
}

impl ChangeFeed for SledStore {
    fn adopt_page_look(&self, look: &str) -> Result<(), StoreError> {
        let _writing = self.writing();
        let now = self.clock.now();
        let result = (&self.meta, &self.changes).transaction(|(meta, changes)| {
            if meta.get(PAGE_LOOK)?.as_deref() == Some(look.as_bytes()) {
                return Ok(false);
            }
            meta.insert(PAGE_LOOK, look.as_bytes())?;
            record_change(meta, changes, ChangeSubject::Site, true, now)?;
            Ok(true)
        });
        if finish(result)? {
            self.refresh_public_version()?;
            self.db.flush()?;
        }
        Ok(())
    }

    fn changes_after(&self, after: u64, limit: usize) -> Result<Vec<Change>, StoreError> {
        let start = after.saturating_add(1).to_be_bytes();
        self.changes
            .range(start..)
            .take(limit)
            .map(|item| Ok(decode_change(&item?.1)?))
            .collect()
    }

    fn public_version(&self) -> Result<PublicVersion, StoreError> {
        Ok(*self.public.read().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Store for SledStore {
    /// The database is in this process: it answers if a record can be read.
    fn check_ready(&self) -> Result<(), StoreError> {
        self.meta.get(PUBLIC_VERSION)?;
        Ok(())
    }

    fn transaction(
        &self,
        work: &mut (dyn FnMut(&mut dyn Transaction) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError> {
        let _writing = self.writing();
        let _serial = self.serial();
        let mut tx = SledTransaction::new(self);
        work(&mut tx)?;
        tx.commit()
    }
}

fn autosave_key(user: UserId, story: Option<StoryId>) -> [u8; 32] {
    let mut key = [0; 32];
    key[..16].copy_from_slice(&user.to_bytes());
    if let Some(story) = story {
        key[16..].copy_from_slice(&story.to_bytes());
    }
    key
}

/// The record under `key`, decoded, if there is one.
fn read<T>(
    tree: &Tree,
    key: impl AsRef<[u8]>,
    decode: fn(&[u8]) -> Result<T, super::codec::CodecError>,
) -> Result<Option<T>, StoreError> {
    match tree.get(key)? {
        Some(bytes) => Ok(Some(decode(&bytes)?)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod backup_tests;
