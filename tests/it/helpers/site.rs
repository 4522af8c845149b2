//! The storage of the site under test: a temp dir of its own (for logs, backups, files to
//! import) and the database the site keeps its records in. That database is sled in the temp
//! dir, or, with `NEWSROOM_TEST_ENGINE=postgres`, a fresh PostgreSQL database on the cluster
//! `NEWSROOM_TEST_DATABASE_URL` names (`scripts/test` starts one and sets both), dropped with
//! the site. Tests speak of the site, never of an engine, unless they test what one engine
//! alone does.

use newsroom::clock::Clock;
use newsroom::settings::{DatabaseUrl, Storage};
use newsroom::storage::{self, SharedStore, StoreError};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tempfile::TempDir;

/// The cluster the PostgreSQL variants use: `postgres://USER@HOST:PORT/DATABASE`, a user who
/// may create databases.
const DATABASE_URL_VAR: &str = "NEWSROOM_TEST_DATABASE_URL";
/// `sled` (the default) or `postgres`: the engine of every site a test makes with
/// [`TestSite::new`].
const ENGINE_VAR: &str = "NEWSROOM_TEST_ENGINE";

/// Where the records of a site are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sled,
    Postgres,
}

impl Engine {
    /// The engine of this run, from `NEWSROOM_TEST_ENGINE`; sled when it is not set.
    pub fn chosen() -> Engine {
        match std::env::var(ENGINE_VAR).as_deref() {
            Err(std::env::VarError::NotPresent) | Ok("" | "sled") => Engine::Sled,
            Ok("postgres") => Engine::Postgres,
            other => panic!("{ENGINE_VAR} is {other:?}; it takes sled or postgres"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Sled => "sled",
            Engine::Postgres => "postgres",
        }
    }
}

/// Skips the rest of a test when this run is on another engine than sled: for tests that
/// cannot tell engines apart (browser journeys, markup, load), so that they run once, in the
/// sled pass. Returns whether the test should go on.
pub fn runs_once(test: &str) -> bool {
    let engine = Engine::chosen();
    if engine != Engine::Sled {
        eprintln!(
            "{test}: runs in the sled pass only (this pass is on {})",
            engine.name()
        );
    }
    engine == Engine::Sled
}

/// One site's storage; the database goes when this is dropped.
pub struct TestSite {
    dir: TempDir,
    engine: Engine,
    database: Option<TestDatabase>,
}

impl TestSite {
    /// A site with an empty database on the engine of this run ([`Engine::chosen`]).
    pub fn new() -> TestSite {
        Self::on(Engine::chosen())
    }

    /// A site on sled whatever the run's engine: for tests of what sled alone does (its
    /// directory, its files, its restore by renames).
    pub fn sled() -> TestSite {
        Self::on(Engine::Sled)
    }

    /// A site with an empty database on `engine`. For PostgreSQL, panics when no cluster is
    /// named, saying how to get one: such a test fails rather than passing untried.
    pub fn on(engine: Engine) -> TestSite {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = match engine {
            Engine::Sled => None,
            Engine::Postgres => Some(TestDatabase::create()),
        };
        TestSite {
            dir,
            engine,
            database,
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The site's temp dir, for files beside the database: logs, backups, files to import.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// sled's data directory, inside the temp dir; `None` on PostgreSQL.
    pub fn data_dir(&self) -> Option<PathBuf> {
        match self.engine {
            Engine::Sled => Some(self.path().join("data")),
            Engine::Postgres => None,
        }
    }

    /// The storage of the site's `Settings`.
    pub fn storage(&self) -> Storage {
        match &self.database {
            Some(database) => Storage::Postgres {
                url: database.url.clone(),
            },
            None => Storage::Sled {
                dir: self.path().join("data"),
                cache_bytes: 8 << 20,
            },
        }
    }

    /// What tells the `newsroom` binary where the records are.
    pub fn cli_args(&self) -> Vec<OsString> {
        match &self.database {
            Some(database) => vec!["--database-url".into(), database.url.expose().into()],
            None => vec![
                "--data".into(),
                self.path().join("data").into(),
                "--cache-mb".into(),
                "8".into(),
            ],
        }
    }

    /// Opens the site's database from test code, on the system clock.
    pub fn open(&self) -> SharedStore {
        self.open_with_clock(Clock::system())
    }

    pub fn open_with_clock(&self, clock: Clock) -> SharedStore {
        self.try_open(clock)
            .unwrap_or_else(|e| panic!("open the {} store: {e}", self.engine.name()))
    }

    pub fn try_open(&self, clock: Clock) -> Result<SharedStore, StoreError> {
        storage::open(&self.storage(), clock)
    }
}

/// A database of its own on the test cluster, named `t_<uuid>`.
struct TestDatabase {
    name: String,
    url: DatabaseUrl,
}

impl TestDatabase {
    fn create() -> TestDatabase {
        let cluster = cluster_url();
        let name = format!("t_{}", uuid::Uuid::now_v7().simple());
        let template = ensure_template(&cluster);
        let statement = match template {
            Some(template) => format!("CREATE DATABASE {name} TEMPLATE {template}"),
            None => format!("CREATE DATABASE {name}"),
        };
        admin(&cluster, move |client| client.batch_execute(&statement))
            .unwrap_or_else(|e| panic!("create a test database on {cluster}: {}", describe(&e)));
        let url = DatabaseUrl::parse(&with_database(&cluster, &name)).expect("database url");
        TestDatabase { name, url }
    }
}

impl Drop for TestDatabase {
    /// Best effort: a database left behind lives only as long as the throwaway cluster.
    /// `FORCE` ends the connections a server still running in the test's runtime holds.
    fn drop(&mut self) {
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(e) = admin(&cluster_url(), move |client| {
            client.batch_execute(&statement)
        }) {
            eprintln!(
                "could not drop the test database {}: {}",
                self.name,
                describe(&e)
            );
        }
    }
}

/// The cluster named by `NEWSROOM_TEST_DATABASE_URL`; panics, saying how to start one, when
/// it is not set.
fn cluster_url() -> String {
    match std::env::var(DATABASE_URL_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "the PostgreSQL variants need a cluster and {DATABASE_URL_VAR} naming it: run them \
             with scripts/test, which starts one (or set {DATABASE_URL_VAR} to a \
             postgres://USER@HOST:PORT/postgres URL of a user who may create databases)"
        ),
    }
}

/// `url` naming database `name` instead of its own.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut named = format!("{}/{name}", &base[..authority_end]);
    if let Some(query) = query {
        named.push('?');
        named.push_str(query);
    }
    named
}

/// The server's own message when there is one: the client's error says only "db error".
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.to_string(),
        None => e.to_string(),
    }
}

