//! The schema's versions: SQL files embedded in the binary, applied in order on open, each in
//! its own transaction with its number recorded in `schema_migrations`. One round trip when
//! the schema is current.
//!
//! Servers starting together take turns through a session advisory lock held on the migrating
//! connection, so a migration is applied once.
//!
//! Migrations are written expand-then-contract, so that a rolling upgrade never stops the
//! servers still on the release before: each names the oldest schema version whose releases
//! can still use the database once it is applied (`readable_from`). A migration that only adds
//! (a table, a nullable column, an index) keeps the previous release's version; one that takes
//! away what a release used names its own. A database at a newer version than this binary
//! knows is used as it is when its latest migration says this release can read it, and refused
//! otherwise rather than written with assumptions that no longer hold.

use super::super::StoreError;
use ::postgres::Client;

/// One schema change.
struct Migration {
    version: i32,
    /// The oldest schema version whose releases can use the database once this is applied.
    readable_from: i32,
    sql: &'static str,
}

/// Every migration, in order. A release adds files; it never edits one that has shipped.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        readable_from: 1,
        sql: include_str!("migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        readable_from: 1,
        sql: include_str!("migrations/0002_search.sql"),
    },
    Migration {
        version: 3,
        readable_from: 1,
        sql: include_str!("migrations/0003_search_revision.sql"),
    },
    Migration {
        version: 4,
        readable_from: 1,
        sql: include_str!("migrations/0004_search_no_pending_list.sql"),
    },
    // Only adds tables: the release before can still use the database.
    Migration {
        version: 5,
        readable_from: 1,
        sql: include_str!("migrations/0005_login_throttle.sql"),
    },
    // Only adds a table and a column: the releases before can still use the database.
    Migration {
        version: 7,
        readable_from: 1,
        sql: include_str!("migrations/0007_story_photos.sql"),
    },
];

/// The advisory lock every server takes to migrate ("newsroom" in ASCII).
const LOCK: i64 = 0x6e65_7773_726f_6f6d;

/// How many migrations this binary knows (their numbers may skip some).
#[cfg(test)]
pub(super) fn count() -> usize {
    MIGRATIONS.len()
}

/// The schema version this binary was built for.
pub(super) fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Whether this release can use a database whose schema is at `version`, the migrations newer
/// than this release's readable from `readable_from` at the oldest: one it knows, or a newer one
/// every newer migration of which keeps it readable.
pub(super) fn usable(version: i32, readable_from: i32) -> Result<(), StoreError> {
    let known = latest();
    if version <= known || readable_from <= known {
        Ok(())
    } else {
        Err(StoreError::SchemaTooNew {
            found: version,
            known,
        })
    }
}

/// The version of the database's schema and how far back it stays readable (the most any
/// migration newer than `$1`, this release's, asks): read with [`CURRENT`], taken from its row
/// by [`current_of`].
pub(super) const CURRENT: &str = "SELECT max(version), \
     coalesce(max(readable_from) FILTER (WHERE version > $1), 0) FROM schema_migrations";

/// (version, readable_from) of [`CURRENT`]'s row; (0, 0) for a database with no schema yet.
pub(super) fn current_of(row: Option<::postgres::Row>) -> Result<(i32, i32), StoreError> {
    Ok(match row {
        Some(row) => (
            row.try_get::<_, Option<i32>>(0)?.unwrap_or(0),
            row.try_get(1)?,
        ),
        None => (0, 0),
    })
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
                 readable_from integer NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now()
             )",
        )?;
    }
    let (from, readable_from) = current_of(client.query_opt(CURRENT, &[&latest()])?)?;
    usable(from, readable_from)?;
    let known = latest();
    for migration in MIGRATIONS.iter().filter(|m| m.version > from) {
        let mut tx = client.transaction()?;
        tx.batch_execute(migration.sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, readable_from) VALUES ($1, $2)",
            &[&migration.version, &migration.readable_from],
        )?;
        tx.commit()?;
        tracing::info!(version = migration.version, "applied a database migration");
    }
    Ok(Migrated {
        from,
        to: from.max(known),
    })
}
