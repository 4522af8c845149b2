//! RSS, Atom and JSON feeds of the front page and of each section: the newest published
//! stories, read from the listing index (one page of it) and their records, never a scan.

use crate::domain::{PageNumber, PhotoId, Section, Story};
use crate::storage::{Listing, PhotoBlob, StoreError};
use crate::views::feeds::{self, FEED_SIZE, FeedSource};
use crate::web::{AppError, State};
use actix_web::{HttpResponse, route, web};
use std::collections::HashMap;

#[derive(Clone, Copy)]
pub(super) enum Format {
    Rss,
    Atom,
    Json,
}

#[route("/rss.xml", method = "GET", method = "HEAD")]
pub(super) async fn front_rss(state: State) -> Result<HttpResponse, AppError> {
    feed(state, None, Format::Rss).await
}

#[route("/atom.xml", method = "GET", method = "HEAD")]
pub(super) async fn front_atom(state: State) -> Result<HttpResponse, AppError> {
    feed(state, None, Format::Atom).await
}

#[route("/feed.json", method = "GET", method = "HEAD")]
pub(super) async fn front_json(state: State) -> Result<HttpResponse, AppError> {
    feed(state, None, Format::Json).await
}

#[route("/section/{section}/feed.json", method = "GET", method = "HEAD")]
pub(super) async fn section_json(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let section = Section::shown(&path).ok_or(AppError::NotFound)?;
    feed(state, Some(section), Format::Json).await
}

#[route("/section/{section}/rss.xml", method = "GET", method = "HEAD")]
pub(super) async fn section_rss(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let section = Section::shown(&path).ok_or(AppError::NotFound)?;
    feed(state, Some(section), Format::Rss).await
}

#[route("/section/{section}/atom.xml", method = "GET", method = "HEAD")]
pub(super) async fn section_atom(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let section = Section::shown(&path).ok_or(AppError::NotFound)?;
    feed(state, Some(section), Format::Atom).await
}

async fn feed(
    state: State,
    section: Option<Section>,
    format: Format,
) -> Result<HttpResponse, AppError> {
    let listing = section.map_or(Listing::Published, Listing::Section);
    render(state, listing, section, None, format).await
}

/// The feed of `listing` in `format`: a section's (`section`), a tag's or an author's (`topic`),
/// or the front page's.
pub(super) async fn render(
    state: State,
    listing: Listing,
    section: Option<Section>,
    topic: Option<crate::views::topics::FeedTopic>,
    format: Format,
) -> Result<HttpResponse, AppError> {
    let (stories, photo_bytes) = state
        .blocking(move |store| {
            let stories = newest_stories(store, listing)?;
            let photo_bytes = match format {
                Format::Rss => photo_sizes(store, &stories)?,
                Format::Atom | Format::Json => HashMap::new(),
            };
            Ok::<_, StoreError>((stories, photo_bytes))
        })
        .await?;
    let source = FeedSource {
        site_name: &state.site.name,
        base_url: &state.site.base_url,
        section,
        stories: &stories,
        photo_bytes: &photo_bytes,
        language: &state.site.language,
        zone: &state.site.zone,
        topic,
    };
    let (xml, content_type) = match format {
        Format::Rss => (feeds::rss(&source), "application/rss+xml; charset=utf-8"),
        Format::Atom => (feeds::atom(&source), "application/atom+xml; charset=utf-8"),
        Format::Json => (
            feeds::json_feed(&source),
            "application/feed+json; charset=utf-8",
        ),
    };
    let xml = xml.map_err(|e| AppError::internal("writing a feed", e))?;
    Ok(HttpResponse::Ok().content_type(content_type).body(xml))
}

/// The newest published stories of a listing, whole. A story unpublished between reading the
/// index and its record is left out.
fn newest_stories(
    store: &dyn crate::storage::Store,
    listing: Listing,
) -> Result<Vec<Story>, StoreError> {
    let page = store.listing(listing, PageNumber::FIRST, FEED_SIZE)?;
    let mut stories = Vec::with_capacity(page.items.len());
    for item in &page.items {
        if let Some(story) = store.story(item.id)?
            && story.is_public()
        {
            stories.push(story);
        }
    }
    Ok(stories)
}

/// The byte size of each lead photo as readers get it (its widest rendition), for RSS
/// enclosures. The store keeps no sizes apart from the bytes, so the bytes are read; the feed
/// is rendered once per publish and then served from the page cache.
fn photo_sizes(
    store: &dyn crate::storage::Store,
    stories: &[Story],
) -> Result<HashMap<PhotoId, u64>, StoreError> {
    let mut sizes = HashMap::new();
    for id in stories
        .iter()
        .filter_map(|s| s.content.photo.as_ref()?.image)
    {
        if sizes.contains_key(&id) {
            continue;
        }
        let Some(widest) = store.photo(id)?.and_then(|record| record.largest()) else {
            continue;
        };
        if let Some(bytes) = store.photo_blob(id, PhotoBlob::Rendition(widest.width))? {
            sizes.insert(id, bytes.len() as u64);
        }
    }
    Ok(sizes)
}
