//! The JSON API for machines: published stories as IPTC ninjs 2.2 documents. Errors are JSON
//! too (`{"error": "..."}`), never the reader's HTML pages.

use super::{AppError, State};
use crate::domain::SiteKey;
use crate::domain::StoryId;
use crate::ninjs::{self, Site};
use crate::storage::search::{Audience, SearchOrder, SearchPosition, StorySearch};
use crate::storage::{Cursor, Listing, StoreError};
use crate::urls;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, route, web};
use serde::{Deserialize, Serialize};

/// Stories in a list page unless `limit` says otherwise, and the most it may say.
pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .service(list)
            .service(one)
            .default_service(web::to(not_found)),
    );
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no such story")]
    NotFound,
    #[error("this story has been withdrawn")]
    Gone,
    #[error("{0}")]
    BadRequest(String),
    #[error("search is being rebuilt; try again shortly")]
    SearchUnavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

/// Store work runs through [`AppState::blocking`](super::AppState::blocking), whose errors are
/// the HTML layer's; the API answers them in JSON.
impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => ApiError::NotFound,
            AppError::Gone => ApiError::Gone,
            AppError::SearchUnavailable => ApiError::SearchUnavailable,
            // The log gets every cause, as the HTML layer's does.
            other => ApiError::Internal(crate::telemetry::chain(&other)),
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Gone => StatusCode::GONE,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::SearchUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let message = match self {
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "API request failed");
                "the request failed because of a fault on our side; try again shortly".to_owned()
            }
            other => other.to_string(),
        };
        let mut response = HttpResponse::build(self.status_code());
        if let ApiError::SearchUnavailable = self {
            response.insert_header((
                header::RETRY_AFTER,
                super::error::SEARCH_RETRY_AFTER_SECONDS.to_string(),
            ));
        }
        response.json(ErrorBody { error: &message })
    }
}

async fn not_found() -> HttpResponse {
    ApiError::NotFound.error_response()
}

fn site(state: &State) -> Site<'_> {
    Site {
        base_url: &state.site.base_url,
        name: &state.site.name,
        language: &state.site.language,
    }
}

#[route("/v1/stories/{id}", method = "GET", method = "HEAD")]
async fn one(state: State, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id: StoryId = path.parse().map_err(|_| ApiError::NotFound)?;
    let story = state
        .blocking(move |store| store.story(id))
        .await?
        .ok_or(ApiError::NotFound)?;
    if story.is_withdrawn() {
        return Err(ApiError::Gone);
    }
    if !story.is_public() {
        return Err(ApiError::NotFound);
    }
    // A published story changes rarely: the longer lifetime of an article page.
    Ok(HttpResponse::Ok()
        .insert_header(super::public::Freshness::Article.header())
        .json(ninjs::document(&story, site(&state))))
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<String>,
    cursor: Option<String>,
    /// Words to find: only the published stories that match, newest first.
    q: Option<String>,
}

#[derive(Serialize)]
struct ListBody {
    items: Vec<ninjs::Document>,
    /// The next, older page; `null` on the last.
    next: Option<String>,
}

/// A position in the list, as clients see it: an opaque token naming the last story they got.
fn parse_cursor(raw: &str, key: &SiteKey) -> Result<Cursor, ApiError> {
    Cursor::parse(raw, key)
        .map_err(|_| ApiError::BadRequest("cursor: not a cursor this API handed out".into()))
}

fn parse_limit(raw: Option<&str>) -> Result<usize, ApiError> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_LIMIT);
    };
    raw.parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
        .ok_or_else(|| {
            ApiError::BadRequest(format!("limit: give a whole number from 1 to {MAX_LIMIT}"))
        })
}

/// Published stories, newest first; with `q`, those that match it. `next` continues from the
/// last story of this page by its place in the index, so stories published meanwhile never
/// repeat or push older ones along.
///
/// Answers with `q` are not kept by the page cache (`no-store`): one entry per query typed
/// would crowd out the list pages machines poll, and the engine is asked afresh each time, so
/// a story unpublished a moment ago is not found.
#[route("/v1/stories", method = "GET", method = "HEAD")]
async fn list(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let query: ListQuery = serde_urlencoded::from_str(req.query_string())
        .map_err(|_| ApiError::BadRequest("the query string could not be read".into()))?;
    let limit = parse_limit(query.limit.as_deref())?;
    let after = query
        .cursor
        .as_deref()
        .map(|raw| parse_cursor(raw, &state.site_key))
        .transpose()?;
    let terms = match query.q.as_deref() {
        None => None,
        Some(raw) => Some(
            crate::web::search::terms(raw)
                .map_err(|e| ApiError::BadRequest(format!("q: {e}")))?
                .ok_or_else(|| ApiError::BadRequest("q: give the words to search for".into()))?,
        ),
    };
    let searching = terms.is_some();
    let wanted = terms.clone();
    let (stories, more) = state
        .blocking(move |store| -> Result<_, StoreError> {
            let mut summaries = match wanted {
                None => store.listing_after(Listing::Published, after, limit + 1)?,
                Some(terms) => store
                    .search_stories(&StorySearch {
                        terms: Some(terms),
                        audience: Audience::Readers,
                        order: SearchOrder::Newest,
                        section: None,
                        status: None,
                        from: None,
                        until: None,
                        position: SearchPosition::After(after),
                        per_page: limit + 1,
                    })?
                    .hits
                    .into_iter()
                    .map(|hit| hit.story)
                    .collect(),
            };
            let more = summaries.len() > limit;
            summaries.truncate(limit);
            let mut stories = Vec::with_capacity(summaries.len());
            for summary in summaries {
                // A story unpublished between the index read and this one is simply left out.
                if let Some(story) = store.story(summary.id)?.filter(|s| s.is_public()) {
                    stories.push((Cursor::after(&summary), story));
                }
            }
            Ok((stories, more))
        })
        .await?;
    let next = stories
        .last()
        .and_then(|(key, _)| *key)
        .filter(|_| more)
        .map(|key| {
            let path = match &terms {
                Some(terms) => {
                    urls::api_search(terms.as_str(), limit, Some(&key.token(&state.site_key)))
                }
                None => urls::api_stories(limit, Some(&key.token(&state.site_key))),
            };
            urls::absolute(&state.site.base_url, &path)
        });
    let site = site(&state);
    let body = ListBody {
        items: stories
            .iter()
            .map(|(_, story)| ninjs::document(story, site))
            .collect(),
        next,
    };
    let mut response = HttpResponse::Ok();
    if searching {
        response.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    }
    Ok(response.json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_index_being_rebuilt_is_a_json_503_with_retry_after() {
        let response = ApiError::from(AppError::SearchUnavailable).error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key(header::RETRY_AFTER));
    }

    #[test]
    fn a_cursor_not_handed_out_is_refused() {
        for bad in [
            "",
            "-",
            "x-y",
            "12",
            "+1-abc",
            "99999999999-0190",
            "1-<script>",
        ] {
            assert!(
                parse_cursor(bad, &SiteKey::new(b"key")).is_err(),
                "{bad:?} accepted"
            );
        }
    }
}
