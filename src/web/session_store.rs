//! Server-side login sessions for actix-session, kept in the database so they can be revoked.
//! The cookie holds a random 256-bit id; the database holds only its SHA-256.

use crate::auth::token;
use crate::clock::Clock;
use crate::domain::Session;
use crate::storage::SharedStore;
use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use actix_web::web;
use std::collections::HashMap;
use time::OffsetDateTime;

pub struct DbSessionStore {
    store: SharedStore,
    /// Expiry is measured on the application's clock, which tests move forward.
    clock: Clock,
}

impl DbSessionStore {
    pub fn new(store: SharedStore, clock: Clock) -> Self {
        Self { store, clock }
    }
}

/// The session state key that holds the signed-in account's id.
pub const USER_KEY: &str = "user";
/// The session state keys of the browser and address a session began from, copied into the
/// record so that its owner can tell their sessions apart.
pub const BROWSER_KEY: &str = "browser";
pub const ADDRESS_KEY: &str = "address";
/// The session state key of a random tag that tells a session apart in its owner's list (the
/// session id itself is never stored).
pub const TAG_KEY: &str = "tag";

fn record(state: HashMap<String, String>, ttl: &Duration, now: OffsetDateTime) -> Session {
    let value = |key: &str| {
        state
            .get(key)
            .and_then(|v| serde_json::from_str::<String>(v).ok())
    };
    let user = value(USER_KEY).and_then(|id| id.parse::<crate::domain::UserId>().ok());
    let browser = value(BROWSER_KEY).unwrap_or_default();
    let address = value(ADDRESS_KEY).unwrap_or_default();
    Session {
        state: state.into_iter().collect(),
        expires_at: now + *ttl,
        user,
        browser,
        address,
        last_seen: Some(now),
    }
}

async fn put(store: &SharedStore, key: &str, record: Session) -> anyhow::Result<()> {
    let store = store.clone();
    let digest = token::digest(key);
    web::block(move || store.put_session(&digest, &record)).await??;
    Ok(())
}

async fn get(
    store: &SharedStore,
    key: &SessionKey,
    now: OffsetDateTime,
) -> anyhow::Result<Option<Session>> {
    let store = store.clone();
    let digest = token::digest(key.as_ref());
    Ok(web::block(move || store.session(&digest, now)).await??)
}

/// Replaces the record of a session that still exists; false when it is gone.
async fn renew(store: &SharedStore, key: &SessionKey, record: Session) -> anyhow::Result<bool> {
    let store = store.clone();
    let digest = token::digest(key.as_ref());
    Ok(web::block(move || store.renew_session(&digest, &record)).await??)
}

/// How long a session may go unrenewed: an eighth of its idle time, at most five minutes. Its
/// idle expiry comes at most that much early.
fn renewal_slack(ttl: Duration) -> Duration {
    std::cmp::min(ttl / 8_i32, Duration::minutes(5))
}

fn new_key() -> anyhow::Result<SessionKey> {
    SessionKey::try_from(token::random_token()).map_err(|e| anyhow::anyhow!("{e}"))
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        let record = get(&self.store, key, self.clock.now())
            .await
            .map_err(LoadError::Other)?;
        Ok(record.map(|r| r.state.into_iter().collect()))
    }

    async fn save(
        &self,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        let key = new_key().map_err(SaveError::Other)?;
        put(
            &self.store,
            key.as_ref(),
            record(state, ttl, self.clock.now()),
        )
        .await
        .map_err(SaveError::Other)?;
        Ok(key)
    }

    async fn update(
        &self,
        key: SessionKey,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let record = record(state, ttl, self.clock.now());
        if renew(&self.store, &key, record)
            .await
            .map_err(UpdateError::Other)?
        {
            return Ok(key);
        }
        // A session deleted meanwhile (logout elsewhere, account disabled) is not brought back:
        // the browser gets a fresh key that names nothing, so its next request is signed out.
        new_key().map_err(UpdateError::Other)
    }

    /// Runs on every desk request, but writes only when the session was last renewed a while
    /// ago (see [`renewal_slack`]): a write and a flush per click would cost every server on
    /// one database for nothing.
    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        let now = self.clock.now();
        let Some(mut record) = get(&self.store, key, now).await? else {
            return Ok(());
        };
        if record.expires_at - now >= *ttl - renewal_slack(*ttl) {
            return Ok(());
        }
        record.expires_at = now + *ttl;
        record.last_seen = Some(now);
        renew(&self.store, key, record).await?;
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        let store = self.store.clone();
        let digest = token::digest(key.as_ref());
        web::block(move || store.delete_session(&digest)).await??;
        Ok(())
    }
}
