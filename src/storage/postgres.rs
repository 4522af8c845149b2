//! The PostgreSQL backend: the same traits and guarantees as sled, for several app servers
//! sharing one database. Every write commits before its call returns; every multi-row change
//! (a story and its listings, revision and feed entry) is one SERIALIZABLE transaction, run
//! again when PostgreSQL reports a serialization failure or a deadlock.
//!
//! The driver is the synchronous `postgres` crate with an `r2d2` pool: the storage traits are
//! synchronous and run on the blocking pool, so a blocking client and a blocking pool keep
//! every call a plain function call, with no runtime of ours to carry. The client does run a
//! small tokio runtime inside, which must not start on a thread already inside one: see
//! [`connection::Workers`] for how every call is kept safe from any thread.
//!
//! Tables (see `migrations/`): each record is kept as the codec's encoding (`record`), beside
//! the columns that are looked up, filtered or sorted on. Listing memberships come from
//! [`listings`] as for sled, and pages find their start through counts per time bucket
//! ([`counts`]).
//!
//! Costs: a point read is one round trip (statements are prepared once per connection); a
//! story save is one transaction of about ten round trips; a listing page is one statement
//! whose cost does not grow with the page number, and so is the photo library's (a search of it
//! reads every caption); a backup reads one snapshot.
//!
//! Submodules: `connection` (address, TLS, pool, the thread calls run on, statements),
//! `schema` (migrations), `story_write`, `counts` (page N of a listing), `transaction` (the
//! retrying runner and [`Transaction`]), `backup_stream` (backup and restore).

mod backup_stream;
mod connection;
mod counts;
mod follow;
mod login_throttle;
mod photo_uses;
mod records;
mod schema;
mod search;
mod story_write;
mod transaction;

use super::Revision;
use super::SETTING_PREFIX;
use super::codec::{
    decode_audit, decode_autosave, decode_photo, decode_session, decode_story, decode_summary,
    decode_user, encode_audit, encode_autosave, encode_photo, encode_session, encode_story,
    encode_summary, encode_user,
};
use super::listings;
use super::prelude::*;
use super::{
    Change, ChangeSubject, Cursor, DatabaseUrl, ImportOutcome, ListedNote, Listing, ListingPage,
    NotePage, PhotoBlob, PhotoPage, PublicVersion, StatusFilter, StoreError, StoryUsingPhoto,
    Transaction, backup, index_ts,
};
use super::{Expect, RecordKind, SiteRecord};
use crate::clock::Clock;
use crate::domain::{
    AuditEvent, Autosave, Crop, FocalPoint, PageNumber, Paging, Photo, PhotoDefaults, PhotoId,
    Session, Slug, Status, Story, StoryId, StorySummary, User, UserId, Username,
};
use ::postgres::GenericClient;
use connection::{Db, PgConn, get, off_runtime};
pub use schema::Migrated;
use std::path::Path;
use std::sync::PoisonError;
use story_write::{read_story, record_change, write_story};
use time::OffsetDateTime;
use transaction::PgTx;
use uuid::Uuid;

pub struct PgStore {
    pool: r2d2_postgres::r2d2::Pool<connection::Manager>,
    /// Where calls from threads inside a tokio runtime run (see [`connection::Workers`]).
    workers: connection::Workers,
    /// The public version as last seen. Readers' pages ask for it on every request, from the
    /// async workers, so it is answered from memory; this store's own writes move it as they
    /// commit, and [`ChangeFeed::follow_changes`], which a server calls twice a second, takes
    /// in other servers' changes.
    public: follow::Shared,
    /// Tells the time of changes; the application's clock, which tests move forward.
    clock: Clock,
}

impl PgStore {
    /// Connects to the database at `url`, brings its schema up to date (see [`schema`]) and
    /// opens the pool. Errors name the cause, never the password.
    pub fn open(url: &DatabaseUrl, clock: Clock) -> Result<Self, StoreError> {
        let address = connection::Address::parse(url)?;
        off_runtime(|| {
            let mut client = address.connect()?;
            schema::migrate(&mut client)?;
            drop(client);
            let pool = address.pool()?;
            let public = follow::Shared::new(std::sync::RwLock::new(PublicVersion {
                generation: 0,
                changed_at: None,
            }));
            let store = PgStore {
                pool,
                workers: connection::Workers::new(address.pool_size)?,
                public,
                clock,
            };
            store.refresh_public_version()?;
            store.fill_missing_search()?;
            store.fill_missing_photo_uses()?;
            Ok(store)
        })
    }

    /// Applies the migrations this binary knows to the database at `url`, without opening a
    /// store: what `newsroom migrate` does.
    pub fn migrate(url: &DatabaseUrl) -> Result<Migrated, StoreError> {
        let address = connection::Address::parse(url)?;
        off_runtime(|| schema::migrate(&mut address.connect()?))
    }

