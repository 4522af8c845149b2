//! The public version other servers move: each server reads it from memory on every reader's
//! request, so a thread of the store's own takes in the database's every second. A story
//! published through one server is on every server's pages within about a second.
//!
//! Costs: one point read a second per server, on a pooled connection, off every request's path.
//! LISTEN/NOTIFY would bring changes at once, at the price of a connection held open outside
//! the pool; the reading here would stay as its fallback.

use super::connection::{Db, Manager};
use super::*;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How often the database's public version is read.
const EVERY: Duration = Duration::from_secs(1);

/// The public version as this server knows it, shared by the store and its follower.
pub(super) type Shared = Arc<RwLock<PublicVersion>>;

/// Takes `seen` as the public version unless a newer one is known already (writers and the
/// follower may report in either order; the generation only grows). Returns the one current.
pub(super) fn note(public: &RwLock<PublicVersion>, seen: PublicVersion) -> PublicVersion {
    let mut current = public.write().unwrap_or_else(PoisonError::into_inner);
    if seen.generation > current.generation {
        *current = seen;
    }
    *current
}

/// The public version as the database has it.
pub(super) fn read<C: GenericClient>(db: &mut Db<'_, C>) -> Result<PublicVersion, StoreError> {
    let row = db.query_one(
        "SELECT public_generation, public_changed_at_ns FROM feed_state",
        &[],
    )?;
    Ok(public_version_of(get(&row, 0)?, get(&row, 1)?))
}

/// The thread that follows the database's public version; it stops when this is dropped.
pub(super) struct Follower {
    /// Dropping it wakes the thread, which then ends.
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Follower {
    pub(super) fn start(
        pool: r2d2_postgres::r2d2::Pool<Manager>,
        public: Shared,
    ) -> Result<Self, StoreError> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("newsroom-public-version".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    let seen = pool.get().map_err(StoreError::from).and_then(|mut conn| {
                        let (client, statements) = conn.parts()?;
                        read(&mut Db::new(client, statements))
                    });
                    match seen {
                        Ok(seen) => {
                            note(&public, seen);
                        }
                        // The next round tries again; readers keep the version they have.
                        Err(e) => tracing::warn!(error = %e, "cannot read the public version"),
                    }
                }
            })
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        Ok(Follower {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // It wakes at once and ends after the read in progress, if any.
            let _ = thread.join();
        }
    }
}
