//! Static files compiled into the binary, so one file runs the site. URLs carry a content hash,
//! so browsers and proxies may keep them for a year.

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{HttpResponse, route, web};
use rust_embed::RustEmbed;
use std::sync::LazyLock;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

/// The stylesheet's URL, with its content hash.
pub fn css_url() -> &'static str {
    static URL: LazyLock<String> = LazyLock::new(|| versioned("css/site.css"));
    &URL
}

/// The desk's script (progressive enhancement only), with its content hash.
pub fn js_url() -> &'static str {
    static URL: LazyLock<String> = LazyLock::new(|| versioned("js/desk.js"));
    &URL
}

fn versioned(path: &str) -> String {
    match Assets::get(path) {
        Some(file) => format!(
            "/static/{path}?v={}",
            &hex::encode(file.metadata.sha256_hash())[..12]
        ),
        None => format!("/static/{path}"),
    }
}

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
    match Assets::get(&path) {
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
