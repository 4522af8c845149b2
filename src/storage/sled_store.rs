//! The embedded backend: sled trees, one transaction per save, flushed before returning.
//!
//! Trees:
//! - `stories`: story id -> story record
//! - `slugs`:   slug -> story id (unique slugs)
//! - `indexes`: every listing's [`counted_index`] entries and counters, under one prefix each
//! - `revisions`: story id | revision (u64 BE) -> story record as saved
//! - `photo_uses`: photo id | story id -> () while that published story shows the photo
//! - `users`, `usernames`: user id -> record; username -> user id
//! - `sessions`: SHA-256 of the session id -> session record
//! - `autosaves`: user id | story id (zeros for a story not saved yet) -> autosaved form copy
//! - `audit`: time (ns, u64 BE) | 4 random bytes -> event
//! - `photos`, `photo_blobs`: photo id -> record; photo id | kind -> bytes
//! - `photo_hashes`: SHA-256 of an original -> photo id; blobs of such photos are keyed by the
//!   hash (content-addressed): hash | 0 -> original, hash | 'w' | width (u32 BE) -> rendition
//! - `meta`: site secrets, the setup token and the public version (generation u64 BE | time of
//!   the change, ns since 1970 as i64 BE)

use super::codec::{
    decode_audit, decode_autosave, decode_photo, decode_session, decode_story, decode_summary,
    decode_user, encode_audit, encode_autosave, encode_photo, encode_session, encode_story,
    encode_summary, encode_user,
};
use super::counted_index::{self, Entry};
use restore_check::RestoreCheck;

mod restore_check;
use super::{
    Cursor, ImportOutcome, Listing, ListingPage, MAX_REVISION, PhotoBlob, PhotoPage, PublicVersion,
    StatusFilter, Store, StoreError, Transaction, backup, index_ts,
};
use crate::domain::{
    AuditEvent, Autosave, PageNumber, Paging, Photo, PhotoId, Section, Session, Slug, Status,
    Story, StoryId, StorySummary, User, UserId, Username,
};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::{Db, Transactional, Tree};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};
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
    /// Every write holds this shared; a backup holds it exclusively, so a backup never sees
    /// half of a write that spans several calls into sled.
    gate: RwLock<()>,
    /// Held by every [`Store::transaction`] from its first read to its commit (and by the few
    /// single writes that check before they write), so no two check-then-write changes
    /// interleave.
    serial: Mutex<()>,
    /// Held for the life of the store so that a second process gets a clear refusal.
    _lock: File,
}

