//! Every public URL the site links to, built in one place.

use crate::domain::{Section, Slug};
use time::OffsetDateTime;

pub fn front(page: u32) -> String {
    if page <= 1 {
        "/".into()
    } else {
        format!("/page/{page}")
    }
}

pub fn section(section: Section, page: u32) -> String {
    if page <= 1 {
        format!("/section/{}", section.key())
    } else {
        format!("/section/{}/page/{page}", section.key())
    }
}

/// `/2017/07/15/latest-peace-talks`: the publication date (UTC) and the slug.
pub fn article(published_at: OffsetDateTime, slug: &Slug, page: u32) -> String {
    let date = published_at.date();
    let base = format!(
        "/{:04}/{:02}/{:02}/{}",
        date.year(),
        u8::from(date.month()),
        date.day(),
        slug
    );
    if page <= 1 {
        base
    } else {
        format!("{base}/page/{page}")
    }
}

/// A photo as readers see it.
pub fn photo(id: crate::domain::PhotoId) -> String {
    format!("/media/{id}")
}

/// The ninjs document of a published story.
pub fn api_story(id: crate::domain::StoryId) -> String {
    format!("/api/v1/stories/{id}")
}

/// The list of published stories, newest first; `cursor` continues after a previous page.
pub fn api_stories(limit: usize, cursor: Option<&str>) -> String {
    match cursor {
        Some(cursor) => format!("/api/v1/stories?limit={limit}&cursor={cursor}"),
        None => format!("/api/v1/stories?limit={limit}"),
    }
}

/// The media type of what [`photo`] serves.
pub const PHOTO_CONTENT_TYPE: &str = "image/jpeg";

/// `path` on the public site at `base_url` (`https://news.example`), for feeds, sitemaps and
/// canonical links, which must not be relative.
pub fn absolute(base_url: &str, path: &str) -> String {
    format!("{}{path}", base_url.trim_end_matches('/'))
}

/// The RSS feed of the front page, or of a section.
pub fn rss(section: Option<Section>) -> String {
    match section {
        Some(section) => format!("/section/{}/rss.xml", section.key()),
        None => "/rss.xml".into(),
    }
}

/// The Atom feed of the front page, or of a section.
pub fn atom(section: Option<Section>) -> String {
    match section {
        Some(section) => format!("/section/{}/atom.xml", section.key()),
        None => "/atom.xml".into(),
    }
}

pub fn sitemap_index() -> String {
    "/sitemap.xml".into()
}

/// Page `page` (from 1) of the sitemap of every published story.
pub fn sitemap(page: u32) -> String {
    format!("/sitemaps/{page}.xml")
}

/// The Google News sitemap: the last two days' stories.
pub fn news_sitemap() -> String {
    "/sitemaps/news.xml".into()
}
