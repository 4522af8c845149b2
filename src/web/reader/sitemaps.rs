//! `/sitemap.xml` (an index), `/sitemaps/N.xml` (50,000 stories each by default), `/sitemaps/news.xml`
//! and `/robots.txt`. Every one reads one page of the front-page index: the counted index
//! makes page N as cheap as page 1, so a million stories cost no more than a thousand.

use super::page_number;
use crate::domain::{PageNumber, StorySummary};
use crate::storage::{Listing, Store, StoreError};
use crate::views::sitemaps::{self, NEWS_LIMIT, NEWS_WINDOW, NewsSitemap, SitemapIndex, Urlset};
use crate::web::public::{ClockDependent, Freshness};
use crate::web::{AppError, State};
use actix_web::{HttpResponse, route, web};
use askama::Template;
use time::OffsetDateTime;

const XML: &str = "application/xml; charset=utf-8";

#[route("/sitemap.xml", method = "GET", method = "HEAD")]
pub(super) async fn index(state: State) -> Result<HttpResponse, AppError> {
    let per_page = state.settings.sitemap_urls.max(1);
    let pages = state
        .blocking(move |store| pages_holding_stories(store, per_page))
        .await?;
    // Page 1 is listed even on an empty site: an empty urlset, which crawlers accept.
    let xml = SitemapIndex::new(&state.site.base_url, pages.max(1)).render()?;
    Ok(HttpResponse::Ok().content_type(XML).body(xml))
}

/// The most sitemaps one index may list (sitemaps.org).
const MAX_SITEMAPS: u32 = 50_000;

/// How many sitemap pages of `per_page` stories actually hold stories. The index's counters
/// say how many there should be, but the index lists only what is there: a counter gone wrong
/// (a bad restore, a bug) must not make the sitemap list pages without end. The count is
/// checked against the entries themselves with one probe, and searched for (about 16 probes,
/// each one entry) only when the counters are wrong.
fn pages_holding_stories(store: &dyn Store, per_page: usize) -> Result<u32, StoreError> {
    let claimed = store
        .listing(Listing::Published, PageNumber::FIRST, 1)?
        .total_items
        .div_ceil(per_page as u64);
    let claimed = u32::try_from(claimed).unwrap_or(u32::MAX).min(MAX_SITEMAPS);
    if claimed == 0 || page_holds_stories(store, per_page, claimed) {
        return Ok(claimed);
    }
    // Pages fill from the newest story down, so the pages holding stories are 1..=n for some
    // n: find the last one, knowing that `claimed` is past it.
    let (mut holds, mut past) = (0, claimed);
    while past - holds > 1 {
        let mid = holds + (past - holds) / 2;
        if page_holds_stories(store, per_page, mid) {
            holds = mid;
        } else {
            past = mid;
        }
    }
    Ok(holds)
}

/// Whether sitemap page `sitemap` has a first story: the entry `(sitemap - 1) * per_page` places
/// from the newest. Read as a listing of one story a page, so only that entry is read.
fn page_holds_stories(store: &dyn Store, per_page: usize, sitemap: u32) -> bool {
    let first = u64::from(sitemap - 1) * per_page as u64 + 1;
    let Some(number) = u32::try_from(first).ok().and_then(PageNumber::new) else {
        return false;
    };
    match store.listing(Listing::Published, number, 1) {
        Ok(listed) => !listed.items.is_empty(),
        Err(StoreError::NotFound) => false,
        Err(e) => {
            // Counters that disagree with the entries are reported as a backend error.
            tracing::warn!(error = %e, sitemap, "a sitemap page could not be read; not listed");
            false
        }
    }
}

#[route("/sitemaps/topics.xml", method = "GET", method = "HEAD")]
pub(super) async fn topics(state: State) -> Result<HttpResponse, AppError> {
    let pages = state
        .blocking(|store| -> Result<_, StoreError> {
            let mut pages = Vec::new();
            let listings = crate::tags::all(store)?
                .into_iter()
                .map(|r| {
                    let key = r.tag.key().clone();
                    (crate::urls::topics::tag(&key, 1), Listing::Tag(key))
                })
                .chain(crate::authors::all(store)?.into_iter().map(|p| {
                    (
                        crate::urls::topics::author(&p.slug, 1),
                        Listing::Author(p.slug),
                    )
                }));
            for (path, listing) in listings {
                let newest = store.listing(listing, PageNumber::FIRST, 1)?;
                if let Some(story) = newest.items.into_iter().next() {
                    pages.push((path, story));
                }
            }
            Ok(pages)
        })
        .await?;
    let xml = sitemaps::TopicsSitemap::new(&state.site.base_url, &pages).render()?;
    Ok(HttpResponse::Ok().content_type(XML).body(xml))
}

#[route("/sitemaps/news.xml", method = "GET", method = "HEAD")]
pub(super) async fn news(state: State) -> Result<HttpResponse, AppError> {
    let since = state.settings.clock.now() - NEWS_WINDOW;
    let recent = state
        .blocking(move |store| recent_stories(store, since))
        .await?;
    let xml = NewsSitemap::new(&state.site.base_url, &state.site.name, &recent).render()?;
    // Stories leave the window as time passes, with no publish to renew a cached copy.
    let mut response = HttpResponse::Ok()
        .content_type(XML)
        .insert_header(Freshness::Listing.header())
        .body(xml);
    response.extensions_mut().insert(ClockDependent);
    Ok(response)
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
        let listed = match store.listing(Listing::Published, number, STEP) {
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
    let per_page = state.settings.sitemap_urls;
    // A page past the end is the store's NotFound, which is the 404 page.
    let listed = state
        .blocking(move |store| store.listing(Listing::Published, page, per_page))
        .await?;
    // Page 1 of an empty site is an empty urlset, which the index points at.
    let xml = Urlset::new(&state.site.base_url, &listed.items).render()?;
    Ok(HttpResponse::Ok().content_type(XML).body(xml))
}

#[route("/robots.txt", method = "GET", method = "HEAD")]
pub(super) async fn robots(state: State) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(sitemaps::robots(&state.site.base_url))
}
