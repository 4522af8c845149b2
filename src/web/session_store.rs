//! Server-side login sessions for actix-session, kept in the database so they can be revoked.
//! The cookie holds a random 256-bit id; the database holds only its SHA-256.

use crate::auth::token;
use crate::domain::Session;
use crate::storage::SharedStore;
use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use actix_web::web;
use std::collections::HashMap;
use time::OffsetDateTime;

pub struct DbSessionStore {
    store: SharedStore,
}

impl DbSessionStore {
    pub fn new(store: SharedStore) -> Self {
        Self { store }
    }
}

/// The session state key that holds the signed-in account's id.
pub const USER_KEY: &str = "user";

fn record(state: HashMap<String, String>, ttl: &Duration) -> Session {
    let user = state
        .get(USER_KEY)
        .and_then(|v| serde_json::from_str::<String>(v).ok())
        .and_then(|id| id.parse::<crate::domain::UserId>().ok());
    Session {
        state: state.into_iter().collect(),
        expires_at: OffsetDateTime::now_utc() + *ttl,
        user,
    }
}

async fn put(store: &SharedStore, key: &str, record: Session) -> anyhow::Result<()> {
    let store = store.clone();
    let digest = token::digest(key);
    web::block(move || store.put_session(&digest, &record)).await??;
    Ok(())
}

async fn get(store: &SharedStore, key: &SessionKey) -> anyhow::Result<Option<Session>> {
    let store = store.clone();
    let digest = token::digest(key.as_ref());
    Ok(web::block(move || store.session(&digest, OffsetDateTime::now_utc())).await??)
}

fn new_key() -> anyhow::Result<SessionKey> {
    SessionKey::try_from(token::random_token()).map_err(|e| anyhow::anyhow!("{e}"))
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        let record = get(&self.store, key).await.map_err(LoadError::Other)?;
        Ok(record.map(|r| r.state.into_iter().collect()))
    }

    async fn save(
        &self,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        let key = new_key().map_err(SaveError::Other)?;
        put(&self.store, key.as_ref(), record(state, ttl))
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
        if get(&self.store, &key)
            .await
            .map_err(UpdateError::Other)?
            .is_none()
        {
            return new_key().map_err(UpdateError::Other);
        }
        put(&self.store, key.as_ref(), record(state, ttl))
            .await
            .map_err(UpdateError::Other)?;
        Ok(key)
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        if let Some(mut record) = get(&self.store, key).await? {
            record.expires_at = OffsetDateTime::now_utc() + *ttl;
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
