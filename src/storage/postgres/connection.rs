//! Connections: what the address says (with the settings of our own it may carry), TLS, the
//! pool, a statement cache per connection, and the thread every call to the driver runs on.
//!
//! Costs: a call checks a connection out of the pool (no round trip: connections are not tested
//! on checkout, a broken one is dropped when it is handed back) and runs its statements as
//! prepared ones, each parsed once per connection; every call from a thread that has a tokio
//! runtime is handed to one of the store's own threads (see [`Workers`]).

use super::super::{DatabaseUrl, StoreError};
use ::postgres::types::ToSql;
use ::postgres::{Client, GenericClient, Row, Statement};
use r2d2_postgres::PostgresConnectionManager;
use r2d2_postgres::r2d2::{self, ManageConnection};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres_rustls::MakeRustlsConnect;

/// Connections a store keeps at most, unless the address says otherwise (`pool_size=N`): enough
/// for the blocking pool's busy moments, few enough that several app servers stay well inside
/// PostgreSQL's default of 100 connections.
pub(super) const DEFAULT_POOL_SIZE: u32 = 16;

/// How long a call waits for a free connection, or to connect, before it fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What a database address gives: the driver's settings, the size of the pool and where the
/// certificates of a private certificate authority are, if the database's is one.
pub(super) struct Address {
    pub(super) config: ::postgres::Config,
    pub(super) pool_size: u32,
    pub(super) root_cert: Option<PathBuf>,
}

impl Address {
    /// Reads a `postgres://` address. Three things are taken out before the driver sees the
    /// rest: `pool_size=N`; libpq's `sslrootcert=FILE`, the PEM certificates of the authority
    /// that signed the database's (a managed database's own authority, say), trusted instead of
    /// the web's; and libpq's `sslmode=verify-ca`/`verify-full`, which mean what `require` means
    /// here (TLS through rustls always checks the certificate and the host name). Errors name
    /// the setting at fault, never the address, which may hold a password.
    pub(super) fn parse(url: &DatabaseUrl) -> Result<Self, StoreError> {
        let raw = url.expose();
        let (base, query) = raw.split_once('?').unwrap_or((raw, ""));
        let mut pool_size = DEFAULT_POOL_SIZE;
        let mut root_cert = None;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            match pair.split_once('=') {
                Some(("pool_size", value)) => {
                    pool_size = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=1000).contains(n))
                        .ok_or(StoreError::Invalid(
                            "pool_size in the database address is a number from 1 to 1000",
                        ))?;
                }
                Some(("sslrootcert", path)) => root_cert = Some(PathBuf::from(path)),
                Some(("sslmode", "verify-ca" | "verify-full")) => kept.push("sslmode=require"),
                _ => kept.push(pair),
            }
        }
        let address = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut config: ::postgres::Config = address
            .parse()
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("newsroom");
        }
        // Every statement here reads a few rows along an index. A listing page's statement is
        // planned once per connection (it is prepared) without knowing where its scan starts,
        // and PostgreSQL may then pick a parallel plan whose workers take ~8 ms to start for
        // a query that takes under one: no statement of ours gains from parallel workers.
        let options = config.get_options().unwrap_or_default().to_owned();
        config.options(format!("{options} -c max_parallel_workers_per_gather=0").trim_start());
        Ok(Address {
            config,
            pool_size,
            root_cert,
        })
    }

    /// One connection of its own, outside the pool: for migrations, which hold a session lock.
    pub(super) fn connect(&self) -> Result<Client, StoreError> {
        Ok(self.config.connect(tls(self.root_cert.as_deref())?)?)
    }

    /// The pool. It opens connections as they are needed (keeping one ready), so many stores
    /// (tests, several servers) do not hold connections they never use.
    pub(super) fn pool(&self) -> Result<r2d2::Pool<Manager>, StoreError> {
        let manager = Manager(PostgresConnectionManager::new(
            self.config.clone(),
            tls(self.root_cert.as_deref())?,
        ));
        Ok(r2d2::Pool::builder()
            .max_size(self.pool_size)
            .min_idle(Some(1))
            // A round trip per checkout costs more than the occasional failed call on a
            // connection that died while idle; a broken connection is dropped on return.
            .test_on_check_out(false)
            .connection_timeout(CONNECT_TIMEOUT)
            .build_unchecked(manager))
    }
}

