//! Publishes scheduled stories when their time comes (the rules are the editorial service's).

use crate::clock::Clock;
use crate::editorial;
use crate::metrics::Metrics;
use crate::storage::SharedStore;
use std::sync::Arc;
use std::time::Duration;

const TICK: Duration = Duration::from_secs(1);

/// Looks for due stories every second, on `clock`'s time (the settings' clock, which tests
/// move forward), and counts how late each went out when metrics are kept. The audit log
/// names times on `zone`'s clocks.
pub async fn run(
    store: SharedStore,
    clock: Clock,
    zone: crate::domain::SiteZone,
    metrics: Option<Arc<Metrics>>,
) {
    let mut interval = actix_web::rt::time::interval(TICK);
    loop {
        interval.tick().await;
        let store = store.clone();
        let now = clock.now();
        let zone = zone.clone();
        match actix_web::web::block(move || editorial::publish_due_in(&*store, now, &zone)).await {
            Ok(Ok(published)) if published.is_empty() => {}
            Ok(Ok(published)) => {
                tracing::info!(published = published.len(), "published scheduled stories");
                for due in published {
                    if let Some(metrics) = &metrics {
                        let late = (now - due).max(time::Duration::ZERO);
                        metrics.scheduler_lag.observe(late.as_seconds_f64());
                    }
                }
            }
            Ok(Err(e)) => tracing::error!(error = %crate::telemetry::chain(&e), "scheduler failed"),
            Err(e) => tracing::error!(error = %e, "scheduler task failed"),
        }
    }
}

pub use editorial::{publish_due, publish_due_in};
