//! Front and section pages: published stories, newest first, paginated.

use super::page_number;
use crate::domain::{PageNumber, Section};
use crate::storage::Listing;
use crate::urls;
use crate::views::reader::ListingPage;
use crate::web::{AppError, State};
use actix_web::http::header;
use actix_web::{HttpResponse, route, web};
use askama::Template;

#[route("/", method = "GET", method = "HEAD")]
pub(super) async fn front(state: State) -> Result<HttpResponse, AppError> {
    render(state, Listing::Published, PageNumber::FIRST).await
}

#[route("/page/{page}", method = "GET", method = "HEAD")]
pub(super) async fn front_page(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let page = page_number(&path)?;
    if page == PageNumber::FIRST {
        return Ok(redirect(&urls::front(1)));
    }
    render(state, Listing::Published, page).await
}

#[route("/section/{section}", method = "GET", method = "HEAD")]
pub(super) async fn section_first(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let section = Section::parse(&path).map_err(|_| AppError::NotFound)?;
    render(state, Listing::Section(section), PageNumber::FIRST).await
}

#[route("/section/{section}/page/{page}", method = "GET", method = "HEAD")]
pub(super) async fn section_page(
    state: State,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (section, page) = path.into_inner();
    let section = Section::parse(&section).map_err(|_| AppError::NotFound)?;
    let page = page_number(&page)?;
    if page == PageNumber::FIRST {
        return Ok(redirect(&urls::section(section, 1)));
    }
    render(state, Listing::Section(section), page).await
}

async fn render(
    state: State,
    listing: Listing,
    page: PageNumber,
) -> Result<HttpResponse, AppError> {
    let per_page = state.settings.per_page;
    // A page past the end is the store's NotFound, which is the 404 page.
    // The page and its stories' photos in one trip to the blocking pool.
    let listed_from = listing.clone();
    let (listed, photos) = state
        .blocking(move |store| {
            let listed = store.listing(listed_from, page, per_page)?;
            let stories: Vec<_> = listed.items.iter().map(|s| s.id).collect();
            let photos = crate::photos::lead_photos(store, &stories)?;
            Ok::<_, crate::storage::StoreError>((listed, photos))
        })
        .await?;
    let html = ListingPage::new(&state.site, listing, &listed)
        .with_photos(&photos)
        .render()?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

pub(super) fn redirect(to: &str) -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, to))
        .finish()
}
