//! Persistence behind one narrow interface. Handlers see only the [`Store`] trait; each engine
//! (sled, embedded; PostgreSQL, for several app servers) knows its own tables, keys and bytes,
//! and both share the codec's record layouts and which listings a story is in ([`listings`]).

pub mod backup;
mod choice;
pub mod codec;
mod counted_index;
mod cursor;
mod listings;
pub mod login_throttle;
mod photo_uses;
mod postgres;
pub mod presence;
pub mod records;
pub mod redirects;
mod revision;
pub mod search;
mod sled_store;

use crate::clock::Clock;
use crate::domain::{
    AuditEvent, Autosave, PageNumber, Paging, Photo, PhotoDefaults, PhotoId, PublicNote, Section,
    Session, Slug, Status, Story, StoryId, StorySummary, User, UserId, Username,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;
use time::OffsetDateTime;

pub use choice::{DatabaseUrl, Storage};
pub use cursor::{Cursor, InvalidCursor};
pub use listings::{ListingPlace, public_place};
pub use login_throttle::{FailureCount, FailureRule, LoginThrottleStore};
pub use photo_uses::{PhotoUse, StoryUsingPhoto};
/// The PostgreSQL backend by name, for tests of what is particular to it.
pub use postgres::{Migrated, PgStore};
pub use records::{Expect, RecordKind, RecordStore, SiteRecord};
pub(crate) use revision::Revision;
pub use search::SearchStore;
pub use sled_store::Replace;
/// The sled backend by name, for tests of what is particular to it; everything else opens
/// storage with [`open`].
pub use sled_store::SledStore;

/// Opens the database `storage` names with the engine it names: sled (creating the directory
/// if needed, finishing or clearing a restore that stopped part-way; [`StoreError::Locked`]
/// while another process holds it) or PostgreSQL (bringing its schema up to date). `clock`
/// stamps public changes, as the pages' validators compare against it (tests move it forward).
pub fn open(storage: &Storage, clock: Clock) -> Result<SharedStore, StoreError> {
    match storage {
        Storage::Sled { dir, cache_bytes } => Ok(Arc::new(SledStore::open_with_clock(
            dir,
            *cache_bytes,
            clock,
        )?)),
        Storage::Postgres { url } => Ok(Arc::new(PgStore::open(url, clock)?)),
    }
}

/// Brings the schema of the database `storage` names up to what this release knows: what
/// `newsroom migrate` does. sled needs no migrating (its records carry their own versions), so
/// it answers `None`.
pub fn migrate(storage: &Storage) -> Result<Option<Migrated>, StoreError> {
    match storage {
        Storage::Sled { .. } => Ok(None),
        Storage::Postgres { url } => PgStore::migrate(url).map(Some),
    }
}

/// Replaces the database in `dir` with the backup in `backup_dir`, all or nothing: the backup
/// is read and checked in full before the data directory changes (see [`backup`]).
pub fn restore(
    dir: &Path,
    backup_dir: &Path,
    cache_bytes: u64,
    replace: Replace,
) -> Result<backup::Summary, StoreError> {
    SledStore::restore(dir, backup_dir, cache_bytes, replace)
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the database at {0} is in use by a running server; stop it first")]
    Locked(PathBuf),
    #[error("the slug {0:?} is already used by another story")]
    SlugTaken(String),
    /// The story was saved by someone else since the caller loaded it.
    #[error("the story has changed since it was loaded (now at revision {})", current.revision)]
    Conflict { current: Box<Story> },
    #[error("no such record")]
    NotFound,
    /// A site record was written by someone else since the caller read it (or created when
    /// the caller expected none, or gone when it expected one).
    #[error("the {} record {key:?} has changed since it was read", kind.name())]
    RecordConflict {
        kind: records::RecordKind,
        key: String,
        /// Its revision now; `None` when there is none.
        current: Option<u64>,
    },
    #[error("the username {0:?} is taken")]
    UsernameTaken(String),
    /// A restore that may only fill an empty data directory found data in it.
    #[error("the data directory {0} already holds data")]
    NotEmpty(PathBuf),
    /// A story cannot take another revision, or an import claims more than a story can have.
    #[error("revision {0} is beyond the last a story can have ({MAX_REVISION})")]
    RevisionLimit(u64),
    /// The work of a transaction failed, so none of its writes were stored.
    #[error("the change was abandoned")]
    Abandoned,
    /// The database engine failed; the cause is kept, and named in the message too, as the
    /// web layer logs errors as text.
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("cannot {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The search index is being made again from the stored records (after a restore, or
    /// when it was damaged): searches work again once it is done.
    #[error("search is being rebuilt; try again shortly")]
    SearchUnavailable,
    /// The search index failed; the cause is kept.
    #[error("search index error: {0}")]
    Search(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("corrupt record: {0}")]
    Corrupt(#[from] codec::CodecError),
    /// The stored data contradicts itself (an index entry without its record, say).
    #[error("the database is inconsistent: {0}")]
    Inconsistent(String),
    /// A record of a backup that does not decode as what its tree holds.
    #[error("{} holds a record of {tree:?} that cannot be read", path.display())]
    UnreadableBackupRecord {
        path: PathBuf,
        tree: String,
        #[source]
        source: codec::CodecError,
    },
    /// A backup that is truncated, damaged or holds what no backup holds.
    #[error("{} is not a complete newsroom backup ({why})", path.display())]
    DamagedBackup { path: PathBuf, why: String },
    #[error("{} already holds a backup; choose an empty directory", .0.display())]
    BackupExists(PathBuf),
    #[error(
        "{} exists: a backup is being written there, or one was interrupted; remove it and try \
         again",
        .0.display()
    )]
    PartialBackupExists(PathBuf),
    #[error(
        "{} holds an interrupted restore (db.restoring and db.replaced) beside a database (db) \
         made since; keep one of the three as db and remove the others",
        .0.display()
    )]
    InterruptedRestore(PathBuf),
    /// The database was brought to a schema by a newer release than this one.
    #[error(
        "the database's schema is at version {found}, newer than this release knows ({known}); \
         run a newer release of newsroom"
    )]
    SchemaTooNew { found: i32, known: i32 },
    /// The caller handed over something the store cannot take.
    #[error("{0}")]
    Invalid(&'static str),
    #[error(transparent)]
    Domain(#[from] crate::domain::DomainError),
}

impl StoreError {
    /// An I/O failure on `path` while doing `action` ("open", "write", ...).
    pub(crate) fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_owned();
        move |source| StoreError::Io {
            action,
            path,
            source,
        }
    }
}

