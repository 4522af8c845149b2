//! argon2id password hashes as PHC strings, computed off the async threads with a bound on how
//! many run at once: each takes ~19 MiB, so a flood of logins must not exhaust memory or starve
//! the threads that serve readers.
//!
//! The 19 MiB of working memory comes from a small pool made once and reused, never from the
//! allocator per hash: glibc keeps a freed block of that size in the arena of the thread that
//! freed it, so hashes spread over the blocking pool's many threads held about 1 GB after 60
//! failed logins. With the pool, memory stays flat however many logins are tried.

use crate::domain::{Password, PasswordHash};
use argon2::password_hash::phc::{self, Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::{Condvar, LazyLock, Mutex};
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
    #[error("password hashing failed")]
    Argon2(#[from] argon2::Error),
    #[error("the password hash could not be written down")]
    Encode(#[from] phc::Error),
    #[error("the hash parameters could not be written down")]
    Parameters(#[from] argon2::password_hash::Error),
}

/// Working memory for hashes with our parameters: at most `CONCURRENT_HASHES` blocks of
/// 19 MiB, made when first needed and lent out one hash at a time. A caller finding all of them
/// lent waits for one to come back rather than allocating another.
struct MemoryPool {
    state: Mutex<PoolState>,
    returned: Condvar,
}

struct PoolState {
    free: Vec<Box<[Block]>>,
    made: usize,
}

static MEMORY: LazyLock<MemoryPool> = LazyLock::new(|| MemoryPool {
    state: Mutex::new(PoolState {
        free: Vec::new(),
        made: 0,
    }),
    returned: Condvar::new(),
});

/// A pooled block, given back when dropped (a panic inside argon2 does not shrink the pool).
struct Lent(Option<Box<[Block]>>);

impl Drop for Lent {
    fn drop(&mut self) {
        if let Some(memory) = self.0.take() {
            let mut state = MEMORY.state.lock().unwrap_or_else(|e| e.into_inner());
            state.free.push(memory);
            MEMORY.returned.notify_one();
        }
    }
}

fn pooled_block_count() -> usize {
    hasher().params().block_count()
}

fn lend() -> Lent {
    let mut state = MEMORY.state.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if let Some(memory) = state.free.pop() {
            return Lent(Some(memory));
        }
        if state.made < CONCURRENT_HASHES {
            state.made += 1;
            drop(state);
            return Lent(Some(
                vec![Block::new(); pooled_block_count()].into_boxed_slice(),
            ));
        }
        state = MEMORY
            .returned
            .wait(state)
            .unwrap_or_else(|e| e.into_inner());
    }
}

/// Runs `work` with `block_count` blocks of working memory.
fn with_memory<T>(block_count: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    if block_count > pooled_block_count() {
        // Only a stored hash made with more memory than ours needs this; our own database is
        // the only source of stored hashes, so this cannot be driven by a stranger.
        return work(&mut vec![Block::new(); block_count]);
    }
    let mut lent = lend();
    match lent.0.as_deref_mut() {
        Some(memory) => work(&mut memory[..block_count]),
        None => work(&mut vec![Block::new(); block_count]),
    }
}

/// Hashes synchronously; for the CLI and for code already on a blocking thread.
pub fn hash_blocking(password: &Password) -> Result<PasswordHash, PasswordError> {
    let argon2 = hasher();
    let salt: [u8; Salt::RECOMMENDED_LENGTH] = rand::random();
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    with_memory(argon2.params().block_count(), |memory| {
        argon2.hash_password_into_with_memory(password.expose(), &salt, &mut output, memory)
    })?;
    let phc = phc::PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params())?,
        salt: Some(Salt::new(&salt)?),
        hash: Some(Output::new(&output)?),
    };
    Ok(PasswordHash(phc.to_string()))
}

/// A hash made elsewhere (by a `newsroom` command, for the server to store): taken only when
/// it is an argon2id PHC string with a salt and an output, so that what is stored can be
/// verified.
pub fn parse_hash(phc_string: &str) -> Result<PasswordHash, PasswordError> {
    let parsed = phc::PasswordHash::new(phc_string)
        .map_err(|_| PasswordError::Hash("not a PHC string".into()))?;
    let argon2id = parsed.algorithm.as_str() == Algorithm::Argon2id.ident().as_str();
    if !argon2id || parsed.salt.is_none() || parsed.hash.is_none() {
        return Err(PasswordError::Hash(
            "not an argon2id hash with salt and output".into(),
        ));
    }
    Ok(PasswordHash(phc_string.to_owned()))
}

/// Whether `password` gives the hash `stored` holds, computed with the stored parameters.
fn matches(password: &Password, stored: &phc::PasswordHash) -> bool {
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::new(stored.algorithm.as_str()) else {
        return false;
    };
    let Ok(version) = stored
        .version
        .map_or(Ok(Version::default()), Version::try_from)
    else {
        return false;
    };
    let Ok(params) = Params::try_from(stored) else {
        return false;
    };
    let argon2 = Argon2::new(algorithm, version, params);
    let mut computed = vec![0u8; expected.len()];
    let computed_ok = with_memory(argon2.params().block_count(), |memory| {
        argon2.hash_password_into_with_memory(password.expose(), salt, &mut computed, memory)
    });
    // `Output`'s equality takes the same time wherever the two differ.
    computed_ok.is_ok() && Output::new(&computed).is_ok_and(|computed| computed == *expected)
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
    if !matches(password, &parsed) || stored.is_none() {
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
    fn a_hash_made_here_parses_and_anything_else_does_not() {
        let ours = hash_blocking(&Password::new("correct horse battery").unwrap()).unwrap();
        assert_eq!(parse_hash(&ours.0).unwrap(), ours);
        for other in [
            "",
            "plain text",
            "$argon2id$v=19$m=19456,t=2,p=1",
            "$md5$abc$def",
        ] {
            assert!(parse_hash(other).is_err(), "{other:?}");
        }
    }

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
    fn a_hash_made_by_the_argon2_crate_itself_verifies() {
        use argon2::password_hash::PasswordHasher;
        let password = Password::new("correct horse battery").unwrap();
        // The pool's memory has been used by other hashes by now; reuse must not matter.
        hash_blocking(&Password::new("some other password").unwrap()).unwrap();
        let theirs = PasswordHash(
            hasher()
                .hash_password(password.expose())
                .unwrap()
                .to_string(),
        );
        assert_eq!(verify_blocking(&password, Some(&theirs)), Verified::Yes);
        let ours = hash_blocking(&password).unwrap();
        let parsed = phc::PasswordHash::new(&ours.0).unwrap();
        use argon2::password_hash::PasswordVerifier;
        assert!(hasher().verify_password(password.expose(), &parsed).is_ok());
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
        use argon2::password_hash::PasswordHasher;
        let old = PasswordHash(weak.hash_password(password.expose()).unwrap().to_string());
        match verify_blocking(&password, Some(&old)) {
            Verified::YesRehashed(new) => assert!(new.0.contains("m=19456,t=2,p=1")),
            other => panic!("expected a rehash, got {other:?}"),
        }
    }
}
