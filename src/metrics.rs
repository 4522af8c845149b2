//! What a server counts for Prometheus: requests by route and status with their latency, the
//! page cache's hits and misses, how long saves take, how late the scheduler publishes, and
//! how much of the database's connection pool is in use. Kept only when `--metrics-bind` asks
//! for them (nothing is counted otherwise), and read on that address alone, never on the
//! site's.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The route's pattern (`/section/{key}`), not the path: a label per story would grow
    /// without bound.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pub cache_hits: Counter,
    pub cache_misses: Counter,
    pub saves: Histogram,
    pub scheduler_lag: Histogram,
    pub pool_connections: Gauge,
    pub pool_idle: Gauge,
}

/// From 100 µs to about 6.5 s, doubling.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_1, 2.0, 17))
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("newsroom");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests answered, by route and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer a request, by route",
            Unit::Seconds,
            latency.clone(),
        );
        let cache_hits = Counter::default();
        registry.register(
            "page_cache_hits",
            "Reader pages answered from the page cache",
            cache_hits.clone(),
        );
        let cache_misses = Counter::default();
        registry.register(
            "page_cache_misses",
            "Reader pages the page cache did not hold, rendered anew",
            cache_misses.clone(),
        );
        let saves = latency_histogram();
        registry.register_with_unit(
            "story_save_duration",
            "Time to save a story from the desk, durable when it ends",
            Unit::Seconds,
            saves.clone(),
        );
        let scheduler_lag = Histogram::new(exponential_buckets(0.01, 2.0, 14));
        registry.register_with_unit(
            "scheduler_lag",
            "How long after its scheduled time a story went out",
            Unit::Seconds,
            scheduler_lag.clone(),
        );
        let pool_connections = Gauge::default();
        registry.register(
            "db_pool_connections",
            "Connections the database pool holds open",
            pool_connections.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "db_pool_idle_connections",
            "Connections of the database pool not in use",
            pool_idle.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            cache_hits,
            cache_misses,
            saves,
            scheduler_lag,
            pool_connections,
            pool_idle,
        }
    }

    /// Counts one answered request.
    pub fn request(&self, route: &str, status: u16, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// Everything counted, in Prometheus' text format.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_status_with_their_latency() {
        let metrics = Metrics::new();
        metrics.request("/section/{section}", 200, Duration::from_millis(3));
        metrics.request("/section/{section}", 200, Duration::from_millis(5));
        metrics.request("/section/{section}", 404, Duration::from_millis(1));
        metrics.cache_hits.inc();

        let text = metrics.render().unwrap();

        assert!(
            text.contains(
                r#"newsroom_http_requests_total{route="/section/{section}",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(text.contains(r#"status="404"} 1"#), "{text}");
        assert!(
            text.contains(
                r#"newsroom_http_request_duration_seconds_count{route="/section/{section}"} 3"#
            ),
            "{text}"
        );
        assert!(text.contains("newsroom_page_cache_hits_total 1"), "{text}");
    }
}