/// How often a server takes in the changes other servers made (see
/// [`ChangeFeed::follow_changes`]): a publish on one shows on every other within about this long.
pub const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// The highest revision a story may reach. Far more saves than a newsroom makes (a save a
/// second for 136 years), yet low enough that a revision number never wraps around and reuses
/// history slots; an import claiming more is refused.
pub const MAX_REVISION: u64 = u32::MAX as u64;

/// A status without its data, for filtering; or the stories waiting for review, whatever
/// their status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusFilter {
    Draft,
    Scheduled,
    Published,
    Unpublished,
    Withdrawn,
    /// Submitted by their writer for an editor to review (a draft, or a live story's pending
    /// changes): a filter beside the statuses, not one of them.
    ForReview,
}

impl StatusFilter {
    pub const ALL: [StatusFilter; 6] = [
        StatusFilter::Draft,
        StatusFilter::Scheduled,
        StatusFilter::Published,
        StatusFilter::Unpublished,
        StatusFilter::Withdrawn,
        StatusFilter::ForReview,
    ];

    pub fn of(status: Status) -> Self {
        match status {
            Status::Draft => StatusFilter::Draft,
            Status::Scheduled(_) => StatusFilter::Scheduled,
            Status::Published => StatusFilter::Published,
            Status::Unpublished => StatusFilter::Unpublished,
            Status::Withdrawn(_) => StatusFilter::Withdrawn,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            StatusFilter::Draft => "draft",
            StatusFilter::Scheduled => "scheduled",
            StatusFilter::Published => "published",
            StatusFilter::Unpublished => "unpublished",
            StatusFilter::Withdrawn => "withdrawn",
            StatusFilter::ForReview => "review",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == raw)
    }
}

