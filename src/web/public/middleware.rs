//! The middleware of the public scope: answers from the page cache, or renders, keeps and
//! answers, always with validators and a 304 when the client's copy is current. And the
//! shortcut in front of every other middleware that answers pages the cache holds.

use super::Freshness;
use super::cache::{Entry, MAX_ENTRY_BYTES, PublicCache};
use super::encoding::Coding;
use super::validators::{Conditions, Validators, content_tag};
use crate::web::{AppError, State};
use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode, Uri};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};
use std::rc::Rc;
use std::sync::Arc;

/// The middleware of the public scope.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let state = req.app_data::<State>().cloned();
    let (Some(state), true) = (state, matches!(*req.method(), Method::GET | Method::HEAD)) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // Read before rendering: a page rendered from newer content under an older generation is
    // merely dropped later, never served after the publish that made it stale. The store
    // answers from memory (see `Store::public_version`), so this never blocks a worker.
    let version = match state.store.public_version() {
        Ok(version) => version,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the public version; not caching");
            return Ok(next.call(req).await?.map_into_boxed_body());
        }
    };
    let cache = &state.public_cache;
    let validators = cache.validators(version);
    let conditions = Conditions::of(&req, state.settings.clock.now().into());
    let coding = Coding::negotiate(&req);
    if let Some(hit) = cache.get(cache_key(req.uri()), version.generation, conditions.now) {
        if let Some(metrics) = &state.metrics {
            metrics.cache_hits.inc();
        }
        let validators = hit.own_validators().unwrap_or(validators);
        let (req, _) = req.into_parts();
        let key = cache_key(req.uri());
        let response = cached_answer(cache, key, &hit, coding, &validators, &conditions).await;
        return Ok(answer(req, response, &validators, &conditions));
    }
    let key = cache_key(req.uri()).to_owned();
    if let Some(metrics) = &state.metrics {
        metrics.cache_misses.inc();
    }

    let res = next.call(req).await?;
    if res.status() != StatusCode::OK || res.headers().contains_key(header::SET_COOKIE) {
        return Ok(res.map_into_boxed_body());
    }
    if res
        .response()
        .extensions()
        .contains::<super::ClockDependent>()
    {
        return by_content(res, &conditions).await;
    }
    let until = res
        .response()
        .extensions()
        .get::<super::ShownUntil>()
        .map(|shown| std::time::SystemTime::from(shown.0));
    if until.is_some_and(|until| until <= conditions.now) {
        return by_content(res, &conditions).await;
    }
    let cache_control = if let Some(until) = until {
        super::cache::shown_until_cache_control(until, conditions.now)
    } else {
        match res.headers().get(header::CACHE_CONTROL) {
            Some(value) => {
                let text = value.to_str().unwrap_or_default();
                if text.contains("no-store") || text.contains("private") {
                    return Ok(res.map_into_boxed_body());
                }
                value.clone()
            }
            None => match Freshness::Listing.header().to_string().parse() {
                Ok(value) => value,
                Err(_) => return Ok(res.map_into_boxed_body()),
            },
        }
    };
    let (req, response) = res.into_parts();
    let (mut head, body) = response.into_parts();
    let fits = matches!(body.size(), BodySize::Sized(n) if n as usize <= MAX_ENTRY_BYTES);
    if !fits && until.is_some() {
        // Too big to keep, and not to be answered by the generation's validators.
        let response = head.set_body(body);
        return by_content(ServiceResponse::new(req, response), &conditions).await;
    }
    if !fits {
        head.headers_mut()
            .insert(header::CACHE_CONTROL, cache_control);
        // Too big to keep: sent as it is, compressed on the way out if the client asks.
        let response = head.set_body(body).map_into_boxed_body();
        return Ok(answer(req, response, &validators, &conditions));
    }
    let body = read_body(body, "reading a page to cache").await?;
    let content_type = head.headers().get(header::CONTENT_TYPE).cloned();
    let mut entry = Entry::new(version.generation, body, content_type, cache_control);
    if let Some(until) = until {
        entry = entry.shown_until(until);
    }
    let entry = cache.put(key.clone(), entry);
    let validators = entry.own_validators().unwrap_or(validators);
    let response = cached_answer(cache, &key, &entry, coding, &validators, &conditions).await;
    Ok(answer(req, response, &validators, &conditions))
}

