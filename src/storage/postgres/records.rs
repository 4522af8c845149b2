//! Site records on PostgreSQL: table `site_records` (kind, key) -> revision and record. A write
//! checks the revision it expects in the statement that writes, inside the caller's
//! SERIALIZABLE transaction, so two servers writing one record cannot both succeed.

use super::connection::{Db, get};
use super::transaction::PgTx;
use super::{PgStore, record_change};
use crate::storage::records::{Expect, RecordKind, RecordStore, SiteRecord, check_key};
use crate::storage::{ChangeSubject, StoreError};
use ::postgres::GenericClient;

fn record_of(row: &::postgres::Row) -> Result<SiteRecord, StoreError> {
    let revision: i64 = get(row, 1)?;
    Ok(SiteRecord {
        key: get(row, 0)?,
        revision: u64::try_from(revision)
            .map_err(|_| StoreError::Inconsistent("a site record's revision is negative".into()))?,
        bytes: get(row, 2)?,
    })
}

fn read_record<C: GenericClient>(
    db: &mut Db<'_, C>,
    kind: RecordKind,
    key: &str,
) -> Result<Option<SiteRecord>, StoreError> {
    check_key(key)?;
    db.query_opt(
        "SELECT key, revision, record FROM site_records WHERE kind = $1 AND key = $2",
        &[&kind.name(), &key],
    )?
    .as_ref()
    .map(record_of)
    .transpose()
}

impl RecordStore for PgStore {
    fn site_record(&self, kind: RecordKind, key: &str) -> Result<Option<SiteRecord>, StoreError> {
        self.read(|db| read_record(db, kind, key))
    }

    fn site_records(
        &self,
        kind: RecordKind,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SiteRecord>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|db| {
            db.query(
                "SELECT key, revision, record FROM site_records
                 WHERE kind = $1 AND starts_with(key, $2) AND ($3::text IS NULL OR key > $3)
                 ORDER BY key LIMIT $4",
                &[&kind.name(), &prefix, &after, &limit],
            )?
            .iter()
            .map(record_of)
            .collect()
        })
    }
}

impl PgTx<'_, '_> {
    /// Writes (`Some`) or deletes (`None`) a record as `expect`ed; the revision it now has.
    pub(super) fn write_record(
        &mut self,
        kind: RecordKind,
        key: &str,
        bytes: Option<&[u8]>,
        expect: Expect,
        public: bool,
    ) -> Result<Option<u64>, StoreError> {
        let current = read_record(&mut self.db, kind, key)?.map(|r| r.revision);
        if !expect.holds(current) {
            return Err(StoreError::RecordConflict {
                kind,
                key: key.to_owned(),
                current,
            });
        }
        let written = match bytes {
            Some(bytes) => {
                let revision = current.unwrap_or(0) + 1;
                let stored = i64::try_from(revision)
                    .map_err(|_| StoreError::Invalid("a site record has too many revisions"))?;
                self.db.execute(
                    "INSERT INTO site_records (kind, key, revision, record) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (kind, key) DO UPDATE
                     SET revision = EXCLUDED.revision, record = EXCLUDED.record",
                    &[&kind.name(), &key, &stored, &bytes],
                )?;
                Some(revision)
            }
            None => {
                self.db.execute(
                    "DELETE FROM site_records WHERE kind = $1 AND key = $2",
                    &[&kind.name(), &key],
                )?;
                None
            }
        };
        if public {
            let moved = record_change(&mut self.db, ChangeSubject::Site, true, self.now)?;
            self.note_public(moved);
        }
        Ok(written)
    }

    pub(super) fn read_record(
        &mut self,
        kind: RecordKind,
        key: &str,
    ) -> Result<Option<SiteRecord>, StoreError> {
        read_record(&mut self.db, kind, key)
    }
}

/// Every site record, for the backup stream, in kind and key order.
pub(super) const BACKUP_QUERY: &str =
    "SELECT kind, key, revision, record FROM site_records ORDER BY kind, key";