impl SledStore {
    /// Opens (creating if needed) the database in `dir` with a page cache of `cache_bytes`.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(StoreError::io("create", dir))?;
        let lock = lock_dir(dir)?;
        finish_restore(dir)?;
        let db = open_db(&dir.join(DB), cache_bytes)?;
        Ok(Self {
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
            meta: db.open_tree("meta")?,
            db,
            gate: RwLock::new(()),
            serial: Mutex::new(()),
            _lock: lock,
        })
    }

    /// Writes everything to disk; `save_story` already does after each save.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
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

    /// Replaces the database in `dir` with the backup in `backup_dir` (sessions are not kept:
    /// everyone signs in again), all or nothing. The backup is checked, then written into a new
    /// database beside the old one, which is swapped in by renaming directories only once the
    /// new one is complete and on disk. A restore stopped at any point leaves either the old
    /// data or the new, never a mixture; [`SledStore::open`] finishes or clears what it left.
    /// Refused while another process (a running server) holds the directory.
    pub fn restore(
        dir: &Path,
        backup_dir: &Path,
        cache_bytes: u64,
        replace: Replace,
    ) -> Result<backup::Summary, StoreError> {
        std::fs::create_dir_all(dir).map_err(StoreError::io("create", dir))?;
        let _lock = lock_dir(dir)?;
        finish_restore(dir)?;
        let live = dir.join(DB);
        if replace == Replace::OnlyEmpty
            && live.exists()
            && holds_data(&open_db(&live, cache_bytes)?)?
        {
            return Err(StoreError::NotEmpty(dir.to_owned()));
        }
        // Every record is checked before anything is written: a damaged backup changes nothing.
        let backup_file = backup::file_in(backup_dir);
        let mut check = RestoreCheck::default();
        backup::read(backup_dir, |tree, key, value| {
            check.record(&backup_file, tree, key, value)
        })?;
        check.finish(&backup_file)?;

        let staging = dir.join(DB_RESTORING);
        let summary = {
            let db = open_db(&staging, cache_bytes)?;
            let mut trees: HashMap<String, Tree> = HashMap::new();
            let summary = backup::read(backup_dir, |name, key, value| {
                if name == SESSIONS {
                    return Ok(());
                }
                let tree = match trees.get(name) {
                    Some(tree) => tree,
                    None => {
                        let tree = db.open_tree(name)?;
                        trees.entry(name.to_owned()).or_insert(tree)
                    }
                };
                tree.insert(key, value)?;
                Ok(())
            })?;
            db.flush()?;
            summary
        };

        // Every file and directory of the new database on disk before anything points to it.
        sync_all(&staging)
            .and_then(|()| sync_dir(dir))
            .map_err(StoreError::io("write to disk", &staging))?;
        // Moving the old database aside (or marking that there was none) commits the restore.
        let replaced = dir.join(DB_REPLACED);
        let moved = if live.exists() {
            std::fs::rename(&live, &replaced)
        } else {
            std::fs::create_dir(&replaced)
        };
        moved.map_err(StoreError::io("move aside", &live))?;
        finish_restore(dir)?;
        Ok(summary)
    }

    /// One transaction: the record, its slug and its index entries change together or not at all.
    fn save_unflushed(
        &self,
        story: &Story,
        expected_revision: Option<u64>,
    ) -> Result<Story, StoreError> {
        self.write_story(story, Revision::After(expected_revision), None)
            .map(|(stored, _)| stored)
    }

    /// Writes a story with its slug, indexes, revision and (when given) an audit event, in one
    /// sled transaction.
    fn write_story(
        &self,
        story: &Story,
        revision_rule: Revision,
        event: Option<&AuditEvent>,
    ) -> Result<(Story, ImportOutcome), StoreError> {
        let expected_revision = match revision_rule {
            Revision::After(expected) => expected,
            Revision::Keep => None,
        };
        let mut stored = story.clone();
        stored.revision = match revision_rule {
            Revision::After(expected) => next_revision(expected)?,
            Revision::Keep if story.revision > MAX_REVISION => {
                return Err(StoreError::RevisionLimit(story.revision));
            }
            Revision::Keep => story.revision.max(1),
        };
        let audit = match event {
            Some(event) => Some((audit_key(event), encode_audit(event)?)),
            None => None,
        };
        let record = encode_story(&stored)?;
        let summary = encode_summary(&stored.summary())?;
        let new_entries = entries_of(&stored);
        let id = stored.id.to_bytes();
        let slug = stored.slug.as_str().as_bytes();

        let revision = revision_key(stored.id, stored.revision);
        let trees = (
            &self.stories,
            &self.slugs,
            &self.indexes,
            &self.revisions,
            &self.photo_uses,
            &self.meta,
            &self.audit,
        );
        let now = OffsetDateTime::now_utc();
        let result = trees.transaction(
            |(stories, slugs, indexes, revisions, photo_uses, meta, audit_log)| {
                let abort = |e: StoreError| ConflictableTransactionError::Abort(e);
                let old = match stories.get(id)? {
                    Some(bytes) => Some(decode_story(&bytes).map_err(|e| abort(e.into()))?),
                    None => None,
                };
                let mut outcome = ImportOutcome::Created;
                if let Revision::Keep = revision_rule {
                    if let Some(current) = &old {
                        if current.revision >= stored.revision {
                            return Ok(ImportOutcome::Unchanged);
                        }
                        outcome = ImportOutcome::Updated;
                    }
                } else {
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
                if let Some(photo) = old.as_ref().and_then(public_photo) {
                    photo_uses.remove(photo_use_key(photo, stored.id))?;
                }
                if let Some(photo) = public_photo(&stored) {
                    photo_uses.insert(photo_use_key(photo, stored.id), &[])?;
                }
                slugs.insert(slug, &id)?;
                stories.insert(&id, record.as_slice())?;
                revisions.insert(revision.as_slice(), record.as_slice())?;
                // Readers' pages change when the story is public before or after this save.
                if stored.is_public() || old.as_ref().is_some_and(Story::is_public) {
                    let current = decode_public_version(meta.get(PUBLIC_VERSION)?.as_deref());
                    meta.insert(
                        PUBLIC_VERSION,
                        encode_public_version(current, now).as_slice(),
                    )?;
                }
                if let Some((key, value)) = &audit {
                    audit_log.insert(key.as_slice(), value.as_slice())?;
                }
                Ok(outcome)
            },
        );
        match result {
            Ok(outcome) => Ok((stored, outcome)),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    fn get_story(&self, id: StoryId) -> Result<Option<Story>, StoreError> {
        read(&self.stories, id.to_bytes(), decode_story)
    }
}

/// The database's directory inside the data directory, and the two a restore uses beside it.
const DB: &str = "db";
const DB_RESTORING: &str = "db.restoring";
const DB_REPLACED: &str = "db.replaced";

/// What a restore may replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Only an empty (or missing) database.
    OnlyEmpty,
    /// Whatever the data directory holds.
    Anything,
}

fn open_db(path: &Path, cache_bytes: u64) -> Result<Db, StoreError> {
    Ok(sled::Config::new()
        .path(path)
        .cache_capacity(cache_bytes)
        .open()?)
}

/// Whether the database holds anything at all (accounts, stories, photos, audit events).
fn holds_data(db: &Db) -> Result<bool, StoreError> {
    for name in db.tree_names() {
        if db.open_tree(&name)?.first()?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Brings a data directory back to one database after a restore that stopped part-way (see
/// [`SledStore::restore`]). `db.replaced` exists only once the new database is complete:
/// - with `db.restoring` and no `db`, the new database goes in place, then the old one goes;
/// - with `db` and no `db.restoring`, the new one is in place and the old one goes;
/// - with all three, `db` was made by something else since (an older version of Newsroom
///   started on the directory): nothing is removed, and the directory is refused until
///   someone decides which database to keep.
///
/// Without `db.replaced`, a `db.restoring` is unfinished and goes.
fn finish_restore(dir: &Path) -> Result<(), StoreError> {
    let live = dir.join(DB);
    let staging = dir.join(DB_RESTORING);
    let replaced = dir.join(DB_REPLACED);
    if replaced.exists() {
        match (live.exists(), staging.exists()) {
            (true, true) => {
                return Err(StoreError::InterruptedRestore(dir.to_owned()));
            }
            (false, _) => std::fs::rename(&staging, &live)
                .and_then(|()| sync_dir(dir))
                .map_err(StoreError::io(
                    "put in place the restored database",
                    &staging,
                ))?,
            (true, false) => {}
        }
        remove_dir(&replaced)?;
    }
    remove_dir(&staging)
}

fn remove_dir(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io("remove", path)(e)),
    }
}

/// Makes renames inside `dir` durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Flushes every file under `dir`, and every directory's entries, to disk.
fn sync_all(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_all(&entry.path())?;
        } else {
            File::open(entry.path())?.sync_all()?;
        }
    }
    sync_dir(dir)
}

