//! Which database the site keeps its records in, as the configuration names it.

use std::fmt;
use std::path::{Path, PathBuf};

/// sled's page cache unless configured. Its own default is 1 GiB; a news site's working set is
/// far smaller.
pub const DEFAULT_CACHE_BYTES: u64 = 64 << 20;

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
            cache_bytes: DEFAULT_CACHE_BYTES,
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
