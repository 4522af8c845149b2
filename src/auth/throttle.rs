//! Slows down password guessing without letting anyone lock a newsroom out (OWASP's
//! authentication cheat sheet). Failed logins are counted under three keys, each with its own
//! allowance before waits begin, waits that double with every further failure:
//! - an account name (as typed) from one address: a few free tries (a writer's typos);
//! - an address, whatever the names: many more (password spraying, one guess per account);
//! - an account name, whatever the address: more (guessing spread over many addresses).
//!
//! So one account's failures never lock another account out of an address, and a browser that
//! signed in to the account before (see [`super::device`]) is counted under its own key alone:
//! guesses from elsewhere cannot keep a writer out of their own laptop.
//!
//! Wrong second-factor codes are counted apart ([`LoginThrottle::reserve_second_factor`]),
//! under keys of the account's id that no typed name can reach, so nobody can exhaust an
//! account's allowance of codes by typing a name into the password form.
//!
//! An attempt is counted as a failure when it is let through, before its password is checked,
//! and taken back only if the password was right: the store decides and counts in one atomic
//! step, so many guesses sent at once, to one server or several, share one allowance. Counts
//! live in the database (the store's [`LoginThrottleStore`]), expire after a day and are
//! capped in number, so made-up names cannot grow them without limit.

use crate::clock::Clock;
use crate::domain::{UserId, Username};
use crate::storage::{FailureCount, FailureRule, SharedStore, StoreError};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// When waits begin for one kind of key, and how they grow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Failures allowed before the first wait.
    pub free: u32,
    /// The first wait; each further failure doubles it...
    pub first_wait: Duration,
    /// ...up to this.
    pub max_wait: Duration,
}

impl Rule {
    fn failure_rule(&self, forget_after: Duration) -> FailureRule {
        let first = self.first_wait.as_secs() as i64;
        let max = self.max_wait.as_secs() as i64;
        // Enough steps for the doubling to reach the largest wait.
        let waits = (0..=self.free + 20)
            .map(|n| match n.checked_sub(self.free) {
                None => 0,
                Some(doublings) => first.saturating_mul(1i64 << doublings.min(30)).min(max),
            })
            .collect();
        FailureRule {
            waits,
            forget_after: forget_after.as_secs() as i64,
        }
    }
}

/// The throttle's allowances (see the module's comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// An account name from one address.
    pub pair: Rule,
    /// An account name, whatever the address.
    pub account: Rule,
    /// An address, whatever the account name.
    pub address: Rule,
    /// A key whose last failure is this old starts over.
    pub forget_after: Duration,
    /// Keys kept at most; the oldest go first.
    pub max_keys: u64,
}

impl Default for Limits {
    fn default() -> Self {
        const MINUTE: Duration = Duration::from_secs(60);
        Self {
            pair: Rule {
                free: 5,
                first_wait: MINUTE,
                max_wait: 60 * MINUTE,
            },
            account: Rule {
                free: 20,
                first_wait: MINUTE,
                max_wait: 30 * MINUTE,
            },
            address: Rule {
                free: 100,
                first_wait: MINUTE,
                max_wait: 60 * MINUTE,
            },
            forget_after: 24 * 60 * MINUTE,
            max_keys: 100_000,
        }
    }
}

/// Whether the browser asking has signed in to the account before (see [`super::device`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Browser {
    /// A known browser, by the random id its cookie carries.
    Known(String),
    Unknown,
}

/// Why an attempt was not let through.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("too many failed attempts; wait {0:?}")]
    Wait(Duration),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The one key every name that no account could have is counted under.
const INVALID_NAME: &str = "(not a username)";

/// How often a reservation also prunes old keys.
const PRUNE_EVERY: u64 = 256;

pub struct LoginThrottle {
    store: SharedStore,
    clock: Clock,
    limits: Limits,
    /// The limits' rules for the store: pair, account, address.
    rules: [FailureRule; 3],
    reserved: AtomicU64,
}

/// A login attempt let through the throttle and already counted as failed. Only
/// [`Attempt::succeeded`] takes it back; dropping it (a wrong password, an error on the way)
/// leaves the failure counted.
#[must_use = "an attempt counts as failed unless `succeeded` is called"]
pub struct Attempt {
    store: SharedStore,
    /// The keys counted, and whether a success forgets the key altogether.
    counted: Vec<(String, bool)>,
}

impl Attempt {
    /// The password was right: forgets the account's failures from this address, and takes
    /// this one back from the account's and the address's counts (failures from elsewhere
    /// stay counted: the right password here says nothing of them). Blocks on the store.
    pub fn succeeded(self) {
        for (key, forget) in &self.counted {
            if let Err(e) = self.store.take_back_login_failure(key, *forget) {
                // One failure too many stays counted: nothing worse.
                tracing::warn!(error = %e, "could not take back a login failure");
            }
        }
    }
}