/// A cached page as a 200 in `coding`, compressing it if no client has asked for that coding
/// since the page was cached (concurrent first requests may each compress it). If compressing
/// fails the page goes out uncompressed. A request that will be answered 304 gets no body, so
/// nothing is compressed for it.
async fn cached_answer(
    cache: &PublicCache,
    key: &str,
    entry: &Arc<Entry>,
    coding: Coding,
    validators: &Validators,
    conditions: &Conditions,
) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(content_type) = &entry.content_type {
        response.insert_header((header::CONTENT_TYPE, content_type.clone()));
    }
    response.insert_header((
        header::CACHE_CONTROL,
        entry.cache_control_at(conditions.now),
    ));
    response.insert_header((header::VARY, HeaderValue::from_static("Accept-Encoding")));
    if validators.not_modified(conditions) {
        return response.finish();
    }
    let (coding, body) = match entry.encoded(coding) {
        Some(body) => (coding, body.clone()),
        None => {
            let identity = entry.body.clone();
            // Off the worker thread: Brotli on a large feed takes milliseconds.
            let encoded = actix_web::web::block(move || coding.encode(&identity))
                .await
                .map_err(|e| e.to_string())
                .and_then(|result| result.map_err(|e| e.to_string()));
            match encoded {
                Ok(encoded) => {
                    cache.put_encoded(key, entry, coding, encoded.clone());
                    (coding, encoded)
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot compress a page; sending it as it is");
                    (Coding::Identity, entry.body.clone())
                }
            }
        }
    };
    if let Some(encoding) = coding.header() {
        response.insert_header((header::CONTENT_ENCODING, encoding));
    }
    response.body(body)
}

/// The key a page is cached under: its path. The reader's pages take nothing from the query,
/// so `/?1`, `/?2`, ... are the front page, kept once; the API's list pages are chosen by
/// theirs (`?cursor=`, `?limit=`), so under `/api` the query is part of the key.
fn cache_key(uri: &Uri) -> &str {
    let path = uri.path();
    let api = path
        .strip_prefix("/api")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    match uri.path_and_query() {
        Some(with_query) if api => with_query.as_str(),
        _ => path,
    }
}

/// The headers the middleware outside the public scope adds to every answer (see
/// `security_headers` in `web.rs`): a page answered by [`shortcut`] skips that middleware and
/// carries them itself.
pub struct Shortcut {
    pub state: State,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

/// Answers a GET or HEAD for a page the cache holds, current, ahead of every other middleware:
/// serving it is then a lookup and a copy, not a pass through logging, path normalisation,
/// routing, compression negotiation and the `Vary` merge, which cost more than the lookup
/// (see README "Performance"). It gives the answer the public scope's middleware would,
/// with the headers the outer middleware would add; anything else goes on down the stack.
///
/// What the skipped middleware would have done to such an answer, and why skipping is safe:
/// a cached key is a normalised path (it was stored from behind `NormalizePath`), so the path
/// is left as it is; the answer carries exactly one `Vary: Accept-Encoding` already; and
/// compression is left alone when the page is sent in a coding of its own or when the client
/// asked for no coding the `Compress` middleware would pick instead (see
/// [`compress_leaves_alone`]). Request logging is one event at `info`, built only when that
/// level is on.
pub async fn shortcut<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
    shortcut: Rc<Shortcut>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    let cache = &shortcut.state.public_cache;
    let version = match *req.method() {
        Method::GET | Method::HEAD => shortcut.state.store.public_version().ok(),
        _ => None,
    };
    let now = shortcut.state.settings.clock.now().into();
    let hit = version.and_then(|version| {
        let entry = cache.get(cache_key(req.uri()), version.generation, now)?;
        let coding = Coding::negotiate(&req);
        compress_leaves_alone(&req, coding).then_some((version, entry, coding))
    });
    let Some((version, entry, coding)) = hit else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let validators = entry
        .own_validators()
        .unwrap_or_else(|| cache.validators(version));
    let conditions = Conditions::of(&req, now);
    let (req, _) = req.into_parts();
    let response = cached_answer(
        cache,
        cache_key(req.uri()),
        &entry,
        coding,
        &validators,
        &conditions,
    )
    .await;
    let mut res = answer(req, response, &validators, &conditions);
    if let Some(metrics) = &shortcut.state.metrics {
        metrics.cache_hits.inc();
        res.response_mut()
            .extensions_mut()
            .insert(crate::web::metrics::FromPageCache);
    }
    let headers = res.headers_mut();
    for (name, value) in &shortcut.headers {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), value.clone());
        }
    }
    tracing::info!(
        method = %res.request().method(),
        path = %res.request().path(),
        status = res.status().as_u16(),
        "answered from the page cache"
    );
    Ok(res.map_into_right_body())
}