    /// Reads the public version from the database at once, for changes other servers made;
    /// it never goes back. This store's own writes need no refresh.
    pub fn refresh_public_version(&self) -> Result<PublicVersion, StoreError> {
        let stored = self.read(follow::read)?;
        Ok(self.note_public_version(stored))
    }

    /// Takes `seen` as the public version unless a newer one is known already.
    fn note_public_version(&self, seen: PublicVersion) -> PublicVersion {
        follow::note(&self.public, seen)
    }

    /// Runs `work` on a pooled connection, on a thread where the driver may run.
    fn with_conn<T: Send>(
        &self,
        work: impl FnOnce(&mut PgConn) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        self.workers.run(|| {
            let mut conn = self.pool.get()?;
            work(&mut conn)
        })
    }

    /// Runs reads outside a transaction: each statement sees the data as committed when it ran.
    fn read<T: Send>(
        &self,
        work: impl FnOnce(&mut Db<'_, ::postgres::Client>) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        self.with_conn(|conn| {
            let (client, statements) = conn.parts()?;
            work(&mut Db::new(client, statements))
        })
    }
}

/// A typed id as PostgreSQL's `uuid`, whose order is the order of its bytes, as sled's.
fn uuid(bytes: [u8; 16]) -> Uuid {
    Uuid::from_bytes(bytes)
}

/// Nanoseconds since 1970, clamped to what `bigint` holds.
fn nanos(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos()).unwrap_or(if at.year() < 1970 {
        i64::MIN
    } else {
        i64::MAX
    })
}

fn from_nanos(ns: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns)).ok()
}

fn public_version_of(generation: i64, changed_at_ns: Option<i64>) -> PublicVersion {
    PublicVersion {
        generation: u64::try_from(generation).unwrap_or(0),
        changed_at: changed_at_ns.and_then(from_nanos),
    }
}

/// A count or limit as `bigint`.
fn big(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

/// The paging of page `page` of `total_items` at `per_page` a page; [`StoreError::NotFound`]
/// past the last page, except page 1.
fn paging(page: PageNumber, per_page: usize, total_items: u64) -> Result<Paging, StoreError> {
    let total_pages = total_items.div_ceil(per_page as u64).max(1);
    if u64::from(page.get()) > total_pages {
        return Err(StoreError::NotFound);
    }
    Ok(Paging {
        current: page.get(),
        total: u32::try_from(total_pages).unwrap_or(u32::MAX),
    })
}

/// Where a photo's bytes are kept in `photo_blobs`, by what they are.
fn blob_name(blob: PhotoBlob) -> String {
    match blob {
        PhotoBlob::Original => "original".into(),
        PhotoBlob::Rendition(width) => format!("w{width}"),
        // Named by the focal point too: a crop never changes under its name, as under its URL.
        PhotoBlob::Crop(aspect, focal) => {
            let aspect = match aspect {
                crate::domain::Aspect::Wide => "wide",
                crate::domain::Aspect::Standard => "standard",
                crate::domain::Aspect::Square => "square",
            };
            format!("crop:{aspect}:{}:{}", focal.x(), focal.y())
        }
    }
}

/// The autosave key's story: the nil uuid stands for a story not saved yet.
fn autosave_story(story: Option<StoryId>) -> Uuid {
    uuid(story.map_or([0; 16], StoryId::to_bytes))
}

/// Nanoseconds since 1970 as the audit log orders by; before 1970 counts as 1970.
fn audit_ns(at: OffsetDateTime) -> i64 {
    nanos(at).max(0)
}

fn read_user<C: GenericClient>(db: &mut Db<'_, C>, id: UserId) -> Result<Option<User>, StoreError> {
    match db.query_opt(
        "SELECT record FROM users WHERE id = $1",
        &[&uuid(id.to_bytes())],
    )? {
        Some(row) => Ok(Some(decode_user(get(&row, 0)?)?)),
        None => Ok(None),
    }
}

fn read_users<C: GenericClient>(db: &mut Db<'_, C>) -> Result<Vec<User>, StoreError> {
    db.query("SELECT record FROM users ORDER BY username", &[])?
        .iter()
        .map(|row| Ok(decode_user(get(row, 0)?)?))
        .collect()
}

fn insert_user<C: GenericClient>(db: &mut Db<'_, C>, user: &User) -> Result<(), StoreError> {
    let taken = db
        .query_opt(
            "SELECT 1 FROM users WHERE username = $1",
            &[&user.username.as_str()],
        )?
        .is_some();
    if taken {
        return Err(StoreError::UsernameTaken(user.username.to_string()));
    }
    db.execute(
        "INSERT INTO users (id, username, role, disabled, record) VALUES ($1, $2, $3, $4, $5)",
        &[
            &uuid(user.id.to_bytes()),
            &user.username.as_str(),
            &user.role.key(),
            &user.disabled,
            &encode_user(user)?,
        ],
    )?;
    Ok(())
}

fn update_user_row<C: GenericClient>(db: &mut Db<'_, C>, user: &User) -> Result<(), StoreError> {
    let changed = db.execute(
        "UPDATE users SET role = $2, disabled = $3, record = $4 WHERE id = $1",
        &[
            &uuid(user.id.to_bytes()),
            &user.role.key(),
            &user.disabled,
            &encode_user(user)?,
        ],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

fn delete_sessions<C: GenericClient>(
    db: &mut Db<'_, C>,
    user: UserId,
) -> Result<usize, StoreError> {
    let ended = db.execute(
        "DELETE FROM sessions WHERE user_id = $1",
        &[&uuid(user.to_bytes())],
    )?;
    Ok(usize::try_from(ended).unwrap_or(usize::MAX))
}

fn insert_audit<C: GenericClient>(
    db: &mut Db<'_, C>,
    event: &AuditEvent,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO audit (at_ns, actor, action, record) VALUES ($1, $2, $3, $4)",
        &[
            &audit_ns(event.at),
            &event.actor.map(|a| uuid(a.to_bytes())),
            &event.action.key(),
            &encode_audit(event)?,
        ],
    )?;
    Ok(())
}

fn read_photo<C: GenericClient>(
    db: &mut Db<'_, C>,
    id: PhotoId,
) -> Result<Option<Photo>, StoreError> {
    match db.query_opt(
        "SELECT record FROM photos WHERE id = $1",
        &[&uuid(id.to_bytes())],
    )? {
        Some(row) => Ok(Some(decode_photo(get(&row, 0)?)?)),
        None => Ok(None),
    }
}

fn photo_is_public<C: GenericClient>(db: &mut Db<'_, C>, id: PhotoId) -> Result<bool, StoreError> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM photo_uses WHERE photo = $1 LIMIT 1",
            &[&uuid(id.to_bytes())],
        )?
        .is_some())
}

