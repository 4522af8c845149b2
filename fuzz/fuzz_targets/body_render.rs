//! A story body: parsing, splitting into pages and rendering to sanitised HTML never panic,
//! and the HTML never carries a script.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsroom::domain::Body;

fuzz_target!(|text: &str| {
    if let Ok(body) = Body::parse(text) {
        assert!(!body.pages().is_empty());
        for page in body.render_pages() {
            assert!(!page.as_str().to_ascii_lowercase().contains("<script"));
        }
        let _ = body.first_paragraph();
    }
});
