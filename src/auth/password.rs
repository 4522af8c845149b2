//! argon2id password hashes as PHC strings, computed off the async threads with a bound on how
//! many run at once: each takes ~19 MiB, so a flood of logins must not exhaust memory or starve
//! the threads that serve readers.

use crate::domain::{Password, PasswordHash};
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// OWASP's recommended argon2id parameters: 19 MiB, 2 passes, 1 lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// At most this many hashes are computed at once; others wait their turn.
const CONCURRENT_HASHES: usize = 4;
static PERMITS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(CONCURRENT_HASHES));

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// Hashes synchronously; for the CLI and for code already on a blocking thread.
pub fn hash_blocking(password: &Password) -> Result<PasswordHash, PasswordError> {
    hasher()
        .hash_password(password.expose())
        .map(|h| PasswordHash(h.to_string()))
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// The outcome of checking a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Right, and the stored hash used other parameters: store this new hash.
    YesRehashed(PasswordHash),
}

/// Checks synchronously. `stored` is `None` for an unknown user: a dummy hash is checked
/// instead, so the answer takes as long as for a real account.
pub fn verify_blocking(password: &Password, stored: Option<&PasswordHash>) -> Verified {
    static DUMMY: LazyLock<String> = LazyLock::new(|| {
        hash_blocking(
            &Password::typed("not a real password at all").unwrap_or_else(|_| unreachable!()),
        )
        .map(|h| h.0)
        .unwrap_or_default()
    });
    let phc_string = stored.map_or(DUMMY.as_str(), |h| h.0.as_str());
    let Ok(parsed) = phc::PasswordHash::new(phc_string) else {
        return Verified::No;
    };
    if hasher()
        .verify_password(password.expose(), &parsed)
        .is_err()
        || stored.is_none()
    {
        return Verified::No;
    }
    let current = hasher();
    let same_params = parsed.algorithm.as_str() == "argon2id"
        && Params::try_from(&parsed).is_ok_and(|p| {
            let want = current.params();
            (p.m_cost(), p.t_cost(), p.p_cost()) == (want.m_cost(), want.t_cost(), want.p_cost())
        });
    if same_params {
        Verified::Yes
    } else {
        match hash_blocking(password) {
            Ok(new_hash) => Verified::YesRehashed(new_hash),
            Err(_) => Verified::Yes,
        }
    }
}

pub async fn hash(password: Password) -> Result<PasswordHash, PasswordError> {
    let _permit = PERMITS
        .acquire()
        .await
        .map_err(|e| PasswordError::Hash(e.to_string()))?;
    actix_web::web::block(move || hash_blocking(&password))
        .await
        .map_err(|e| PasswordError::Hash(e.to_string()))?
}

pub async fn verify(password: Password, stored: Option<PasswordHash>) -> Verified {
    let Ok(_permit) = PERMITS.acquire().await else {
        return Verified::No;
    };
    actix_web::web::block(move || verify_blocking(&password, stored.as_ref()))
        .await
        .unwrap_or(Verified::No)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let password = Password::new("correct horse battery").unwrap();
        let hash = hash_blocking(&password).unwrap();
        assert!(hash.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(verify_blocking(&password, Some(&hash)), Verified::Yes);
        assert_eq!(
            verify_blocking(&Password::typed("wrong").unwrap(), Some(&hash)),
            Verified::No
        );
    }

    #[test]
    fn an_unknown_user_never_verifies() {
        let password = Password::typed("not a real password at all").unwrap();
        assert_eq!(verify_blocking(&password, None), Verified::No);
    }

    #[test]
    fn a_hash_with_weaker_parameters_is_replaced() {
        let password = Password::new("correct horse battery").unwrap();
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        );
        let old = PasswordHash(weak.hash_password(password.expose()).unwrap().to_string());
        match verify_blocking(&password, Some(&old)) {
            Verified::YesRehashed(new) => assert!(new.0.contains("m=19456,t=2,p=1")),
            other => panic!("expected a rehash, got {other:?}"),
        }
    }
}
