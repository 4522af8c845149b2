//! The `newsroom` command line: what each command does, its flags and environment variables.

use crate::auth::token::Setup;
use crate::commands::{self, Output, Request, Site, WireFile};
use crate::control::{self, OwnedInput};
use crate::domain::SiteZone;
use crate::settings::{DatabaseUrl, Settings, Storage};
use crate::startup::Application;
use crate::storage::{self, SharedStore, StoreError};
use crate::telemetry::LogFormat;
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

mod distribution;
mod user;

#[derive(Debug, Parser)]
#[command(
    name = "newsroom",
    version,
    about = "A newsroom CMS: write, edit, publish and distribute journalism."
)]
pub struct Cli {
    /// Directory holding the database; created on first run.
    #[arg(
        long,
        global = true,
        env = "NEWSROOM_DATA",
        default_value = "./newsroom-data",
        value_name = "DIR"
    )]
    pub data: PathBuf,

    /// sled's page cache in MiB.
    #[arg(
        long,
        global = true,
        env = "NEWSROOM_CACHE_MB",
        default_value_t = 64,
        value_name = "MIB"
    )]
    pub cache_mb: u64,

    /// Keep the data in this PostgreSQL database (postgres://USER[:PASSWORD]@HOST[:PORT]/DB,
    /// `?sslmode=require` for TLS, `&sslrootcert=FILE` to trust a private authority,
    /// `&pool_size=N` for at most N connections, 16 by default)
    /// instead of sled in --data; several servers may share it.
    #[arg(
        long,
        global = true,
        env = "NEWSROOM_DATABASE_URL",
        value_name = "URL",
        value_parser = DatabaseUrl::parse,
        hide_env_values = true
    )]
    pub database_url: Option<DatabaseUrl>,

    /// How log lines are written: `text` for a terminal, `json` (one object a line) for a log
    /// shipper.
    #[arg(
        long,
        global = true,
        env = "NEWSROOM_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web site (the default when no command is given).
    Serve(ServeArgs),
    /// Publish plain-text wire copy: headline, `Source: X| YYYY-MM-DD HH:MM:SS|Editor: YY`,
    /// photo caption ending in its (credit), `CITY, Month D (Agency) --` dateline, body.
    ImportWire(ImportWireArgs),
    /// Manage desk accounts: add, passwd, list, disable, enable, reset-2fa.
    User(user::UserArgs),
    /// Write every published story as ninjs JSON Lines to FILE or standard output.
    Export(distribution::ExportArgs),
    /// Bring in stories from ninjs JSON Lines; idempotent by `uri`, newer `version`s update.
    Import(distribution::ImportArgs),
    /// Write a consistent copy of the database (sessions excluded), even while serving.
    Backup(distribution::BackupArgs),
    /// Bring a backup back into the data directory (the server must be stopped).
    Restore(distribution::RestoreArgs),
    /// Bring the PostgreSQL database's schema up to date and print its version (servers do
    /// this on start; run it first to upgrade before they do). sled needs none.
    Migrate,
    /// Make a new first-run setup link while no account exists (the earlier link stops working).
    SetupLink(SetupLinkArgs),
    /// Make the search index again from the stored stories and photos (works while serving;
    /// searches say search is being rebuilt until it is done).
    Reindex,
}

