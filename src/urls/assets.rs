//! The static files compiled into the binary, and their addresses. An address carries its
//! file's content hash, so browsers and proxies may keep it for a year; the hash is of the
//! embedded bytes, which is why the files are embedded here, where any page can ask for an
//! address, and only served by the HTTP layer.

use rust_embed::{EmbeddedFile, RustEmbed};
use std::sync::LazyLock;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Files;

/// The embedded file at `path` (under `static/`), if there is one.
pub fn file(path: &str) -> Option<EmbeddedFile> {
    Files::get(path)
}

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
    match file(path) {
        Some(file) => format!(
            "/static/{path}?v={}",
            &hex::encode(file.metadata.sha256_hash())[..12]
        ),
        None => format!("/static/{path}"),
    }
}
