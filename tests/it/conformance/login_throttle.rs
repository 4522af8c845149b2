//! Login throttle counts and device keys: transient, shared, and not in backups.

use super::accounts::user;
use crate::helpers::TestSite;
use newsroom::domain::Role;
use newsroom::storage::{FailureCount, FailureRule};

fn rule() -> FailureRule {
    FailureRule {
        waits: vec![0, 0, 60, 120],
        forget_after: 1000,
    }
}

pub fn failures_are_counted_until_the_key_locks_and_again_once_its_wait_is_over(site: &TestSite) {
    let store = site.open();
    let count = |now| {
        store
            .count_login_failure("pair:ann\n1.2.3.4", now, &rule())
            .unwrap()
    };
    assert_eq!(count(100), FailureCount::Counted(1));
    assert_eq!(count(100), FailureCount::Counted(2));
    assert_eq!(count(110), FailureCount::Locked { until: 160 });
    assert_eq!(count(160), FailureCount::Counted(3));
    assert_eq!(count(200), FailureCount::Locked { until: 280 });
    // A success takes one back; forgetting clears the key.
    store
        .take_back_login_failure("pair:ann\n1.2.3.4", false)
        .unwrap();
    assert_eq!(count(221), FailureCount::Counted(3));
    store
        .take_back_login_failure("pair:ann\n1.2.3.4", true)
        .unwrap();
    assert_eq!(count(222), FailureCount::Counted(1));
    // A key whose last failure is older than `forget_after` starts over.
    assert_eq!(count(222), FailureCount::Counted(2));
    assert_eq!(count(2000), FailureCount::Counted(1));
    // Other keys are counted apart.
    assert_eq!(
        store
            .count_login_failure("account:ann", 2000, &rule())
            .unwrap(),
        FailureCount::Counted(1)
    );
}

pub fn pruning_forgets_old_keys_then_the_oldest_beyond_the_cap(site: &TestSite) {
    let store = site.open();
    for n in 0..10i64 {
        store
            .count_login_failure(&format!("address:{n}"), 100 + n, &rule())
            .unwrap();
    }
    store.prune_login_failures(102, 5).unwrap();
    // Keys 0 and 1 were too old; of the rest, the five newest (5 to 9) are kept.
    for n in 0..10i64 {
        let fresh = store
            .count_login_failure(&format!("address:{n}"), 200, &rule())
            .unwrap();
        let expected = if n >= 5 { 2 } else { 1 };
        assert_eq!(fresh, FailureCount::Counted(expected), "key {n}");
    }
}

pub fn beyond_the_cap_a_key_with_many_failures_outlasts_newer_single_ones(site: &TestSite) {
    let store = site.open();
    // No waits, so every failure is counted.
    let rule = FailureRule {
        waits: vec![0],
        forget_after: 1000,
    };
    for at in 0..3 {
        store
            .count_login_failure("account:ann.lee", 100 + at, &rule)
            .unwrap();
    }
    for n in 0..10i64 {
        store
            .count_login_failure(&format!("account:made-up-{n}"), 200 + n, &rule)
            .unwrap();
    }
    store.prune_login_failures(0, 5).unwrap();
    assert_eq!(
        store
            .count_login_failure("account:ann.lee", 300, &rule)
            .unwrap(),
        FailureCount::Counted(4),
        "the guessed account's failures are kept"
    );
}

pub fn a_device_key_stays_until_forgotten_and_is_not_in_backups(site: &TestSite) {
    let store = site.open();
    let ann = user("ann.lee", Role::Writer);
    store.create_user(&ann).unwrap();
    let key = store.device_key(ann.id).unwrap();
    assert_eq!(store.device_key(ann.id).unwrap(), key);
    store.forget_devices(ann.id).unwrap();
    let new_key = store.device_key(ann.id).unwrap();
    assert_ne!(new_key, key);

    let holder = tempfile::tempdir().unwrap();
    let backup = holder.path().join("backup");
    store.backup(&backup).unwrap();
    let other = TestSite::on(site.engine());
    let restored = other.open();
    restored.restore_backup(&backup).unwrap();
    assert_ne!(restored.device_key(ann.id).unwrap(), new_key);
}