fn lock_dir(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join("newsroom.lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(StoreError::io("open", &path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(StoreError::Locked(PathBuf::from(dir))),
        Err(TryLockError::Error(e)) => Err(StoreError::io("lock", &path)(e)),
    }
}

const BLOB_ORIGINAL: u8 = 0;
const BLOB_DISPLAY: u8 = 1;
const BLOB_RENDITION: u8 = b'w';

/// Where a photo's bytes are: under its hash, or under its id for a photo stored before
/// renditions existed (which has one display copy standing for every width).
fn blob_key(record: &Photo, blob: PhotoBlob) -> Vec<u8> {
    match (record.hash, blob) {
        (Some(hash), PhotoBlob::Original) => [&hash[..], &[BLOB_ORIGINAL]].concat(),
        (Some(hash), PhotoBlob::Rendition(width)) => {
            [&hash[..], &[BLOB_RENDITION], &width.to_be_bytes()[..]].concat()
        }
        (None, PhotoBlob::Original) => [&record.id.to_bytes()[..], &[BLOB_ORIGINAL]].concat(),
        (None, PhotoBlob::Rendition(_)) => [&record.id.to_bytes()[..], &[BLOB_DISPLAY]].concat(),
    }
}
const SETUP_TOKEN: &[u8] = b"setup-token";
/// Login sessions are left out of backups: a restored site starts with everyone signed out.
const SESSIONS: &str = "sessions";

/// How a write numbers the revision it stores.
#[derive(Clone, Copy)]
enum Revision {
    /// The next after the one the editor loaded (`None` for a new story).
    After(Option<u64>),
    /// The story's own, for copies from elsewhere; only a newer one replaces what is stored.
    Keep,
}

const PUBLIC_VERSION: &[u8] = b"public-version";

/// The version after `current`, changed at `now` (or later, so that the time never goes back
/// when the clock does).
fn encode_public_version(current: PublicVersion, now: OffsetDateTime) -> [u8; 16] {
    let at = current.changed_at.map_or(now, |before| before.max(now));
    let nanos = i64::try_from(at.unix_timestamp_nanos()).unwrap_or(i64::MAX);
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&current.generation.wrapping_add(1).to_be_bytes());
    out[8..].copy_from_slice(&nanos.to_be_bytes());
    out
}

