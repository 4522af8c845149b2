//! HTTP: routes, middleware and the mapping of errors to pages.

pub mod assets;
mod error;
mod reader;
pub mod urls;

use crate::settings::Settings;
use crate::storage::SharedStore;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, DefaultHeaders, NormalizePath, TrailingSlash};
use actix_web::{App, HttpServer, web};
use std::net::TcpListener;
use std::sync::Arc;
use tracing_actix_web::TracingLogger;

pub use error::AppError;

/// What every handler can reach.
pub struct AppState {
    pub store: SharedStore,
    pub settings: Settings,
}

pub type State = web::Data<AppState>;

/// Headers that every response carries. No inline script or style is allowed anywhere.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; \
             form-action 'self'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
}

pub fn server(
    listener: TcpListener,
    settings: Settings,
    store: SharedStore,
) -> std::io::Result<Server> {
    let state = web::Data::from(Arc::new(AppState { store, settings }));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(Compress::default())
            .wrap(security_headers())
            .wrap(NormalizePath::new(TrailingSlash::Trim))
            .wrap(TracingLogger::default())
            .configure(routes)
            .default_service(web::to(error::not_found))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(assets::serve).configure(reader::routes);
}
