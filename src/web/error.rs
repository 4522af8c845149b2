//! The one error type of the HTTP layer, rendered as a page. Users see a helpful message; the
//! detail behind a 500 goes to the log only.

use crate::storage::StoreError;
use crate::views::ErrorPage;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(format!("blocking pool: {e}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let page = match self {
            AppError::NotFound => ErrorPage {
                title: "Page not found",
                message: "There is no page at this address. It may have moved, or the link may be mistyped.",
            },
            AppError::Internal(detail) => {
                tracing::error!(error = %detail, "request failed");
                ErrorPage {
                    title: "Something went wrong",
                    message: "The page could not be shown because of a fault on our side. Please try again shortly.",
                }
            }
        };
        let body = page.render().unwrap_or_else(|_| page.message.to_owned());
        HttpResponse::build(self.status_code())
            .content_type("text/html; charset=utf-8")
            .body(body)
    }
}

pub async fn not_found() -> HttpResponse {
    AppError::NotFound.error_response()
}
