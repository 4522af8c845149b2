//! The reader's site: front page, section pages and articles. Only published stories appear.

mod article;
mod listing;

use actix_web::web;

/// Every page answers HEAD as well as GET, as HTTP requires (link checkers and uptime monitors
/// use it); the server leaves the body out of a HEAD response.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(listing::front)
        .service(listing::front_page)
        .service(listing::section_first)
        .service(listing::section_page)
        .service(article::first_page)
        .service(article::nth_page);
}

/// Parses a page number from the URL; anything malformed is a 404, like a missing page.
fn page_number(raw: &str) -> Result<crate::domain::PageNumber, super::AppError> {
    raw.parse().map_err(|()| super::AppError::NotFound)
}
