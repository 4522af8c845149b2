//! Login throttling on sled: each key's count is changed by one `fetch_and_update`, which
//! decides (the key is not locked) and counts in one atomic step. Counts are not flushed (they
//! are transient: a crash forgets at most the last moment's); a forgotten device key is.

use super::SledStore;
use crate::domain::UserId;
use crate::storage::StoreError;
use crate::storage::codec::{decode_login_failures, encode_login_failures};
use crate::storage::login_throttle::{FailureCount, FailureRule, LoginThrottleStore};

/// The trees, left out of backups and of the "does this database hold data" check.
pub(super) const LOGIN_FAILURES: &str = "login_failures";
pub(super) const DEVICE_KEYS: &str = "device_keys";

/// What a count does to a key's record: `Ok` with the new record, or `Err` with the time it
/// is locked until (the record stays as it was). A record that no longer decodes starts over.
fn next(old: Option<&[u8]>, now: i64, rule: &FailureRule) -> Result<(u32, i64), i64> {
    let old = old.and_then(|bytes| decode_login_failures(bytes).ok());
    match old {
        Some((failures, last_at)) if last_at >= now - rule.forget_after => {
            match rule.locked_until(failures, last_at, now) {
                Some(until) => Err(until),
                None => Ok((failures.saturating_add(1), now)),
            }
        }
        _ => Ok((1, now)),
    }
}

impl LoginThrottleStore for SledStore {
    fn count_login_failure(
        &self,
        key: &str,
        now: i64,
        rule: &FailureRule,
    ) -> Result<FailureCount, StoreError> {
        let before = self
            .login_failures
            .fetch_and_update(key.as_bytes(), |old| {
                Some(match next(old, now, rule) {
                    Ok((failures, last_at)) => encode_login_failures(failures, last_at),
                    Err(_) => old.map(<[u8]>::to_vec).unwrap_or_default(),
                })
            })?;
        // The same judgement again, on the record the update started from.
        Ok(match next(before.as_deref(), now, rule) {
            Ok((failures, _)) => FailureCount::Counted(failures),
            Err(until) => FailureCount::Locked { until },
        })
    }

    fn take_back_login_failure(&self, key: &str, forget: bool) -> Result<(), StoreError> {
        if forget {
            self.login_failures.remove(key.as_bytes())?;
            return Ok(());
        }
        self.login_failures
            .fetch_and_update(key.as_bytes(), |old| {
                let (failures, last_at) = old.and_then(|b| decode_login_failures(b).ok())?;
                Some(encode_login_failures(failures.saturating_sub(1), last_at))
            })?;
        Ok(())
    }

    fn prune_login_failures(&self, before: i64, keep: u64) -> Result<(), StoreError> {
        let mut kept = Vec::new();
        for item in self.login_failures.iter() {
            let (key, value) = item?;
            match decode_login_failures(&value) {
                Ok((failures, last_at)) if last_at >= before => {
                    kept.push(((failures, last_at), key));
                }
                _ => {
                    self.login_failures.remove(key)?;
                }
            }
        }
        let keep = usize::try_from(keep).unwrap_or(usize::MAX);
        if kept.len() > keep {
            // Beyond the cap the keys with the fewest failures go first, the oldest of them
            // first: a flood of made-up names (one failure each) cannot push out a lock.
            kept.sort_unstable_by_key(|(rank, _)| std::cmp::Reverse(*rank));
            for (_, key) in kept.drain(keep..) {
                self.login_failures.remove(key)?;
            }
        }
        Ok(())
    }

    fn device_key(&self, user: UserId) -> Result<[u8; 32], StoreError> {
        let id = user.to_bytes();
        if let Some(key) = self.device_keys.get(id)?
            && let Ok(key) = <[u8; 32]>::try_from(key.as_ref())
        {
            return Ok(key);
        }
        let mut fresh = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut fresh);
        // The first caller's key is stored; everyone gets the stored one. A damaged one is
        // replaced (which forgets the account's browsers, the safe way to fail).
        let current = self.device_keys.get(id)?;
        let stored =
            match self
                .device_keys
                .compare_and_swap(id, current.clone(), Some(&fresh[..]))?
            {
                Ok(()) => fresh.to_vec(),
                Err(lost) => lost.current.map(|v| v.to_vec()).unwrap_or_default(),
            };
        self.db.flush()?;
        stored
            .try_into()
            .map_err(|_| StoreError::Inconsistent("a device key of the wrong length".into()))
    }

    fn forget_devices(&self, user: UserId) -> Result<(), StoreError> {
        self.device_keys.remove(user.to_bytes())?;
        self.db.flush()?;
        Ok(())
    }
}
