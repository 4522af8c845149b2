//! The one error type of the HTTP layer, rendered as a page. Users see a helpful message; the
//! detail behind a 500 goes to the log only.

use crate::storage::StoreError;
use crate::telemetry::chain;
use crate::urls::TWO_FACTOR_SETUP;
use crate::views::ErrorPage;
use crate::views::desk_refusal::RefusalPage;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// A story taken down, or its photo: readers are told it is gone for good, not why.
    #[error("withdrawn")]
    Gone,
    /// Someone else changed what the request meant to change; nothing was done.
    #[error("changed meanwhile")]
    Stale,
    /// The page needs a signed-in account; `next` is where to return afterwards.
    #[error("login required")]
    LoginRequired { next: String },
    /// A desk page asked for by an account that must set up a second factor first.
    #[error("a second factor must be set up first")]
    SecondFactorSetupRequired,
    /// A forged or stale form, or an action the account's role does not allow.
    #[error("forbidden")]
    Forbidden,
    /// Something the account may not do, on the desk's page saying why and what to do instead.
    #[error("not allowed: {}", .0.reason)]
    NotAllowed(Box<RefusalPage>),
    /// A request the server cannot make sense of (a broken upload, say).
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("too many attempts")]
    TooManyAttempts { minutes: u64 },
    /// The search index is being rebuilt: searches answer again once it is done.
    #[error("search is being rebuilt")]
    SearchUnavailable,
    /// A fault on our side: the page says so, the log gets `context` and the whole chain of
    /// causes.
    #[error("{context}")]
    Internal {
        context: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl AppError {
    /// A fault while doing `context` ("reading a session", say), caused by `source`.
    pub fn internal(
        context: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        AppError::Internal {
            context,
            source: source.into(),
        }
    }
}

/// An account change the request could not make: an unknown account is not found; a rule the
/// page should have explained is a fault of the page, logged.
impl From<crate::accounts::AccountError> for AppError {
    fn from(e: crate::accounts::AccountError) -> Self {
        use crate::accounts::AccountError;
        match e {
            AccountError::UnknownUser(_) => AppError::NotFound,
            AccountError::Store(e) => e.into(),
            other => AppError::internal("changing an account", other),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::SearchUnavailable => AppError::SearchUnavailable,
            other => AppError::internal("using the database", other),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::internal("rendering a template", e)
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::internal("running work on the blocking pool", e)
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Gone => StatusCode::GONE,
            AppError::Stale => StatusCode::CONFLICT,
            AppError::LoginRequired { .. } | AppError::SecondFactorSetupRequired => {
                StatusCode::SEE_OTHER
            }
            AppError::Forbidden | AppError::NotAllowed(_) => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::SearchUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let page = match self {
            AppError::LoginRequired { next } => {
                let query = serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
                return HttpResponse::SeeOther()
                    .insert_header((actix_web::http::header::LOCATION, format!("/login?{query}")))
                    .finish();
            }
            AppError::SecondFactorSetupRequired => {
                return HttpResponse::SeeOther()
                    .insert_header((actix_web::http::header::LOCATION, TWO_FACTOR_SETUP))
                    .finish();
            }
            AppError::NotAllowed(page) => {
                let body = page.render().unwrap_or_else(|_| page.reason.clone());
                return HttpResponse::Forbidden()
                    .content_type("text/html; charset=utf-8")
                    .body(body);
            }
            AppError::NotFound => ErrorPage {
                title: "Page not found",
                message: "There is no page at this address. It may have moved, or the link may be mistyped."
                    .into(),
            },
            AppError::Gone => ErrorPage {
                title: "This story has been withdrawn",
                message: "This story has been withdrawn and is no longer available.".into(),
            },
            AppError::Stale => ErrorPage {
                title: "Changed meanwhile",
                message: "Nothing was done: someone saved this story while you were looking at it. \
                          Go back, reload the story to see their changes, and try again."
                    .into(),
            },
            AppError::Forbidden => ErrorPage {
                title: "Not allowed",
                message: "This request was refused: your account may not do this, or the form was stale or \
                          came from another site. Go back, reload the page and try again."
                    .into(),
            },
            AppError::BadRequest(reason) => ErrorPage {
                title: "The request could not be read",
                message: format!("The request could not be read ({reason}). Go back and try again."),
            },
            AppError::TooManyAttempts { minutes } => ErrorPage {
                title: "Too many attempts",
                message: format!(
                    "Too many failed logins. Please try again in {minutes} minute{}.",
                    if *minutes == 1 { "" } else { "s" }
                ),
            },
            AppError::SearchUnavailable => {
                let page = ErrorPage {
                    title: "Search is being rebuilt",
                    message: "Search is unavailable for a few minutes while its index is rebuilt. \
                              Every other page works as usual; please search again shortly."
                        .into(),
                };
                let body = page.render().unwrap_or_else(|_| page.message.clone());
                return HttpResponse::ServiceUnavailable()
                    .insert_header((
                        actix_web::http::header::RETRY_AFTER,
                        SEARCH_RETRY_AFTER_SECONDS.to_string(),
                    ))
                    .content_type("text/html; charset=utf-8")
                    .body(body);
            }
            AppError::Internal { .. } => {
                tracing::error!(error = %chain(self), "request failed");
                ErrorPage {
                    title: "Something went wrong",
                    message: "The page could not be shown because of a fault on our side. Please try again shortly."
                        .into(),
                }
            }
        };
        let body = page.render().unwrap_or_else(|_| page.message.clone());
        HttpResponse::build(self.status_code())
            .content_type("text/html; charset=utf-8")
            .body(body)
    }
}

/// How long a search turned away during a rebuild is told to wait before asking again.
pub const SEARCH_RETRY_AFTER_SECONDS: u64 = 30;

pub async fn not_found() -> HttpResponse {
    AppError::NotFound.error_response()
}

/// Form settings with a size limit, whose refusals (too large, a field missing or malformed)
/// are shown as the site's error page rather than actix's plain-text default.
pub fn form_config(limit: usize) -> actix_web::web::FormConfig {
    actix_web::web::FormConfig::default()
        .limit(limit)
        .error_handler(|e, _| AppError::BadRequest(e.to_string()).into())
}

/// Query-string settings whose refusals are shown as the site's error page.
pub fn query_config() -> actix_web::web::QueryConfig {
    actix_web::web::QueryConfig::default()
        .error_handler(|e, _| AppError::BadRequest(e.to_string()).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn body_of(response: HttpResponse) -> String {
        let bytes = response.into_body().try_into_bytes().unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn an_internal_fault_is_a_500_page_that_keeps_the_detail_out_of_it() {
        let error = AppError::internal(
            "reading a story",
            std::io::Error::other("sled: /var/lib/newsroom/db corrupt at 0x1f"),
        );
        assert_eq!(error.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = body_of(response);
        assert!(body.contains("Something went wrong"), "{body}");
        assert!(!body.contains("sled"), "{body}");
        assert!(!body.contains("/var/lib"), "{body}");
    }

    #[test]
    fn the_log_gets_every_cause_of_a_fault() {
        let io = std::io::Error::other("permission denied");
        let store = StoreError::io("read", std::path::Path::new("/data"))(io);
        let error = AppError::internal("reading a story", store);
        let logged = chain(&error);
        assert!(logged.starts_with("reading a story: "), "{logged}");
        assert!(logged.ends_with("permission denied"), "{logged}");
    }

    #[test]
    fn a_search_index_being_rebuilt_is_a_503_page_saying_when_to_come_back() {
        let error = AppError::from(StoreError::SearchUnavailable);
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response
                .headers()
                .get(actix_web::http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some(SEARCH_RETRY_AFTER_SECONDS.to_string().as_str())
        );
        let body = body_of(response);
        assert!(body.contains("Search is being rebuilt"), "{body}");
    }

    #[test]
    fn a_bad_request_page_escapes_the_reason() {
        let body = body_of(AppError::BadRequest("<script>x</script>".into()).error_response());
        assert!(!body.contains("<script>x"), "{body}");
        assert!(body.contains("&#60;script&#62;x"), "{body}");
    }
}
