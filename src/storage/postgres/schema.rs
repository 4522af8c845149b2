//! The schema's versions: SQL files embedded in the binary, applied in order on open, each in
//! its own transaction with its number recorded in `schema_migrations`. One round trip when
//! the schema is current.
//!
//! Servers starting together take turns through a session advisory lock held on the migrating
//! connection, so a migration is applied once; a database whose schema is newer than this
//! binary knows is refused rather than written with assumptions that no longer hold.

use super::super::StoreError;
use ::postgres::Client;

/// Every migration, in order: (version, SQL). A release adds files; it never edits one that
/// has shipped.
const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("migrations/0001_initial.sql"))];

/// The advisory lock every server takes to migrate ("newsroom" in ASCII).
const LOCK: i64 = 0x6e65_7773_726f_6f6d;

/// The schema version this binary was built for.
pub(super) fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |(version, _)| *version)
}

/// What [`migrate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    /// The version the database was at (0 for an empty one).
    pub from: i32,
    /// The version it is at now.
    pub to: i32,
}

/// Brings the schema to [`latest`] under the migration lock.
pub(super) fn migrate(client: &mut Client) -> Result<Migrated, StoreError> {
    client.execute("SELECT pg_advisory_lock($1)", &[&LOCK])?;
    let applied = apply(client);
    // Released even when applying failed; closing the connection would release it too.
    let released = client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK]);
    let migrated = applied?;
    released?;
    Ok(migrated)
}

fn apply(client: &mut Client) -> Result<Migrated, StoreError> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])?
        .try_get(0)?;
    if !exists {
        client.batch_execute(
            "CREATE TABLE schema_migrations (
                 version integer PRIMARY KEY,
                 applied_at timestamptz NOT NULL DEFAULT now()
             )",
        )?;
    }
    let from: i32 = client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )?
        .try_get(0)?;
    let known = latest();
    if from > known {
        return Err(StoreError::SchemaTooNew { found: from, known });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(version, _)| *version > from) {
        let mut tx = client.transaction()?;
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[version],
        )?;
        tx.commit()?;
        tracing::info!(version, "applied a database migration");
    }
    Ok(Migrated {
        from,
        to: from.max(known),
    })
}
