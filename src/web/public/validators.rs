//! Validators of the public site (ETag, Last-Modified) and the conditions of a request
//! (If-None-Match, If-Modified-Since) they answer with a 304.

use actix_web::HttpResponse;
use actix_web::dev::ServiceRequest;
use actix_web::http::header::{self, EntityTag, Header, HeaderValue, IfModifiedSince, IfNoneMatch};
use std::time::SystemTime;

pub(super) struct Validators {
    pub(super) generation: u64,
    pub(super) etag: EntityTag,
    pub(super) etag_header: Option<HeaderValue>,
    /// `None` for an answer tagged by its bytes (see [`Validators::by_content`]).
    pub(super) last_modified: Option<SystemTime>,
    pub(super) last_modified_header: Option<HeaderValue>,
}

impl Validators {
    /// Last-Modified is only sent once its second is over: a client holding that date can then
    /// never miss a change made later in the same second.
    pub(super) fn apply(&self, response: &mut HttpResponse, now: SystemTime) {
        let headers = response.headers_mut();
        if let Some(value) = &self.etag_header {
            headers.insert(header::ETAG, value.clone());
        }
        if self.last_modified.is_some_and(|at| at <= now)
            && let Some(value) = &self.last_modified_header
        {
            headers.insert(header::LAST_MODIFIED, value.clone());
        }
    }

    /// Whether the client's copy is current (RFC 9110 §13.2.2: If-None-Match wins over
    /// If-Modified-Since; a date in the future is ignored).
    pub(super) fn not_modified(&self, conditions: &Conditions) -> bool {
        if let Some(tags) = &conditions.if_none_match {
            return match tags {
                IfNoneMatch::Any => true,
                IfNoneMatch::Items(tags) => tags.iter().any(|t| t.weak_eq(&self.etag)),
            };
        }
        match conditions.if_modified_since {
            Some(since) if since <= conditions.now => {
                self.last_modified.is_some_and(|at| at <= since)
            }
            _ => false,
        }
    }
}

impl Validators {
    /// The validators of an answer of `generation` tagged by its bytes alone (see
    /// [`super::ShownUntil`]): no date, since the same generation looks different later.
    pub(super) fn by_content(generation: u64, body: &[u8]) -> Self {
        let etag = content_tag(body);
        Self {
            generation,
            etag_header: etag.to_string().parse().ok(),
            etag,
            last_modified: None,
            last_modified_header: None,
        }
    }
}

pub(super) struct Conditions {
    if_none_match: Option<IfNoneMatch>,
    if_modified_since: Option<SystemTime>,
    /// When the request arrived, on the application's clock.
    pub(super) now: SystemTime,
}

/// The tag of an answer that follows the clock (see [`super::ClockDependent`]): a hash of
/// its bytes, since no generation describes it. Weak, as the generation's tag is: the answer
/// is compressed on the way out, and a strong tag would name the gzip and the plain bytes alike.
pub(super) fn content_tag(body: &[u8]) -> EntityTag {
    use sha2::Digest;
    EntityTag::new_weak(hex::encode(&sha2::Sha256::digest(body)[..12]))
}

impl Conditions {
    /// Whether the client's copy carries `tag` (If-None-Match); dates say nothing of content
    /// tagged by its bytes.
    pub(super) fn holds(&self, tag: &EntityTag) -> bool {
        match &self.if_none_match {
            Some(IfNoneMatch::Any) => true,
            Some(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(tag)),
            None => false,
        }
    }

    pub(super) fn of(req: &ServiceRequest, now: SystemTime) -> Self {
        let if_none_match = req
            .headers()
            .contains_key(header::IF_NONE_MATCH)
            .then(|| IfNoneMatch::parse(req).ok())
            .flatten();
        let if_modified_since = req
            .headers()
            .contains_key(header::IF_MODIFIED_SINCE)
            .then(|| IfModifiedSince::parse(req).ok())
            .flatten()
            .map(|IfModifiedSince(date)| SystemTime::from(date));
        Self {
            if_none_match,
            if_modified_since,
            now,
        }
    }
}
