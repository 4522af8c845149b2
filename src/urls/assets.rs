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

/// The photo library's focal-point picker (progressive enhancement only), with its content hash.
pub fn focal_point_js_url() -> &'static str {
    static URL: LazyLock<String> = LazyLock::new(|| versioned("js/focal-point.js"));
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

/// The small icon at its hashed address, for pages that name it.
pub fn favicon_url() -> &'static str {
    static URL: LazyLock<String> = LazyLock::new(|| versioned(FAVICON_FILE));
    &URL
}

/// The site's icon for browsers that take SVG (every current one), with its content hash.
pub fn icon_url() -> &'static str {
    static URL: LazyLock<String> = LazyLock::new(|| versioned("img/icon.svg"));
    &URL
}

/// The icon a phone puts on its home screen (180 × 180 PNG), with its content hash.
pub fn touch_icon_url() -> &'static str {
    static URL: LazyLock<String> = LazyLock::new(|| versioned("img/icon-180.png"));
    &URL
}

/// Where browsers look for an icon when a page names none (`/favicon.ico`), and the file
/// served there. That address cannot carry a hash, so it is kept for a week, not a year.
pub const FAVICON_PATH: &str = "/favicon.ico";
pub const FAVICON_FILE: &str = "favicon.ico";

/// The logo shipped with the site, the default publisher logo of structured data.
pub fn logo_url() -> &'static str {
    static URL: LazyLock<String> = LazyLock::new(|| versioned("img/logo.png"));
    &URL
}

/// The shipped logo's size in pixels (width, height).
pub const LOGO_SIZE: (u32, u32) = (512, 512);

/// The publisher's logo named in structured data: where it is and its size in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    /// An absolute URL, or a path on this site.
    pub url: String,
    pub width: u32,
    pub height: u32,
}

impl Logo {
    /// The logo shipped in `static/`.
    pub fn shipped() -> Self {
        Self {
            url: logo_url().to_owned(),
            width: LOGO_SIZE.0,
            height: LOGO_SIZE.1,
        }
    }
}
