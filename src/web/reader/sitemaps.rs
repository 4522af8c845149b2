//! `/sitemap.xml` (an index), `/sitemaps/N.xml` (50,000 stories each by default), `/sitemaps/news.xml`
//! and `/robots.txt`. Every one reads one page of the front-page index: the counted index
//! makes page N as cheap as page 1, so a million stories cost no more than a thousand.

use super::page_number;
use crate::domain::{PageNumber, StorySummary};
use crate::storage::{Listing, Store, StoreError};
use crate::views::sitemaps::{self, NEWS_LIMIT, NEWS_WINDOW};
use crate::web::{AppError, State};
use actix_web::{HttpResponse, route, web};
use time::OffsetDateTime;

const XML: &str = "application/xml; charset=utf-8";

#[route("/sitemap.xml", method = "GET", method = "HEAD")]
pub(super) async fn index(state: State) -> Result<HttpResponse, AppError> {
    let store = state.store.clone();
    let total = web::block(move || store.listing(Listing::Front, PageNumber::FIRST, 1))
        .await??
        .total_items;
    let per_page = state.settings.sitemap_urls.max(1) as u64;
    let pages = total.div_ceil(per_page).max(1);
    let pages = u32::try_from(pages).unwrap_or(u32::MAX);
    let xml = sitemaps::index(&state.site.base_url, pages);
    Ok(HttpResponse::Ok().content_type(XML).body(xml))
}

#[route("/sitemaps/news.xml", method = "GET", method = "HEAD")]
pub(super) async fn news(state: State) -> Result<HttpResponse, AppError> {
    let store = state.store.clone();
    let since = OffsetDateTime::now_utc() - NEWS_WINDOW;
    let recent = web::block(move || recent_stories(&*store, since)).await??;
    let xml = sitemaps::news(&state.site.base_url, &state.site.name, &recent);
    Ok(HttpResponse::Ok().content_type(XML).body(xml))
}

/// The front page's stories published since `since`, at most [`NEWS_LIMIT`]. Read in small
/// pages, newest first, stopping at the first older story: a quiet site reads one page.
fn recent_stories(
    store: &dyn Store,
    since: OffsetDateTime,
) -> Result<Vec<StorySummary>, StoreError> {
    const STEP: usize = 100;
    let mut recent = Vec::new();
    for n in 1..=NEWS_LIMIT.div_ceil(STEP) as u32 {
        let Some(number) = PageNumber::new(n) else {
            break;
        };
        let listed = match store.listing(Listing::Front, number, STEP) {
            Ok(listed) => listed,
            Err(StoreError::NotFound) => break,
            Err(e) => return Err(e),
        };
        let before = recent.len();
        recent.extend(
            listed
                .items
                .into_iter()
                .take_while(|s| s.published_at.is_some_and(|at| at >= since)),
        );
        if recent.len() - before < STEP || number.get() >= listed.paging.total {
            break;
        }
    }
    recent.truncate(NEWS_LIMIT);
    Ok(recent)
}

#[route("/sitemaps/{page}.xml", method = "GET", method = "HEAD")]
pub(super) async fn page(state: State, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let page = page_number(&path)?;
    let store = state.store.clone();
    let per_page = state.settings.sitemap_urls;
    let listed = match web::block(move || store.listing(Listing::Front, page, per_page)).await? {
        Ok(listed) => listed,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    // Page 1 of an empty site is an empty urlset, which the index points at.
    let xml = sitemaps::urlset(&state.site.base_url, &listed.items);
    Ok(HttpResponse::Ok().content_type(XML).body(xml))
}

#[route("/robots.txt", method = "GET", method = "HEAD")]
pub(super) async fn robots(state: State) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(sitemaps::robots(&state.site.base_url))
}