/// Writes a photo's row (insert or replace), with the columns the library searches.
fn put_photo_row<C: GenericClient>(db: &mut Db<'_, C>, photo: &Photo) -> Result<(), StoreError> {
    let text = search::photo_params(photo);
    db.execute(
        concat!(
            "INSERT INTO photos (id, hash, caption, credit, caption_folded, credit_folded,
                 uploaded_at, record, listed_ts, search)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, ",
            search::photo_column_sql!("$10", "$11", "$12", "$13"),
            ")
             ON CONFLICT (id) DO UPDATE SET hash = EXCLUDED.hash, caption = EXCLUDED.caption,
                 credit = EXCLUDED.credit, caption_folded = EXCLUDED.caption_folded,
                 credit_folded = EXCLUDED.credit_folded, uploaded_at = EXCLUDED.uploaded_at,
                 record = EXCLUDED.record, search = EXCLUDED.search"
        ),
        &[
            &uuid(photo.id.to_bytes()),
            &photo.hash.map(|h| h.to_vec()),
            &photo.caption,
            &photo.credit,
            // Folded here, as the search folds what is typed, so both fold alike whatever the
            // database's locale.
            &photo.caption.to_lowercase(),
            &photo.credit.to_lowercase(),
            &photo.uploaded_at,
            &encode_photo(photo)?,
            &i64::from(counts::photo_ts(photo.id)),
            &text[0],
            &text[1],
            &text[2],
            &text[3],
        ],
    )?;
    Ok(())
}

fn put_blob<C: GenericClient>(
    db: &mut Db<'_, C>,
    photo: PhotoId,
    blob: PhotoBlob,
    bytes: &[u8],
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO photo_blobs (photo, blob, bytes) VALUES ($1, $2, $3)
         ON CONFLICT (photo, blob) DO UPDATE SET bytes = EXCLUDED.bytes",
        &[&uuid(photo.to_bytes()), &blob_name(blob), &bytes],
    )?;
    Ok(())
}

/// Stores a photo's record and bytes; a missing blob (`None`) is left out. Returns the id of
/// the photo already stored with the same hash instead, writing nothing.
fn insert_photo<C: GenericClient>(
    db: &mut Db<'_, C>,
    record: &Photo,
    original: Option<&[u8]>,
    renditions: &[Option<&[u8]>],
    crops: &[Vec<u8>],
) -> Result<Option<PhotoId>, StoreError> {
    if let Some(hash) = record.hash
        && let Some(row) =
            db.query_opt("SELECT id FROM photos WHERE hash = $1", &[&hash.as_slice()])?
    {
        let id: Uuid = get(&row, 0)?;
        return Ok(Some(PhotoId::from_bytes(id.into_bytes())));
    }
    put_photo_row(db, record)?;
    // A new photo joins the library's counts; photos are never deleted.
    let deltas = counts::buckets(counts::photo_ts(record.id))
        .into_iter()
        .map(|(level, bucket)| ((counts::PHOTOS, level, bucket), 1))
        .collect();
    story_write::add_to_counts(db, deltas)?;
    if let Some(original) = original {
        put_blob(db, record.id, PhotoBlob::Original, original)?;
    }
    for (rendition, bytes) in record.renditions.iter().zip(renditions) {
        if let Some(bytes) = bytes {
            put_blob(db, record.id, PhotoBlob::Rendition(rendition.width), bytes)?;
        }
    }
    for (crop, bytes) in record.crops.iter().zip(crops) {
        put_blob(
            db,
            record.id,
            PhotoBlob::Crop(crop.aspect, record.focal),
            bytes,
        )?;
    }
    Ok(None)
}

