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

/// Where the first-run setup stands when a server starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setup {
    /// An account exists: there is no setup link.
    Done,
    /// No account yet, and this start made the link's token: only its digest is stored, the
    /// token itself goes to whoever started the server.
    Issued(String),
    /// No account yet, and a link made earlier (by another server on the same database, or an
    /// earlier start) still works: it is not replaced, so no server's link stops working.
    Waiting,
}

/// Makes the one-time setup token when no account exists and none was made before. Once an
/// account exists, any token left over is retired instead.
pub fn issue_setup_token(store: &dyn Store) -> Result<Setup, StoreError> {
    if !store.users()?.is_empty() {
        retire_setup_token(store)?;
        return Ok(Setup::Done);
    }
    let setup = random_token();
    Ok(if store.set_setup_token(&digest(&setup), false)? {
        Setup::Issued(setup)
    } else {
        Setup::Waiting
    })
}

/// Makes a new setup token in place of any earlier one (whose link stops working), for an
/// operator who lost the link; `None` once an account exists.
pub fn reissue_setup_token(store: &dyn Store) -> Result<Option<String>, StoreError> {
    if !store.users()?.is_empty() {
        return Ok(None);
    }
    let setup = random_token();
    store.set_setup_token(&digest(&setup), true)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Storage;

    #[test]
    fn a_second_start_keeps_the_first_setup_link_working_until_a_new_one_is_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::storage::open(&Storage::sled(dir.path()), crate::clock::Clock::system())
            .unwrap();
        let Setup::Issued(first) = issue_setup_token(&*store).unwrap() else {
            panic!("the first start makes the link");
        };

        assert_eq!(issue_setup_token(&*store).unwrap(), Setup::Waiting);
        assert!(
            setup_is_open(&*store, &first).unwrap(),
            "the first link still works"
        );

        let second = reissue_setup_token(&*store).unwrap().unwrap();
        assert!(!setup_is_open(&*store, &first).unwrap());
        assert!(setup_is_open(&*store, &second).unwrap());
    }
}
