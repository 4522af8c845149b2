//! The article page, one URL per page of a multi-page story.

use super::listing::redirect;
use super::page_number;
use crate::domain::{PageNumber, Slug, Story};
use crate::storage::prelude::*;
use crate::storage::{StoreError, redirects};
use crate::urls;
use crate::views::reader::ArticlePage;
use crate::web::public::Freshness;
use crate::web::{AppError, State};
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;

#[route(
    r"/{year:[0-9]{4}}/{month:[0-9]{2}}/{day:[0-9]{2}}/{slug}",
    method = "GET",
    method = "HEAD"
)]
pub(super) async fn first_page(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String, String, String)>,
) -> Result<HttpResponse, AppError> {
    show(state, req, path.into_inner().3, PageNumber::FIRST).await
}

#[route(
    r"/{year:[0-9]{4}}/{month:[0-9]{2}}/{day:[0-9]{2}}/{slug}/page/{page}",
    method = "GET",
    method = "HEAD"
)]
pub(super) async fn nth_page(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String, String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (_, _, _, slug, page) = path.into_inner();
    show(state, req, slug, page_number(&page)?).await
}

async fn show(
    state: State,
    req: HttpRequest,
    slug: String,
    page: PageNumber,
) -> Result<HttpResponse, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let story = state
        .blocking(move |store| story_at(store, &slug))
        .await?
        .ok_or(AppError::NotFound)?;
    // Every page of a withdrawn story, whatever its number or date, is gone.
    if story.is_withdrawn() {
        return Err(AppError::Gone);
    }
    let Some(published_at) = story.published_at.filter(|_| story.is_public()) else {
        return Err(AppError::NotFound);
    };
    if page.index() >= story.content.body.page_count() {
        return Err(AppError::NotFound);
    }
    // The slug finds the story; a wrong date, an explicit `/page/1` or an old slug goes to the
    // canonical URL, with the same page number.
    let canonical = urls::article(published_at, &story.content.slug, page.get());
    if req.path() != canonical {
        return Ok(redirect(&canonical));
    }
    // Every page offers the photo's crops to machines; the first also shows it. The page
    // shows the library photos it places, and reads no others. Related stories are usually in
    // memory; what is not comes in the same trip to the blocking pool (which costs an article
    // without a photo more than the rest of its rendering).
    let story = std::sync::Arc::new(story);
    let lead = story.content.photo.as_ref().and_then(|p| p.image);
    let placed = story.content.body.photos_on_page(page.index());
    let kept = state.related.kept(&*state.store, &story);
    let (photo, inline, related) = match (lead, placed.is_empty(), kept) {
        (None, true, Some(related)) => (None, Vec::new(), related),
        (_, _, kept) => {
            let (story, state) = (story.clone(), state.clone());
            state
                .clone()
                .blocking(move |store| {
                    let photo = lead.map(|id| store.photo(id)).transpose()?.flatten();
                    let mut inline = Vec::with_capacity(placed.len());
                    for id in placed {
                        match photo.as_ref().filter(|p| p.id == id) {
                            Some(lead) => inline.push(lead.clone()),
                            None => inline.extend(store.photo(id)?),
                        }
                    }
                    let related = match kept {
                        Some(related) => related,
                        None => state.related.related(store, &story)?,
                    };
                    Ok::<_, StoreError>((photo, inline, related))
                })
                .await?
        }
    };
    let html = ArticlePage::published(&state.site, &story, photo.as_ref(), &inline, page)
        .with_related(&state.site, &related)
        .render()?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(Freshness::Article.header())
        .body(html))
}

/// The story that has `slug`, or had it: an old address follows its story wherever it is now,
/// and is answered as the story's own address is (a redirect while it is published, 404 while
/// it is not, 410 once withdrawn), never a redirect to a page that is not there.
fn story_at(store: &dyn Store, slug: &Slug) -> Result<Option<Story>, StoreError> {
    if let Some(story) = store.story_by_slug(slug)? {
        return Ok(Some(story));
    }
    match redirects::story_redirect(store, slug)? {
        Some(id) => store.story(id),
        None => Ok(None),
    }
}
