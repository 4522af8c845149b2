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

fn record(state: HashMap<String, String>, ttl: &Duration, now: OffsetDateTime) -> Session {
    let user = state
        .get(USER_KEY)
        .and_then(|v| serde_json::from_str::<String>(v).ok())
        .and_then(|id| id.parse::<crate::domain::UserId>().ok());
    Session {
        state: state.into_iter().collect(),
        expires_at: now + *ttl,
        user,
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
        // A session deleted meanwhile (logout elsewhere, account disabled) is not brought back:
        // the browser gets a fresh key that names nothing, so its next request is signed out.
        if get(&self.store, &key, self.clock.now())
            .await
            .map_err(UpdateError::Other)?
            .is_none()
        {
            return new_key().map_err(UpdateError::Other);
        }
        put(
            &self.store,
            key.as_ref(),
            record(state, ttl, self.clock.now()),
        )
        .await
        .map_err(UpdateError::Other)?;
        Ok(key)
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        if let Some(mut record) = get(&self.store, key, self.clock.now()).await? {
            record.expires_at = self.clock.now() + *ttl;
            put(&self.store, key.as_ref(), record).await?;
        }
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        let store = self.store.clone();
        let digest = token::digest(key.as_ref());
        web::block(move || store.delete_session(&digest)).await??;
        Ok(())
    }
}
