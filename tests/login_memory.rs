//! A flood of failed logins must leave the server's memory flat. This runs as a test binary of
//! its own, so that nothing else in the process allocates while resident memory is measured.
#![allow(clippy::expect_used, reason = "a test reports a failure by panicking")]

use newsroom::auth::password::{Verified, hash_blocking, verify_blocking};
use newsroom::domain::Password;
use std::sync::Barrier;

/// One argon2 hash's working memory, as configured: 19 MiB.
const HASH_MEMORY: u64 = 19 << 20;

/// Resident memory of this process, from `/proc/self/status`.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line");
    kib * 1024
}

#[test]
fn failed_logins_on_many_threads_leave_resident_memory_flat() {
    let stored =
        hash_blocking(&Password::new("correct horse battery").expect("password")).expect("hash");
    let wrong = Password::typed("guess guess guess").expect("password");
    assert_eq!(verify_blocking(&wrong, Some(&stored)), Verified::No);
    let before = resident_bytes();

    // Each login is checked on a thread that stays alive afterwards, as the server's blocking
    // pool threads do; a freed hash block kept in each thread's arena would show here.
    const THREADS: usize = 32;
    const LOGINS_PER_THREAD: usize = 2;
    let checked = Barrier::new(THREADS + 1);
    let measured = Barrier::new(THREADS + 1);
    let after = std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for _ in 0..LOGINS_PER_THREAD {
                    assert_eq!(verify_blocking(&wrong, Some(&stored)), Verified::No);
                    assert_eq!(verify_blocking(&wrong, None), Verified::No);
                }
                checked.wait();
                measured.wait();
            });
        }
        checked.wait();
        let after = resident_bytes();
        measured.wait();
        after
    });

    let grown = after.saturating_sub(before);
    // At most the few pooled blocks not yet made before, never one block per thread.
    assert!(
        grown < 5 * HASH_MEMORY,
        "{} failed logins grew resident memory by {} MiB",
        THREADS * LOGINS_PER_THREAD * 2,
        grown >> 20
    );
}