/// Runs `work` on a connection of its own to `url`, on a thread of its own: the blocking
/// client runs a runtime of its own, which cannot start inside a test's async runtime.
fn admin<T: Send>(
    url: &str,
    work: impl FnOnce(&mut postgres::Client) -> Result<T, postgres::Error> + Send,
) -> Result<T, postgres::Error> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let mut client = postgres::Client::connect(url, postgres::NoTls)?;
                work(&mut client)
            })
            .join()
            .expect("the database thread")
    })
}

/// The template every test database is copied from, so that each starts with the engine's
/// schema in place instead of migrating its own.
const TEMPLATE: &str = "nr_template";
/// Names the template-building lock among PostgreSQL advisory locks ("nr" and "tmpl").
const TEMPLATE_LOCK: i64 = 0x6e72_746d_706c;

/// Makes sure the cluster holds the migrated template, once per test process; returns its
/// name, or `None` to create empty databases. Test processes run side by side (the library's
/// tests and the integration tests), so the one that builds it holds an advisory lock while
/// the others wait, and the template appears under its name only once complete.
///
/// The migration is the engine's own `storage::open` on a new database. A template kept on a
/// cluster across changes to the schema is migrated further by that same `open` in each
/// test's database, so it is slower to start from, never wrong.
fn ensure_template(cluster: &str) -> Option<&'static str> {
    static TEMPLATE_READY: OnceLock<Result<(), String>> = OnceLock::new();
    let ready =
        TEMPLATE_READY.get_or_init(|| build_template(cluster).map_err(|e| format!("{e:#}")));
    match ready {
        Ok(()) => Some(TEMPLATE),
        Err(e) => panic!("cannot make the template database {TEMPLATE} on {cluster}: {e}"),
    }
}

fn build_template(cluster: &str) -> anyhow::Result<()> {
    let cluster = cluster.to_owned();
    // A thread of its own, as for `admin`; its connection holds the lock throughout.
    let built = std::thread::spawn(move || -> anyhow::Result<()> {
        let mut client = postgres::Client::connect(&cluster, postgres::NoTls)?;
        client.execute("SELECT pg_advisory_lock($1)", &[&TEMPLATE_LOCK])?;
        let exists = client
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&TEMPLATE])?
            .is_some();
        if !exists {
            let building = format!("{TEMPLATE}_building");
            // One statement a query: neither runs inside a transaction block.
            client.batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))?;
            client.batch_execute(&format!("CREATE DATABASE {building}"))?;
            let url = DatabaseUrl::parse(&with_database(&cluster, &building))
                .map_err(anyhow::Error::msg)?;
            // The engine's own migration; the store's connections close when it is dropped,
            // and any it leaves open are ended before the rename.
            let store = storage::open(&Storage::Postgres { url }, Clock::system())
                .map_err(|e| anyhow::anyhow!("the engine's open failed on it: {e}"))?;
            drop(store);
            for statement in [
                format!("ALTER DATABASE {building} WITH ALLOW_CONNECTIONS false"),
                format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = '{building}' AND pid <> pg_backend_pid()"
                ),
                format!("ALTER DATABASE {building} RENAME TO {TEMPLATE}"),
                format!("ALTER DATABASE {TEMPLATE} WITH IS_TEMPLATE true"),
            ] {
                client.batch_execute(&statement)?;
            }
        }
        // Closing the connection would release the lock too; say it outright.
        client.execute("SELECT pg_advisory_unlock($1)", &[&TEMPLATE_LOCK])?;
        Ok(())
    });
    built
        .join()
        .map_err(|_| anyhow::anyhow!("building the template panicked"))?
}
