//! The public version other servers move: each server reads it from memory on every reader's
//! request, and takes in the database's every [`FOLLOW_EVERY`](crate::storage::FOLLOW_EVERY)
//! (see [`ChangeFeed::follow_changes`]). A story published through one server is on every
//! server's pages within about a second.
//!
//! Costs: two point reads a second per server, on a pooled connection, off every request's
//! path. LISTEN/NOTIFY would bring changes at once, at the price of a connection held open
//! outside the pool; the reading here would stay as its fallback.

use super::connection::Db;
use super::*;
use std::sync::{Arc, RwLock};

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