/// TLS through rustls with the web's root certificates (webpki-roots), or those in
/// `root_cert`: a database's certificate is checked against them when the address asks for
/// `sslmode=require`; with `prefer` (the default) a server without TLS, such as a local one, is
/// reached in the clear.
///
/// The crypto is *ring*'s, which rustls 0.23.48 deprecates for lacking post-quantum key
/// exchange; its alternative (aws-lc-rs) builds a C library with cmake, which would weigh more
/// on the build than PostgreSQL's connection to a database in the same data centre gains.
#[expect(deprecated, reason = "ring keeps the build free of a C toolchain step")]
fn tls(root_cert: Option<&Path>) -> Result<MakeRustlsConnect, StoreError> {
    let roots = match root_cert {
        None => rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        },
        Some(path) => {
            use rustls::pki_types::{CertificateDer, pem::PemObject};
            let unreadable = |e: rustls::pki_types::pem::Error| StoreError::Io {
                action: "read the certificates (sslrootcert) in",
                path: path.to_owned(),
                source: std::io::Error::other(e),
            };
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(path).map_err(unreadable)? {
                roots
                    .add(cert.map_err(unreadable)?)
                    .map_err(|e| StoreError::Backend(Box::new(e)))?;
            }
            if roots.is_empty() {
                return Err(StoreError::Invalid(
                    "the sslrootcert file of the database address holds no certificate",
                ));
            }
            roots
        }
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| StoreError::Backend(Box::new(e)))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// r2d2_postgres's manager, giving connections that carry their own statement cache.
pub(super) struct Manager(PostgresConnectionManager<MakeRustlsConnect>);

impl ManageConnection for Manager {
    type Connection = PgConn;
    type Error = ::postgres::Error;

    fn connect(&self) -> Result<PgConn, Self::Error> {
        Ok(PgConn {
            client: Some(self.0.connect()?),
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut PgConn) -> Result<(), Self::Error> {
        match conn.client.as_mut() {
            Some(client) => self.0.is_valid(client),
            None => Ok(()),
        }
    }

    fn has_broken(&self, conn: &mut PgConn) -> bool {
        conn.client.as_ref().is_none_or(Client::is_closed)
    }
}

/// A pooled connection and the statements prepared on it.
pub(super) struct PgConn {
    /// Always there but while the connection is dropped (see the `Drop` impl).
    client: Option<Client>,
    statements: HashMap<&'static str, Statement>,
}

impl PgConn {
    /// The client and the statement cache, borrowed apart so a transaction on the one can use
    /// the other.
    pub(super) fn parts(
        &mut self,
    ) -> Result<(&mut Client, &mut HashMap<&'static str, Statement>), StoreError> {
        match self.client.as_mut() {
            Some(client) => Ok((client, &mut self.statements)),
            None => Err(StoreError::Inconsistent(
                "a connection used after closing".into(),
            )),
        }
    }
}

impl Drop for PgConn {
    /// Closing a connection runs the driver's own runtime, which panics on a thread inside a
    /// tokio runtime: a store (and with it its pool) dropped at the end of an async test would.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            off_runtime(move || drop(client));
        }
    }
}

/// Threads where the blocking driver may run. The `postgres` client drives each call with a
/// small tokio runtime of its own, and tokio refuses (panics) to start one on a thread that is
/// inside a runtime already: an `#[actix_web::test]` body, or an async handler calling the
/// store directly. The storage traits are synchronous and may be called from anywhere, so a
/// call from a thread that has a runtime (even the blocking pool's, which would be safe, as
/// tokio does not tell the two apart) is handed to one of these threads, and the caller waits
/// for it; the work borrows freely and a panic in it reaches the caller. Threads without a
/// runtime (the command line, plain tests) run it in place.
///
/// Kept threads (a rayon-core pool, whose `install` runs a borrowing closure on one of them
/// safely) rather than one spawned per call: on the 2-core development machine a thread
/// spawned and joined per call took a point read from a median of ~65 µs to ~147 µs, while
/// the hand-over to a kept thread adds ~15-25 µs (medians of 47-62 µs; see the `thread_hop`
/// test). There are as many threads as the pool has connections, so a call never waits for a
/// thread while a connection is free.
pub(super) struct Workers(rayon_core::ThreadPool);

impl Workers {
    pub(super) fn new(threads: u32) -> Result<Self, StoreError> {
        rayon_core::ThreadPoolBuilder::new()
            .num_threads(usize::try_from(threads).unwrap_or(1))
            .thread_name(|n| format!("newsroom-db-{n}"))
            .build()
            .map(Workers)
            .map_err(|e| StoreError::Backend(Box::new(e)))
    }

    pub(super) fn run<T: Send>(&self, work: impl FnOnce() -> T + Send) -> T {
        if tokio::runtime::Handle::try_current().is_err() {
            return work();
        }
        self.0.install(work)
    }
}

/// [`Workers::run`] without kept threads, for what happens once (opening a store, closing a
/// connection): a thread spawned for the occasion when the caller has a runtime.
pub(super) fn off_runtime<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return work();
    }
    std::thread::scope(|scope| match scope.spawn(work).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// Statements on one connection (or a transaction on it), prepared once per connection.
pub(super) struct Db<'a, C> {
    client: &'a mut C,
    statements: &'a mut HashMap<&'static str, Statement>,
    /// Set when a statement failed in a way that says "run the transaction again": a
    /// serialization failure or a deadlock. The work may turn that error into one of its own,
    /// so the transaction runner asks here rather than reading the error.
    pub(super) must_retry: bool,
    /// Set when any statement failed: PostgreSQL abandons the transaction then, whatever the
    /// work does with the error.
    pub(super) failed: bool,
}

pub(super) type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