#[derive(Debug, clap::Args)]
pub struct SetupLinkArgs {
    /// The site's public address, to print the whole link.
    #[arg(
        long,
        env = "NEWSROOM_BASE_URL",
        default_value = "http://127.0.0.1:8080",
        value_name = "URL"
    )]
    pub base_url: String,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(
        long,
        env = "NEWSROOM_BIND",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub bind: String,
    /// Public address of the site, for absolute links; `https://` also marks cookies Secure.
    /// Defaults to http:// and the bind address.
    #[arg(long, env = "NEWSROOM_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// Name shown in the masthead and page titles.
    #[arg(long, env = "NEWSROOM_SITE_NAME", default_value = "Newsroom")]
    pub site_name: String,
    /// The site's language (a BCP 47 tag such as en, fr, ar): of its own words, and of every
    /// story that names none.
    #[arg(long, env = "NEWSROOM_LANGUAGE", default_value = "en", value_name = "TAG", value_parser = parse_language)]
    pub language: crate::domain::Language,
    /// The publisher's logo in articles' structured data (Google asks for one at least 112
    /// pixels wide); with it, its width and height. Defaults to the logo shipped with the site.
    #[arg(long, env = "NEWSROOM_LOGO_URL", value_name = "URL", requires_all = ["logo_width", "logo_height"])]
    pub logo_url: Option<String>,
    /// The logo's width in pixels.
    #[arg(
        long,
        env = "NEWSROOM_LOGO_WIDTH",
        value_name = "PIXELS",
        requires = "logo_url"
    )]
    pub logo_width: Option<u32>,
    /// The logo's height in pixels.
    #[arg(
        long,
        env = "NEWSROOM_LOGO_HEIGHT",
        value_name = "PIXELS",
        requires = "logo_url"
    )]
    pub logo_height: Option<u32>,
    /// Stories on each front and section page.
    #[arg(long, env = "NEWSROOM_PER_PAGE", default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=200))]
    pub per_page: u16,
    /// Largest photo upload accepted, in MiB; a larger one is refused with a message on the form.
    #[arg(long, env = "NEWSROOM_MAX_PHOTO_MB", default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=500))]
    pub max_photo_mb: u16,
    /// A reverse proxy (its IP address) whose `X-Forwarded-For` and `X-Forwarded-Proto` (or,
    /// when it sets neither, `Forwarded`) are believed, for login throttling and the log;
    /// repeat it, or separate addresses with commas, for several. From any other address
    /// those headers are ignored.
    #[arg(
        long = "trusted-proxy",
        env = "NEWSROOM_TRUSTED_PROXY",
        value_name = "ADDR",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// On SIGTERM, keep serving this many seconds with `/readyz` answering 503 before
    /// stopping, so that a load balancer checking it stops sending requests first.
    #[arg(long, env = "NEWSROOM_DRAIN_SECONDS", default_value_t = 0, value_name = "SECONDS",
          value_parser = clap::value_parser!(u16).range(0..=600))]
    pub drain_seconds: u16,
    /// Serve Prometheus metrics at http://ADDR/metrics (requests by route and status with
    /// latencies, page-cache hits and misses, save latency, scheduler lag, database pool use).
    /// Keep ADDR private: a loopback or internal address. Without it no metrics are kept.
    #[arg(long, env = "NEWSROOM_METRICS_BIND", value_name = "ADDR")]
    pub metrics_bind: Option<String>,
    /// The newsroom's time zone, an IANA name such as Europe/London: readers and the desk see
    /// dates in it and the desk types them in it. Stored times stay UTC.
    #[arg(long, env = "NEWSROOM_TIME_ZONE", value_name = "ZONE", default_value = "UTC",
          value_parser = parse_zone)]
    pub time_zone: SiteZone,
    /// Watch DIR for files of agency copy (wire text or ninjs JSON) and put each in the desk's
    /// incoming list within seconds, then move it to DIR/done/ or, with NAME.reason.txt beside
    /// it, to DIR/failed/. Writers should write `.NAME` and rename it to NAME when complete:
    /// dotfiles and files changed in the last second are left alone. Servers sharing DIR each
    /// take a file only after claiming it by a rename, so no file is taken twice.
    #[arg(long, env = "NEWSROOM_INGEST_DIR", value_name = "DIR")]
    pub ingest_dir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ImportWireArgs {
    /// Files of wire copy, one story each.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Section the stories are published in, by its key.
    #[arg(long, default_value = "world", value_parser = parse_section)]
    pub section: String,
    /// The language the copy is written in (a BCP 47 tag such as zh-Hans or ar); left out,
    /// the site's.
    #[arg(long, value_name = "TAG", value_parser = parse_language)]
    pub language: Option<crate::domain::Language>,
    /// Split each story into pages at paragraph breaks, a page closing once it holds N words.
    #[arg(long, value_name = "N")]
    pub page_words: Option<std::num::NonZeroUsize>,
    /// The agency's time zone (an IANA name): the wire's time stamps are its local time.
    #[arg(long, value_name = "ZONE", default_value = "UTC", value_parser = parse_zone)]
    pub time_zone: SiteZone,
    /// Put the stories in the desk's incoming list for an editor to take, instead of
    /// publishing them.
    #[arg(long)]
    pub incoming: bool,
}

fn parse_zone(raw: &str) -> Result<SiteZone, String> {
    SiteZone::parse(raw).map_err(|e| e.to_string())
}

