//! One log line per request, with the client as [`client`](super::client) tells it (the
//! default line believes forwarding headers from anyone) and no secret in its path (a setup
//! link's token).

use super::AppState;
use super::client::Client;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage, web};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let trusted = request
            .app_data::<web::Data<AppState>>()
            .map(|state| state.settings.trusted_proxies.clone())
            .unwrap_or_default();
        let client = Client::from_parts(request.peer_addr(), request.headers(), &trusted);
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        let user_agent = request
            .headers()
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.scheme = if client.https { "https" } else { "http" },
            http.client_ip = %client.address_text(),
            http.user_agent = %user_agent,
            http.target = %loggable_target(request.uri()),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// The path and query, with a setup link's token left out: the link creates the first admin
/// account, so it must not be readable in a log. Judged on the path as routing will see it
/// (slashes collapsed, percent-escapes decoded), so `//setup/…` or `/%73etup/…` hide theirs too.
fn loggable_target(uri: &actix_web::http::Uri) -> String {
    let target = uri.path_and_query().map_or("", |p| p.as_str());
    let decoded = percent_decoded(uri.path());
    let first = decoded.split('/').find(|segment| !segment.is_empty());
    if first.is_some_and(|segment| segment.eq_ignore_ascii_case("setup")) {
        "/setup/…".to_owned()
    } else {
        target.to_owned()
    }
}

/// `%XX` escapes decoded (a malformed one kept as it is).
fn percent_decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setup_link_is_logged_without_its_token() {
        let uri = "/setup/abcdef0123456789?x=1".parse().unwrap();
        assert_eq!(loggable_target(&uri), "/setup/…");
        for odd in ["//setup/abcdef", "/%73etup/abcdef", "/Setup/abcdef"] {
            assert_eq!(loggable_target(&odd.parse().unwrap()), "/setup/…", "{odd}");
        }
        let uri = "/desk/stories?page=2".parse().unwrap();
        assert_eq!(loggable_target(&uri), "/desk/stories?page=2");
    }
}