/// A missing or malformed record is generation 0: nothing public has changed yet.
fn decode_public_version(bytes: Option<&[u8]>) -> PublicVersion {
    let Some(bytes) = bytes.and_then(|b| <[u8; 16]>::try_from(b).ok()) else {
        return PublicVersion {
            generation: 0,
            changed_at: None,
        };
    };
    let (generation, nanos) = bytes.split_at(8);
    let generation = u64::from_be_bytes(generation.try_into().unwrap_or_default());
    let nanos = i64::from_be_bytes(nanos.try_into().unwrap_or_default());
    PublicVersion {
        generation,
        changed_at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos)).ok(),
    }
}

fn finish(result: Result<(), TransactionError<StoreError>>) -> Result<(), StoreError> {
    match result {
        Ok(()) => Ok(()),
        Err(TransactionError::Abort(e)) => Err(e),
        Err(TransactionError::Storage(e)) => Err(e.into()),
    }
}

/// Nanoseconds since 1970 as an audit key; before 1970 counts as 1970.
fn audit_ts(at: OffsetDateTime) -> u64 {
    u64::try_from(at.unix_timestamp_nanos()).unwrap_or(0)
}

const AUDIT_KEY_LEN: usize = 12;

/// Where an event goes in the audit tree: its time, then random bytes so that two events of
/// the same nanosecond both stay.
fn audit_key(event: &AuditEvent) -> Vec<u8> {
    let mut key = audit_ts(event.at).to_be_bytes().to_vec();
    key.extend_from_slice(&rand::random::<[u8; 4]>());
    key
}

/// The revision a save after `expected` gets; never wraps around to reuse history slots.
fn next_revision(expected: Option<u64>) -> Result<u64, StoreError> {
    match expected {
        None => Ok(1),
        Some(current) if current >= MAX_REVISION => Err(StoreError::RevisionLimit(current)),
        Some(current) => Ok(current + 1),
    }
}

fn revision_key(id: StoryId, revision: u64) -> Vec<u8> {
    let mut key = id.to_bytes().to_vec();
    key.extend_from_slice(&revision.to_be_bytes());
    key
}

/// The photo a story shows readers, if it is published and has one.
fn public_photo(story: &Story) -> Option<PhotoId> {
    story
        .photo
        .as_ref()
        .and_then(|p| p.image)
        .filter(|_| story.is_public())
}

fn photo_use_key(photo: PhotoId, story: StoryId) -> Vec<u8> {
    let mut key = photo.to_bytes().to_vec();
    key.extend_from_slice(&story.to_bytes());
    key
}