impl StoryStore for PgStore {
    fn save_story(
        &self,
        story: &Story,
        expected_revision: Option<u64>,
    ) -> Result<Story, StoreError> {
        self.write(|tx| tx.save_story(story, expected_revision))
    }

    fn import_stories(&self, stories: &[Story]) -> Result<usize, StoreError> {
        // Transactions of a few hundred stories: one per story would make a large import
        // wait on a commit each; one for all would hold its locks for the whole import.
        let mut saved = 0;
        for chunk in stories.chunks(500) {
            saved += self.write(|tx| {
                let mut saved = 0;
                for story in chunk {
                    match write_story(&mut tx.db, story, Revision::After(None), tx.now) {
                        Ok(written) => {
                            tx.note_public(written.public);
                            saved += 1;
                        }
                        Err(StoreError::SlugTaken(_) | StoreError::Conflict { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(saved)
            })?;
        }
        Ok(saved)
    }

    fn story(&self, id: StoryId) -> Result<Option<Story>, StoreError> {
        self.read(|db| read_story(db, id))
    }

    fn story_by_slug(&self, slug: &Slug) -> Result<Option<Story>, StoreError> {
        self.read(|db| {
            match db.query_opt(
                "SELECT record FROM stories WHERE slug = $1",
                &[&slug.as_str()],
            )? {
                Some(row) => Ok(Some(decode_story(get(&row, 0)?)?)),
                None => Ok(None),
            }
        })
    }

    fn listing(
        &self,
        listing: Listing,
        page: PageNumber,
        per_page: usize,
    ) -> Result<ListingPage, StoreError> {
        let per_page = per_page.max(1);
        let key = listings::key_of(listing);
        let offset = big(page.index()).saturating_mul(big(per_page));
        let rows =
            self.read(|db| db.query(counts::STORY_PAGE, &[&key, &offset, &big(per_page)]))?;
        let total_items = match rows.first() {
            Some(row) => u64::try_from(get::<i64>(row, 0)?).unwrap_or(0),
            None => 0,
        };
        let paging = paging(page, per_page, total_items)?;
        let items = rows
            .iter()
            .map(|row| Ok(decode_summary(get(row, 1)?)?))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(ListingPage {
            items,
            paging,
            total_items,
        })
    }

    fn listing_after(
        &self,
        listing: Listing,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<Vec<StorySummary>, StoreError> {
        let key = listings::key_of(listing);
        let limit = big(limit);
        let rows = self.read(|db| match after {
            Some(cursor) => db.query(
                "SELECT s.summary FROM listing_entries e JOIN stories s ON s.id = e.story
                 WHERE e.listing = $1 AND (e.ts, e.entry) < ($2, $3)
                 ORDER BY e.ts DESC, e.entry DESC LIMIT $4",
                &[
                    &key,
                    &i64::from(index_ts(cursor.published_at())),
                    &uuid(cursor.id().to_bytes()),
                    &limit,
                ],
            ),
            None => db.query(
                "SELECT s.summary FROM listing_entries e JOIN stories s ON s.id = e.story
                 WHERE e.listing = $1 ORDER BY e.ts DESC, e.entry DESC LIMIT $2",
                &[&key, &limit],
            ),
        })?;
        rows.iter()
            .map(|row| Ok(decode_summary(get(row, 0)?)?))
            .collect()
    }

    fn notes(&self, page: PageNumber, per_page: usize) -> Result<NotePage, StoreError> {
        let per_page = per_page.max(1);
        let offset = big(page.index()).saturating_mul(big(per_page));
        let rows = self.read(|db| {
            db.query(
                counts::NOTE_PAGE,
                &[&listings::key_notes(), &offset, &big(per_page)],
            )
        })?;
        let total_items = match rows.first() {
            Some(row) => u64::try_from(get::<i64>(row, 0)?).unwrap_or(0),
            None => 0,
        };
        let paging = paging(page, per_page, total_items)?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let story = decode_story(get(row, 1)?)?;
            // The listing follows the story in the same transaction; this only guards it.
            if !story.is_public() {
                continue;
            }
            let place: Option<i32> = get(row, 2)?;
            let note = place
                .and_then(|p| usize::try_from(p).ok())
                .and_then(|p| story.notes.get(p).cloned())
                .ok_or_else(|| {
                    StoreError::Inconsistent(format!("a listed note of {} is gone", story.id))
                })?;
            items.push(ListedNote {
                story: story.summary(),
                note,
            });
        }
        Ok(NotePage {
            items,
            paging,
            total_items,
        })
    }

    fn due_scheduled(&self, now: OffsetDateTime, limit: usize) -> Result<Vec<StoryId>, StoreError> {
        let rows = self.read(|db| {
            db.query(
                "SELECT story FROM listing_entries WHERE listing = $1 AND ts <= $2
                 ORDER BY ts, entry LIMIT $3",
                &[
                    &listings::key_scheduled(),
                    &i64::from(index_ts(now)),
                    &big(limit),
                ],
            )
        })?;
        rows.iter()
            .map(|row| Ok(StoryId::from_bytes(get::<Uuid>(row, 0)?.into_bytes())))
            .collect()
    }

    fn story_revisions(&self, id: StoryId) -> Result<Vec<Story>, StoreError> {
        let rows = self.read(|db| {
            db.query(
                "SELECT record FROM story_revisions WHERE story = $1 ORDER BY revision DESC",
                &[&uuid(id.to_bytes())],
            )
        })?;
        rows.iter()
            .map(|row| Ok(decode_story(get(row, 0)?)?))
            .collect()
    }

    fn story_revision(&self, id: StoryId, revision: u64) -> Result<Option<Story>, StoreError> {
        let Ok(revision) = i64::try_from(revision) else {
            return Ok(None);
        };
        self.read(|db| {
            match db.query_opt(
                "SELECT record FROM story_revisions WHERE story = $1 AND revision = $2",
                &[&uuid(id.to_bytes()), &revision],
            )? {
                Some(row) => Ok(Some(decode_story(get(&row, 0)?)?)),
                None => Ok(None),
            }
        })
    }

    fn import_story_version(&self, story: &Story) -> Result<ImportOutcome, StoreError> {
        self.write(|tx| tx.import_story_version(story))
    }
}

impl AccountStore for PgStore {
    fn create_user(&self, user: &User) -> Result<(), StoreError> {
        self.write(|tx| tx.create_user(user))
    }

    fn update_user(&self, user: &User) -> Result<(), StoreError> {
        self.write(|tx| tx.update_user(user))
    }

    fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.read(|db| read_user(db, id))
    }

    fn user_by_name(&self, username: &Username) -> Result<Option<User>, StoreError> {
        self.read(|db| {
            match db.query_opt(
                "SELECT record FROM users WHERE username = $1",
                &[&username.as_str()],
            )? {
                Some(row) => Ok(Some(decode_user(get(&row, 0)?)?)),
                None => Ok(None),
            }
        })
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        self.read(read_users)
    }
}

impl LoginSessionStore for PgStore {
    fn session(&self, key: &[u8; 32], now: OffsetDateTime) -> Result<Option<Session>, StoreError> {
        self.read(|db| {
            let Some(row) = db.query_opt(
                "SELECT record FROM sessions WHERE key = $1",
                &[&key.as_slice()],
            )?
            else {
                return Ok(None);
            };
            let bytes: Vec<u8> = get(&row, 0)?;
            let record = decode_session(&bytes)?;
            if record.expires_at <= now {
                // Only the expired record goes: a session renewed meanwhile stays.
                db.execute(
                    "DELETE FROM sessions WHERE key = $1 AND record = $2",
                    &[&key.as_slice(), &bytes],
                )?;
                return Ok(None);
            }
            Ok(Some(record))
        })
    }

    fn put_session(&self, key: &[u8; 32], session: &Session) -> Result<(), StoreError> {
        let record = encode_session(session)?;
        self.read(|db| {
            db.execute(
                "INSERT INTO sessions (key, user_id, expires_at, record) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (key) DO UPDATE SET user_id = EXCLUDED.user_id,
                     expires_at = EXCLUDED.expires_at, record = EXCLUDED.record",
                &[
                    &key.as_slice(),
                    &session.user.map(|u| uuid(u.to_bytes())),
                    &session.expires_at,
                    &record,
                ],
            )
        })?;
        Ok(())
    }

    fn renew_session(&self, key: &[u8; 32], session: &Session) -> Result<bool, StoreError> {
        let record = encode_session(session)?;
        // One statement, which finds the row or not: a session deleted meanwhile stays gone.
        let renewed = self.read(|db| {
            db.execute(
                "UPDATE sessions SET user_id = $2, expires_at = $3, record = $4 WHERE key = $1",
                &[
                    &key.as_slice(),
                    &session.user.map(|u| uuid(u.to_bytes())),
                    &session.expires_at,
                    &record,
                ],
            )
        })?;
        Ok(renewed == 1)
    }

    fn delete_session(&self, key: &[u8; 32]) -> Result<(), StoreError> {
        self.read(|db| db.execute("DELETE FROM sessions WHERE key = $1", &[&key.as_slice()]))?;
        Ok(())
    }

    fn delete_sessions_of(&self, user: UserId) -> Result<usize, StoreError> {
        self.read(|db| delete_sessions(db, user))
    }

    fn sessions_of(
        &self,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<Vec<([u8; 32], Session)>, StoreError> {
        self.read(|db| {
            let rows = db.query(
                "SELECT key, record FROM sessions WHERE user_id = $1 AND expires_at > $2",
                &[&uuid(user.to_bytes()), &now],
            )?;
            let mut found = Vec::new();
            for row in rows {
                let key: Vec<u8> = get(&row, 0)?;
                let bytes: Vec<u8> = get(&row, 1)?;
                if let (Ok(key), Ok(record)) =
                    (<[u8; 32]>::try_from(key.as_slice()), decode_session(&bytes))
                {
                    found.push((key, record));
                }
            }
            Ok(found)
        })
    }
}

impl AutosaveStore for PgStore {
    fn put_autosave(
        &self,
        user: UserId,
        story: Option<StoryId>,
        copy: &Autosave,
    ) -> Result<(), StoreError> {
        let record = encode_autosave(copy)?;
        self.read(|db| {
            db.execute(
                "INSERT INTO autosaves (user_id, story, record) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, story) DO UPDATE SET record = EXCLUDED.record",
                &[&uuid(user.to_bytes()), &autosave_story(story), &record],
            )
        })?;
        Ok(())
    }

    fn autosave(
        &self,
        user: UserId,
        story: Option<StoryId>,
    ) -> Result<Option<Autosave>, StoreError> {
        self.read(|db| {
            match db.query_opt(
                "SELECT record FROM autosaves WHERE user_id = $1 AND story = $2",
                &[&uuid(user.to_bytes()), &autosave_story(story)],
            )? {
                Some(row) => Ok(Some(decode_autosave(get(&row, 0)?)?)),
                None => Ok(None),
            }
        })
    }

    fn delete_autosave(&self, user: UserId, story: Option<StoryId>) -> Result<(), StoreError> {
        self.read(|db| {
            db.execute(
                "DELETE FROM autosaves WHERE user_id = $1 AND story = $2",
                &[&uuid(user.to_bytes()), &autosave_story(story)],
            )
        })?;
        Ok(())
    }
}

impl AuditStore for PgStore {
    fn record_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        self.read(|db| insert_audit(db, event))
    }

    fn audit_log(
        &self,
        before: Option<OffsetDateTime>,
        limit: usize,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let before = before.map_or(i64::MAX, audit_ns);
        let rows = self.read(|db| {
            db.query(
                "SELECT record FROM audit WHERE at_ns < $1 ORDER BY at_ns DESC, seq DESC LIMIT $2",
                &[&before, &big(limit)],
            )
        })?;
        rows.iter()
            .map(|row| Ok(decode_audit(get(row, 0)?)?))
            .collect()
    }
}

impl PhotoStore for PgStore {
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
        let renditions: Vec<Option<&[u8]>> =
            renditions.iter().map(|r| Some(r.as_slice())).collect();
        self.write(|tx| {
            match insert_photo(&mut tx.db, record, Some(original), &renditions, crops)? {
                Some(id) => read_photo(&mut tx.db, id)?.ok_or(StoreError::NotFound),
                None => Ok(record.clone()),
            }
        })
    }

    fn photo(&self, id: PhotoId) -> Result<Option<Photo>, StoreError> {
        self.read(|db| read_photo(db, id))
    }

    fn photo_by_hash(&self, hash: &[u8; 32]) -> Result<Option<Photo>, StoreError> {
        self.read(|db| {
            match db.query_opt(
                "SELECT record FROM photos WHERE hash = $1",
                &[&hash.as_slice()],
            )? {
                Some(row) => Ok(Some(decode_photo(get(&row, 0)?)?)),
                None => Ok(None),
            }
        })
    }

    fn photo_blob(&self, id: PhotoId, blob: PhotoBlob) -> Result<Option<Vec<u8>>, StoreError> {
        let row = self.read(|db| {
            db.query_opt(
                "SELECT p.record, b.bytes FROM photos p
                 LEFT JOIN photo_blobs b ON b.photo = p.id AND b.blob = $2
                 WHERE p.id = $1",
                &[&uuid(id.to_bytes()), &blob_name(blob)],
            )
        })?;
        let Some(row) = row else {
            return Ok(None);
        };
        let record = decode_photo(get(&row, 0)?)?;
        // Only what the record names is served: a width it has no rendition of, or a crop cut
        // around a focal point it has left, is not there.
        match blob {
            PhotoBlob::Rendition(width) if record.rendition(width).is_none() => return Ok(None),
            PhotoBlob::Crop(aspect, focal)
                if record.focal != focal || record.crop(aspect).is_none() =>
            {
                return Ok(None);
            }
            _ => {}
        }
        get(&row, 1)
    }

    fn save_photo_crops(
        &self,
        id: PhotoId,
        focal: FocalPoint,
        crops: &[(Crop, Vec<u8>)],
    ) -> Result<Photo, StoreError> {
        self.write(|tx| {
            let Some(mut record) = read_photo(&mut tx.db, id)? else {
                return Err(StoreError::NotFound);
            };
            let public = photo_is_public(&mut tx.db, id)?;
            tx.db.execute(
                "DELETE FROM photo_blobs WHERE photo = $1 AND blob LIKE 'crop:%'",
                &[&uuid(id.to_bytes())],
            )?;
            record.focal = focal;
            record.crops = crops.iter().map(|(crop, _)| *crop).collect();
            for (crop, jpeg) in crops {
                put_blob(&mut tx.db, id, PhotoBlob::Crop(crop.aspect, focal), jpeg)?;
            }
            put_photo_row(&mut tx.db, &record)?;
            let moved = record_change(&mut tx.db, ChangeSubject::Photo(id), public, tx.now)?;
            tx.note_public(moved);
            Ok(record)
        })
    }

    fn photos(&self, page: PageNumber, per_page: usize) -> Result<PhotoPage, StoreError> {
        let per_page = per_page.max(1);
        let offset = big(page.index()).saturating_mul(big(per_page));
        let limit = big(per_page);
        // The whole library: from the counts, as a story listing, at any depth.
        let (total, rows) = self.read(|db| {
            let rows = db.query(counts::PHOTO_PAGE, &[&counts::PHOTOS, &offset, &limit])?;
            let total = match rows.first() {
                Some(row) => get::<i64>(row, 0)?,
                None => 0,
            };
            let records: Vec<Vec<u8>> = rows
                .iter()
                .map(|row| get(row, 1))
                .collect::<Result<_, _>>()?;
            Ok((total, records))
        })?;
        let total_items = u64::try_from(total).unwrap_or(0);
        let paging = paging(page, per_page, total_items)?;
        let items = rows
            .iter()
            .map(|record| Ok(decode_photo(record)?))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(PhotoPage {
            items,
            paging,
            total_items,
        })
    }

    fn photo_is_public(&self, id: PhotoId) -> Result<bool, StoreError> {
        self.read(|db| photo_is_public(db, id))
    }

    fn stories_using_photo(&self, id: PhotoId) -> Result<Vec<StoryUsingPhoto>, StoreError> {
        self.read(|db| photo_uses::stories_using(db, id))
    }

    fn save_photo_defaults(
        &self,
        id: PhotoId,
        defaults: &PhotoDefaults,
    ) -> Result<Photo, StoreError> {
        self.write(|tx| {
            let Some(mut record) = read_photo(&mut tx.db, id)? else {
                return Err(StoreError::NotFound);
            };
            record.set_defaults(defaults);
            put_photo_row(&mut tx.db, &record)?;
            // Readers see nothing of a photo's defaults.
            record_change(&mut tx.db, ChangeSubject::Photo(id), false, tx.now)?;
            Ok(record)
        })
    }
}

impl SecretStore for PgStore {
    fn set_setup_token(&self, digest: &[u8; 32], replace: bool) -> Result<bool, StoreError> {
        let set = self.read(|db| {
            if replace {
                db.execute(
                    "INSERT INTO setup_token (digest) VALUES ($1)
                     ON CONFLICT (only_row) DO UPDATE SET digest = EXCLUDED.digest",
                    &[&digest.as_slice()],
                )
            } else {
                // The first server to start makes the link; the others find it there.
                db.execute(
                    "INSERT INTO setup_token (digest) VALUES ($1) ON CONFLICT DO NOTHING",
                    &[&digest.as_slice()],
                )
            }
        })?;
        Ok(set == 1)
    }

    fn clear_setup_token(&self) -> Result<(), StoreError> {
        self.read(|db| db.execute("DELETE FROM setup_token", &[]))?;
        Ok(())
    }

    fn setup_token_matches(&self, digest: &[u8; 32]) -> Result<bool, StoreError> {
        self.read(|db| {
            Ok(db
                .query_opt(
                    "SELECT 1 FROM setup_token WHERE digest = $1",
                    &[&digest.as_slice()],
                )?
                .is_some())
        })
    }

    fn setting(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let name = format!("{SETTING_PREFIX}{name}");
        self.read(|db| {
            db.query_opt("SELECT value FROM secrets WHERE name = $1", &[&name])?
                .map(|row| get(&row, 0))
                .transpose()
        })
    }

    fn secret(&self, name: &str, len: usize) -> Result<Vec<u8>, StoreError> {
        let mut fresh = vec![0u8; len];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut fresh);
        self.write(|tx| {
            // Only the first caller's secret is stored; everyone gets the stored one.
            let stored: Option<Vec<u8>> = tx
                .db
                .query_opt("SELECT value FROM secrets WHERE name = $1", &[&name])?
                .map(|row| get(&row, 0))
                .transpose()?;
            match stored {
                Some(value) if value.len() == len => Ok(value),
                stored => {
                    if let Some(value) = stored {
                        // A damaged secret (or one written by hand) is replaced rather than
                        // handed to code that would panic on its length; what it protected
                        // (sessions) starts over.
                        tracing::warn!(
                            secret = name,
                            stored = value.len(),
                            expected = len,
                            "replacing a stored secret of the wrong length"
                        );
                    }
                    tx.db.execute(
                        "INSERT INTO secrets (name, value) VALUES ($1, $2)
                         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                        &[&name, &fresh],
                    )?;
                    Ok(fresh.clone())
                }
            }
        })
    }
}

impl BackupStore for PgStore {
    fn backup(&self, dir: &Path) -> Result<backup::Summary, StoreError> {
        // The time in the header only labels the backup.
        let writer = backup::Writer::create(dir, self.clock.now())?;
        self.with_conn(|conn| backup_stream::write_backup(conn, writer))
    }

