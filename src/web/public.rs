//! HTTP caching for the public site: validators (ETag, Last-Modified) with 304 answers,
//! `Cache-Control` for a CDN in front, and a bounded in-memory cache of rendered pages.
//!
//! How a route gets it: register it in the public scope, `public_routes` in `web.rs`, with
//! `.configure(module::routes)` next to `reader::routes` (a JSON API under `/api/` goes there
//! too). Its 200 answers to GET and HEAD are then cached and revalidated, with no code in the
//! handler. A handler may choose the longer lifetime with
//! `.insert_header(Freshness::Article.header())`, or keep its answer out of every cache by
//! setting a `Cache-Control` with `private` or `no-store`; answers that set a cookie are never
//! cached. A cached answer keeps the handler's `Content-Type` and `Cache-Control` and no other
//! header. Routes outside the scope (the desk, static files, photos) are not touched.
//!
//! Everything derives from the store's [`PublicVersion`]: its generation changes in the same
//! write as any change readers can see, so a cached page or a client's validator never
//! outlives a publish, an edit or an unpublish. One counter for the whole site means a publish
//! revalidates every page, which is cheap (a 304 or a cache hit) and always correct.
//!
//! A cached page is compressed once per coding a client asks for (see [`encoding`]), and every
//! answer says `Vary: Accept-Encoding`.

mod encoding;

use crate::storage::PublicVersion;
use crate::web::{AppError, State};
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    self, CacheControl, CacheDirective, EntityTag, Header, HeaderValue, HttpDate, IfModifiedSince,
    IfNoneMatch,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpResponse};
use encoding::Coding;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};
use time::OffsetDateTime;

/// How long a CDN or browser may keep a public answer before revalidating it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Front and section pages, feeds, sitemaps: they change with every publish.
    Listing,
    /// An article changes rarely once published.
    Article,
}

impl Freshness {
    pub fn header(self) -> CacheControl {
        let (max_age, stale) = match self {
            Freshness::Listing => (60, 300),
            Freshness::Article => (300, 3600),
        };
        CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(max_age),
            CacheDirective::Extension("stale-while-revalidate".into(), Some(stale.to_string())),
        ])
    }
}

/// Pages larger than this are served but not kept (a full sitemap page is about 6 MB).
const MAX_ENTRY_BYTES: usize = 8 << 20;
const MAX_TOTAL_BYTES: usize = 64 << 20;
const MAX_ENTRIES: usize = 4096;

/// Shared by every worker: the rendered pages and what makes validators unique to this run.
pub struct PublicCache {
    pages: Mutex<Pages>,
    /// The validators of the newest generation seen, with their header values written once.
    validators: Mutex<Option<Arc<Validators>>>,
    /// Mixed into every ETag so that a restart with other settings or templates (a deploy)
    /// never answers 304 to a page rendered by the previous run.
    run_tag: String,
    started_at: OffsetDateTime,
}

#[derive(Default)]
struct Pages {
    entries: HashMap<String, Arc<Entry>>,
    /// The sum of `size()` and key length over `entries`.
    bytes: usize,
    /// The newest generation seen; every entry is of it.
    generation: u64,
}

impl Pages {
    /// Puts `entry`, of `size` bytes with its key, under `key`. Over the bounds, arbitrary pages
    /// are dropped (HashMap order): hot pages come straight back, and no bookkeeping is paid
    /// on the hit path.
    fn insert(&mut self, key: String, entry: Arc<Entry>, size: usize) {
        if let Some(old) = self.entries.remove(&key) {
            self.bytes -= old.size() + key.len();
        }
        while self.entries.len() >= MAX_ENTRIES || self.bytes + size > MAX_TOTAL_BYTES {
            let Some(victim) = self.entries.keys().next().cloned() else {
                break;
            };
            if let Some(old) = self.entries.remove(&victim) {
                self.bytes -= old.size() + victim.len();
            }
        }
        self.bytes += size;
        self.entries.insert(key, entry);
    }
}

