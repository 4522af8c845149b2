//! The readers' search: published stories found by their words, most relevant or newest first,
//! in one section or all.
//!
//! Never from the page cache: every answer says `Cache-Control: no-store`, which the public
//! scope's middleware takes as "do not keep" (see [`crate::web::public`]), and which keeps it out
//! of a CDN and the browser's cache too. A results page is therefore asked of the engine each
//! time, so a story unpublished a moment ago is not found by the next search; and the page
//! cache, which keys a reader's page by its path alone, is not filled with one page per query
//! typed at the expense of the pages every reader reads.

use super::page_number;
use crate::domain::{PageNumber, Section};
use crate::storage::search::{Audience, SearchOrder, SearchPosition, StorySearch};
use crate::views::search::{SearchForm, SearchPage};
use crate::web::{AppError, State};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::{HttpResponse, route, web};
use askama::Template;
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct SearchQuery {
    q: Option<String>,
    section: Option<String>,
    order: Option<String>,
    page: Option<String>,
}

#[route("/search", method = "GET", method = "HEAD")]
pub(super) async fn search(
    state: State,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let mut form = SearchForm {
        q: query.q.unwrap_or_default(),
        ..SearchForm::default()
    };
    // Each refusal keeps what was typed in the form, so the reader corrects it rather than
    // typing it again.
    let refused = |form: SearchForm, error: String| {
        page(
            StatusCode::BAD_REQUEST,
            SearchPage::new(&state.site, form, Some(error)),
        )
    };
    match query.section.as_deref().map(str::trim) {
        None | Some("") => {}
        Some(raw) => match Section::parse(raw) {
            Ok(section) => form.section = Some(section),
            Err(_) => {
                return refused(
                    form,
                    "There is no such section: choose one from the list, or all sections.".into(),
                );
            }
        },
    }
    match query.order.as_deref().map(str::trim) {
        None | Some("") => {}
        Some(raw) => match SearchOrder::parse(raw) {
            Some(order) => form.order = order,
            None => {
                return refused(
                    form,
                    "Results can be ordered by relevance or newest first, nothing else.".into(),
                );
            }
        },
    }
    let terms = match crate::web::search::terms(&form.q) {
        Ok(Some(terms)) => terms,
        Ok(None) => return page(StatusCode::OK, SearchPage::new(&state.site, form, None)),
        Err(error) => return refused(form, error),
    };
    // Malformed like a page past the last: there is no such page.
    let number = match query.page.as_deref() {
        None | Some("") => PageNumber::FIRST,
        Some(raw) => page_number(raw)?,
    };
    let search = StorySearch {
        terms: Some(terms),
        audience: Audience::Readers,
        order: form.order,
        section: form.section,
        status: None,
        from: None,
        until: None,
        position: SearchPosition::Page(number),
        per_page: state.settings.per_page,
    };
    // A page past the last is the store's NotFound: the 404 page.
    let found = state
        .blocking(move |store| store.search_stories(&search))
        .await?;
    page(
        StatusCode::OK,
        SearchPage::new(&state.site, form, None).with_results(&found),
    )
}

fn page(status: StatusCode, page: SearchPage) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(page.render()?))
}
