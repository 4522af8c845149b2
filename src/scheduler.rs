//! Publishes scheduled stories when their time comes (the rules are the editorial service's).

use crate::clock::Clock;
use crate::editorial;
use crate::storage::SharedStore;
use std::time::Duration;

const TICK: Duration = Duration::from_secs(1);

/// Looks for due stories every second, on `clock`'s time (the settings' clock, which tests
/// move forward).
pub async fn run(store: SharedStore, clock: Clock) {
    let mut interval = actix_web::rt::time::interval(TICK);
    loop {
        interval.tick().await;
        let store = store.clone();
        let now = clock.now();
        match actix_web::web::block(move || editorial::publish_due(&*store, now)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(published = n, "published scheduled stories"),
            Ok(Err(e)) => tracing::error!(error = %crate::telemetry::chain(&e), "scheduler failed"),
            Err(e) => tracing::error!(error = %e, "scheduler task failed"),
        }
    }
}

pub use editorial::publish_due;
