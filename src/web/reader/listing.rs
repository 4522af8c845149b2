//! Front and section pages: published stories, newest first, paginated.

use super::page_number;
use crate::domain::{PageNumber, Section};
use crate::storage::Listing;
use crate::urls;
use crate::views::front_page::FrontPageView;
use crate::views::reader::ListingPage;
use crate::web::public::ShownUntil;
use crate::web::{AppError, State};
use actix_web::http::header;
use actix_web::{HttpResponse, route, web};
use askama::Template;

#[route("/", method = "GET", method = "HEAD")]
pub(super) async fn front(state: State) -> Result<HttpResponse, AppError> {
    render_front(state, PageNumber::FIRST).await
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
    render_front(state, page).await
}

#[route("/section/{section}", method = "GET", method = "HEAD")]
pub(super) async fn section_first(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let section = Section::shown(&path).ok_or(AppError::NotFound)?;
    render(state, Listing::Section(section), PageNumber::FIRST).await
}

#[route("/section/{section}/page/{page}", method = "GET", method = "HEAD")]
pub(super) async fn section_page(
    state: State,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (section, page) = path.into_inner();
    let section = Section::shown(&section).ok_or(AppError::NotFound)?;
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

/// A page of the front page as editors arranged it (see [`crate::front_page`]). While a
/// breaking-news banner shows, the answer says until when, so that no cache keeps it longer.
async fn render_front(state: State, page: PageNumber) -> Result<HttpResponse, AppError> {
    let per_page = state.settings.per_page;
    let now = state.settings.clock.now();
    let (content, photos) = state
        .blocking(move |store| {
            let live = crate::front_page::live(store)?;
            let arrangement = live.as_ref().map(|l| &l.page.arrangement);
            let content = crate::front_page::compose(store, arrangement, page, per_page, now)?;
            let photos = crate::photos::lead_photos(store, &content.story_ids())?;
            Ok::<_, crate::storage::StoreError>((content, photos))
        })
        .await?;
    let html = FrontPageView::new(
        &state.site,
        content.lead.as_ref(),
        &content.slots,
        &content.rest,
        content.banner.as_ref(),
        &photos,
    )
    .render()?;
    let mut response = HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html);
    if let Some(banner) = &content.banner {
        response
            .extensions_mut()
            .insert(ShownUntil(banner.expires_at));
    }
    Ok(response)
}

pub(super) fn redirect(to: &str) -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, to))
        .finish()
}