    fn restore_backup(&self, dir: &Path) -> Result<backup::Summary, StoreError> {
        // Checked in full first, so a damaged backup writes nothing.
        backup::read(dir, |record| backup::check_record(&record))?;
        let summary = self.write(|tx| backup_stream::restore(tx, dir))?;
        self.refresh_public_version()?;
        Ok(summary)
    }
}

impl ChangeFeed for PgStore {
    fn follow_changes(&self) -> Result<(), StoreError> {
        self.refresh_public_version()?;
        // While a release that does not know the search columns still writes (a rolling
        // upgrade), its stories are made searchable here within a moment.
        self.fill_missing_search()?;
        Ok(())
    }

    fn adopt_page_look(&self, look: &str) -> Result<(), StoreError> {
        // Servers of one build starting together record it once: the second finds it there
        // (after a serialization failure, when they raced).
        self.write(|tx| {
            let current: Option<String> = tx
                .db
                .query_one("SELECT page_look FROM feed_state", &[])
                .and_then(|row| get(&row, 0))?;
            if current.as_deref() == Some(look) {
                return Ok(());
            }
            tx.db
                .execute("UPDATE feed_state SET page_look = $1", &[&look])?;
            let moved = record_change(&mut tx.db, ChangeSubject::Site, true, tx.now)?;
            tx.note_public(moved);
            Ok(())
        })
    }