/// A section's key as commands take it. Which sections exist is the site's (see
/// [`crate::sections`]): the command checks it where the site's list is at hand.
fn parse_section(raw: &str) -> Result<String, String> {
    crate::domain::Slug::parse(raw)
        .map(|key| key.to_string())
        .map_err(|_| format!("{raw:?} is not a section's key, such as world or business"))
}

impl Cli {
    /// Parses the process arguments; with no command given, `serve` is meant.
    pub fn from_args() -> Self {
        let cli = Self::parse();
        if cli.command.is_some() {
            return cli;
        }
        Self::parse_from(std::env::args_os().chain(["serve".into()]))
    }

    pub fn run(self) -> anyhow::Result<()> {
        let storage = match self.database_url.clone() {
            Some(url) => Storage::Postgres { url },
            None => Storage::Sled {
                dir: self.data.clone(),
                cache_bytes: self.cache_mb.max(1) << 20,
            },
        };
        let settings = Settings::new(storage);
        match self.command {
            Some(Command::Serve(args)) => serve(settings, args),
            Some(Command::ImportWire(args)) => import_wire(settings, args),
            Some(Command::User(args)) => user::run(&settings, args),
            Some(Command::Export(args)) => distribution::export(&settings, args),
            Some(Command::Import(args)) => distribution::import(&settings, args),
            Some(Command::Backup(args)) => distribution::backup(&settings, args),
            Some(Command::Restore(args)) => distribution::restore(&settings, args),
            Some(Command::Migrate) => migrate(&settings),
            Some(Command::SetupLink(args)) => setup_link(&settings, &args),
            Some(Command::Reindex) => reindex(&settings),
            None => anyhow::bail!("no command given; see `newsroom --help`"),
        }
    }
}

/// Opens the database for `serve`, which cannot share it with another server on sled.
fn open_store(settings: &Settings) -> anyhow::Result<SharedStore> {
    storage::open(&settings.storage, settings.clock.clone()).map_err(|e| match e {
        StoreError::Locked(_) => anyhow::anyhow!("{e}"),
        other => anyhow::Error::new(other).context(format!("cannot open {}", settings.storage)),
    })
}

fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let migrated = storage::migrate(&settings.storage)
        .with_context(|| format!("cannot migrate {}", settings.storage))?;
    match migrated {
        Some(m) if m.from == m.to => println!("{} is at schema version {}", settings.storage, m.to),
        Some(m) => println!(
            "{} migrated from schema version {} to {}",
            settings.storage, m.from, m.to
        ),
        None => println!("{} is sled, which needs no migrating", settings.storage),
    }
    Ok(())
}

fn serve(mut settings: Settings, args: ServeArgs) -> anyhow::Result<()> {
    settings.base_url = args
        .base_url
        .unwrap_or_else(|| format!("http://{}", args.bind))
        .trim_end_matches('/')
        .to_owned();
    settings.bind = args.bind;
    settings.site_name = args.site_name;
    settings.language = args.language;
    if let (Some(url), Some(width), Some(height)) =
        (args.logo_url, args.logo_width, args.logo_height)
    {
        settings.logo = crate::urls::assets::Logo { url, width, height };
    }
    settings.per_page = usize::from(args.per_page);
    settings.max_photo_bytes = usize::from(args.max_photo_mb) << 20;
    settings.trusted_proxies = args.trusted_proxies;
    settings.drain = std::time::Duration::from_secs(u64::from(args.drain_seconds));
    settings.metrics_bind = args.metrics_bind;
    settings.time_zone = args.time_zone;
    settings.ingest_dir = args.ingest_dir;
    let store = open_store(&settings)?;
    let system = actix_web::rt::System::new();
    system.block_on(async move {
        let app = Application::build_with_store(settings.clone(), store)?;
        let host = settings.bind.rsplit_once(':').map_or(settings.bind.as_str(), |(host, _)| host);
        tracing::info!(storage = %settings.storage, "serving {} on http://{host}:{}", settings.site_name, app.port());
        // The token is shown on a terminal only: a service manager keeps standard output in
        // its journal, a log others read; there `newsroom setup-link` gives the operator one.
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
        match app.setup() {
            Setup::Issued(_) | Setup::Waiting if !terminal => println!(
                "No account exists yet. Run `newsroom setup-link` for the link that creates the \
                 first admin account."
            ),
            Setup::Issued(token) => println!(
                "No account exists yet. Create the first admin account at:\n  {}/setup/{token}",
                app.base_url()
            ),
            Setup::Waiting => println!(
                "No account exists yet. The setup link made when the site first started still \
                 works; `newsroom setup-link` makes a new one (the earlier link then stops working)."
            ),
            Setup::Done => {}
        }
        app.run_until_signalled().await
    })?;
    tracing::info!("stopped");
    Ok(())
}

