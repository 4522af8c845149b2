//! RSS and Atom feeds of the front page and of each section: the newest published stories,
//! read from the listing index (one page of it) and their records, never a scan.

use crate::domain::{PageNumber, Section, Story};
use crate::storage::{Listing, StoreError};
use crate::views::feeds::{self, FEED_SIZE, FeedSource};
use crate::web::{AppError, State};
use actix_web::{HttpResponse, route, web};

#[derive(Clone, Copy)]
enum Format {
    Rss,
    Atom,
}

#[route("/rss.xml", method = "GET", method = "HEAD")]
pub(super) async fn front_rss(state: State) -> Result<HttpResponse, AppError> {
    feed(state, None, Format::Rss).await
}

#[route("/atom.xml", method = "GET", method = "HEAD")]
pub(super) async fn front_atom(state: State) -> Result<HttpResponse, AppError> {
    feed(state, None, Format::Atom).await
}

#[route("/section/{section}/rss.xml", method = "GET", method = "HEAD")]
pub(super) async fn section_rss(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let section = Section::parse(&path).map_err(|_| AppError::NotFound)?;
    feed(state, Some(section), Format::Rss).await
}

#[route("/section/{section}/atom.xml", method = "GET", method = "HEAD")]
pub(super) async fn section_atom(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let section = Section::parse(&path).map_err(|_| AppError::NotFound)?;
    feed(state, Some(section), Format::Atom).await
}

async fn feed(
    state: State,
    section: Option<Section>,
    format: Format,
) -> Result<HttpResponse, AppError> {
    let listing = section.map_or(Listing::Front, Listing::Section);
    let stories = state
        .blocking(move |store| newest_stories(store, listing))
        .await?;
    let source = FeedSource {
        site_name: &state.site.name,
        base_url: &state.site.base_url,
        section,
        stories: &stories,
    };
    let (xml, content_type) = match format {
        Format::Rss => (feeds::rss(&source), "application/rss+xml; charset=utf-8"),
        Format::Atom => (feeds::atom(&source), "application/atom+xml; charset=utf-8"),
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
