//! The corrections page: the latest public notes of every public story, newest first, paginated
//! like the front page.

use super::listing::redirect;
use super::page_number;
use crate::domain::PageNumber;
use crate::urls;
use crate::views::reader::CorrectionsPage;
use crate::web::{AppError, State};
use actix_web::{HttpResponse, route, web};
use askama::Template;

#[route("/corrections", method = "GET", method = "HEAD")]
pub(super) async fn corrections_first(state: State) -> Result<HttpResponse, AppError> {
    render(state, PageNumber::FIRST).await
}

#[route("/corrections/page/{page}", method = "GET", method = "HEAD")]
pub(super) async fn corrections_page(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let page = page_number(&path)?;
    if page == PageNumber::FIRST {
        return Ok(redirect(&urls::corrections(1)));
    }
    render(state, page).await
}

async fn render(state: State, page: PageNumber) -> Result<HttpResponse, AppError> {
    let per_page = state.settings.per_page;
    // A page past the end is the store's NotFound, which is the 404 page.
    let listed = state
        .blocking(move |store| store.notes(page, per_page))
        .await?;
    let html = CorrectionsPage::new(&state.site, &listed).render()?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}
