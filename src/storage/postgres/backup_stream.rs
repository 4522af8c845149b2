//! PostgreSQL's side of the backup stream ([`backup`]): the records it writes from one
//! snapshot, and how it takes a stream back in through its own write paths, so slugs, listing
//! memberships and counts, username and photo-hash lookups are rebuilt rather than copied.
//!
//! Costs: a backup is one REPEATABLE READ, READ ONLY transaction (writers carry on beside it),
//! reading each table once in key order through portals of a few hundred rows, so memory holds
//! a batch, not the site. A restore is one transaction: all of the backup, or none of it.

use super::connection::PgConn;
use super::*;
use crate::storage::backup::Record;
use ::postgres::IsolationLevel;

/// Rows fetched at a time from a table being copied.
const BATCH: i32 = 256;

/// Writes every record but login sessions into `writer`, from one snapshot, in the order sled
/// writes them.
pub(super) fn write_backup(
    conn: &mut PgConn,
    mut writer: backup::Writer,
) -> Result<backup::Summary, StoreError> {
    let (client, statements) = conn.parts()?;
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    each_row(
        &mut tx,
        "SELECT record FROM stories ORDER BY id",
        |_, row| writer.record(&Record::Story(decode_story(get(row, 0)?)?)),
    )?;
    each_row(
        &mut tx,
        "SELECT record FROM story_revisions ORDER BY story, revision",
        |_, row| writer.record(&Record::Revision(decode_story(get(row, 0)?)?)),
    )?;
    each_row(&mut tx, "SELECT record FROM users ORDER BY id", |_, row| {
        writer.record(&Record::User(decode_user(get(row, 0)?)?))
    })?;
    each_row(
        &mut tx,
        "SELECT record FROM audit ORDER BY at_ns, seq",
        |_, row| writer.record(&Record::Audit(decode_audit(get(row, 0)?)?)),
    )?;
    each_row(
        &mut tx,
        "SELECT record FROM photos ORDER BY id",
        |tx, row| {
            let photo = decode_photo(get(row, 0)?)?;
            let mut db = Db::new(tx, statements);
            let mut blob = |blob| -> Result<Option<Vec<u8>>, StoreError> {
                match db.query_opt(
                    "SELECT bytes FROM photo_blobs WHERE photo = $1 AND blob = $2",
                    &[&uuid(photo.id.to_bytes()), &blob_name(blob)],
                )? {
                    Some(row) => Ok(Some(get(&row, 0)?)),
                    None => Ok(None),
                }
            };
            let original = blob(PhotoBlob::Original)?;
            let renditions = photo
                .renditions
                .iter()
                .map(|r| blob(PhotoBlob::Rendition(r.width)))
                .collect::<Result<_, _>>()?;
            let crops = photo
                .crops
                .iter()
                .map(|c| blob(PhotoBlob::Crop(c.aspect, photo.focal)))
                .collect::<Result<_, _>>()?;
            writer.record(&Record::Photo {
                photo,
                original,
                renditions,
                crops,
            })
        },
    )?;
    each_row(
        &mut tx,
        "SELECT name, value FROM secrets ORDER BY name",
        |_, row| {
            writer.record(&Record::Secret {
                name: get(row, 0)?,
                value: get(row, 1)?,
            })
        },
    )?;
    each_row(&mut tx, "SELECT digest FROM setup_token", |_, row| {
        let digest: Vec<u8> = get(row, 0)?;
        let digest = <[u8; 32]>::try_from(digest.as_slice())
            .map_err(|_| StoreError::Inconsistent("a setup token of the wrong length".into()))?;
        writer.record(&Record::SetupToken(digest))
    })?;
    each_row(
        &mut tx,
        "SELECT user_id, story, record FROM autosaves ORDER BY user_id, story",
        |_, row| {
            let user = UserId::from_bytes(get::<Uuid>(row, 0)?.into_bytes());
            let story = get::<Uuid>(row, 1)?.into_bytes();
            writer.record(&Record::Autosave {
                user,
                story: (story != [0; 16]).then(|| StoryId::from_bytes(story)),
                copy: decode_autosave(get(row, 2)?)?,
            })
        },
    )?;
    each_row(&mut tx, records::BACKUP_QUERY, |_, row| {
        let name: String = get(row, 0)?;
        let Some(kind) = RecordKind::of_name(&name).filter(|k| k.backed_up()) else {
            return Ok(());
        };
        let revision: i64 = get(row, 2)?;
        writer.record(&Record::SiteRecord {
            kind,
            record: SiteRecord {
                key: get(row, 1)?,
                revision: u64::try_from(revision).map_err(|_| {
                    StoreError::Inconsistent("a site record's revision is negative".into())
                })?,
                bytes: get(row, 3)?,
            },
        })
    })?;
    let row = tx.query_one(
        "SELECT public_generation, public_changed_at_ns FROM feed_state",
        &[],
    )?;
    writer.record(&Record::PublicVersion(public_version_of(
        get(&row, 0)?,
        get(&row, 1)?,
    )))?;
    tx.commit()?;
    writer.finish()
}

/// Hands each row of `query` to `each`, a batch at a time through a portal; `each` may run
/// statements of its own in the same transaction.
fn each_row(
    tx: &mut ::postgres::Transaction<'_>,
    query: &str,
    mut each: impl FnMut(&mut ::postgres::Transaction<'_>, &::postgres::Row) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let portal = tx.bind(query, &[])?;
    loop {
        let rows = tx.query_portal(&portal, BATCH)?;
        for row in &rows {
            each(tx, row)?;
        }
        if rows.len() < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            return Ok(());
        }
    }
}

