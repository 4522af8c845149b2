//! Random secrets: session ids, CSRF tokens, setup tokens.

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
/// itself goes only to whoever starts the server.
pub fn issue_setup_token(
    store: &dyn crate::storage::Store,
) -> Result<Option<String>, crate::storage::StoreError> {
    if !store.users()?.is_empty() {
        return Ok(None);
    }
    let setup = random_token();
    store.set_setup_token(&digest(&setup))?;
    Ok(Some(setup))
}