#[derive(Clone)]
struct Entry {
    generation: u64,
    body: Bytes,
    /// Compressed copies of `body`, made when first asked for.
    gzip: Option<Bytes>,
    brotli: Option<Bytes>,
    content_type: Option<HeaderValue>,
    cache_control: HeaderValue,
}

impl Entry {
    fn new(
        generation: u64,
        body: Bytes,
        content_type: Option<HeaderValue>,
        cache_control: HeaderValue,
    ) -> Self {
        Self {
            generation,
            body,
            gzip: None,
            brotli: None,
            content_type,
            cache_control,
        }
    }

    fn encoded(&self, coding: Coding) -> Option<&Bytes> {
        match coding {
            Coding::Identity => Some(&self.body),
            Coding::Gzip => self.gzip.as_ref(),
            Coding::Brotli => self.brotli.as_ref(),
        }
    }

    fn size(&self) -> usize {
        self.body.len()
            + self.gzip.as_ref().map_or(0, Bytes::len)
            + self.brotli.as_ref().map_or(0, Bytes::len)
    }
}

impl PublicCache {
    pub fn new(settings: &crate::settings::Settings) -> Self {
        let started_at = OffsetDateTime::now_utc();
        let mut hash = Sha256::new();
        hash.update(started_at.unix_timestamp_nanos().to_be_bytes());
        hash.update(settings.base_url.as_bytes());
        hash.update(settings.site_name.as_bytes());
        hash.update(settings.per_page.to_be_bytes());
        Self {
            pages: Mutex::new(Pages::default()),
            validators: Mutex::new(None),
            run_tag: hex::encode(&hash.finalize()[..6]),
            started_at,
        }
    }

    fn get(&self, key: &str, generation: u64) -> Option<Arc<Entry>> {
        let pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        pages
            .entries
            .get(key)
            .filter(|e| e.generation == generation)
            .cloned()
    }

    /// Keeps `entry` under `key` and gives it back as the cache holds it, for compressed copies
    /// to be attached to (see [`PublicCache::put_encoded`]).
    fn put(&self, key: String, entry: Entry) -> Arc<Entry> {
        let entry = Arc::new(entry);
        let size = entry.size() + key.len();
        if size > MAX_ENTRY_BYTES {
            return entry;
        }
        let mut pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        // A page rendered before a publish must not be kept once a newer one has been seen;
        // and once a newer generation is seen, every older page is garbage.
        if entry.generation < pages.generation {
            return entry;
        }
        if entry.generation > pages.generation {
            pages.entries.clear();
            pages.bytes = 0;
            pages.generation = entry.generation;
        }
        pages.insert(key, entry.clone(), size);
        entry
    }

    /// Keeps `encoded`, the page of `entry` in `coding`, with it; only while the cache holds
    /// that very entry, not another rendering of the page, which may differ (a publish, or a
    /// page that changes with time rendered again after being dropped).
    fn put_encoded(&self, key: &str, entry: &Arc<Entry>, coding: Coding, encoded: Bytes) {
        let mut with_copy = Entry::clone(entry);
        match coding {
            Coding::Identity => return,
            Coding::Gzip => with_copy.gzip = Some(encoded),
            Coding::Brotli => with_copy.brotli = Some(encoded),
        }
        let size = with_copy.size() + key.len();
        if size > MAX_ENTRY_BYTES {
            return;
        }
        let mut pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        let held = pages
            .entries
            .get(key)
            .is_some_and(|current| Arc::ptr_eq(current, entry));
        if held {
            pages.insert(key.to_owned(), Arc::new(with_copy), size);
        }
    }

    /// The validators of `version`, made once per generation rather than once per request.
    fn validators(&self, version: PublicVersion) -> Arc<Validators> {
        let mut current = self
            .validators
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(validators) = current
            .as_ref()
            .filter(|v| v.generation == version.generation)
        {
            return validators.clone();
        }
        let validators = Arc::new(self.make_validators(version));
        if current
            .as_ref()
            .is_none_or(|v| v.generation < version.generation)
        {
            *current = Some(validators.clone());
        }
        validators
    }

