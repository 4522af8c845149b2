//! Serves the static files compiled into the binary ([`crate::urls::assets`]), under the
//! addresses that carry their content hash, so browsers and proxies may keep them for a year.

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

#[route("/static/{path:.+}", method = "GET", method = "HEAD")]
pub async fn serve(path: web::Path<String>) -> HttpResponse {
    let path = path.into_inner();
    match assets::file(&path) {
        Some(file) => HttpResponse::Ok()
            .insert_header(("Content-Type", content_type(&path)))
            .insert_header(CacheControl(vec![
                CacheDirective::Public,
                CacheDirective::MaxAge(31_536_000),
                CacheDirective::Extension("immutable".into(), None),
            ]))
            .body(file.data.into_owned()),
        None => actix_web::ResponseError::error_response(&super::AppError::NotFound),
    }
}
