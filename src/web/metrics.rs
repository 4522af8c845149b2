//! Metrics over HTTP: the middleware that times every answer (the outermost one, so a page the
//! cache answers counts too), and the small server that hands them to Prometheus on its own
//! address (`--metrics-bind`), away from the site's.

use crate::metrics::Metrics;
use crate::storage::SharedStore;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{App, Error, HttpResponse, HttpServer, web};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

/// Marks an answer the page cache gave ahead of routing, so that it is counted under a route
/// of its own.
pub struct FromPageCache;

/// Times the request and counts its answer by route and status.
pub async fn track<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
    metrics: Arc<Metrics>,
) -> Result<ServiceResponse<B>, Error> {
    let started = Instant::now();
    let res = next.call(req).await?;
    let route = match res.request().match_pattern() {
        Some(pattern) => pattern,
        None if res.response().extensions().contains::<FromPageCache>() => "(page cache)".into(),
        None => "(unmatched)".into(),
    };
    metrics.request(&route, res.status().as_u16(), started.elapsed());
    Ok(res)
}

/// The metrics server: `GET /metrics` in Prometheus' text format, and nothing else.
pub fn server(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    store: SharedStore,
) -> std::io::Result<Server> {
    let state = web::Data::new((metrics, store));
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(render))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run())
}

async fn render(state: web::Data<(Arc<Metrics>, SharedStore)>) -> HttpResponse {
    let (metrics, store) = &**state;
    if let Some(pool) = store.pool_use() {
        metrics.pool_connections.set(i64::from(pool.connections));
        metrics.pool_idle.set(i64::from(pool.idle));
    }
    match metrics.render() {
        Ok(text) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .insert_header(("cache-control", "no-store"))
            .body(text),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