    fn make_validators(&self, version: PublicVersion) -> Validators {
        let changed = version
            .changed_at
            .map_or(self.started_at, |at| at.max(self.started_at));
        // HTTP dates have whole seconds: round up, so that a later change in the same second
        // still gets a later date (see `Validators::last_modified`).
        let secs = changed.unix_timestamp() + i64::from(changed.nanosecond() > 0);
        let last_modified =
            SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0));
        let etag = EntityTag::new_weak(format!("{}-{}", self.run_tag, version.generation));
        Validators {
            generation: version.generation,
            etag_header: etag.to_string().parse().ok(),
            etag,
            last_modified_header: HttpDate::from(last_modified).to_string().parse().ok(),
            last_modified,
        }
    }
}

struct Validators {
    generation: u64,
    etag: EntityTag,
    etag_header: Option<HeaderValue>,
    last_modified: SystemTime,
    last_modified_header: Option<HeaderValue>,
}

impl Validators {
    /// Last-Modified is only sent once its second is over: a client holding that date can then
    /// never miss a change made later in the same second.
    fn apply(&self, response: &mut HttpResponse) {
        let headers = response.headers_mut();
        if let Some(value) = &self.etag_header {
            headers.insert(header::ETAG, value.clone());
        }
        if self.last_modified <= SystemTime::now()
            && let Some(value) = &self.last_modified_header
        {
            headers.insert(header::LAST_MODIFIED, value.clone());
        }
    }

    /// Whether the client's copy is current (RFC 9110 §13.2.2: If-None-Match wins over
    /// If-Modified-Since; a date in the future is ignored).
    fn not_modified(&self, conditions: &Conditions) -> bool {
        if let Some(tags) = &conditions.if_none_match {
            return match tags {
                IfNoneMatch::Any => true,
                IfNoneMatch::Items(tags) => tags.iter().any(|t| t.weak_eq(&self.etag)),
            };
        }
        match conditions.if_modified_since {
            Some(since) if since <= SystemTime::now() => self.last_modified <= since,
            _ => false,
        }
    }
}

struct Conditions {
    if_none_match: Option<IfNoneMatch>,
    if_modified_since: Option<SystemTime>,
}

impl Conditions {
    fn of(req: &ServiceRequest) -> Self {
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
        }
    }
}

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
    // merely dropped later, never served after the publish that made it stale. One read of a
    // small key that sled keeps in memory: cheaper than a round trip to the blocking pool.
    let version = match state.store.public_version() {
        Ok(version) => version,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the public version; not caching");
            return Ok(next.call(req).await?.map_into_boxed_body());
        }
    };
    let cache = &state.public_cache;
    let validators = cache.validators(version);
    let conditions = Conditions::of(&req);
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
    let body = match actix_web::body::to_bytes(body).await {
        Ok(body) => body,
        Err(e) => {
            let e: Box<dyn std::error::Error> = e.into();
            return Err(AppError::Internal(format!("reading a page to cache: {e}")).into());
        }
    };
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