/// An ordered list of stories that can be paged through.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Listing {
    /// Every published story, newest publication first (what the front page shows until it
    /// is curated).
    Published,
    /// Published stories of one section, newest publication first.
    Section(Section),
    /// Every story on the desk, most recently saved first, optionally filtered.
    Desk {
        status: Option<StatusFilter>,
        section: Option<Section>,
    },
    /// Published stories filed under one tag (by its key), newest publication first.
    Tag(Slug),
    /// Published stories whose bylines link to one author's profile, newest publication first.
    Author(Slug),
    /// Every story on the desk carrying a tag, live or in its pending changes, most recently
    /// saved first: what renaming the tag must change.
    DeskTag(Slug),
}

/// One page of a listing. `items` is empty only when the listing itself is empty.
#[derive(Debug, Clone)]
pub struct ListingPage {
    pub items: Vec<StorySummary>,
    pub paging: Paging,
    pub total_items: u64,
}

/// A public note in the corrections listing, with the story it is on.
#[derive(Debug, Clone)]
pub struct ListedNote {
    pub story: StorySummary,
    pub note: PublicNote,
}

/// One page of the corrections listing. `items` is empty only when the listing itself is empty.
#[derive(Debug, Clone)]
pub struct NotePage {
    pub items: Vec<ListedNote>,
    pub paging: Paging,
    pub total_items: u64,
}

