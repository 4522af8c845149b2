//! The bounded in-memory cache of rendered public pages, each kept with the generation it was
//! rendered in and its compressed copies, and the validators of the newest generation.

use super::encoding::Coding;
use super::validators::Validators;
use crate::storage::PublicVersion;
use actix_web::http::header::{EntityTag, HeaderValue, HttpDate};
use actix_web::web::Bytes;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};
use time::OffsetDateTime;

/// Pages larger than this are served but not kept (a full sitemap page is about 6 MB).
pub(super) const MAX_ENTRY_BYTES: usize = 8 << 20;
const MAX_TOTAL_BYTES: usize = 64 << 20;
const MAX_ENTRIES: usize = 4096;

/// Shared by every worker: the rendered pages and what makes validators unique to this run.
pub struct PublicCache {
    pages: Mutex<Pages>,
    /// The validators of the newest generation seen, with their header values written once.
    validators: Mutex<Option<Arc<Validators>>>,
    /// Mixed into every ETag, so that a deploy with other settings or templates never answers
    /// 304 to a page the previous build rendered, while every server of one build agrees.
    look: String,
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
pub(super) struct Entry {
    pub(super) generation: u64,
    pub(super) body: Bytes,
    /// Compressed copies of `body`, made when first asked for.
    pub(super) gzip: Option<Bytes>,
    pub(super) brotli: Option<Bytes>,
    pub(super) content_type: Option<HeaderValue>,
    pub(super) cache_control: HeaderValue,
    /// Until when the page may be served (see [`super::ShownUntil`]), with its own validators.
    pub(super) until: Option<(SystemTime, Arc<Validators>)>,
}

impl Entry {
    pub(super) fn new(
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
            until: None,
        }
    }

    /// The entry of a page shown only until `until`, tagged by its bytes.
    pub(super) fn shown_until(mut self, until: SystemTime) -> Self {
        let validators = Validators::by_content(self.generation, &self.body);
        self.until = Some((until, Arc::new(validators)));
        self
    }

    /// Whether the entry may still be served at `now`.
    fn current_at(&self, now: SystemTime) -> bool {
        self.until.as_ref().is_none_or(|(until, _)| now < *until)
    }

    /// The entry's own validators, if it has any, in place of the generation's.
    pub(super) fn own_validators(&self) -> Option<Arc<Validators>> {
        self.until.as_ref().map(|(_, v)| v.clone())
    }

    /// The `Cache-Control` to send at `now`: for a page shown until a time, the seconds left.
    pub(super) fn cache_control_at(&self, now: SystemTime) -> HeaderValue {
        match &self.until {
            Some((until, _)) => shown_until_cache_control(*until, now),
            None => self.cache_control.clone(),
        }
    }

    pub(super) fn encoded(&self, coding: Coding) -> Option<&Bytes> {
        match coding {
            Coding::Identity => Some(&self.body),
            Coding::Gzip => self.gzip.as_ref(),
            Coding::Brotli => self.brotli.as_ref(),
        }
    }

    pub(super) fn size(&self) -> usize {
        self.body.len()
            + self.gzip.as_ref().map_or(0, Bytes::len)
            + self.brotli.as_ref().map_or(0, Bytes::len)
    }
}

/// `max-age` for a page shown until `until`: the whole seconds left, at most a listing's
/// minute, and no `stale-while-revalidate`, which would let a cache serve it past that time.
pub(super) fn shown_until_cache_control(until: SystemTime, now: SystemTime) -> HeaderValue {
    let left = until.duration_since(now).map_or(0, |d| d.as_secs());
    HeaderValue::from_str(&format!("max-age={}", left.min(60)))
        .unwrap_or(HeaderValue::from_static("max-age=0"))
}

/// Names how this server's pages look: its build (a hash of its templates, sources and
/// dependencies, made when it was compiled) and the settings that shape pages.
pub fn page_look(settings: &crate::settings::Settings) -> String {
    let mut hash = Sha256::new();
    hash.update(env!("NEWSROOM_BUILD_ID").as_bytes());
    for part in [
        settings.base_url.as_str(),
        settings.site_name.as_str(),
        settings.language.as_str(),
        settings.logo.url.as_str(),
        settings.time_zone.name(),
    ] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hash.update(settings.logo.width.to_be_bytes());
    hash.update(settings.logo.height.to_be_bytes());
    hash.update((settings.per_page as u64).to_be_bytes());
    hash.update((settings.sitemap_urls as u64).to_be_bytes());
    hex::encode(&hash.finalize()[..6])
}

impl PublicCache {
    pub fn new(settings: &crate::settings::Settings) -> Self {
        Self {
            pages: Mutex::new(Pages::default()),
            validators: Mutex::new(None),
            look: page_look(settings),
        }
    }

    /// What makes this server's pages look as they do (see [`page_look`]).
    pub fn look(&self) -> &str {
        &self.look
    }

    /// The page under `key` of `generation`, while it may be served at `now`.
    pub(super) fn get(&self, key: &str, generation: u64, now: SystemTime) -> Option<Arc<Entry>> {
        let pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        pages
            .entries
            .get(key)
            .filter(|e| e.generation == generation && e.current_at(now))
            .cloned()
    }

