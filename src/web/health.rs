//! What load balancers and operators ask of a server: `/healthz`, whether the process answers
//! at all; `/readyz`, whether it should be sent requests: its database answers with a schema
//! this build can use, and it is not draining before a stop. Both are plain text, never cached.

use super::State;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the server is draining: it still serves every request, but tells balancers to send
/// no more, so that it can stop without a balancer sending it one mid-stop.
#[derive(Debug, Default)]
pub struct Readiness {
    draining: AtomicBool,
}

impl Readiness {
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }
}

#[get("/healthz")]
pub(super) async fn healthz() -> HttpResponse {
    plain(StatusCode::OK, "ok")
}

#[get("/readyz")]
pub(super) async fn readyz(state: State) -> HttpResponse {
    if state.readiness.is_draining() {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "draining");
    }
    match state.blocking(|store| store.check_ready()).await {
        Ok(()) => plain(StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            plain(StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

fn plain(status: StatusCode, text: &'static str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/plain; charset=utf-8")
        .body(text)
}