/// What the rest of the application may ask of the database: every concern's trait, and
/// changes that span them ([`Store::transaction`]).
///
/// Every write is durable when the call returns (flushed to disk, or committed), so a save that
/// was acknowledged survives a crash. Calls block; async code runs them on the blocking pool.
/// Code that calls a store brings the traits in with `use crate::storage::prelude::*`.
pub trait Store:
    StoryStore
    + AccountStore
    + LoginSessionStore
    + AutosaveStore
    + AuditStore
    + PhotoStore
    + SecretStore
    + BackupStore
    + ChangeFeed
    + SearchStore
    + LoginThrottleStore
    + RecordStore
    + Send
    + Sync
    + 'static
{
    /// Whether the database answers and holds a schema this build can use: what a server asks
    /// before it says it is ready for requests.
    fn check_ready(&self) -> Result<(), StoreError>;

    /// How much of a pool of database connections is in use, for an engine that keeps one.
    fn pool_use(&self) -> Option<PoolUse> {
        None
    }

    /// Runs `work` as one change (see [`Transaction`]): every write it makes is stored, or none
    /// is; no other transaction runs between its reads and its writes. `work` may be run again
    /// when a backend must retry (a serialization failure in PostgreSQL), so it should only
    /// read and write through the transaction. Prefer the typed [`transaction`] helper.
    fn transaction(
        &self,
        work: &mut (dyn FnMut(&mut dyn Transaction) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError>;
}

/// The traits of [`Store`], for `use crate::storage::prelude::*` where a store is called.
pub mod prelude {
    pub use super::{
        AccountStore, AuditStore, AutosaveStore, BackupStore, ChangeFeed, LoginSessionStore,
        LoginThrottleStore, PhotoStore, RecordStore, SearchStore, SecretStore, Store, StoryStore,
    };
}

/// Stories, their revisions and the listings they appear in.
pub trait StoryStore {
    /// Saves `story`. `expected_revision` is `None` for a new story, otherwise the revision the
    /// caller loaded; a newer stored revision gives [`StoreError::Conflict`] and changes nothing.
    /// Returns the story as stored, with its new revision.
    fn save_story(
        &self,
        story: &Story,
        expected_revision: Option<u64>,
    ) -> Result<Story, StoreError>;

    /// Saves many new stories with one flush at the end: for imports and seeding, where a
    /// flush per story would make a large import take hours. Stories whose slug is taken are
    /// skipped; returns how many were saved.
    fn import_stories(&self, stories: &[Story]) -> Result<usize, StoreError>;

    fn story(&self, id: StoryId) -> Result<Option<Story>, StoreError>;

    fn story_by_slug(&self, slug: &Slug) -> Result<Option<Story>, StoreError>;

    /// Page `page` of `listing`, `per_page` items a page. A page past the last gives
    /// [`StoreError::NotFound`], except page 1 of an empty listing.
    fn listing(
        &self,
        listing: Listing,
        page: PageNumber,
        per_page: usize,
    ) -> Result<ListingPage, StoreError>;

    /// Up to `limit` stories of a public listing (every published story, or a section), newest
    /// first, strictly after `after` in the listing's order. Reads the listing's index from the
    /// cursor on, so the cost does not grow with how deep a client has paged, and stories
    /// published since the cursor was handed out never shift what comes after it.
    fn listing_after(
        &self,
        listing: Listing,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<Vec<StorySummary>, StoreError>;

    /// Page `page` of the public notes (corrections, clarifications, editor's notes) of the
    /// stories readers can see, newest first, `per_page` a page, each with its story. A page
    /// past the last gives [`StoreError::NotFound`], except page 1 of an empty listing.
    fn notes(&self, page: PageNumber, per_page: usize) -> Result<NotePage, StoreError>;

    /// Scheduled stories whose time has come, oldest first.
    fn due_scheduled(&self, now: OffsetDateTime, limit: usize) -> Result<Vec<StoryId>, StoreError>;

    /// Every saved revision of a story, newest first. Each save keeps one.
    fn story_revisions(&self, id: StoryId) -> Result<Vec<Story>, StoreError>;

    fn story_revision(&self, id: StoryId, revision: u64) -> Result<Option<Story>, StoreError>;

    /// Stores a story brought in from elsewhere at its own revision, in one transaction: a new
    /// story is created; a stored one is replaced only when `story.revision` is newer.
    fn import_story_version(&self, story: &Story) -> Result<ImportOutcome, StoreError>;
}

/// Desk accounts.
pub trait AccountStore {
    /// Adds an account; [`StoreError::UsernameTaken`] if the name is in use.
    fn create_user(&self, user: &User) -> Result<(), StoreError>;

    /// Replaces an existing account's record (the username cannot change).
    fn update_user(&self, user: &User) -> Result<(), StoreError>;

    fn user(&self, id: UserId) -> Result<Option<User>, StoreError>;

    fn user_by_name(&self, username: &Username) -> Result<Option<User>, StoreError>;

    /// Every account, by username.
    fn users(&self) -> Result<Vec<User>, StoreError>;
}

/// Login sessions, keyed by the SHA-256 of the session id.
pub trait LoginSessionStore {
    /// A live session; an expired one is deleted and `None` returned.
    fn session(&self, key: &[u8; 32], now: OffsetDateTime) -> Result<Option<Session>, StoreError>;

    fn put_session(&self, key: &[u8; 32], session: &Session) -> Result<(), StoreError>;

    /// Replaces a session's record only while it exists, as one atomic step; false, writing
    /// nothing, when it is gone. A session ended meanwhile (a logout or an administrator on
    /// another server) is never brought back by a renewal racing it.
    fn renew_session(&self, key: &[u8; 32], session: &Session) -> Result<bool, StoreError>;

    fn delete_session(&self, key: &[u8; 32]) -> Result<(), StoreError>;

    /// Ends every session of an account; returns how many.
    fn delete_sessions_of(&self, user: UserId) -> Result<usize, StoreError>;

    /// The live sessions of an account with their keys, for its owner to see and end.
    fn sessions_of(
        &self,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<Vec<([u8; 32], Session)>, StoreError>;
}

/// Autosaved story forms: one copy per account and story (`None`: a story not saved yet).
pub trait AutosaveStore {
    fn put_autosave(
        &self,
        user: UserId,
        story: Option<StoryId>,
        copy: &Autosave,
    ) -> Result<(), StoreError>;

    fn autosave(
        &self,
        user: UserId,
        story: Option<StoryId>,
    ) -> Result<Option<Autosave>, StoreError>;

    fn delete_autosave(&self, user: UserId, story: Option<StoryId>) -> Result<(), StoreError>;
}

/// The audit log.
pub trait AuditStore {
    fn record_audit(&self, event: &AuditEvent) -> Result<(), StoreError>;

    /// Up to `limit` events, newest first, older than `before` when given.
    fn audit_log(
        &self,
        before: Option<OffsetDateTime>,
        limit: usize,
    ) -> Result<Vec<AuditEvent>, StoreError>;
}

/// The photo library: records, originals, renditions and crops.
pub trait PhotoStore {
    /// Stores a photo, its original bytes, its renditions and crops (`renditions[i]` is the
    /// JPEG of `photo.renditions[i]`, `crops[i]` that of `photo.crops[i]`), all in one write,
    /// unless a photo with the same `hash` is stored already. Returns the stored record: the
    /// earlier one for a duplicate, which is not stored again.
    fn save_photo(
        &self,
        photo: &Photo,
        original: &[u8],
        renditions: &[Vec<u8>],
        crops: &[Vec<u8>],
    ) -> Result<Photo, StoreError>;

    fn photo(&self, id: PhotoId) -> Result<Option<Photo>, StoreError>;

    /// The photo whose original has this SHA-256, if stored.
    fn photo_by_hash(&self, hash: &[u8; 32]) -> Result<Option<Photo>, StoreError>;

    /// The original upload or one of its renditions.
    fn photo_blob(&self, id: PhotoId, blob: PhotoBlob) -> Result<Option<Vec<u8>>, StoreError>;

    /// Gives photo `id` the focal point `focal` and these crops cut around it (the bytes of
    /// each beside it), in place of its earlier ones, whose bytes go. When a published story
    /// shows the photo, a public change is recorded in the same write, so that pages linking
    /// the old crops are made again. [`StoreError::NotFound`] if there is no such photo.
    fn save_photo_crops(
        &self,
        id: PhotoId,
        focal: crate::domain::FocalPoint,
        crops: &[(crate::domain::Crop, Vec<u8>)],
    ) -> Result<Photo, StoreError>;

    /// Page `page` of the photo library, newest first (a search of it is
    /// [`SearchStore::search_photos`]). A page past the last gives [`StoreError::NotFound`],
    /// except page 1.
    fn photos(&self, page: PageNumber, per_page: usize) -> Result<PhotoPage, StoreError>;

    /// Whether a public story shows the photo in its public content (as its lead photo or
    /// placed in its body), so readers may see it.
    fn photo_is_public(&self, id: PhotoId) -> Result<bool, StoreError>;

    /// Every story that uses photo `id`, as its lead photo or in its body, in its content or
    /// in its pending changes, whatever its status: newest story first.
    fn stories_using_photo(&self, id: PhotoId) -> Result<Vec<StoryUsingPhoto>, StoreError>;

    /// Replaces the caption, credit and alt text photo `id` gives every story that picks it
    /// from then on (stories that use it already keep their own). Not a change readers see.
    /// [`StoreError::NotFound`] if there is no such photo.
    fn save_photo_defaults(
        &self,
        id: PhotoId,
        defaults: &PhotoDefaults,
    ) -> Result<Photo, StoreError>;
}

/// Site secrets and the one-time setup token.
pub trait SecretStore {
    /// Sets the digest of the one-time token that creates the first account, in place of any
    /// earlier one when `replace`, otherwise only when there is none. True when it was set.
    fn set_setup_token(&self, digest: &[u8; 32], replace: bool) -> Result<bool, StoreError>;

    /// Deletes the setup token, if any: no link can create an account any more.
    fn clear_setup_token(&self) -> Result<(), StoreError>;

    /// Whether a setup token is waiting to be used and matches `digest`.
    fn setup_token_matches(&self, digest: &[u8; 32]) -> Result<bool, StoreError>;

    /// A random secret of `len` bytes stored under `name`, created on first use.
    fn secret(&self, name: &str, len: usize) -> Result<Vec<u8>, StoreError>;

    /// A site setting an admin chose, if one was ever stored. Settings are kept beside the
    /// secrets, under [`SETTING_PREFIX`] and their name, so they go into backups with them.
    fn setting(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError>;
}

/// What a setting's name is prefixed with among the secrets.
pub const SETTING_PREFIX: &str = "setting-";

/// Copies of the whole site, in the engine-neutral stream of [`backup`].
pub trait BackupStore {
    /// Writes a consistent copy of everything but login sessions into `dir`. Writes wait
    /// while the copy is taken, so it never holds half of one.
    fn backup(&self, dir: &Path) -> Result<backup::Summary, StoreError>;

    /// Takes the backup in `dir` into this store, which must hold no story and no account
    /// ([`StoreError::NotEmpty`] otherwise): every record goes in through the engine's own
    /// write paths, so its indexes and lookups are built anew. Moves a site between engines.
    fn restore_backup(&self, dir: &Path) -> Result<backup::Summary, StoreError>;
}

/// The durable record of every story write (and of every other change readers may see), in
/// order: what the public version, every server's page cache and the search index follow.
pub trait ChangeFeed {
    /// Which version of the public site is current: moves with every change readers could see
    /// (a story published, edited while public, unpublished) and is current when that write
    /// returns. Asked on every public request from the async workers, so a backend answers it
    /// from memory, never by waiting on its database (a backend shared by several servers
    /// keeps it current by notification or a short poll).
    fn public_version(&self) -> Result<PublicVersion, StoreError>;

    /// Up to `limit` changes with a sequence number above `after`, oldest first.
    fn changes_after(&self, after: u64, limit: usize) -> Result<Vec<Change>, StoreError>;

    /// Takes in the changes other processes made to a database they share with this one, so
    /// that [`ChangeFeed::public_version`] moves with them; a server calls it every
    /// [`FOLLOW_EVERY`]. An engine no other process writes to has nothing to do.
    fn follow_changes(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Records that pages are now made by `look` (a build and the settings that shape its
    /// pages). A look other than the one recorded last is a public change, so every server's
    /// cached pages and validators move: a new build's templates show stories differently.
    fn adopt_page_look(&self, look: &str) -> Result<(), StoreError>;
}

/// The reads and writes available inside [`Store::transaction`]. Reads see the transaction's
/// own writes; the writes take effect together when `work` returns `Ok`, and not at all when it
/// returns an error. A write may be refused when the transaction commits (a story saved by
/// someone else meanwhile is a [`StoreError::Conflict`]): then nothing of it is stored.
pub trait Transaction {
    fn story(&mut self, id: StoryId) -> Result<Option<Story>, StoreError>;

    /// [`StoryStore::save_story`], as part of the transaction. Returns the story as it will be
    /// stored.
    fn save_story(
        &mut self,
        story: &Story,
        expected_revision: Option<u64>,
    ) -> Result<Story, StoreError>;

    /// [`StoryStore::import_story_version`], as part of the transaction.
    fn import_story_version(&mut self, story: &Story) -> Result<ImportOutcome, StoreError>;

    fn user(&mut self, id: UserId) -> Result<Option<User>, StoreError>;

    /// Every account, by username.
    fn users(&mut self) -> Result<Vec<User>, StoreError>;

    /// Adds an account; [`StoreError::UsernameTaken`] if the name is in use.
    fn create_user(&mut self, user: &User) -> Result<(), StoreError>;

    /// Replaces an existing account's record; [`StoreError::NotFound`] for an unknown one.
    fn update_user(&mut self, user: &User) -> Result<(), StoreError>;

    /// Ends every session of an account; returns how many.
    fn delete_sessions_of(&mut self, user: UserId) -> Result<usize, StoreError>;

    fn record_audit(&mut self, event: &AuditEvent) -> Result<(), StoreError>;

    /// Consumes the setup token if `digest` matches it; true only for the one transaction
    /// that did.
    fn take_setup_token(&mut self, digest: &[u8; 32]) -> Result<bool, StoreError>;

    /// Stores a site setting (see [`SecretStore::setting`]).
    fn put_setting(&mut self, name: &str, value: &[u8]) -> Result<(), StoreError>;

    /// [`RecordStore::site_record`], seeing this transaction's own writes.
    fn site_record(
        &mut self,
        kind: RecordKind,
        key: &str,
    ) -> Result<Option<SiteRecord>, StoreError>;

    /// Writes `bytes` under `kind` and `key` if the record is as `expect`ed, otherwise the
    /// commit fails with [`StoreError::RecordConflict`] (and the call itself fails when the
    /// transaction can already tell). `public`: readers can see the difference, so the public
    /// version moves and every server's cached pages with it. Returns the new revision.
    fn put_site_record(
        &mut self,
        kind: RecordKind,
        key: &str,
        bytes: Vec<u8>,
        expect: Expect,
        public: bool,
    ) -> Result<u64, StoreError>;

    /// Deletes the record under `kind` and `key` if it is as `expect`ed (as
    /// [`Transaction::put_site_record`]). True when there was one.
    fn delete_site_record(
        &mut self,
        kind: RecordKind,
        key: &str,
        expect: Expect,
        public: bool,
    ) -> Result<bool, StoreError>;
}

/// Runs `work` as one change on `store`, with the caller's own result and error types: an
/// error from `work` abandons every write it made and is handed back as it was.
pub fn transaction<T: Send, E: From<StoreError> + Send>(
    store: &dyn Store,
    mut work: impl FnMut(&mut dyn Transaction) -> Result<T, E> + Send,
) -> Result<T, E> {
    let mut outcome: Option<Result<T, E>> = None;
    let ran = store.transaction(&mut |tx| match work(tx) {
        Ok(value) => {
            outcome = Some(Ok(value));
            Ok(())
        }
        Err(e) => {
            outcome = Some(Err(e));
            Err(StoreError::Abandoned)
        }
    });
    match (ran, outcome) {
        (Ok(()), Some(Ok(value))) => Ok(value),
        (_, Some(Err(e))) => Err(e),
        (Err(e), _) => Err(e.into()),
        (Ok(()), None) => Err(StoreError::Abandoned.into()),
    }
}

/// The latest change to public content: HTTP validators and the rendered-page cache are derived
/// from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicVersion {
    /// The sequence number of that change in the [`ChangeFeed`] (0 before the first), so it
    /// only grows.
    pub generation: u64,
    /// `None` until the first public change.
    pub changed_at: Option<OffsetDateTime>,
}

/// The connections a database pool holds open, and how many of them are idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    pub connections: u32,
    pub idle: u32,
}

/// One entry of the [`ChangeFeed`]: something was written, stored in the same transaction as
/// the write itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// Numbers every change in the order it was committed, from 1, without reuse.
    pub seq: u64,
    pub at: OffsetDateTime,
    pub subject: ChangeSubject,
    /// Whether readers (and machines) could see a difference: the public version moved with it.
    pub public: bool,
}

/// What a [`Change`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeSubject {
    Story(StoryId),
    /// A photo's crops, which pages of the stories showing it link.
    Photo(PhotoId),
    /// How every page looks: a new build or new settings that shape pages.
    Site,
}

/// Seconds since 1970 as an index timestamp, clamped to what 32 bits hold (1970 to 2106).
pub(crate) fn index_ts(at: OffsetDateTime) -> u32 {
    at.unix_timestamp().clamp(0, i64::from(u32::MAX)) as u32
}

/// What [`Store::import_story_version`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    Created,
    Updated,
    /// The stored revision is the same or newer; nothing changed.
    Unchanged,
}

pub type SharedStore = Arc<dyn Store>;

/// Which bytes of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoBlob {
    /// The upload exactly as received, for the archive (desk only).
    Original,
    /// The re-encoded JPEG this many pixels wide.
    Rendition(u32),
    /// The crop in this aspect, cut around this focal point.
    Crop(crate::domain::Aspect, crate::domain::FocalPoint),
}

/// One page of the photo library.
#[derive(Debug, Clone)]
pub struct PhotoPage {
    pub items: Vec<Photo>,
    pub paging: Paging,
    pub total_items: u64,
}
