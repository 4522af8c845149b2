//! Configuration, read once from flags and environment by the CLI and passed down; never global.

use crate::clock::Clock;
use crate::urls::assets::Logo;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the database lives; created on first run.
    pub storage: Storage,
    /// Address the HTTP server listens on; port 0 picks a free one.
    pub bind: String,
    /// The public address of the site, used for absolute links (feeds, canonical URLs) and to
    /// decide whether cookies are marked Secure.
    pub base_url: String,
    pub site_name: String,
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
    /// What "now" is: the system clock, which tests move forward instead of sleeping.
    pub clock: Clock,
}

impl Settings {
    pub const DEFAULT_CACHE_BYTES: u64 = 64 << 20;

    /// Settings for a database with every other value at its default.
    pub fn new(storage: Storage) -> Self {
        Self {
            storage,
            bind: "127.0.0.1:8080".into(),
            base_url: "http://127.0.0.1:8080".into(),
            site_name: "Newsroom".into(),
            logo: Logo::shipped(),
            per_page: 20,
            max_photo_bytes: 20 << 20,
            form_idle: Duration::from_secs(5),
            session_idle: Duration::from_secs(2 * 60 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            sitemap_urls: 50_000,
            clock: Clock::system(),
        }
    }

    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// Which database the site keeps its records in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// sled in a directory of its own, for one server.
    Sled {
        dir: PathBuf,
        /// sled's page cache. Its default is 1 GiB; a news site's working set is far smaller.
        cache_bytes: u64,
    },
    /// A PostgreSQL database, which several servers may share.
    Postgres { url: DatabaseUrl },
}

impl Storage {
    /// sled in `dir` with the default page cache.
    pub fn sled(dir: PathBuf) -> Self {
        Storage::Sled {
            dir,
            cache_bytes: Settings::DEFAULT_CACHE_BYTES,
        }
    }

    /// The data directory, for an engine that keeps one.
    pub fn data_dir(&self) -> Option<&Path> {
        match self {
            Storage::Sled { dir, .. } => Some(dir),
            Storage::Postgres { .. } => None,
        }
    }
}

impl fmt::Display for Storage {
    /// Where the records are, for messages: a directory, or a database URL without its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Storage::Sled { dir, .. } => write!(f, "{}", dir.display()),
            Storage::Postgres { url } => write!(f, "{url:?}"),
        }
    }
}

/// A `postgres://` or `postgresql://` URL naming a database.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!(
                "{raw:?} is not a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE)"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Leaves out the password, so that the URL can be logged.
impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some((scheme, rest)) = self.0.split_once("://") else {
            return f.write_str("<database url>");
        };
        let shown = match rest.rsplit_once('@') {
            Some((credentials, host)) => match credentials.split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
                None => self.0.clone(),
            },
            None => self.0.clone(),
        };
        f.write_str(&shown)
    }
}
