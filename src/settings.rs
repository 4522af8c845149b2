//! Configuration, read once from flags and environment by the CLI and passed down; never global.

use crate::clock::Clock;
use crate::domain::SiteZone;
/// Which database the site uses: chosen here, defined beside the engines.
pub use crate::storage::{DatabaseUrl, Storage};
use crate::urls::assets::Logo;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Which database the site keeps its data in.
    pub storage: Storage,
    /// Address the HTTP server listens on; port 0 picks a free one.
    pub bind: String,
    /// The public address of the site, used for absolute links (feeds, canonical URLs) and to
    /// decide whether cookies are marked Secure.
    pub base_url: String,
    pub site_name: String,
    /// The language of the site's own words and of every story that names none of its own.
    pub language: crate::domain::Language,
    /// The publisher's logo in articles' structured data.
    pub logo: Logo,
    /// Stories on a front or section page.
    pub per_page: usize,
    /// A desk session ends after this long without a request...
    pub session_idle: Duration,
    /// ...and this long after login, whatever happens.
    pub session_absolute: Duration,
    /// Largest photo upload accepted.
    pub max_photo_bytes: usize,
    /// A form whose sender sends nothing for this long is given up on (408), so half-sent
    /// bodies cannot hold memory.
    pub form_idle: Duration,
    /// Stories in one page of the sitemap; the protocol allows 50,000.
    pub sitemap_urls: usize,
    /// Reverse proxies whose `Forwarded` and `X-Forwarded-*` headers are believed: from
    /// anyone else they are ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How long a stop keeps serving while `/readyz` says 503, so balancers stop sending first.
    pub drain: Duration,
    /// Where Prometheus reads the server's metrics (`/metrics`); none are kept without it.
    pub metrics_bind: Option<String>,
    /// The drop folder watched for agency copy (see `crate::ingest`); none without it.
    pub ingest_dir: Option<std::path::PathBuf>,
    /// What "now" is: the system clock, which tests move forward instead of sleeping.
    pub clock: Clock,
    /// How many failed logins the throttle allows before waits begin (see `auth::throttle`).
    pub login_limits: crate::auth::throttle::Limits,
    /// The newsroom's time zone: what every date shown or typed is in (stored times are UTC).
    pub time_zone: SiteZone,
}

impl Settings {
    /// Settings for a database with every other value at its default.
    pub fn new(storage: Storage) -> Self {
        Self {
            storage,
            bind: "127.0.0.1:8080".into(),
            base_url: "http://127.0.0.1:8080".into(),
            site_name: "Newsroom".into(),
            language: crate::domain::Language::parse("en")
                .unwrap_or_else(|_| unreachable!("en is a language tag")),
            logo: Logo::shipped(),
            per_page: 20,
            max_photo_bytes: 20 << 20,
            form_idle: Duration::from_secs(5),
            session_idle: Duration::from_secs(2 * 60 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            sitemap_urls: 50_000,
            trusted_proxies: Vec::new(),
            drain: Duration::ZERO,
            metrics_bind: None,
            ingest_dir: None,
            clock: Clock::system(),
            login_limits: crate::auth::throttle::Limits::default(),
            time_zone: SiteZone::utc(),
        }
    }

    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}
