//! Random secrets: session ids, CSRF tokens, setup tokens.

use crate::storage::{Store, StoreError};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What is stored in place of a secret: its SHA-256, so a copy of the database does not
/// hand out live tokens.
pub fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Compares two secrets in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Makes the one-time setup token when no account exists yet; its digest is stored, the token
/// itself goes only to whoever starts the server. Once an account exists, any token left from
/// an earlier start is retired instead.
pub fn issue_setup_token(store: &dyn Store) -> Result<Option<String>, StoreError> {
    if !store.users()?.is_empty() {
        retire_setup_token(store)?;
        return Ok(None);
    }
    let setup = random_token();
    store.set_setup_token(&digest(&setup))?;
    Ok(Some(setup))
}

/// Whether `setup_token` may still create the first account: it must match the stored token,
/// and no account may exist yet, however one came to be made.
pub fn setup_is_open(store: &dyn Store, setup_token: &str) -> Result<bool, StoreError> {
    Ok(store.users()?.is_empty() && store.setup_token_matches(&digest(setup_token))?)
}

/// Makes any setup link worthless by deleting its token; called whenever an account is
/// created, by any path, and at start-up once accounts exist.
pub fn retire_setup_token(store: &dyn Store) -> Result<(), StoreError> {
    store.clear_setup_token()
}
