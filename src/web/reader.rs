//! The reader's site: front page, section pages and articles. Only published stories appear.

mod article;
mod corrections;
mod feeds;
mod listing;
mod search;
mod sitemaps;
mod topics;

use actix_web::web;

/// Every page answers HEAD as well as GET, as HTTP requires (link checkers and uptime monitors
/// use it); the server leaves the body out of a HEAD response.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(listing::front)
        .service(listing::front_page)
        .service(listing::section_first)
        .service(listing::section_page)
        .service(article::first_page)
        .service(article::nth_page)
        .service(corrections::corrections_first)
        .service(corrections::corrections_page)
        .service(search::search);
    cfg.service(feeds::front_rss)
        .service(feeds::front_atom)
        .service(feeds::section_rss)
        .service(feeds::section_atom)
        .service(feeds::front_json)
        .service(feeds::section_json);
    cfg.service(topics::tag_first)
        .service(topics::tag_page)
        .service(topics::tag_rss)
        .service(topics::tag_atom)
        .service(topics::tag_json)
        .service(topics::author_first)
        .service(topics::author_page)
        .service(topics::author_rss)
        .service(topics::author_atom)
        .service(topics::author_json);
    // The news sitemap before the numbered pages, whose pattern would also match it.
    cfg.service(sitemaps::index)
        .service(sitemaps::news)
        .service(sitemaps::topics)
        .service(sitemaps::page)
        .service(sitemaps::robots);
}

/// Parses a page number from the URL; anything malformed is a 404, like a missing page.
fn page_number(raw: &str) -> Result<crate::domain::PageNumber, super::AppError> {
    raw.parse().map_err(|()| super::AppError::NotFound)
}
