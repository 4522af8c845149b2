//! The time the application runs on. Everything that asks "what time is it?" asks a [`Clock`]
//! handed down in the settings, so tests can move time forward instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use time::{Duration, OffsetDateTime};

/// The wall clock, shifted by an offset that only tests change. Clones share the offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Nanoseconds added to the system time.
    offset_ns: Arc<AtomicI64>,
}

impl Clock {
    /// The system's clock, unshifted.
    pub fn system() -> Self {
        Self::default()
    }

    pub fn now(&self) -> OffsetDateTime {
        let offset = Duration::nanoseconds(self.offset_ns.load(Ordering::Relaxed));
        OffsetDateTime::now_utc().saturating_add(offset)
    }

    /// Moves this clock (and every clone of it) forward; for tests of expiry and schedules.
    pub fn advance(&self, by: Duration) {
        let ns = i64::try_from(by.whole_nanoseconds()).unwrap_or(i64::MAX);
        self.offset_ns.fetch_add(ns, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_a_clock_moves_its_clones_too() {
        let clock = Clock::system();
        let clone = clock.clone();
        clock.advance(Duration::hours(3));
        let ahead = clone.now() - OffsetDateTime::now_utc();
        assert!(ahead > Duration::minutes(179) && ahead < Duration::minutes(181));
    }
}