/// Takes the backup in `dir` into this database inside `tx`, which must hold no story and no
/// account.
pub(super) fn restore(tx: &mut PgTx<'_, '_>, dir: &Path) -> Result<backup::Summary, StoreError> {
    let holds_data = tx
        .db
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM stories) OR EXISTS (SELECT 1 FROM users)",
            &[],
        )
        .and_then(|row| get::<bool>(&row, 0))?;
    if holds_data {
        return Err(StoreError::NotEmpty(dir.to_owned()));
    }
    let backup_file = backup::file_in(dir);
    let mut restorer = Restorer {
        tx,
        path: &backup_file,
        public: None,
    };
    let summary = backup::read(dir, |record| restorer.record(record))?;
    restorer.finish()?;
    Ok(summary)
}

/// Takes the records of a backup in, one by one, then settles what needs all of them (the
/// public version).
struct Restorer<'r, 'a, 'c> {
    tx: &'r mut PgTx<'a, 'c>,
    /// The backup, named in refusals.
    path: &'r Path,
    public: Option<PublicVersion>,
}

impl Restorer<'_, '_, '_> {
    fn damaged(&self, why: String) -> StoreError {
        StoreError::DamagedBackup {
            path: self.path.to_owned(),
            why,
        }
    }

    fn record(&mut self, record: Record) -> Result<(), StoreError> {
        let db = &mut self.tx.db;
        match record {
            Record::Story(story) => {
                // The story's own revision is kept; its slug, listings and photo use follow.
                let written = match write_story(db, &story, Revision::Keep, self.tx.now) {
                    Ok(written) => written,
                    Err(StoreError::SlugTaken(slug)) => {
                        return Err(self.damaged(format!("two stories with the slug {slug:?}")));
                    }
                    Err(e) => return Err(e),
                };
                if written.outcome != ImportOutcome::Created {
                    return Err(self.damaged(format!("the story {} twice", story.id)));
                }
                self.tx.note_public(written.public);
            }
            Record::Revision(story) => {
                db.execute(
                    "INSERT INTO story_revisions (story, revision, record) VALUES ($1, $2, $3)
                     ON CONFLICT (story, revision) DO UPDATE SET record = EXCLUDED.record",
                    &[
                        &uuid(story.id.to_bytes()),
                        &story_write::revision_sql(story.revision)?,
                        &encode_story(&story)?,
                    ],
                )?;
            }
            Record::User(user) => match insert_user(db, &user) {
                Err(StoreError::UsernameTaken(name)) => {
                    return Err(self.damaged(format!("two accounts named {name:?}")));
                }
                other => other?,
            },
            Record::Audit(event) => insert_audit(db, &event)?,
            Record::Photo {
                photo,
                original,
                renditions,
                crops,
            } => {
                let (photo, bytes) = backup::photo_with_stored_crops(photo, crops);
                let renditions: Vec<Option<&[u8]>> =
                    renditions.iter().map(Option::as_deref).collect();
                if insert_photo(db, &photo, original.as_deref(), &renditions, &bytes)?.is_some() {
                    return Err(self.damaged(format!("two photos with the bytes of {}", photo.id)));
                }
            }
            Record::Secret { name, value } => {
                db.execute(
                    "INSERT INTO secrets (name, value) VALUES ($1, $2)
                     ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                    &[&name, &value],
                )?;
            }
            Record::SetupToken(digest) => {
                db.execute(
                    "INSERT INTO setup_token (digest) VALUES ($1)
                     ON CONFLICT (only_row) DO UPDATE SET digest = EXCLUDED.digest",
                    &[&digest.as_slice()],
                )?;
            }
            Record::Autosave { user, story, copy } => {
                db.execute(
                    "INSERT INTO autosaves (user_id, story, record) VALUES ($1, $2, $3)
                     ON CONFLICT (user_id, story) DO UPDATE SET record = EXCLUDED.record",
                    &[
                        &uuid(user.to_bytes()),
                        &autosave_story(story),
                        &encode_autosave(&copy)?,
                    ],
                )?;
            }
            Record::PublicVersion(version) => self.public = Some(version),
            Record::SiteRecord { kind, record } => {
                // Decoding the backup checked the revision is at least 1; one past i64 is damage.
                let revision = i64::try_from(record.revision)
                    .map_err(|_| StoreError::Invalid("a site record's revision is out of range"))?;
                db.execute(
                    "INSERT INTO site_records (kind, key, revision, record) VALUES ($1, $2, $3, $4)",
                    &[&kind.name(), &record.key, &revision, &record.bytes],
                )?;
            }
        }
        Ok(())
    }

    /// Sets the public version past both the backup's and the one the restored stories made,
    /// so it never goes back: caches holding pages of the old data revalidate.
    fn finish(self) -> Result<(), StoreError> {
        let db = &mut self.tx.db;
        let row = db.query_one(
            "SELECT public_generation, public_changed_at_ns FROM feed_state",
            &[],
        )?;
        let staged = public_version_of(get(&row, 0)?, get(&row, 1)?);
        let backed_up = self.public.unwrap_or(staged);
        let Some(at) = staged.changed_at.max(backed_up.changed_at) else {
            return Ok(());
        };
        let version = PublicVersion {
            generation: staged.generation.max(backed_up.generation) + 1,
            changed_at: Some(at),
        };
        db.execute(
            "UPDATE feed_state SET public_generation = $1, public_changed_at_ns = $2",
            &[&big(version.generation), &nanos(at)],
        )?;
        self.tx.note_public(Some(version));
        Ok(())
    }
}
