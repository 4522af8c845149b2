//! Login throttling on PostgreSQL: each failure is counted by one `INSERT … ON CONFLICT DO
//! UPDATE … RETURNING`, which decides (the key is not locked) and counts in the same atomic
//! step, however many servers send guesses at once.

use super::PgStore;
use super::connection::get;
use crate::domain::UserId;
use crate::storage::StoreError;
use crate::storage::login_throttle::{FailureCount, FailureRule, LoginThrottleStore};

impl LoginThrottleStore for PgStore {
    fn count_login_failure(
        &self,
        key: &str,
        now: i64,
        rule: &FailureRule,
    ) -> Result<FailureCount, StoreError> {
        let forget_before = now - rule.forget_after;
        let waits = &rule.waits;
        self.read(|db| {
            // A row is updated only when it is not locked: forgotten (its last failure too
            // old), or its wait since the last failure is over. `waits` is 1-based in SQL.
            let counted = db.query_opt(
                "INSERT INTO login_throttle AS t (key, failures, last_at) VALUES ($1, 1, $2)
                 ON CONFLICT (key) DO UPDATE SET
                     failures = CASE WHEN t.last_at < $3 THEN 1 ELSE t.failures + 1 END,
                     last_at = $2
                 WHERE t.last_at < $3
                    OR t.last_at + ($4::bigint[])[LEAST(t.failures, cardinality($4::bigint[]) - 1) + 1] <= $2
                 RETURNING failures",
                &[&key, &now, &forget_before, waits],
            )?;
            if let Some(row) = counted {
                let failures: i32 = get(&row, 0)?;
                return Ok(FailureCount::Counted(u32::try_from(failures).unwrap_or(0)));
            }
            let row = db.query_opt(
                "SELECT failures, last_at FROM login_throttle WHERE key = $1",
                &[&key],
            )?;
            let until = match row {
                Some(row) => {
                    let failures: i32 = get(&row, 0)?;
                    let last_at: i64 = get(&row, 1)?;
                    rule.locked_until(u32::try_from(failures).unwrap_or(0), last_at, now)
                }
                None => None,
            };
            // Unlocked between the two statements (or pruned): a moment's wait, then try again.
            Ok(FailureCount::Locked {
                until: until.unwrap_or(now + 1),
            })
        })
    }

    fn take_back_login_failure(&self, key: &str, forget: bool) -> Result<(), StoreError> {
        self.read(|db| {
            if forget {
                db.execute("DELETE FROM login_throttle WHERE key = $1", &[&key])
            } else {
                db.execute(
                    "UPDATE login_throttle SET failures = failures - 1
                     WHERE key = $1 AND failures > 0",
                    &[&key],
                )
            }
        })?;
        Ok(())
    }

    fn prune_login_failures(&self, before: i64, keep: u64) -> Result<(), StoreError> {
        let keep = i64::try_from(keep).unwrap_or(i64::MAX);
        self.read(|db| {
            db.execute("DELETE FROM login_throttle WHERE last_at < $1", &[&before])?;
            // Beyond the cap the keys with the fewest failures go first, the oldest of them
            // first: a flood of made-up names (one failure each) cannot push out a lock.
            db.execute(
                "DELETE FROM login_throttle WHERE key IN (
                     SELECT key FROM login_throttle
                     ORDER BY failures DESC, last_at DESC OFFSET $1)",
                &[&keep],
            )
        })?;
        Ok(())
    }

    fn device_key(&self, user: UserId) -> Result<[u8; 32], StoreError> {
        let mut fresh = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut fresh);
        let id = super::uuid(user.to_bytes());
        self.read(|db| {
            // The first caller's key is stored; everyone gets the stored one.
            let row = db.query_one(
                "INSERT INTO device_keys (user_id, key) VALUES ($1, $2)
                 ON CONFLICT (user_id) DO UPDATE SET key = device_keys.key
                 RETURNING key",
                &[&id, &fresh.as_slice()],
            )?;
            let key: Vec<u8> = get(&row, 0)?;
            key.try_into()
                .map_err(|_| StoreError::Inconsistent("a device key of the wrong length".into()))
        })
    }

    fn forget_devices(&self, user: UserId) -> Result<(), StoreError> {
        let id = super::uuid(user.to_bytes());
        self.read(|db| db.execute("DELETE FROM device_keys WHERE user_id = $1", &[&id]))?;
        Ok(())
    }
}
