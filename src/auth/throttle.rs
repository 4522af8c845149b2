//! Slows down password guessing. Failed logins are counted per account name (as typed, so an
//! unknown name is throttled exactly like a real one) and per client address. After
//! `FREE_FAILURES` failures a key is locked for a delay that doubles with every further failure,
//! up to `MAX_DELAY`. A successful login clears the account's count.

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

#[derive(Default)]
pub struct LoginThrottle {
    records: Mutex<HashMap<String, Record>>,
}

impl LoginThrottle {
    pub fn new() -> Self {
        Self::default()
    }

    fn keys(username: &str, client: &str) -> [String; 2] {
        [
            format!("user:{}", username.trim().to_lowercase()),
            format!("addr:{client}"),
        ]
    }

    /// How long the caller must wait before trying again, if either key is locked.
    pub fn wait(&self, username: &str, client: &str, now: Instant) -> Option<Duration> {
        let records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        Self::keys(username, client)
            .iter()
            .filter_map(|key| records.get(key)?.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max()
    }

    pub fn failed(&self, username: &str, client: &str, now: Instant) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        if records.len() >= MAX_KEYS {
            // Forget keys whose last failure is over an hour old; if none, forget everything.
            records.retain(|_, r| {
                r.last_failure
                    .is_some_and(|t| now.duration_since(t) < MAX_DELAY)
            });
            if records.len() >= MAX_KEYS {
                records.clear();
            }
        }
        for key in Self::keys(username, client) {
            let record = records.entry(key).or_default();
            record.failures += 1;
            record.last_failure = Some(now);
            if record.failures >= FREE_FAILURES {
                let doublings = (record.failures - FREE_FAILURES).min(10);
                let delay = (FIRST_DELAY * 2u32.pow(doublings)).min(MAX_DELAY);
                record.locked_until = Some(now + delay);
            }
        }
    }

    pub fn succeeded(&self, username: &str) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        records.remove(&format!("user:{}", username.trim().to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_account_with_growing_delays() {
        let throttle = LoginThrottle::new();
        let now = Instant::now();
        for _ in 0..4 {
            throttle.failed("ann", "1.2.3.4", now);
        }
        assert_eq!(throttle.wait("ann", "9.9.9.9", now), None);
        throttle.failed("ann", "1.2.3.4", now);
        assert_eq!(
            throttle.wait("ann", "9.9.9.9", now),
            Some(Duration::from_secs(60))
        );
        throttle.failed("ann", "1.2.3.4", now);
        assert_eq!(
            throttle.wait("ANN", "9.9.9.9", now),
            Some(Duration::from_secs(120))
        );
        // The address is locked for any account name too.
        assert!(throttle.wait("bob", "1.2.3.4", now).is_some());
        assert_eq!(
            throttle.wait("ann", "9.9.9.9", now + Duration::from_secs(121)),
            None
        );
    }

    #[test]
    fn success_clears_the_account() {
        let throttle = LoginThrottle::new();
        let now = Instant::now();
        for _ in 0..5 {
            throttle.failed("ann", "1.2.3.4", now);
        }
        throttle.succeeded("ann");
        assert_eq!(throttle.wait("ann", "5.5.5.5", now), None);
    }
}
