//! `Vary: Accept-Encoding` on every answer whose body the compression middleware may change,
//! compressed or not. The middleware says it only on the copies it compresses, so a shared
//! cache holding the plain copy could hand it to anyone, or holding the gzip one, hand that to
//! a client that cannot read it. It also appends its own line to any `Vary` already there;
//! the lines are merged into one here.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;

/// Runs outside `Compress`, so it sees what the client gets.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    // Every cached public page already carries exactly this line: leave it be, allocating
    // nothing on the path that serves most requests.
    if !says_only_accept_encoding(headers) && depends_on_coding(headers) {
        merge_vary(headers, "Accept-Encoding");
    }
    Ok(res)
}

/// Whether the answer has one `Vary` line, naming Accept-Encoding alone.
fn says_only_accept_encoding(headers: &HeaderMap) -> bool {
    let mut lines = headers.get_all(header::VARY);
    match (lines.next(), lines.next()) {
        (Some(only), None) => only.as_bytes().eq_ignore_ascii_case(b"accept-encoding"),
        _ => false,
    }
}

/// What `Compress` would compress: anything but images (SVG excepted) and video, unless the
/// handler chose a coding itself (photos say `identity`, cached pages their own coding).
fn depends_on_coding(headers: &HeaderMap) -> bool {
    if let Some(coding) = headers.get(header::CONTENT_ENCODING) {
        return coding != "identity";
    }
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let media = content_type.split(';').next().unwrap_or_default().trim();
    let starts = |prefix: &str| {
        media
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    !(starts("video/") || starts("image/") && !media.eq_ignore_ascii_case("image/svg+xml"))
}

/// One `Vary` line naming each field once, `name` among them.
fn merge_vary(headers: &mut HeaderMap, name: &str) {
    let mut fields: Vec<String> = Vec::new();
    let present = headers
        .get_all(header::VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect::<Vec<_>>();
    for field in present.into_iter().chain([name.to_owned()]) {
        if !fields.iter().any(|f| f.eq_ignore_ascii_case(&field)) {
            fields.push(field);
        }
    }
    if let Ok(value) = HeaderValue::from_str(&fields.join(", ")) {
        headers.insert(header::VARY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn text_depends_on_the_coding_and_photos_do_not() {
        assert!(depends_on_coding(&headers(&[(
            header::CONTENT_TYPE,
            "text/css"
        )])));
        assert!(depends_on_coding(&headers(&[(
            header::CONTENT_TYPE,
            "image/svg+xml"
        )])));
        assert!(depends_on_coding(&headers(&[(
            header::CONTENT_ENCODING,
            "gzip"
        )])));
        assert!(!depends_on_coding(&headers(&[(
            header::CONTENT_TYPE,
            "image/png"
        )])));
        assert!(!depends_on_coding(&headers(&[
            (header::CONTENT_TYPE, "text/html"),
            (header::CONTENT_ENCODING, "identity"),
        ])));
        assert!(!depends_on_coding(&HeaderMap::new()));
    }

    #[test]
    fn vary_lines_merge_into_one_naming_each_field_once() {
        let mut map = headers(&[
            (header::VARY, "Accept-Encoding"),
            (header::VARY, "accept-encoding"),
            (header::VARY, "Origin"),
        ]);
        merge_vary(&mut map, "Accept-Encoding");
        let lines: Vec<_> = map.get_all(header::VARY).collect();
        assert_eq!(lines, ["Accept-Encoding, Origin"]);
    }

    #[test]
    fn only_a_lone_accept_encoding_line_is_left_as_it_is() {
        let lone = headers(&[(header::VARY, "Accept-Encoding")]);
        assert!(says_only_accept_encoding(&lone));
        let two = headers(&[
            (header::VARY, "Accept-Encoding"),
            (header::VARY, "accept-encoding"),
        ]);
        assert!(!says_only_accept_encoding(&two));
        let more = headers(&[(header::VARY, "Accept-Encoding, Cookie")]);
        assert!(!says_only_accept_encoding(&more));
        assert!(!says_only_accept_encoding(&HeaderMap::new()));
    }
}