    /// Keeps `entry` under `key` and gives it back as the cache holds it, for compressed copies
    /// to be attached to (see [`PublicCache::put_encoded`]).
    pub(super) fn put(&self, key: String, entry: Entry) -> Arc<Entry> {
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
    pub(super) fn put_encoded(
        &self,
        key: &str,
        entry: &Arc<Entry>,
        coding: Coding,
        encoded: Bytes,
    ) {
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
    pub(super) fn validators(&self, version: PublicVersion) -> Arc<Validators> {
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
        // Every server on one database tells the same time for the same version. A new look is
        // a public change of its own (see `page_look`), so no page made before it is ever
        // dated after it.
        let changed = version.changed_at.unwrap_or(OffsetDateTime::UNIX_EPOCH);
        // HTTP dates have whole seconds: round up, so that a later change in the same second
        // still gets a later date (see `Validators::last_modified`).
        let secs = changed.unix_timestamp() + i64::from(changed.nanosecond() > 0);
        let last_modified =
            SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0));
        let etag = EntityTag::new_weak(format!("{}-{}", self.look, version.generation));
        Validators {
            generation: version.generation,
            etag_header: etag.to_string().parse().ok(),
            etag,
            last_modified_header: HttpDate::from(last_modified).to_string().parse().ok(),
            last_modified: Some(last_modified),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> PublicCache {
        PublicCache::new(&crate::settings::Settings::new(
            crate::settings::Storage::sled("unused"),
        ))
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
    fn servers_of_one_build_and_settings_name_their_pages_alike() {
        let settings = crate::settings::Settings::new(crate::settings::Storage::sled("a"));
        let mut elsewhere = settings.clone();
        elsewhere.storage = crate::settings::Storage::sled("b");
        elsewhere.bind = "127.0.0.1:9999".into();
        assert_eq!(page_look(&settings), page_look(&elsewhere));

        let mut renamed = settings.clone();
        renamed.site_name = "The Daily".into();
        let mut paged = settings.clone();
        paged.per_page += 1;
        for other in [renamed, paged] {
            assert_ne!(page_look(&settings), page_look(&other));
        }
    }

    #[test]
    fn a_page_is_served_only_for_the_generation_it_was_rendered_in() {
        let cache = cache();
        cache.put("/".into(), page(1, "front"));

        assert_eq!(
            cache
                .get("/", 1, SystemTime::UNIX_EPOCH)
                .map(|e| e.body.clone()),
            Some(Bytes::from("front"))
        );
        assert!(cache.get("/", 2, SystemTime::UNIX_EPOCH).is_none());
        assert!(cache.get("/other", 1, SystemTime::UNIX_EPOCH).is_none());
    }

    #[test]
    fn a_newer_generation_drops_every_older_page_and_is_not_overwritten_by_one() {
        let cache = cache();
        cache.put("/a".into(), page(1, "old a"));
        cache.put("/b".into(), page(2, "new b"));
        cache.put("/b".into(), page(1, "late old b"));

        assert!(cache.get("/a", 1, SystemTime::UNIX_EPOCH).is_none());
        assert_eq!(
            cache
                .get("/b", 2, SystemTime::UNIX_EPOCH)
                .map(|e| e.body.clone()),
            Some(Bytes::from("new b"))
        );
    }

    #[test]
    fn a_page_shown_until_a_time_is_served_until_then_only_and_tagged_by_its_bytes() {
        let cache = cache();
        let until = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        cache.put("/".into(), page(1, "banner").shown_until(until));
        let before = until - Duration::from_secs(1);
        let held = cache.get("/", 1, before).unwrap();
        assert!(cache.get("/", 1, until).is_none());
        let own = held.own_validators().unwrap();
        assert!(own.last_modified.is_none());
        assert_eq!(own.etag, super::super::validators::content_tag(b"banner"));
        assert_eq!(held.cache_control_at(before), "max-age=1");
        assert_eq!(
            held.cache_control_at(until - Duration::from_secs(600)),
            "max-age=60"
        );
        assert_eq!(held.cache_control_at(until), "max-age=0");
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
        let held = cache.get("/", 1, SystemTime::UNIX_EPOCH).unwrap();
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
        assert_eq!(
            cache
                .get("/", 1, SystemTime::UNIX_EPOCH)
                .unwrap()
                .encoded(Coding::Brotli),
            None
        );
        cache.put_encoded("/", &second, Coding::Brotli, Bytes::from_static(b"br"));
        assert_eq!(
            cache
                .get("/", 1, SystemTime::UNIX_EPOCH)
                .unwrap()
                .encoded(Coding::Brotli),
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
            EntityTag::new_weak(format!("{}-2", cache.look))
        );
        // A request that read the older generation still gets its own validators, and does not
        // displace the newer ones.
        assert_eq!(cache.validators(version(1)).generation, 1);
        assert!(Arc::ptr_eq(&second, &cache.validators(version(2))));
    }
}