    fn public_version(&self) -> Result<PublicVersion, StoreError> {
        Ok(*self.public.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn changes_after(&self, after: u64, limit: usize) -> Result<Vec<Change>, StoreError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = self.read(|db| {
            db.query(
                "SELECT seq, at_ns, subject_kind, subject, public FROM changes
                 WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &big(limit)],
            )
        })?;
        rows.iter()
            .map(|row| {
                let seq: i64 = get(row, 0)?;
                let at_ns: i64 = get(row, 1)?;
                let kind: &str = get(row, 2)?;
                let subject = get::<Option<Uuid>>(row, 3)?.map(Uuid::into_bytes);
                let subject = match (kind, subject) {
                    ("story", Some(id)) => ChangeSubject::Story(StoryId::from_bytes(id)),
                    ("photo", Some(id)) => ChangeSubject::Photo(PhotoId::from_bytes(id)),
                    ("site", None) => ChangeSubject::Site,
                    (other, _) => {
                        return Err(StoreError::Inconsistent(format!("a change to a {other:?}")));
                    }
                };
                Ok(Change {
                    seq: u64::try_from(seq).unwrap_or(0),
                    at: from_nanos(at_ns).unwrap_or(OffsetDateTime::UNIX_EPOCH),
                    subject,
                    public: get(row, 4)?,
                })
            })
            .collect()
    }
}

impl Store for PgStore {
    /// One round trip: the database answers, and its schema is the one this build knows.
    fn check_ready(&self) -> Result<(), StoreError> {
        let (found, readable_from) = self
            .read(|db| schema::current_of(db.query_opt(schema::CURRENT, &[&schema::latest()])?))?;
        schema::usable(found, readable_from)?;
        let known = schema::latest();
        if found < known {
            return Err(StoreError::Inconsistent(format!(
                "the database's schema is at version {found}, older than this release's {known}"
            )));
        }
        Ok(())
    }

    fn transaction(
        &self,
        work: &mut (dyn FnMut(&mut dyn Transaction) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError> {
        self.write(|tx| work(tx))
    }

    fn pool_use(&self) -> Option<super::PoolUse> {
        let state = self.pool.state();
        Some(super::PoolUse {
            connections: state.connections,
            idle: state.idle_connections,
        })
    }
}

#[cfg(test)]
mod tests;
