//! Every URL the site links to, built in one place: pages, feeds, the API, photos and the
//! static files ([`assets`]). A leaf: it knows the domain's types and nothing else of ours.

pub mod assets;
pub mod topics;

use crate::domain::{Aspect, FocalPoint, PhotoId, Section, Slug};
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

/// The corrections page: the latest public notes of every story.
pub fn corrections(page: u32) -> String {
    if page <= 1 {
        "/corrections".into()
    } else {
        format!("/corrections/page/{page}")
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

/// The readers' search: `q` as typed, with the section, order and page when they are not the
/// defaults (`order` is `relevance` or `newest`).
pub fn search(q: &str, section: Option<Section>, order: &str, page: u32) -> String {
    let mut query = vec![("q", q.to_owned())];
    if let Some(section) = section {
        query.push(("section", section.key().to_owned()));
    }
    if !order.is_empty() && order != "relevance" {
        query.push(("order", order.to_owned()));
    }
    if page > 1 {
        query.push(("page", page.to_string()));
    }
    match serde_urlencoded::to_string(&query) {
        Ok(q) => format!("/search?{q}"),
        Err(_) => "/search".into(),
    }
}

/// A photo as readers see it: its widest rendition (see [`photo_rendition`] for the others).
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

/// The published stories matching `q`, newest first; `cursor` continues after a previous page.
pub fn api_search(q: &str, limit: usize, cursor: Option<&str>) -> String {
    let mut query = vec![("q", q.to_owned()), ("limit", limit.to_string())];
    if let Some(cursor) = cursor {
        query.push(("cursor", cursor.to_owned()));
    }
    match serde_urlencoded::to_string(&query) {
        Ok(query) => format!("/api/v1/stories?{query}"),
        Err(_) => api_stories(limit, cursor),
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

/// The JSON Feed of the front page, or of a section.
pub fn json_feed(section: Option<Section>) -> String {
    match section {
        Some(section) => format!("/section/{}/feed.json", section.key()),
        None => "/feed.json".into(),
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

// --- Photos ---------------------------------------------------------------------------------

/// A photo's rendition for readers: `/media/{id}/{width}.jpg`. Served only while a published
/// story uses the photo, and never changes under this address.
pub fn photo_rendition(id: PhotoId, width: u32) -> String {
    format!("/media/{id}/{width}.jpg")
}

/// A photo's crop in `aspect` for readers, `/media/{id}/16x9-50-40.jpg`: named by the focal
/// point it was cut around, so that moving the point gives a new address and caches never
/// hold the old crop under it. Served under the same rules as a rendition.
pub fn photo_crop(id: PhotoId, aspect: Aspect, focal: FocalPoint) -> String {
    format!("/media/{id}/{}", crop_file(aspect, focal))
}

/// The same crop for the desk.
pub fn desk_photo_crop(id: PhotoId, aspect: Aspect, focal: FocalPoint) -> String {
    format!("/desk/photos/{id}/{}", crop_file(aspect, focal))
}

/// `16x9-50-40.jpg`.
pub fn crop_file(aspect: Aspect, focal: FocalPoint) -> String {
    format!("{}-{}-{}.jpg", aspect.as_str(), focal.x(), focal.y())
}

/// Where the desk sets a photo's focal point.
pub fn desk_photo_focal_point(id: PhotoId) -> String {
    format!("/desk/photos/{id}/focal-point")
}

/// The `srcset` of a photo whose renditions have these widths.
pub fn photo_srcset(id: PhotoId, widths: impl IntoIterator<Item = u32>) -> String {
    widths
        .into_iter()
        .map(|w| format!("{} {w}w", photo_rendition(id, w)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The same rendition for the desk, available before any story is published.
pub fn desk_photo(id: PhotoId, width: u32) -> String {
    format!("/desk/photos/{id}/{width}.jpg")
}

/// A photo's widest rendition on the desk.
pub fn desk_photo_widest(id: PhotoId) -> String {
    format!("/desk/photos/{id}/widest.jpg")
}

/// A library photo's own desk page: its defaults and the stories using it.
pub fn desk_photo_page(id: PhotoId) -> String {
    format!("/desk/photos/{id}")
}

/// Where a library photo's defaults are saved.
pub fn desk_photo_defaults(id: PhotoId) -> String {
    format!("/desk/photos/{id}/defaults")
}

/// Where files go into the library, several at once.
pub const DESK_PHOTO_UPLOAD: &str = "/desk/photos/upload";

/// The `srcset` of a photo on the desk (previews).
pub fn desk_photo_srcset(id: PhotoId, widths: impl IntoIterator<Item = u32>) -> String {
    widths
        .into_iter()
        .map(|w| format!("{} {w}w", desk_photo(id, w)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The original upload, byte for byte (desk only).
pub fn desk_photo_original(id: PhotoId) -> String {
    format!("/desk/photos/{id}/original")
}

/// The photo library, searched for `search` (may be empty). With `for_story` (a story id, or
/// `new`), each photo offers "use in story", leading back to that story's form.
pub fn photo_library(search: &str, page: u32, for_story: Option<&str>) -> String {
    let mut query = vec![];
    if !search.is_empty() {
        query.push(("q", search.to_owned()));
    }
    if page > 1 {
        query.push(("page", page.to_string()));
    }
    if let Some(story) = for_story {
        query.push(("for", story.to_owned()));
    }
    match serde_urlencoded::to_string(&query) {
        Ok(q) if !q.is_empty() => format!("/desk/photos?{q}"),
        _ => "/desk/photos".into(),
    }
}

/// The story form (`for_story` a story id, or `new`) with `photo` chosen as its lead photo.
pub fn story_with_photo(for_story: &str, photo: PhotoId) -> String {
    match for_story {
        "new" => format!("/desk/stories/new?photo={photo}"),
        id => format!("/desk/stories/{id}?photo={photo}"),
    }
}

/// The signed-in account's own page.
pub const DESK_ACCOUNT: &str = "/desk/account";
/// Where an account sets up its second factor.
pub const TWO_FACTOR_SETUP: &str = "/desk/account/two-factor";
/// The second step of logging in: a code from the app, or a recovery code. Under `/desk`,
/// where the session cookie goes, since the half-done login is kept in the session.
pub const LOGIN_CODE: &str = "/desk/login/code";