fn setup_link(settings: &Settings, args: &SetupLinkArgs) -> anyhow::Result<()> {
    let request = Request::SetupLink {
        base_url: args.base_url.clone(),
    };
    Target::open(settings)?.run(settings, request, no_input(), std::io::stdout().lock())
}

fn reindex(settings: &Settings) -> anyhow::Result<()> {
    Target::open(settings)?.run(
        settings,
        Request::Reindex,
        no_input(),
        std::io::stdout().lock(),
    )
}

fn import_wire(settings: Settings, args: ImportWireArgs) -> anyhow::Result<()> {
    // Every file is read before anything is imported: one that cannot be read stops the
    // command with nothing done.
    let mut files = Vec::with_capacity(args.files.len());
    for file in &args.files {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        files.push(WireFile {
            name: file.display().to_string(),
            text,
        });
    }
    let request = Request::ImportWire {
        section: args.section,
        page_words: args.page_words,
        language: args.language.map(|l| l.to_string()),
        time_zone: args.time_zone.name().to_owned(),
        incoming: args.incoming,
    };
    let input: OwnedInput = Box::new(files.into_iter().map(|file| file.to_line()));
    Target::open(&settings)?.run(&settings, request, input, std::io::stdout().lock())
}

/// Where a command runs: on the database opened in this process, or, while a server holds a
/// sled database, in that server through its control channel. On PostgreSQL every command
/// opens the database itself, as every server does.
enum Target {
    Here(SharedStore),
    Server(control::Server),
}

impl Target {
    /// Opens the database, or finds the server that holds it. Done before anything is asked
    /// of the person at the terminal, so that a database that cannot be reached is reported
    /// before a password is typed for nothing.
    fn open(settings: &Settings) -> anyhow::Result<Target> {
        match storage::open(&settings.storage, settings.clock.clone()) {
            Ok(store) => Ok(Target::Here(store)),
            Err(StoreError::Locked(dir)) => Ok(Target::Server(control::Server::find(&dir)?)),
            Err(e) => {
                Err(anyhow::Error::new(e).context(format!("cannot open {}", settings.storage)))
            }
        }
    }

    /// Runs `request`, its text written to `out` and its notes to standard error.
    fn run(
        self,
        settings: &Settings,
        request: Request,
        mut input: OwnedInput,
        out: impl Write,
    ) -> anyhow::Result<()> {
        let mut terminal = Terminal { out };
        let ran = match self {
            Target::Here(store) => {
                // The site's own sections, which a command may file stories under.
                crate::sections::refresh(&*store)?;
                let site = Site {
                    store: &*store,
                    storage: &settings.storage,
                };
                commands::run(&site, request, &mut input, &mut terminal)
            }
            Target::Server(server) => server.run(&request, input, &mut terminal),
        };
        let flushed = terminal.out.flush();
        ran?;
        Ok(flushed?)
    }
}

/// No input: for the commands that read none.
fn no_input() -> OwnedInput {
    Box::new(std::iter::empty())
}

/// A command's output as the person at the terminal sees it: its text on standard output (or
/// in the file it writes), its notes on standard error.
struct Terminal<W: Write> {
    out: W,
}

impl<W: Write> Output for Terminal<W> {
    fn out(&mut self, text: &str) -> std::io::Result<()> {
        self.out.write_all(text.as_bytes())
    }

    fn note(&mut self, line: &str) -> std::io::Result<()> {
        // Pending output first, so that a note follows what came before it.
        self.out.flush()?;
        writeln!(std::io::stderr().lock(), "{line}")
    }
}

/// A language tag as `--language` takes it.
fn parse_language(raw: &str) -> Result<crate::domain::Language, String> {
    crate::domain::Language::parse(raw).map_err(|e| e.to_string())
}
