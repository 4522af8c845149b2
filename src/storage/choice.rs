//! Which engine keeps the data, and where: the one storage setting.

use std::path::PathBuf;

/// The database engine and where its data is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// The embedded database in a directory of its own, created on first run; one process at a
    /// time opens it.
    Sled {
        dir: PathBuf,
        /// sled's page cache. Its default is 1 GiB; a news site's working set is far smaller.
        cache_bytes: u64,
    },
    /// A PostgreSQL database, which several app servers may share.
    Postgres { url: DatabaseUrl },
}

impl Storage {
    pub const DEFAULT_CACHE_BYTES: u64 = 64 << 20;

    /// sled in `dir` with the default page cache.
    pub fn sled(dir: impl Into<PathBuf>) -> Self {
        Storage::Sled {
            dir: dir.into(),
            cache_bytes: Self::DEFAULT_CACHE_BYTES,
        }
    }

    /// The sled directory, for what only an embedded database has (its control socket).
    pub fn sled_dir(&self) -> Option<&std::path::Path> {
        match self {
            Storage::Sled { dir, .. } => Some(dir),
            Storage::Postgres { .. } => None,
        }
    }
}

impl std::fmt::Display for Storage {
    /// Names the database for messages and logs, never with a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Storage::Sled { dir, .. } => write!(f, "the database at {}", dir.display()),
            Storage::Postgres { url } => write!(f, "the database {url}"),
        }
    }
}

/// A `postgres://` address. It may hold a password, so it shows itself (in logs, error pages
/// and `Debug` output) with the password replaced; [`DatabaseUrl::expose`] gives the real one
/// to the driver alone.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Ok(DatabaseUrl(raw.to_owned()))
        } else {
            Err("a database URL starts with postgres:// (postgres://USER@HOST/DB)".into())
        }
    }

    /// The address as typed, password included: for connecting, never for showing.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The address with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        let Some((scheme, rest)) = self.0.split_once("://") else {
            return "***".into();
        };
        // Credentials run to an `@`, and a password typed without percent-encoding may hold
        // `@`, `/` or `?`: everything up to the last `@` is hidden, which hides more than the
        // password rather than less.
        let (credentials, after) = match rest.rsplit_once('@') {
            Some((credentials, after)) => (Some(credentials), after),
            None => (None, rest),
        };
        let host_end = after.find(['/', '?']).unwrap_or(after.len());
        let (host, tail) = after.split_at(host_end);
        let mut shown = match credentials {
            Some(credentials) => match credentials.split_once(':') {
                Some((user, _)) if !user.contains(['/', '?']) => {
                    format!("{scheme}://{user}:***@{host}")
                }
                Some(_) => format!("{scheme}://***@{host}"),
                None => format!("{scheme}://{credentials}@{host}"),
            },
            None => format!("{scheme}://{host}"),
        };
        // A password may also come as a query parameter.
        match tail.split_once('?') {
            Some((path, query)) => {
                let query: Vec<String> = query
                    .split('&')
                    .map(|pair| match pair.split_once('=') {
                        Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                            format!("{key}=***")
                        }
                        _ => pair.to_owned(),
                    })
                    .collect();
                shown.push_str(path);
                shown.push('?');
                shown.push_str(&query.join("&"));
            }
            None => shown.push_str(tail),
        }
        shown
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({:?})", self.redacted())
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_never_shows_its_password() {
        for (raw, shown) in [
            (
                "postgres://news:s3cret@db.example:5432/newsroom?sslmode=require",
                "postgres://news:***@db.example:5432/newsroom?sslmode=require",
            ),
            (
                "postgres://news:p@ss@db/newsroom",
                "postgres://news:***@db/newsroom",
            ),
            (
                "postgresql://db/newsroom?user=news&password=s3cret",
                "postgresql://db/newsroom?user=news&password=***",
            ),
            ("postgres://news@db/newsroom", "postgres://news@db/newsroom"),
            (
                "postgres://news:s3cret/ab@db/newsroom",
                "postgres://news:***@db/newsroom",
            ),
            (
                "postgres://news:s3cret?x@db/newsroom",
                "postgres://news:***@db/newsroom",
            ),
        ] {
            let url = DatabaseUrl::parse(raw).unwrap();
            assert_eq!(url.to_string(), shown);
            let debug = format!("{:?}", Storage::Postgres { url });
            assert!(
                !debug.contains("s3cret") && !debug.contains("p@ss"),
                "{debug}"
            );
        }
    }

    #[test]
    fn only_a_postgres_address_is_a_database_url() {
        assert!(DatabaseUrl::parse("mysql://db/newsroom").is_err());
        assert!(DatabaseUrl::parse("/var/lib/newsroom").is_err());
    }
}