/// Whether the `Compress` middleware would send this answer as it is: it does so with a coding
/// chosen here (the answer names it in `Content-Encoding`), and with the plain page when the
/// client sent no `Accept-Encoding` or asked for `identity` alone. Other headers that end in the
/// plain page (`deflate`, say, which `Compress` makes and the cache does not keep) go the long
/// way round.
fn compress_leaves_alone(req: &ServiceRequest, coding: Coding) -> bool {
    if coding != Coding::Identity {
        return true;
    }
    match req.headers().get(header::ACCEPT_ENCODING) {
        None => true,
        Some(accept) => accept
            .as_bytes()
            .trim_ascii()
            .eq_ignore_ascii_case(b"identity"),
    }
}

/// An answer that follows the clock: not kept, tagged by its bytes, a 304 when the client
/// holds the same bytes.
async fn by_content(
    res: ServiceResponse<impl MessageBody + 'static>,
    conditions: &Conditions,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let (req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let body = read_body(body, "reading an answer to tag").await?;
    let tag = content_tag(&body);
    let mut response = if conditions.holds(&tag) {
        // The headers the 200 would carry that describe it to caches (RFC 9110 §15.4.5).
        let mut not_modified = HttpResponse::NotModified().finish();
        if let Some(value) = head.headers().get(header::CACHE_CONTROL).cloned() {
            not_modified
                .headers_mut()
                .insert(header::CACHE_CONTROL, value);
        }
        not_modified
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        not_modified
    } else {
        head.set_body(body).map_into_boxed_body()
    };
    if let Ok(value) = HeaderValue::from_str(&tag.to_string()) {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(ServiceResponse::new(req, response))
}

/// The whole of a rendered answer's body.
async fn read_body(
    body: impl MessageBody,
    context: &'static str,
) -> Result<actix_web::web::Bytes, AppError> {
    actix_web::body::to_bytes(body).await.map_err(|e| {
        // The body's error type is not thread-safe; its text is what can travel.
        let e: Box<dyn std::error::Error> = e.into();
        AppError::internal(context, std::io::Error::other(e.to_string()))
    })
}

/// The 200 with validators, or a 304 carrying the same caching headers and no body.
fn answer(
    req: actix_web::HttpRequest,
    mut response: HttpResponse,
    validators: &Validators,
    conditions: &Conditions,
) -> ServiceResponse<BoxBody> {
    validators.apply(&mut response, conditions.now);
    if validators.not_modified(conditions) {
        let mut not_modified = HttpResponse::NotModified().finish();
        for name in [
            header::ETAG,
            header::LAST_MODIFIED,
            header::CACHE_CONTROL,
            header::VARY,
        ] {
            if let Some(value) = response.headers().get(&name).cloned() {
                not_modified.headers_mut().insert(name, value);
            }
        }
        return ServiceResponse::new(req, not_modified);
    }
    ServiceResponse::new(req, response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(uri: &'static str) -> String {
        cache_key(&Uri::from_static(uri)).to_owned()
    }

    #[test]
    fn a_readers_page_is_kept_by_its_path_and_an_api_page_by_its_query_too() {
        assert_eq!(key_of("/?1"), "/");
        assert_eq!(key_of("/section/world?utm_source=x"), "/section/world");
        assert_eq!(key_of("/2017/07/15/talks-end"), "/2017/07/15/talks-end");
        assert_eq!(
            key_of("/api/v1/stories?limit=2&cursor=abc"),
            "/api/v1/stories?limit=2&cursor=abc"
        );
        assert_eq!(key_of("/api?x=1"), "/api?x=1");
        assert_eq!(key_of("/apiary?x=1"), "/apiary");
    }
}
