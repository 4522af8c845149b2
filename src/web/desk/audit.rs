//! The audit log, for admins: newest first, a page at a time. Pages are keyed by the time of
//! the last event shown (`?before=` nanoseconds), so paging stays cheap however long the log.

use crate::views::desk::DeskContext;
use crate::views::desk_admin::{AuditPage, AuditRow};
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;
use time::OffsetDateTime;

const PER_PAGE: usize = 50;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show);
}

#[derive(Deserialize)]
struct AuditQuery {
    before: Option<String>,
}

/// A `before` value: nanoseconds since 1970, as the "Older" link writes it.
fn parse_before(raw: &str) -> Option<OffsetDateTime> {
    if raw.is_empty() || raw.len() > 20 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos: i128 = raw.parse().ok()?;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
}

#[get("/desk/audit")]
async fn show(
    state: State,
    signed_in: SignedIn,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    signed_in.require_admin()?;
    let before = match query.before.as_deref() {
        None => None,
        Some(raw) => Some(parse_before(raw).ok_or(AppError::NotFound)?),
    };
    // One more than a page tells whether an older page exists.
    let mut events = state
        .blocking(move |store| store.audit_log(before, PER_PAGE + 1))
        .await?;
    let older = if events.len() > PER_PAGE {
        events.truncate(PER_PAGE);
        events
            .last()
            .map(|e| format!("/desk/audit?before={}", e.at.unix_timestamp_nanos()))
    } else {
        None
    };
    let title = if before.is_some() {
        "Audit log: older events"
    } else {
        "Audit log"
    };
    let page = AuditPage {
        ctx: DeskContext::new(&signed_in, title),
        events: events
            .iter()
            .map(|e| AuditRow::new(e, &signed_in.zone))
            .collect(),
        older,
        is_newest: before.is_none(),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_is_nanoseconds_and_nothing_else() {
        let at = parse_before("1500102717000000001").unwrap();
        assert_eq!(at.unix_timestamp_nanos(), 1_500_102_717_000_000_001);
        for bad in ["", "-1", "1e9", "abc", "999999999999999999999"] {
            assert!(parse_before(bad).is_none(), "{bad:?}");
        }
    }
}