impl<'a, C: GenericClient> Db<'a, C> {
    pub(super) fn new(
        client: &'a mut C,
        statements: &'a mut HashMap<&'static str, Statement>,
    ) -> Self {
        Db {
            client,
            statements,
            must_retry: false,
            failed: false,
        }
    }

    fn fail(&mut self, e: ::postgres::Error) -> StoreError {
        self.failed = true;
        if must_retry(&e) {
            self.must_retry = true;
        }
        e.into()
    }

    fn statement(&mut self, sql: &'static str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        match self.client.prepare(sql) {
            Ok(statement) => {
                self.statements.insert(sql, statement.clone());
                Ok(statement)
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    pub(super) fn query(
        &mut self,
        sql: &'static str,
        params: Params,
    ) -> Result<Vec<Row>, StoreError> {
        let statement = self.statement(sql)?;
        self.client
            .query(&statement, params)
            .map_err(|e| self.fail(e))
    }

    pub(super) fn query_opt(
        &mut self,
        sql: &'static str,
        params: Params,
    ) -> Result<Option<Row>, StoreError> {
        let statement = self.statement(sql)?;
        self.client
            .query_opt(&statement, params)
            .map_err(|e| self.fail(e))
    }

    pub(super) fn query_one(
        &mut self,
        sql: &'static str,
        params: Params,
    ) -> Result<Row, StoreError> {
        let statement = self.statement(sql)?;
        self.client
            .query_one(&statement, params)
            .map_err(|e| self.fail(e))
    }

    /// Runs `sql` as an unnamed statement, planned for these parameter values each time:
    /// for a query whose best plan depends on them (a search for a rare or a common word),
    /// which a statement prepared once would plan for neither.
    pub(super) fn query_once(&mut self, sql: &str, params: Params) -> Result<Vec<Row>, StoreError> {
        self.client.query(sql, params).map_err(|e| self.fail(e))
    }

    /// Runs a statement; returns how many rows it changed.
    pub(super) fn execute(&mut self, sql: &'static str, params: Params) -> Result<u64, StoreError> {
        let statement = self.statement(sql)?;
        self.client
            .execute(&statement, params)
            .map_err(|e| self.fail(e))
    }
}

/// Whether the transaction that got `e` should simply run again: SQLSTATE 40001 (it could not
/// be serialized with a concurrent one) or 40P01 (it was chosen to end a deadlock).
pub(super) fn must_retry(e: &::postgres::Error) -> bool {
    use ::postgres::error::SqlState;
    e.code().is_some_and(|c| {
        *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
    })
}

impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> Self {
        StoreError::Backend(Box::new(e))
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Backend(Box::new(e))
    }
}

/// Column `index` of `row`, as `T`.
pub(super) fn get<'r, T: ::postgres::types::FromSql<'r>>(
    row: &'r Row,
    index: usize,
) -> Result<T, StoreError> {
    Ok(row.try_get(index)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_size_and_libpq_ssl_modes_are_read_and_the_rest_goes_to_the_driver() {
        let url = DatabaseUrl::parse(
            "postgres://news:s3cret@db.example:5433/site?pool_size=4&sslmode=verify-full",
        )
        .unwrap();
        let address = Address::parse(&url).unwrap();
        assert_eq!(address.pool_size, 4);
        assert_eq!(
            address.config.get_ssl_mode(),
            ::postgres::config::SslMode::Require
        );
        assert_eq!(address.config.get_dbname(), Some("site"));
        assert_eq!(address.config.get_ports(), &[5433]);

        let plain =
            Address::parse(&DatabaseUrl::parse("postgres://news@db/site").unwrap()).unwrap();
        assert_eq!(plain.pool_size, DEFAULT_POOL_SIZE);
        assert_eq!(
            plain.config.get_ssl_mode(),
            ::postgres::config::SslMode::Prefer
        );
    }

    #[test]
    fn a_bad_setting_is_refused_without_showing_the_password() {
        for raw in [
            "postgres://news:s3cret@db/site?pool_size=0",
            "postgres://news:s3cret@db/site?sslmode=sometimes",
            "postgres://news:s3cret@db/site?colour=blue",
        ] {
            let e = Address::parse(&DatabaseUrl::parse(raw).unwrap())
                .err()
                .unwrap();
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("s3cret"), "{shown}");
        }
    }

    #[test]
    fn a_certificate_file_that_cannot_be_read_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let e = tls(Some(&missing)).err().unwrap();
        assert!(e.to_string().contains("missing.pem"), "{e}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no certificates here\n").unwrap();
        assert!(matches!(tls(Some(&empty)), Err(StoreError::Invalid(_))));
    }

    #[test]
    fn a_connection_failure_names_its_cause_not_the_password() {
        // Nothing listens on port 1.
        let url = DatabaseUrl::parse("postgres://news:s3cret@127.0.0.1:1/site").unwrap();
        let e = Address::parse(&url).unwrap().connect().err().unwrap();
        let shown = format!("{e} {e:?}");
        assert!(matches!(e, StoreError::Backend(_)));
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