fn id_bytes(v: &[u8]) -> Result<[u8; 16], StoreError> {
    v.try_into()
        .map_err(|_| StoreError::Inconsistent(format!("an id of {} bytes", v.len())))
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
        let _writing = self.writing();
        let stored = self.save_unflushed(story, expected_revision)?;
        self.db.flush()?;
        Ok(stored)
    }

    fn save_story_audited(
        &self,
        story: &Story,
        expected_revision: Option<u64>,
        event: &AuditEvent,
    ) -> Result<Story, StoreError> {
        let _writing = self.writing();
        let (stored, _) =
            self.write_story(story, Revision::After(expected_revision), Some(event))?;
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

    fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let _writing = self.writing();
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
        finish(result)?;
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

    fn transaction(
        &self,
        work: &mut dyn FnMut(&mut dyn Transaction) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let _writing = self.writing();
        let _serial = self.serial();
        let mut tx = SledTransaction {
            store: self,
            users: BTreeMap::new(),
            ended_sessions: BTreeSet::new(),
            events: Vec::new(),
        };
        work(&mut tx)?;
        tx.commit()
    }

    fn session(&self, key: &[u8; 32], now: OffsetDateTime) -> Result<Option<Session>, StoreError> {
        let Some(bytes) = self.sessions.get(key)? else {
            return Ok(None);
        };
        let record = decode_session(&bytes)?;
        if record.expires_at <= now {
            let _writing = self.writing();
            self.sessions.remove(key)?;
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

    fn save_photo(
        &self,
        record: &Photo,
        original: &[u8],
        renditions: &[Vec<u8>],
    ) -> Result<Photo, StoreError> {
        let hash = record
            .hash
            .ok_or_else(|| StoreError::Invalid("a new photo needs its content hash"))?;
        if renditions.len() != record.renditions.len() {
            return Err(StoreError::Invalid(
                "a photo's renditions do not match its record",
            ));
        }
        let _writing = self.writing();
        let encoded = encode_photo(record)?;
        let trees = (&self.photos, &self.photo_blobs, &self.photo_hashes);
        let existing: Result<Option<sled::IVec>, TransactionError<StoreError>> =
            trees.transaction(|(photos, blobs, hashes)| {
                if let Some(id) = hashes.get(hash)? {
                    return Ok(Some(id));
                }
                blobs.insert(blob_key(record, PhotoBlob::Original), original)?;
                for (rendition, bytes) in record.renditions.iter().zip(renditions) {
                    blobs.insert(
                        blob_key(record, PhotoBlob::Rendition(rendition.width)),
                        bytes.as_slice(),
                    )?;
                }
                hashes.insert(&hash, &record.id.to_bytes())?;
                photos.insert(&record.id.to_bytes(), encoded.as_slice())?;
                Ok(None)
            });
        let existing = match existing {
            Ok(existing) => existing,
            Err(TransactionError::Abort(e)) => return Err(e),
            Err(TransactionError::Storage(e)) => return Err(e.into()),
        };
        match existing {
            Some(id) => {
                let id: [u8; 16] = id
                    .as_ref()
                    .try_into()
                    .map_err(|_| StoreError::Inconsistent("bad photo hash entry".into()))?;
                self.photo(PhotoId::from_bytes(id))?
                    .ok_or(StoreError::NotFound)
            }
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
        Ok(self
            .photo_blobs
            .get(blob_key(&record, blob))?
            .map(|v| v.to_vec()))
    }

    fn photos(
        &self,
        search: Option<&str>,
        page: PageNumber,
        per_page: usize,
    ) -> Result<PhotoPage, StoreError> {
        // A scan of the records (not of their bytes): a newsroom's library is thousands of
        // photos, a few hundred bytes each.
        let per_page = per_page.max(1);
        let needle = search
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        let offset = page.index() * per_page;
        let mut items = Vec::with_capacity(per_page);
        let mut total_items = 0u64;
        for item in self.photos.iter().rev() {
            let (_, bytes) = item?;
            let record = decode_photo(&bytes)?;
            let matches = needle.as_deref().is_none_or(|needle| {
                record.caption.to_lowercase().contains(needle)
                    || record.credit.to_lowercase().contains(needle)
            });
            if !matches {
                continue;
            }
            if total_items as usize >= offset && items.len() < per_page {
                items.push(record);
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
        Ok(self
            .photo_uses
            .scan_prefix(id.to_bytes())
            .next()
            .transpose()?
            .is_some())
    }

    fn set_setup_token(&self, digest: &[u8; 32]) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.meta.insert(SETUP_TOKEN, digest)?;
        self.db.flush()?;
        Ok(())
    }

    fn take_setup_token(&self, digest: &[u8; 32]) -> Result<bool, StoreError> {
        let _writing = self.writing();
        let taken = self
            .meta
            .compare_and_swap(SETUP_TOKEN, Some(&digest[..]), None as Option<&[u8]>)?
            .is_ok();
        self.db.flush()?;
        Ok(taken)
    }

    fn setup_token_matches(&self, digest: &[u8; 32]) -> Result<bool, StoreError> {
        Ok(self
            .meta
            .get(SETUP_TOKEN)?
            .is_some_and(|stored| stored.as_ref() == digest))
    }

    fn secret(&self, name: &str, len: usize) -> Result<Vec<u8>, StoreError> {
        let _writing = self.writing();
        let key = format!("secret:{name}");
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

    fn import_story_version(&self, story: &Story) -> Result<ImportOutcome, StoreError> {
        let _writing = self.writing();
        let (_, outcome) = self.write_story(story, Revision::Keep, None)?;
        if outcome != ImportOutcome::Unchanged {
            self.db.flush()?;
        }
        Ok(outcome)
    }

    fn backup(&self, dir: &Path) -> Result<backup::Summary, StoreError> {
        let mut writer = backup::Writer::create(dir)?;
        let _exclusive = self.gate.write().unwrap_or_else(PoisonError::into_inner);
        for name in self.db.tree_names() {
            let name_text = String::from_utf8_lossy(&name).into_owned();
            if name_text == SESSIONS {
                continue;
            }
            for item in self.db.open_tree(&name)?.iter() {
                let (key, value) = item?;
                writer.record(&name_text, &key, &value)?;
            }
        }
        writer.finish()
    }

    fn public_version(&self) -> Result<PublicVersion, StoreError> {
        Ok(decode_public_version(
            self.meta.get(PUBLIC_VERSION)?.as_deref(),
        ))
    }
}

/// A transaction's writes, kept aside while its work runs (which reads the committed data and
/// these), then applied in one sled transaction. Transactions run one at a time (`serial`).
struct SledTransaction<'a> {
    store: &'a SledStore,
    users: BTreeMap<[u8; 16], User>,
    ended_sessions: BTreeSet<sled::IVec>,
    events: Vec<AuditEvent>,
}

impl SledTransaction<'_> {
    fn commit(self) -> Result<(), StoreError> {
        if self.users.is_empty() && self.ended_sessions.is_empty() && self.events.is_empty() {
            return Ok(());
        }
        let users = self
            .users
            .iter()
            .map(|(id, user)| Ok((*id, encode_user(user)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let events = self
            .events
            .iter()
            .map(|event| Ok((audit_key(event), encode_audit(event)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let store = self.store;
        let trees = (&store.users, &store.sessions, &store.audit);
        finish(trees.transaction(|(users_tree, sessions, audit)| {
            for (id, record) in &users {
                users_tree.insert(&id[..], record.as_slice())?;
            }
            for key in &self.ended_sessions {
                sessions.remove(key)?;
            }
            for (key, value) in &events {
                audit.insert(key.as_slice(), value.as_slice())?;
            }
            Ok(())
        }))?;
        store.db.flush()?;
        Ok(())
    }
}

impl Transaction for SledTransaction<'_> {
    fn user(&mut self, id: UserId) -> Result<Option<User>, StoreError> {
        match self.users.get(&id.to_bytes()) {
            Some(user) => Ok(Some(user.clone())),
            None => self.store.user(id),
        }
    }

    fn users(&mut self) -> Result<Vec<User>, StoreError> {
        let mut all = self.store.users()?;
        for user in &mut all {
            if let Some(changed) = self.users.get(&user.id.to_bytes()) {
                *user = changed.clone();
            }
        }
        Ok(all)
    }

    fn update_user(&mut self, user: &User) -> Result<(), StoreError> {
        if self.user(user.id)?.is_none() {
            return Err(StoreError::NotFound);
        }
        self.users.insert(user.id.to_bytes(), user.clone());
        Ok(())
    }

    fn delete_sessions_of(&mut self, user: UserId) -> Result<usize, StoreError> {
        let keys = self.store.session_keys_of(user)?;
        let count = keys.len();
        self.ended_sessions.extend(keys);
        Ok(count)
    }

    fn record_audit(&mut self, event: &AuditEvent) -> Result<(), StoreError> {
        self.events.push(event.clone());
        Ok(())
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
mod tests {
    use super::*;
    use tempfile::TempDir;

    /// A setting a backup may hold, standing for all the data.
    const KEY: &str = "secret:edition";

    /// A data directory whose database holds `edition`.
    fn data_dir(edition: &str) -> TempDir {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path(), 1 << 20).unwrap();
        store.meta.insert(KEY, edition.as_bytes()).unwrap();
        store.flush().unwrap();
        dir
    }

    fn edition(dir: &Path) -> Option<String> {
        let store = SledStore::open(dir, 1 << 20).unwrap();
        let value = store.meta.get(KEY).unwrap();
        value.map(|v| String::from_utf8(v.to_vec()).unwrap())
    }

    /// A backup of a database holding `edition`, at `holder/backup`.
    fn backup_of(edition: &str) -> (TempDir, PathBuf) {
        let data = data_dir(edition);
        let holder = tempfile::tempdir().unwrap();
        let path = holder.path().join("backup");
        SledStore::open(data.path(), 1 << 20)
            .unwrap()
            .backup(&path)
            .unwrap();
        (holder, path)
    }

    fn leftovers(dir: &Path) -> Vec<&'static str> {
        [DB_RESTORING, DB_REPLACED]
            .into_iter()
            .filter(|name| dir.join(name).exists())
            .collect()
    }

    #[test]
    fn a_restore_replaces_the_database_and_leaves_nothing_beside_it() {
        let data = data_dir("old");
        let (_holder, backup) = backup_of("new");

        SledStore::restore(data.path(), &backup, 1 << 20, Replace::Anything).unwrap();

        assert_eq!(edition(data.path()).as_deref(), Some("new"));
        assert!(leftovers(data.path()).is_empty());
    }

    #[test]
    fn a_restore_stopped_while_writing_leaves_the_old_data() {
        let data = data_dir("old");
        let staging = data.path().join(DB_RESTORING);
        std::fs::create_dir(&staging).unwrap();
        std::fs::write(staging.join("half-written"), b"...").unwrap();

        assert_eq!(edition(data.path()).as_deref(), Some("old"));
        assert!(leftovers(data.path()).is_empty());
    }

    #[test]
    fn a_restore_stopped_after_moving_the_old_data_aside_is_completed_on_open() {
        let data = data_dir("old");
        // A complete restored database, where the restore writes it.
        let restored = data_dir("new");
        std::fs::rename(restored.path().join(DB), data.path().join(DB_RESTORING)).unwrap();
        std::fs::rename(data.path().join(DB), data.path().join(DB_REPLACED)).unwrap();

        assert_eq!(edition(data.path()).as_deref(), Some("new"));
        assert!(leftovers(data.path()).is_empty());
    }

    #[test]
    fn a_restore_stopped_before_removing_the_old_data_is_tidied_on_open() {
        let data = data_dir("new");
        let old = data_dir("old");
        std::fs::rename(old.path().join(DB), data.path().join(DB_REPLACED)).unwrap();

        assert_eq!(edition(data.path()).as_deref(), Some("new"));
        assert!(leftovers(data.path()).is_empty());
    }

    #[test]
    fn a_database_made_beside_an_interrupted_restore_is_refused_not_removed() {
        let data = data_dir("made since");
        let restored = data_dir("new");
        let old = data_dir("old");
        std::fs::rename(restored.path().join(DB), data.path().join(DB_RESTORING)).unwrap();
        std::fs::rename(old.path().join(DB), data.path().join(DB_REPLACED)).unwrap();

        assert!(SledStore::open(data.path(), 1 << 20).is_err());
        assert_eq!(leftovers(data.path()), [DB_RESTORING, DB_REPLACED]);
    }

    #[test]
    fn a_restore_that_may_only_fill_an_empty_directory_refuses_one_with_data() {
        let data = data_dir("old");
        let (_holder, backup) = backup_of("new");

        let refused = SledStore::restore(data.path(), &backup, 1 << 20, Replace::OnlyEmpty);

        assert!(matches!(refused, Err(StoreError::NotEmpty(_))));
        assert_eq!(edition(data.path()).as_deref(), Some("old"));
        let empty = tempfile::tempdir().unwrap();
        SledStore::restore(empty.path(), &backup, 1 << 20, Replace::OnlyEmpty).unwrap();
        assert_eq!(edition(empty.path()).as_deref(), Some("new"));
    }

    #[test]
    fn a_restore_into_a_held_directory_is_refused_and_changes_nothing() {
        let data = data_dir("old");
        let (_holder, backup) = backup_of("new");
        let running = SledStore::open(data.path(), 1 << 20).unwrap();

        let refused = SledStore::restore(data.path(), &backup, 1 << 20, Replace::Anything);

        assert!(matches!(refused, Err(StoreError::Locked(_))));
        drop(running);
        assert_eq!(edition(data.path()).as_deref(), Some("old"));
    }

    fn store() -> (TempDir, SledStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path(), 1 << 20).unwrap();
        (dir, store)
    }

    fn publish_event(at: OffsetDateTime) -> AuditEvent {
        AuditEvent {
            at,
            actor: None,
            actor_name: "desk".into(),
            action: crate::domain::AuditAction::Publish,
            detail: "Talks end".into(),
        }
    }

    #[test]
    fn a_story_at_the_last_revision_is_refused_rather_than_wrapped() {
        let (_dir, store) = store();
        let mut story = super::super::codec::tests::sample_story();
        story.revision = MAX_REVISION;
        assert_eq!(
            store.import_story_version(&story).unwrap(),
            ImportOutcome::Created
        );

        let refused = store.save_story(&story, Some(MAX_REVISION));

        assert!(matches!(
            refused,
            Err(StoreError::RevisionLimit(MAX_REVISION))
        ));
        assert_eq!(store.story_revisions(story.id).unwrap().len(), 1);
        assert_eq!(
            store.story(story.id).unwrap().unwrap().revision,
            MAX_REVISION
        );
    }

    #[test]
    fn an_import_claiming_more_revisions_than_a_story_can_have_is_refused() {
        let (_dir, store) = store();
        let mut story = super::super::codec::tests::sample_story();
        for claimed in [MAX_REVISION + 1, u64::MAX] {
            story.revision = claimed;
            assert!(matches!(
                store.import_story_version(&story),
                Err(StoreError::RevisionLimit(r)) if r == claimed
            ));
        }
        assert!(store.story(story.id).unwrap().is_none());
    }

    #[test]
    fn an_audited_save_stores_the_story_and_its_event_together() {
        let (_dir, store) = store();
        let story = super::super::codec::tests::sample_story();
        let event = publish_event(story.updated_at);

        let saved = store.save_story_audited(&story, None, &event).unwrap();

        assert_eq!(saved.revision, 1);
        assert_eq!(store.audit_log(None, 10).unwrap(), [event]);
    }

    #[test]
    fn an_audited_save_that_conflicts_records_no_event() {
        let (_dir, store) = store();
        let story = super::super::codec::tests::sample_story();
        let saved = store.save_story(&story, None).unwrap();
        store.save_story(&saved, Some(1)).unwrap();

        let stale = store.save_story_audited(&saved, Some(1), &publish_event(story.updated_at));

        assert!(matches!(stale, Err(StoreError::Conflict { .. })));
        assert!(store.audit_log(None, 10).unwrap().is_empty());
    }

    /// A backup that passes its checksum but holds `tree`/`key`/`value`.
    fn backup_holding(tree: &str, key: &[u8], value: &[u8]) -> (TempDir, PathBuf) {
        let holder = tempfile::tempdir().unwrap();
        let path = holder.path().join("backup");
        let mut writer = backup::Writer::create(&path).unwrap();
        writer.record("meta", KEY.as_bytes(), b"new").unwrap();
        writer.record(tree, key, value).unwrap();
        writer.finish().unwrap();
        (holder, path)
    }

    #[test]
    fn a_backup_with_an_undecodable_record_is_refused_and_changes_nothing() {
        let data = data_dir("old");
        let (_holder, backup) = backup_holding("stories", &[7; 16], b"\x01not a story");

        let refused = SledStore::restore(data.path(), &backup, 1 << 20, Replace::Anything);

        assert!(matches!(
            refused,
            Err(StoreError::UnreadableBackupRecord { ref tree, .. }) if tree == "stories"
        ));
        assert_eq!(edition(data.path()).as_deref(), Some("old"));
        assert!(leftovers(data.path()).is_empty());
    }

    #[test]
    fn a_backup_with_an_absurd_index_counter_is_refused() {
        let data = data_dir("old");
        let counter = [&b"front\0"[..], &[8], &[0; 4]].concat();
        let (_holder, backup) = backup_holding("indexes", &counter, &(1u64 << 63).to_be_bytes());

        let refused = SledStore::restore(data.path(), &backup, 1 << 20, Replace::Anything);

        assert!(matches!(refused, Err(StoreError::DamagedBackup { .. })));
        assert_eq!(edition(data.path()).as_deref(), Some("old"));
    }

    #[test]
    fn a_backup_with_an_absurd_public_version_or_a_stranger_tree_is_refused() {
        let data = data_dir("old");
        let mut version = [0u8; 16];
        version[..8].copy_from_slice(&(1u64 << 63).to_be_bytes());
        for (tree, key, value) in [
            ("meta", PUBLIC_VERSION, &version[..]),
            ("elsewhere", &b"k"[..], &b"v"[..]),
        ] {
            let (_holder, backup) = backup_holding(tree, key, value);
            let refused = SledStore::restore(data.path(), &backup, 1 << 20, Replace::Anything);
            assert!(matches!(refused, Err(StoreError::DamagedBackup { .. })));
        }
        assert_eq!(edition(data.path()).as_deref(), Some("old"));
    }

    #[test]
    fn a_backup_of_a_database_with_stories_users_and_events_restores() {
        let (_dir, store) = store();
        let story = super::super::codec::tests::sample_story();
        let mut published = story.clone();
        published.status = crate::domain::Status::Published;
        published.published_at = Some(story.updated_at);
        store
            .save_story_audited(&published, None, &publish_event(story.updated_at))
            .unwrap();
        let holder = tempfile::tempdir().unwrap();
        let path = holder.path().join("backup");
        store.backup(&path).unwrap();
        let restored_dir = tempfile::tempdir().unwrap();

        SledStore::restore(restored_dir.path(), &path, 1 << 20, Replace::OnlyEmpty).unwrap();

        let restored = SledStore::open(restored_dir.path(), 1 << 20).unwrap();
        assert_eq!(restored.story(story.id).unwrap().unwrap().revision, 1);
        assert_eq!(restored.audit_log(None, 10).unwrap().len(), 1);
        let front = restored
            .listing(Listing::Front, PageNumber::FIRST, 10)
            .unwrap();
        assert_eq!(front.total_items, 1);
    }

    #[test]
    fn a_stored_secret_of_the_wrong_length_is_replaced_not_handed_out() {
        let (_dir, store) = store();
        store
            .meta
            .insert("secret:session-cookie-key", &b"short"[..])
            .unwrap();

        let key = store.secret("session-cookie-key", 64).unwrap();

        assert_eq!(key.len(), 64);
        assert_eq!(store.secret("session-cookie-key", 64).unwrap(), key);
    }
}
