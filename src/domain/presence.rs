//! Who has a story's form open on the desk: heard from with every autosave or ping of the
//! form, forgotten a little after the last one.

use super::{UserId, Username};
use time::{Duration, OffsetDateTime};

/// How long after the last sign of life someone counts as still having the form open: the
/// form pings every half minute, so a closed tab or a lost connection is forgotten in two
/// minutes at most.
pub const PRESENCE_LASTS: Duration = Duration::minutes(2);

/// One account with one story's form open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub user: UserId,
    pub username: Username,
    /// When this stay began: the first sign of life after none (or after an expired one).
    pub since: OffsetDateTime,
    /// The last sign of life.
    pub seen: OffsetDateTime,
}

impl Presence {
    /// Whether the account still counts as having the form open at `now`.
    pub fn is_current(&self, now: OffsetDateTime) -> bool {
        now - self.seen < PRESENCE_LASTS
    }

    /// The presence after a sign of life at `now`: the same stay if the last one has not
    /// expired, otherwise a new one.
    pub fn renewed(
        previous: Option<&Presence>,
        user: UserId,
        username: Username,
        now: OffsetDateTime,
    ) -> Presence {
        let since = previous
            .filter(|p| p.is_current(now))
            .map_or(now, |p| p.since);
        Presence {
            user,
            username,
            since,
            seen: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn ann(since: OffsetDateTime, seen: OffsetDateTime) -> Presence {
        Presence {
            user: UserId::from_bytes([1; 16]),
            username: Username::parse("ann.lee").unwrap(),
            since,
            seen,
        }
    }

    #[test]
    fn a_stay_lasts_two_minutes_after_the_last_sign_of_life() {
        let at = datetime!(2026-12-08 10:42 UTC);
        let p = ann(at, at);
        assert!(p.is_current(at + Duration::seconds(119)));
        assert!(!p.is_current(at + Duration::seconds(120)));
    }

    #[test]
    fn a_renewal_keeps_the_start_of_a_current_stay_and_begins_a_new_one_after_expiry() {
        let at = datetime!(2026-12-08 10:42 UTC);
        let p = ann(at, at);
        let later = at + Duration::seconds(60);
        let renewed = Presence::renewed(Some(&p), p.user, p.username.clone(), later);
        assert_eq!((renewed.since, renewed.seen), (at, later));
        let much_later = at + Duration::minutes(10);
        let anew = Presence::renewed(Some(&p), p.user, p.username.clone(), much_later);
        assert_eq!(anew.since, much_later);
    }
}
