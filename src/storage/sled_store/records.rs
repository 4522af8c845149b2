//! Site records on sled: tree `records`, key `kind name | 0 | key` -> revision (u64 BE) then
//! the record's bytes. Writes are part of a [`SledTransaction`], whose commit checks each
//! write's expectation again inside the sled transaction.

use super::*;
use crate::storage::records::{RecordStore, check_key};
use sled::transaction::TransactionalTree;

pub(super) const RECORDS: &str = "records";

/// A write of a site record a transaction will make at its commit.
pub(super) struct RecordWrite {
    pub(super) kind: RecordKind,
    pub(super) key: String,
    /// `None` deletes it.
    pub(super) bytes: Option<Vec<u8>>,
    pub(super) expect: Expect,
    pub(super) public: bool,
}

fn prefix_of(kind: RecordKind) -> Vec<u8> {
    [kind.name().as_bytes(), &[0]].concat()
}

fn tree_key(kind: RecordKind, key: &str) -> Vec<u8> {
    [&prefix_of(kind)[..], key.as_bytes()].concat()
}

/// Splits a stored value into its revision and bytes.
fn decode_value(key: &str, value: &[u8]) -> Result<SiteRecord, StoreError> {
    let (revision, bytes) = value
        .split_first_chunk::<8>()
        .ok_or_else(|| StoreError::Inconsistent(format!("site record {key:?} is truncated")))?;
    Ok(SiteRecord {
        key: key.to_owned(),
        revision: u64::from_be_bytes(*revision),
        bytes: bytes.to_vec(),
    })
}

fn encode_value(revision: u64, bytes: &[u8]) -> Vec<u8> {
    [&revision.to_be_bytes()[..], bytes].concat()
}

impl RecordStore for SledStore {
    fn site_record(&self, kind: RecordKind, key: &str) -> Result<Option<SiteRecord>, StoreError> {
        check_key(key)?;
        self.records
            .get(tree_key(kind, key))?
            .map(|value| decode_value(key, &value))
            .transpose()
    }

    fn site_records(
        &self,
        kind: RecordKind,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SiteRecord>, StoreError> {
        let kind_prefix = prefix_of(kind);
        let start = match after {
            // The first key after `after`: `after` with a zero byte appended.
            Some(after) => [&tree_key(kind, after)[..], &[0]].concat(),
            None => tree_key(kind, prefix),
        };
        let mut out = Vec::new();
        for item in self.records.range(start..) {
            if out.len() >= limit {
                break;
            }
            let (k, value) = item?;
            let Some(key) = k.strip_prefix(kind_prefix.as_slice()) else {
                break;
            };
            let key = std::str::from_utf8(key)
                .map_err(|_| StoreError::Inconsistent("a site record's key is not text".into()))?;
            if !key.starts_with(prefix) {
                if key > prefix {
                    break;
                }
                continue;
            }
            out.push(decode_value(key, &value)?);
        }
        Ok(out)
    }
}

impl SledStore {
    /// Stores a record of a backup as it was, revision included.
    pub(super) fn put_restored_record(
        &self,
        kind: RecordKind,
        record: &SiteRecord,
    ) -> Result<(), StoreError> {
        self.records.insert(
            tree_key(kind, &record.key),
            encode_value(record.revision, &record.bytes),
        )?;
        Ok(())
    }
}

impl RecordWrite {
    /// Applies the write inside the commit's sled transaction; returns whether readers see it.
    pub(super) fn apply(
        &self,
        records: &TransactionalTree,
    ) -> Result<bool, ConflictableTransactionError<StoreError>> {
        let tree_key = tree_key(self.kind, &self.key);
        let current = match records.get(&tree_key)? {
            Some(value) => Some(
                decode_value(&self.key, &value)
                    .map_err(ConflictableTransactionError::Abort)?
                    .revision,
            ),
            None => None,
        };
        if !self.expect.holds(current) {
            return Err(ConflictableTransactionError::Abort(
                StoreError::RecordConflict {
                    kind: self.kind,
                    key: self.key.clone(),
                    current,
                },
            ));
        }
        match &self.bytes {
            Some(bytes) => {
                let revision = current.unwrap_or(0) + 1;
                records.insert(tree_key, encode_value(revision, bytes))?;
            }
            None => {
                records.remove(tree_key)?;
            }
        }
        Ok(self.public)
    }
}

impl SledTransaction<'_> {
    /// The record as this transaction has left it: its own last write, else the stored one.
    pub(super) fn record_now(
        &self,
        kind: RecordKind,
        key: &str,
    ) -> Result<Option<SiteRecord>, StoreError> {
        check_key(key)?;
        let mut current = self.store.site_record(kind, key)?;
        for write in self
            .records
            .iter()
            .filter(|w| w.kind == kind && w.key == key)
        {
            current = write.bytes.as_ref().map(|bytes| SiteRecord {
                key: key.to_owned(),
                revision: current.as_ref().map_or(0, |r| r.revision) + 1,
                bytes: bytes.clone(),
            });
        }
        Ok(current)
    }

    pub(super) fn write_record(
        &mut self,
        kind: RecordKind,
        key: &str,
        bytes: Option<Vec<u8>>,
        expect: Expect,
        public: bool,
    ) -> Result<Option<u64>, StoreError> {
        let current = self.record_now(kind, key)?;
        let revision = current.as_ref().map(|r| r.revision);
        if !expect.holds(revision) {
            return Err(StoreError::RecordConflict {
                kind,
                key: key.to_owned(),
                current: revision,
            });
        }
        let written = bytes.as_ref().map(|_| revision.unwrap_or(0) + 1);
        self.records.push(RecordWrite {
            kind,
            key: key.to_owned(),
            bytes,
            // Checked against what is stored at the commit: this transaction's earlier writes
            // of the record are applied first, so the stored revision then is `revision`.
            expect: match revision {
                Some(r) => Expect::Revision(r),
                None => Expect::Absent,
            },
            public,
        });
        Ok(written.or(revision))
    }
}
