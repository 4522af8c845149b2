//! Addresses of tag and author pages and their feeds.

use crate::domain::Slug;

/// `/tag/KEY`, or `/tag/KEY/page/N`.
pub fn tag(key: &Slug, page: u32) -> String {
    if page <= 1 {
        format!("/tag/{key}")
    } else {
        format!("/tag/{key}/page/{page}")
    }
}

/// `/author/SLUG`, or `/author/SLUG/page/N`.
pub fn author(slug: &Slug, page: u32) -> String {
    if page <= 1 {
        format!("/author/{slug}")
    } else {
        format!("/author/{slug}/page/{page}")
    }
}

/// The feeds of a tag or author page (`base` is its first page): RSS, Atom and JSON Feed.
pub fn rss(base: &str) -> String {
    format!("{base}/rss.xml")
}

pub fn atom(base: &str) -> String {
    format!("{base}/atom.xml")
}

pub fn json_feed(base: &str) -> String {
    format!("{base}/feed.json")
}

/// The desk's list of tags.
pub fn desk_tags() -> String {
    "/desk/tags".into()
}

/// The desk's list of authors' profiles.
pub fn desk_authors() -> String {
    "/desk/authors".into()
}

pub fn desk_author(slug: &Slug) -> String {
    format!("/desk/authors/{slug}")
}
