//! The middleware of the public scope: answers from the page cache, or renders, keeps and
//! answers, always with validators and a 304 when the client's copy is current.

use super::Freshness;
use super::cache::{Entry, MAX_ENTRY_BYTES, PublicCache};
use super::encoding::Coding;
use super::validators::{Conditions, Validators, content_tag};
use crate::web::{AppError, State};
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};
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
    let key = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());

    let coding = Coding::negotiate(&req);
    if let Some(hit) = cache.get(&key, version.generation) {
        let (req, _) = req.into_parts();
        let response = cached_answer(cache, &key, &hit, coding, &validators, &conditions).await;
        return Ok(answer(req, response, &validators, &conditions));
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
    let cache_control = match res.headers().get(header::CACHE_CONTROL) {
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
    };
    let (req, response) = res.into_parts();
    let (mut head, body) = response.into_parts();
    let fits = matches!(body.size(), BodySize::Sized(n) if n as usize <= MAX_ENTRY_BYTES);
    if !fits {
        head.headers_mut()
            .insert(header::CACHE_CONTROL, cache_control);
        // Too big to keep: sent as it is, compressed on the way out if the client asks.
        let response = head.set_body(body).map_into_boxed_body();
        return Ok(answer(req, response, &validators, &conditions));
    }
    let body = read_body(body, "reading a page to cache").await?;
    let content_type = head.headers().get(header::CONTENT_TYPE).cloned();
    let entry = cache.put(
        key.clone(),
        Entry::new(version.generation, body, content_type, cache_control),
    );
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
    response.insert_header((header::CACHE_CONTROL, entry.cache_control.clone()));
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