/// The 200 with validators, or a 304 carrying the same caching headers and no body.
fn answer(
    req: actix_web::HttpRequest,
    mut response: HttpResponse,
    validators: &Validators,
    conditions: &Conditions,
) -> ServiceResponse<BoxBody> {
    validators.apply(&mut response);
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

    fn cache() -> PublicCache {
        PublicCache::new(&crate::settings::Settings::new("unused".into()))
    }

    fn page(generation: u64, body: &'static str) -> Entry {
        Entry::new(
            generation,
            Bytes::from_static(body.as_bytes()),
            None,
            HeaderValue::from_static("public"),
        )
    }

    #[test]
    fn a_page_is_served_only_for_the_generation_it_was_rendered_in() {
        let cache = cache();
        cache.put("/".into(), page(1, "front"));

        assert_eq!(
            cache.get("/", 1).map(|e| e.body.clone()),
            Some(Bytes::from("front"))
        );
        assert!(cache.get("/", 2).is_none());
        assert!(cache.get("/other", 1).is_none());
    }

    #[test]
    fn a_newer_generation_drops_every_older_page_and_is_not_overwritten_by_one() {
        let cache = cache();
        cache.put("/a".into(), page(1, "old a"));
        cache.put("/b".into(), page(2, "new b"));
        cache.put("/b".into(), page(1, "late old b"));

        assert!(cache.get("/a", 1).is_none());
        assert_eq!(
            cache.get("/b", 2).map(|e| e.body.clone()),
            Some(Bytes::from("new b"))
        );
    }

    #[test]
    fn the_cache_stays_within_its_bounds() {
        let cache = cache();
        for n in 0..MAX_ENTRIES + 10 {
            cache.put(format!("/page/{n}"), page(1, "x"));
        }
        let pages = cache.pages.lock().unwrap();
        assert!(pages.entries.len() <= MAX_ENTRIES);
        let bytes: usize = pages.entries.iter().map(|(k, e)| k.len() + e.size()).sum();
        assert_eq!(bytes, pages.bytes);
    }

    #[test]
    fn a_compressed_copy_joins_only_the_rendering_it_was_made_from() {
        let cache = cache();
        let first = cache.put("/".into(), page(1, "front"));
        cache.put_encoded("/", &first, Coding::Gzip, Bytes::from_static(b"gz"));
        let held = cache.get("/", 1).unwrap();
        assert_eq!(held.encoded(Coding::Gzip), Some(&Bytes::from_static(b"gz")));
        assert_eq!(held.encoded(Coding::Brotli), None);

        // The page rendered again in the same generation (dropped and made anew): a copy made
        // from the first rendering must not be attached to the second.
        let second = cache.put("/".into(), page(1, "front, again"));
        cache.put_encoded(
            "/",
            &first,
            Coding::Brotli,
            Bytes::from_static(b"br of first"),
        );
        assert_eq!(cache.get("/", 1).unwrap().encoded(Coding::Brotli), None);
        cache.put_encoded("/", &second, Coding::Brotli, Bytes::from_static(b"br"));
        assert_eq!(
            cache.get("/", 1).unwrap().encoded(Coding::Brotli),
            Some(&Bytes::from_static(b"br"))
        );

        let pages = cache.pages.lock().unwrap();
        assert_eq!(pages.bytes, "/".len() + "front, again".len() + "br".len());
    }

    #[test]
    fn compressed_copies_count_towards_the_bounds_and_make_room() {
        let cache = cache();
        let big = |n: usize| Bytes::from(vec![b'x'; n]);
        let mut entries = Vec::new();
        for n in 0..40 {
            let key = format!("/page/{n}");
            let entry = Entry::new(1, big(1 << 20), None, HeaderValue::from_static("public"));
            entries.push((key.clone(), cache.put(key, entry)));
        }
        for (key, entry) in &entries {
            cache.put_encoded(key, entry, Coding::Gzip, big(1 << 20));
        }
        let pages = cache.pages.lock().unwrap();
        let bytes: usize = pages.entries.iter().map(|(k, e)| k.len() + e.size()).sum();
        assert_eq!(bytes, pages.bytes);
        assert!(pages.bytes <= MAX_TOTAL_BYTES);
        assert!(pages.entries.values().any(|e| e.gzip.is_some()));
    }

    #[test]
    fn validators_are_made_once_per_generation_and_never_go_back() {
        let cache = cache();
        let version = |generation| PublicVersion {
            generation,
            changed_at: None,
        };
        let first = cache.validators(version(1));
        assert!(Arc::ptr_eq(&first, &cache.validators(version(1))));

        let second = cache.validators(version(2));
        assert_eq!(
            second.etag,
            EntityTag::new_weak(format!("{}-2", cache.run_tag))
        );
        // A request that read the older generation still gets its own validators, and does not
        // displace the newer ones.
        assert_eq!(cache.validators(version(1)).generation, 1);
        assert!(Arc::ptr_eq(&second, &cache.validators(version(2))));
    }

    #[test]
    fn listings_and_articles_get_their_own_lifetimes() {
        assert_eq!(
            Freshness::Listing.header().to_string(),
            "public, max-age=60, stale-while-revalidate=300"
        );
        assert_eq!(
            Freshness::Article.header().to_string(),
            "public, max-age=300, stale-while-revalidate=3600"
        );
    }
}
