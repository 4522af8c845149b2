//! Serves the static files compiled into the binary ([`crate::urls::assets`]), under the
//! addresses that carry their content hash, so browsers and proxies may keep them for a year;
//! and the icon at `/favicon.ico`, where browsers ask for it unprompted.

use crate::urls::assets;
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{HttpResponse, route, web};

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A year for a hashed address: its content never changes. No `public`: an answer to a request
/// without credentials is cacheable by shared caches already, and `max-age` says for how long.
fn immutable() -> CacheControl {
    CacheControl(vec![
        CacheDirective::MaxAge(31_536_000),
        CacheDirective::Extension("immutable".into(), None),
    ])
}

#[route("/static/{path:.+}", method = "GET", method = "HEAD")]
pub async fn serve(path: web::Path<String>) -> HttpResponse {
    let path = path.into_inner();
    file(&path, immutable())
}

/// A week: long enough that a browser seldom asks again, short enough for a new icon to show.
#[route("/favicon.ico", method = "GET", method = "HEAD")]
pub async fn favicon() -> HttpResponse {
    file(
        assets::FAVICON_FILE,
        CacheControl(vec![CacheDirective::MaxAge(7 * 24 * 60 * 60)]),
    )
}

/// Text files go out compressed to clients that ask; [`super::vary`] says so on every copy.
fn file(path: &str, cache: CacheControl) -> HttpResponse {
    match assets::file(path) {
        Some(file) => HttpResponse::Ok()
            .insert_header(("Content-Type", content_type(path)))
            .insert_header(cache)
            .body(file.data.into_owned()),
        None => actix_web::ResponseError::error_response(&super::AppError::NotFound),
    }
}
