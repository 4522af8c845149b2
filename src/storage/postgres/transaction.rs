//! Every write runs here: one SERIALIZABLE transaction on one connection, run again from the
//! start when PostgreSQL says it could not be serialized with a concurrent one (SQLSTATE 40001)
//! or chose it to end a deadlock (40P01). [`PgTx`] is also the [`Transaction`] that
//! [`Store::transaction`] hands its work: reads and writes go straight to the database inside
//! the transaction, so reads see the transaction's own writes.
//!
//! Retries wait a random while that doubles with each attempt (up to 64 ms), so writers that
//! collided spread out; a change that still collides after many attempts fails as a backend
//! error rather than spinning.
//!
//! [`Store::transaction`]: crate::storage::Store::transaction

use super::connection::Db;
use super::*;
use ::postgres::IsolationLevel;
use std::time::Duration;

/// Attempts before a change that keeps colliding gives up.
const ATTEMPTS: u32 = 30;

/// A write transaction in progress.
pub(super) struct PgTx<'a, 'c> {
    pub(super) db: Db<'a, ::postgres::Transaction<'c>>,
    /// The time this attempt stamps its changes with.
    pub(super) now: OffsetDateTime,
    /// The public version this transaction moved to, if it moved it.
    public: Option<PublicVersion>,
}

impl PgTx<'_, '_> {
    /// Notes a public version the transaction set; the latest wins.
    pub(super) fn note_public(&mut self, moved: Option<PublicVersion>) {
        if moved.is_some() {
            self.public = moved;
        }
    }
}

impl PgStore {
    /// Runs `work` in a transaction, retried as the module says; commits when it returns `Ok`.
    pub(super) fn write<T: Send>(
        &self,
        mut work: impl FnMut(&mut PgTx<'_, '_>) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        let (value, public) = self.with_conn(|conn| {
            let (client, statements) = conn.parts()?;
            let mut attempt = 0;
            loop {
                attempt += 1;
                match run_once(client, statements, self.clock.now(), &mut work) {
                    Err(Failed::Retry(e)) if attempt < ATTEMPTS => {
                        tracing::debug!(attempt, error = %e, "retrying a transaction");
                        std::thread::sleep(backoff(attempt));
                    }
                    Err(Failed::Retry(e) | Failed::Other(e)) => return Err(e),
                    Ok(done) => return Ok(done),
                }
            }
        })?;
        if let Some(version) = public {
            self.note_public_version(version);
        }
        Ok(value)
    }
}

enum Failed {
    /// The attempt collided with another transaction: run it again.
    Retry(StoreError),
    Other(StoreError),
}

fn failed(e: ::postgres::Error) -> Failed {
    if connection::must_retry(&e) {
        Failed::Retry(e.into())
    } else {
        Failed::Other(e.into())
    }
}

/// One attempt: begin, work, commit. Rolled back (by dropping the transaction) unless it
/// commits.
fn run_once<T>(
    client: &mut ::postgres::Client,
    statements: &mut std::collections::HashMap<&'static str, ::postgres::Statement>,
    now: OffsetDateTime,
    work: &mut impl FnMut(&mut PgTx<'_, '_>) -> Result<T, StoreError>,
) -> Result<(T, Option<PublicVersion>), Failed> {
    let mut transaction = client
        .build_transaction()
        .isolation_level(IsolationLevel::Serializable)
        .start()
        .map_err(failed)?;
    let mut tx = PgTx {
        db: Db::new(&mut transaction, statements),
        now,
        public: None,
    };
    let result = work(&mut tx);
    // Read before the transaction is used again (to commit), which ends `tx`'s borrow of it.
    let (must_retry, failed_statement, public) = (tx.db.must_retry, tx.db.failed, tx.public);
    if must_retry {
        // The work may have turned the failure into an error of its own, or carried on.
        return Err(Failed::Retry(result.err().unwrap_or(StoreError::Abandoned)));
    }
    let value = result.map_err(Failed::Other)?;
    if failed_statement {
        // A statement failed and the work carried on: PostgreSQL has abandoned the transaction
        // already, and COMMIT would only roll it back.
        return Err(Failed::Other(StoreError::Abandoned));
    }
    transaction.commit().map_err(failed)?;
    Ok((value, public))
}

/// A random wait up to 2^attempt milliseconds, at most 64.
fn backoff(attempt: u32) -> Duration {
    let ceiling = 1u64 << attempt.min(6);
    Duration::from_micros(rand::random_range(0..=ceiling * 1000))
}

impl Transaction for PgTx<'_, '_> {
    fn story(&mut self, id: StoryId) -> Result<Option<Story>, StoreError> {
        read_story(&mut self.db, id)
    }

    fn save_story(
        &mut self,
        story: &Story,
        expected_revision: Option<u64>,
    ) -> Result<Story, StoreError> {
        let written = write_story(
            &mut self.db,
            story,
            Revision::After(expected_revision),
            self.now,
        )?;
        self.note_public(written.public);
        Ok(written.stored)
    }

    fn import_story_version(&mut self, story: &Story) -> Result<ImportOutcome, StoreError> {
        let written = write_story(&mut self.db, story, Revision::Keep, self.now)?;
        self.note_public(written.public);
        Ok(written.outcome)
    }

    fn user(&mut self, id: UserId) -> Result<Option<User>, StoreError> {
        read_user(&mut self.db, id)
    }

    fn users(&mut self) -> Result<Vec<User>, StoreError> {
        read_users(&mut self.db)
    }

    fn create_user(&mut self, user: &User) -> Result<(), StoreError> {
        insert_user(&mut self.db, user)
    }

    fn update_user(&mut self, user: &User) -> Result<(), StoreError> {
        update_user_row(&mut self.db, user)
    }

    fn delete_sessions_of(&mut self, user: UserId) -> Result<usize, StoreError> {
        delete_sessions(&mut self.db, user)
    }

    fn record_audit(&mut self, event: &AuditEvent) -> Result<(), StoreError> {
        insert_audit(&mut self.db, event)
    }

    fn take_setup_token(&mut self, digest: &[u8; 32]) -> Result<bool, StoreError> {
        let taken = self.db.execute(
            "DELETE FROM setup_token WHERE digest = $1",
            &[&digest.as_slice()],
        )?;
        Ok(taken == 1)
    }

    fn put_setting(&mut self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        let name = format!("{SETTING_PREFIX}{name}");
        self.db.execute(
            "INSERT INTO secrets (name, value) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            &[&name, &value],
        )?;
        Ok(())
    }

    fn site_record(
        &mut self,
        kind: RecordKind,
        key: &str,
    ) -> Result<Option<SiteRecord>, StoreError> {
        self.read_record(kind, key)
    }

    fn put_site_record(
        &mut self,
        kind: RecordKind,
        key: &str,
        bytes: Vec<u8>,
        expect: Expect,
        public: bool,
    ) -> Result<u64, StoreError> {
        let written = self.write_record(kind, key, Some(&bytes), expect, public)?;
        written.ok_or_else(|| StoreError::Inconsistent("a written record has no revision".into()))
    }

    fn delete_site_record(
        &mut self,
        kind: RecordKind,
        key: &str,
        expect: Expect,
        public: bool,
    ) -> Result<bool, StoreError> {
        if self.read_record(kind, key)?.is_none() {
            if !expect.holds(None) {
                return Err(StoreError::RecordConflict {
                    kind,
                    key: key.to_owned(),
                    current: None,
                });
            }
            return Ok(false);
        }
        self.write_record(kind, key, None, expect, public)?;
        Ok(true)
    }
}