impl LoginThrottle {
    pub fn new(store: SharedStore, clock: Clock, limits: Limits) -> Self {
        let rules = [&limits.pair, &limits.account, &limits.address]
            .map(|rule| rule.failure_rule(limits.forget_after));
        Self {
            store,
            clock,
            limits,
            rules,
            reserved: AtomicU64::new(0),
        }
    }

    /// The keys an attempt is counted under: pair, account, address. The name as a login
    /// reads it (so an unknown name is throttled exactly like a real one); an IPv6 address by
    /// its /64, which one subscriber usually holds whole.
    fn keys(username: &str, client: &str) -> [String; 3] {
        // A name no account can have shares one key, so made-up names, control characters
        // included (which PostgreSQL's text refuses), cannot mint keys.
        let name = match Username::parse(username) {
            Ok(name) => name.as_str().to_lowercase(),
            Err(_) => INVALID_NAME.to_owned(),
        };
        let address = Self::address(client);
        [
            format!("pair:{name}\n{address}"),
            format!("account:{name}"),
            format!("address:{address}"),
        ]
    }

    /// An address as counted: an IPv6 address by its /64, which one subscriber usually holds
    /// whole.
    fn address(client: &str) -> String {
        match client.parse::<IpAddr>() {
            Ok(IpAddr::V6(v6)) => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", std::net::Ipv6Addr::from(prefix))
            }
            Ok(ip) => ip.to_string(),
            Err(_) => client
                .chars()
                .filter(|c| !c.is_control())
                .take(64)
                .collect(),
        }
    }

    /// Lets a second-factor code through and counts it as failed, like [`Self::reserve`], under
    /// keys of the account's id (with the address, and alone) that a typed name cannot reach;
    /// never as a known browser, which is let past the password's throttle only.
    pub fn reserve_second_factor(&self, user: UserId, client: &str) -> Result<Attempt, Refused> {
        let address = Self::address(client);
        self.count(vec![
            (format!("code-pair:{user}\n{address}"), &self.rules[0]),
            (format!("code-account:{user}"), &self.rules[1]),
            (format!("address:{address}"), &self.rules[2]),
        ])
    }

    /// Lets an attempt through and counts it as failed, in one step for each key; or, if a key
    /// is locked, says how long the caller must wait. A known browser is counted under its own
    /// key alone (with the account-and-address allowance), so guessing elsewhere never locks it
    /// out, and a stolen cookie buys no more guesses than a stranger gets. Blocks on the store.
    pub fn reserve(
        &self,
        username: &str,
        client: &str,
        browser: Browser,
    ) -> Result<Attempt, Refused> {
        let keyed: Vec<(String, &FailureRule)> = match browser {
            Browser::Known(device) => {
                let device: String = device
                    .chars()
                    .filter(char::is_ascii_hexdigit)
                    .take(64)
                    .collect();
                vec![(format!("device:{device}"), &self.rules[0])]
            }
            Browser::Unknown => Self::keys(username, client)
                .into_iter()
                .zip(&self.rules)
                .collect(),
        };
        self.count(keyed)
    }

    /// Counts a failure under each key in turn (the first one forgotten on success), or gives
    /// back those counted when one is locked and says how long to wait.
    fn count(&self, keyed: Vec<(String, &FailureRule)>) -> Result<Attempt, Refused> {
        let mut attempt = Attempt {
            store: self.store.clone(),
            counted: Vec::new(),
        };
        self.prune_now_and_then();
        let now = self.clock.now().unix_timestamp();
        for (index, (key, rule)) in keyed.into_iter().enumerate() {
            match self.store.count_login_failure(&key, now, rule)? {
                FailureCount::Counted(_) => attempt.counted.push((key, index == 0)),
                FailureCount::Locked { until } => {
                    // Not let through: the keys counted already are given back.
                    for (key, _) in &attempt.counted {
                        self.store.take_back_login_failure(key, false)?;
                    }
                    let wait = u64::try_from(until - now).unwrap_or(1).max(1);
                    return Err(Refused::Wait(Duration::from_secs(wait)));
                }
            }
        }
        Ok(attempt)
    }

    fn prune_now_and_then(&self) {
        if self.reserved.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY != PRUNE_EVERY - 1 {
            return;
        }
        let before = self.clock.now().unix_timestamp() - self.limits.forget_after.as_secs() as i64;
        if let Err(e) = self
            .store
            .prune_login_failures(before, self.limits.max_keys)
        {
            tracing::warn!(error = %e, "could not prune old login failures");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{self, Storage};

    fn throttle(limits: Limits) -> (tempfile::TempDir, LoginThrottle, Clock) {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::system();
        let store = storage::open(&Storage::sled(dir.path()), clock.clone()).unwrap();
        (dir, LoginThrottle::new(store, clock.clone(), limits), clock)
    }

    fn small() -> Limits {
        let minute = Duration::from_secs(60);
        Limits {
            pair: Rule {
                free: 3,
                first_wait: minute,
                max_wait: 10 * minute,
            },
            account: Rule {
                free: 6,
                first_wait: minute,
                max_wait: 10 * minute,
            },
            address: Rule {
                free: 9,
                first_wait: minute,
                max_wait: 10 * minute,
            },
            ..Limits::default()
        }
    }

    fn fail(throttle: &LoginThrottle, name: &str, client: &str) {
        drop(
            throttle
                .reserve(name, client, Browser::Unknown)
                .expect("let through"),
        );
    }

    fn wait(throttle: &LoginThrottle, name: &str, client: &str) -> Option<Duration> {
        match throttle.reserve(name, client, Browser::Unknown) {
            Ok(_) => None,
            Err(Refused::Wait(wait)) => Some(wait),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_few_failures_from_one_address_lock_that_account_there_with_growing_waits() {
        let (_dir, throttle, clock) = throttle(small());
        for _ in 0..3 {
            fail(&throttle, "ann", "1.2.3.4");
        }
        assert_eq!(
            wait(&throttle, "ANN", "1.2.3.4"),
            Some(Duration::from_secs(60))
        );
        // Elsewhere, and for other accounts here, nothing is locked.
        assert_eq!(wait(&throttle, "bob", "1.2.3.4"), None);
        assert_eq!(wait(&throttle, "ann", "5.6.7.8"), None);
        clock.advance(time::Duration::seconds(61));
        fail(&throttle, "ann", "1.2.3.4");
        assert_eq!(
            wait(&throttle, "ann", "1.2.3.4"),
            Some(Duration::from_secs(120))
        );
    }

    #[test]
    fn a_success_forgets_the_pair_and_a_known_browser_has_an_allowance_of_its_own() {
        let (_dir, throttle, _clock) = throttle(small());
        for _ in 0..2 {
            fail(&throttle, "ann", "1.2.3.4");
        }
        throttle
            .reserve("ann", "1.2.3.4", Browser::Unknown)
            .unwrap()
            .succeeded();
        for _ in 0..3 {
            fail(&throttle, "ann", "1.2.3.4");
        }
        assert!(wait(&throttle, "ann", "1.2.3.4").is_some());
        let laptop = || Browser::Known("aa11".into());
        assert!(throttle.reserve("ann", "1.2.3.4", laptop()).is_ok());
        // Its own wrong passwords count against it alone, as a pair's would: a stolen cookie
        // is no licence to guess.
        for _ in 0..2 {
            drop(throttle.reserve("ann", "1.2.3.4", laptop()).unwrap());
        }
        assert!(throttle.reserve("ann", "1.2.3.4", laptop()).is_err());
        assert!(
            throttle
                .reserve("ann", "1.2.3.4", Browser::Known("bb22".into()))
                .is_ok()
        );
    }

    #[test]
    fn spraying_from_one_address_and_guessing_from_many_hit_their_own_limits() {
        let (_dir, throttle, _clock) = throttle(small());
        // Nine names, one guess each, from one address: then the address is locked.
        for n in 0..9 {
            fail(&throttle, &format!("user{n}"), "9.9.9.9");
        }
        assert!(wait(&throttle, "someone", "9.9.9.9").is_some());
        assert!(wait(&throttle, "someone", "9.9.9.8").is_none());
        // Six guesses at one name from six addresses: then the name is locked everywhere.
        for n in 0..6 {
            fail(&throttle, "ann", &format!("10.0.0.{n}"));
        }
        assert!(wait(&throttle, "ann", "10.0.0.99").is_some());
        assert!(wait(&throttle, "bob", "10.0.0.99").is_none());
    }

    #[test]
    fn guesses_from_many_threads_at_once_get_the_free_tries_between_them() {
        let (_dir, throttle, _clock) = throttle(small());
        let let_through = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..40)
                .map(|_| {
                    let throttle = &throttle;
                    scope.spawn(move || {
                        throttle
                            .reserve("ann", "10.0.0.1", Browser::Unknown)
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
        assert_eq!(let_through, 3);
    }

    #[test]
    fn an_ipv6_address_is_counted_by_its_64() {
        let [_, _, a] = LoginThrottle::keys("ann", "2001:db8:1:2:3:4:5:6");
        let [_, _, b] = LoginThrottle::keys("ann", "2001:db8:1:2:ffff::1");
        assert_eq!(a, b);
    }
}
