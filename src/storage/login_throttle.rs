//! The seam for login throttling: counts of failed logins by key, and each account's device
//! key (see `auth::device`). Both are kept in the database so that every app server shares
//! them, and both are left out of backups on purpose: counts are transient (they expire within
//! [`FailureRule::forget_after`] anyway), and a restored site without device keys makes new
//! ones, so every browser is simply unknown again: losing them fails closed, never open.

use super::StoreError;
use crate::domain::UserId;

/// How failures of one kind of key are judged: after `n` counted failures the key is locked
/// for `waits[n]` seconds from the last one (the last entry for any higher count), and a key
/// whose last failure is older than `forget_after` seconds starts again from nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRule {
    pub waits: Vec<i64>,
    pub forget_after: i64,
}

impl FailureRule {
    /// Seconds a key with `failures` is locked for after its last failure.
    pub fn wait_after(&self, failures: u32) -> i64 {
        let last = self.waits.len().saturating_sub(1);
        self.waits
            .get((failures as usize).min(last))
            .copied()
            .unwrap_or(0)
    }

    /// Until when (seconds since 1970) a key with `failures`, the last at `last_at`, is
    /// locked; `None` when it is not locked at `now`.
    pub fn locked_until(&self, failures: u32, last_at: i64, now: i64) -> Option<i64> {
        if last_at < now - self.forget_after {
            return None;
        }
        let until = last_at.saturating_add(self.wait_after(failures));
        (until > now).then_some(until)
    }
}

/// What [`LoginThrottleStore::count_login_failure`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureCount {
    /// Counted: the key has this many failures now.
    Counted(u32),
    /// Not counted: the key is locked until this time (seconds since 1970).
    Locked { until: i64 },
}

pub trait LoginThrottleStore {
    /// Counts one more failed login for `key` at `now` (seconds since 1970), unless the key is
    /// locked by `rule`. Deciding and counting are one atomic step in the database, so guesses
    /// sent at once (to one server or several) cannot all slip through before the first is
    /// counted.
    fn count_login_failure(
        &self,
        key: &str,
        now: i64,
        rule: &FailureRule,
    ) -> Result<FailureCount, StoreError>;

    /// Takes back one counted failure of `key` (a login that turned out to be right), or,
    /// with `forget`, all of them.
    fn take_back_login_failure(&self, key: &str, forget: bool) -> Result<(), StoreError>;

    /// Forgets keys whose last failure is before `before`, then the oldest beyond `keep`, so
    /// that made-up names cannot grow the table without limit.
    fn prune_login_failures(&self, before: i64, keep: u64) -> Result<(), StoreError>;

    /// The random key that signs the account's known-browser cookies, made on first use.
    fn device_key(&self, user: UserId) -> Result<[u8; 32], StoreError>;

    /// Drops the account's device key, so every known-browser cookie signed with it stops
    /// counting. Durable when it returns.
    fn forget_devices(&self, user: UserId) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_locked_for_the_wait_its_count_gives_and_forgotten_after_a_while() {
        let rule = FailureRule {
            waits: vec![0, 0, 60, 120],
            forget_after: 1000,
        };
        assert_eq!(rule.locked_until(1, 100, 100), None);
        assert_eq!(rule.locked_until(2, 100, 100), Some(160));
        assert_eq!(rule.locked_until(2, 100, 160), None);
        assert_eq!(rule.locked_until(9, 100, 150), Some(220));
        assert_eq!(rule.locked_until(9, 100, 1101), None);
    }
}
