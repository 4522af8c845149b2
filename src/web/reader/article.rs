//! The article page, one URL per page of a multi-page story.

use super::listing::redirect;
use super::page_number;
use crate::domain::{PageNumber, Slug};
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
        .blocking(move |store| store.story_by_slug(&slug))
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
    // The slug finds the story; a wrong date or an explicit `/page/1` goes to the canonical URL.
    let canonical = urls::article(published_at, &story.content.slug, page.get());
    if req.path() != canonical {
        return Ok(redirect(&canonical));
    }
    // Every page offers the photo's crops to machines; the first also shows it. Related
    // stories are usually in memory; what is not comes in the same trip to the blocking pool
    // (which costs an article without a photo more than the rest of its rendering).
    let story = std::sync::Arc::new(story);
    let image = story.content.photo.as_ref().and_then(|p| p.image);
    let kept = state.related.kept(&*state.store, &story);
    let (photo, related) = match (image, kept) {
        (None, Some(related)) => (None, related),
        (image, kept) => {
            let (story, state) = (story.clone(), state.clone());
            state
                .clone()
                .blocking(move |store| {
                    let photo = match image {
                        Some(id) => store.photo(id)?,
                        None => None,
                    };
                    let related = match kept {
                        Some(related) => related,
                        None => state.related.related(store, &story)?,
                    };
                    Ok::<_, crate::storage::StoreError>((photo, related))
                })
                .await?
        }
    };
    let html = ArticlePage::published(&state.site, &story, photo.as_ref(), page)
        .with_related(&related)
        .render()?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(Freshness::Article.header())
        .body(html))
}
