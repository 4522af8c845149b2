//! Slows down password guessing. Login attempts are counted per account name (as typed, so an
//! unknown name is throttled exactly like a real one) and per client address. After
//! `FREE_FAILURES` failures a key is locked for a delay that doubles with every further failure,
//! up to `MAX_DELAY`. A successful login clears the account's count.
//!
//! An attempt is counted as a failure when it is let through, before its password is checked,
//! and taken back only if the password was right: deciding and counting happen under one lock,
//! so many guesses sent at once cannot all slip in before the first one's verdict locks the key.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const FREE_FAILURES: u32 = 5;
const FIRST_DELAY: Duration = Duration::from_secs(60);
const MAX_DELAY: Duration = Duration::from_secs(60 * 60);
/// Bound on remembered keys, so a flood of made-up names cannot grow memory without limit.
const MAX_KEYS: usize = 100_000;

#[derive(Default)]
struct Record {
    failures: u32,
    locked_until: Option<Instant>,
    last_failure: Option<Instant>,
}

impl Record {
    fn lock_if_due(&mut self, now: Instant) {
        if self.failures >= FREE_FAILURES {
            let doublings = (self.failures - FREE_FAILURES).min(10);
            let delay = (FIRST_DELAY * 2u32.pow(doublings)).min(MAX_DELAY);
            self.locked_until = Some(now + delay);
        }
    }
}

#[derive(Default)]
pub struct LoginThrottle {
    records: Mutex<HashMap<String, Record>>,
}

/// A login attempt let through the throttle and already counted as failed. Only
/// [`Attempt::succeeded`] takes it back; dropping it (a wrong password, an error on the way)
/// leaves the failure counted.
#[must_use = "an attempt counts as failed unless `succeeded` is called"]
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    username: String,
    client: String,
}

impl Attempt<'_> {
    /// The password was right: clears the account's count and takes back the address's.
    pub fn succeeded(self) {
        let [user_key, addr_key] = LoginThrottle::keys(&self.username, &self.client);
        let mut records = self.throttle.lock();
        records.remove(&user_key);
        if let Some(record) = records.get_mut(&addr_key) {
            record.failures = record.failures.saturating_sub(1);
            if record.failures < FREE_FAILURES {
                record.locked_until = None;
            }
        }
    }
}

impl LoginThrottle {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Record>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn keys(username: &str, client: &str) -> [String; 2] {
        [
            format!("user:{}", username.trim().to_lowercase()),
            format!("addr:{client}"),
        ]
    }

    /// Lets an attempt through and counts it as failed, in one step; or, if either key is
    /// locked, says how long the caller must wait.
    pub fn reserve(
        &self,
        username: &str,
        client: &str,
        now: Instant,
    ) -> Result<Attempt<'_>, Duration> {
        let mut records = self.lock();
        let keys = Self::keys(username, client);
        let wait = keys
            .iter()
            .filter_map(|key| records.get(key)?.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        Self::forget_old_keys(&mut records, now);
        for key in keys {
            let record = records.entry(key).or_default();
            record.failures += 1;
            record.last_failure = Some(now);
            record.lock_if_due(now);
        }
        Ok(Attempt {
            throttle: self,
            username: username.to_owned(),
            client: client.to_owned(),
        })
    }

    fn forget_old_keys(records: &mut HashMap<String, Record>, now: Instant) {
        if records.len() < MAX_KEYS {
            return;
        }
        // Forget keys whose last failure is over an hour old; if none, forget everything.
        records.retain(|_, r| {
            r.last_failure
                .is_some_and(|t| now.duration_since(t) < MAX_DELAY)
        });
        if records.len() >= MAX_KEYS {
            records.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(throttle: &LoginThrottle, username: &str, client: &str, now: Instant) {
        drop(
            throttle
                .reserve(username, client, now)
                .expect("let through"),
        );
    }

    #[test]
    fn five_failures_lock_the_account_with_growing_delays() {
        let throttle = LoginThrottle::new();
        let now = Instant::now();
        for _ in 0..4 {
            fail(&throttle, "ann", "1.2.3.4", now);
        }
        fail(&throttle, "ann", "1.2.3.4", now);
        assert_eq!(
            throttle.reserve("ann", "9.9.9.9", now).err(),
            Some(Duration::from_secs(60))
        );
        let later = now + Duration::from_secs(61);
        fail(&throttle, "ann", "5.6.7.8", later);
        assert_eq!(
            throttle.reserve("ANN", "9.9.9.9", later).err(),
            Some(Duration::from_secs(120))
        );
        // The address is locked for any account name too.
        assert!(throttle.reserve("bob", "1.2.3.4", now).is_err());
        assert!(
            throttle
                .reserve("ann", "9.9.9.9", later + Duration::from_secs(121))
                .is_ok()
        );
    }

    #[test]
    fn success_clears_the_account() {
        let throttle = LoginThrottle::new();
        let now = Instant::now();
        for _ in 0..4 {
            fail(&throttle, "ann", "1.2.3.4", now);
        }
        throttle
            .reserve("ann", "5.5.5.5", now)
            .expect("the fifth try")
            .succeeded();
        for _ in 0..4 {
            fail(&throttle, "ann", "5.5.5.5", now);
        }
        assert!(throttle.reserve("ann", "6.6.6.6", now).is_ok());
    }

    #[test]
    fn guesses_in_flight_count_before_their_verdict() {
        let throttle = LoginThrottle::new();
        let now = Instant::now();
        // Forty guesses at once: each is reserved before any password is checked.
        let let_through: Vec<Attempt<'_>> = (0..40)
            .filter_map(|i| throttle.reserve("ann", &format!("10.0.0.{i}"), now).ok())
            .collect();
        assert_eq!(let_through.len(), 5);
    }

    #[test]
    fn guesses_from_many_threads_at_once_get_five_tries_between_them() {
        let throttle = LoginThrottle::new();
        let now = Instant::now();
        let let_through = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..40)
                .map(|i| {
                    let throttle = &throttle;
                    scope.spawn(move || {
                        throttle
                            .reserve("ann", &format!("10.0.0.{i}"), now)
                            .map(drop)
                            .is_ok()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .filter(|ok| *ok)
                .count()
        });
        assert_eq!(let_through, 5);
    }
}
