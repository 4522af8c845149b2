//! HTTP caching for the public site: validators (ETag, Last-Modified) with 304 answers,
//! `Cache-Control` for a CDN in front, and a bounded in-memory cache of rendered pages.
//!
//! How a route gets it: register it in the public scope, `public_routes` in `web.rs`, with
//! `.configure(module::routes)` next to `reader::routes` (a JSON API under `/api/` goes there
//! too). Its 200 answers to GET and HEAD are then cached and revalidated, with no code in the
//! handler. A page is kept by its path alone, so a reader's page must not depend on its query
//! string; under `/api` the query is part of the key (see `cache_key` in [`middleware`]). A handler may choose the longer lifetime with
//! `.insert_header(Freshness::Article.header())`, or keep its answer out of every cache by
//! setting a `Cache-Control` with `private` or `no-store`; answers that set a cookie are never
//! cached. A cached answer keeps the handler's `Content-Type` and `Cache-Control` and no other
//! header. Routes outside the scope (the desk, static files, photos) are not touched.
//!
//! Everything derives from the store's [`PublicVersion`](crate::storage::PublicVersion): its
//! generation changes in the same write as any change readers can see, so a cached page or a
//! client's validator never outlives a publish, an edit or an unpublish. One counter for the
//! whole site means a publish revalidates every page, which is cheap (a 304 or a cache hit) and
//! always correct.
//!
//! A cached page is compressed once per coding a client asks for (see [`encoding`]), and every
//! answer says `Vary: Accept-Encoding`.
//!
//! The parts: [`cache`] keeps the rendered pages, [`validators`] answers conditional requests,
//! [`middleware`] puts them together in front of the public routes, and its [`shortcut`]
//! answers the pages already kept before any other middleware runs.

mod cache;
mod encoding;
mod middleware;
mod validators;

pub use cache::{PublicCache, page_look};
pub use middleware::{Shortcut, middleware, shortcut};

use actix_web::http::header::{CacheControl, CacheDirective};

/// Marks an answer (in its extensions) that changes with the clock as well as with the
/// content, such as the news sitemap's two-day window. The page cache and its validators
/// follow the content's generation only, so such an answer is neither kept nor given an ETag:
/// it is rendered for every request that reaches the server, and a CDN keeps it for the
/// `Cache-Control` its handler sets.
#[derive(Debug, Clone, Copy)]
pub struct ClockDependent;

/// Marks an answer (in its extensions) that shows something only until a time, such as the
/// front page's breaking-news banner: the page must change then though nothing is written.
/// The page cache keeps it until that time and no longer; other caches are told to keep it
/// at most until then (`max-age`, without `stale-while-revalidate`); and it is tagged by its
/// bytes, without a `Last-Modified`, so a client holding the page with the banner is never
/// told with a 304 that it is still current once the banner has gone. The page rendered after
/// that time carries the generation's validators again, like any other.
#[derive(Debug, Clone, Copy)]
pub struct ShownUntil(pub time::OffsetDateTime);

/// How long a CDN or browser may keep a public answer before revalidating it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Front and section pages, feeds, sitemaps: they change with every publish.
    Listing,
    /// An article changes rarely once published.
    Article,
}

impl Freshness {
    pub fn header(self) -> CacheControl {
        let (max_age, stale) = match self {
            Freshness::Listing => (60, 300),
            Freshness::Article => (300, 3600),
        };
        // No `public`: these answers carry no credentials, so shared caches may keep them
        // already, and a lint flags the needless directive.
        CacheControl(vec![
            CacheDirective::MaxAge(max_age),
            CacheDirective::Extension("stale-while-revalidate".into(), Some(stale.to_string())),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_and_articles_get_their_own_lifetimes() {
        assert_eq!(
            Freshness::Listing.header().to_string(),
            "max-age=60, stale-while-revalidate=300"
        );
        assert_eq!(
            Freshness::Article.header().to_string(),
            "max-age=300, stale-while-revalidate=3600"
        );
    }
}
