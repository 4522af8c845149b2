//! The `newsroom` command line: what each command does, its flags and environment variables.

use crate::auth::token::Setup;
use crate::domain::Section;
use crate::editorial;
use crate::import::wire;
use crate::settings::{DatabaseUrl, Settings, Storage};
use crate::startup::Application;
use crate::storage::{self, SharedStore, StoreError};
use crate::telemetry::LogFormat;
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use time::OffsetDateTime;

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
    /// `?sslmode=require` for TLS) instead of sled in --data; several servers may share it.
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
    /// Manage desk accounts: add, passwd, list, disable, enable.
    User(user::UserArgs),
    /// Write every published story as ninjs JSON Lines to FILE or standard output.
    Export(distribution::ExportArgs),
    /// Bring in stories from ninjs JSON Lines; idempotent by `uri`, newer `version`s update.
    Import(distribution::ImportArgs),
    /// Write a consistent copy of the database (sessions excluded), even while serving.
    Backup(distribution::BackupArgs),
    /// Bring a backup back into the data directory (the server must be stopped).
    Restore(distribution::RestoreArgs),
    /// Make a new first-run setup link while no account exists (the earlier link stops working).
    SetupLink(SetupLinkArgs),
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
    /// A reverse proxy (its IP address) whose `Forwarded`, `X-Forwarded-For` and
    /// `X-Forwarded-Proto` headers are believed, for throttling, logging and links; repeat it,
    /// or separate addresses with commas, for several. From any other address those headers
    /// are ignored.
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
}

#[derive(Debug, clap::Args)]
pub struct ImportWireArgs {
    /// Files of wire copy, one story each.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Section the stories are published in.
    #[arg(long, default_value = "world", value_parser = parse_section)]
    pub section: Section,
    /// Split each story into pages at paragraph breaks, a page closing once it holds N words.
    #[arg(long, value_name = "N")]
    pub page_words: Option<std::num::NonZeroUsize>,
}

fn parse_section(raw: &str) -> Result<Section, String> {
    Section::parse(raw).map_err(|e| e.to_string())
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
            Some(Command::SetupLink(args)) => setup_link(&settings, &args),
            None => anyhow::bail!("no command given; see `newsroom --help`"),
        }
    }
}

fn open_store(settings: &Settings) -> anyhow::Result<SharedStore> {
    storage::open(&settings.storage, settings.clock.clone()).map_err(|e| match e {
        StoreError::Locked(_) => anyhow::anyhow!("{e}"),
        other => anyhow::Error::new(other).context(format!("cannot open {}", settings.storage)),
    })
}

fn serve(mut settings: Settings, args: ServeArgs) -> anyhow::Result<()> {
    settings.base_url = args
        .base_url
        .unwrap_or_else(|| format!("http://{}", args.bind))
        .trim_end_matches('/')
        .to_owned();
    settings.bind = args.bind;
    settings.site_name = args.site_name;
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
    let store = open_store(&settings)?;
    let system = actix_web::rt::System::new();
    system.block_on(async move {
        let app = Application::build_with_store(settings.clone(), store)?;
        let host = settings.bind.rsplit_once(':').map_or(settings.bind.as_str(), |(host, _)| host);
        tracing::info!(storage = %settings.storage, "serving {} on http://{host}:{}", settings.site_name, app.port());
        match app.setup() {
            // The one place the token appears: for whoever started the server, not the log.
            Setup::Issued(token) => println!(
                "No account exists yet. Create the first admin account at:\n  http://{host}:{}/setup/{token}",
                app.port()
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
    let store = open_store(settings)?;
    match crate::auth::token::reissue_setup_token(&*store)? {
        Some(token) => {
            // The one place the token appears: for whoever asked, not the log.
            println!(
                "Create the first admin account at:\n  {}/setup/{token}",
                args.base_url.trim_end_matches('/')
            );
            Ok(())
        }
        None => anyhow::bail!(
            "{} already has accounts; `newsroom user add` creates more",
            settings.storage
        ),
    }
}

fn import_wire(settings: Settings, args: ImportWireArgs) -> anyhow::Result<()> {
    // Parse everything first: a file that does not parse is reported and nothing of it is saved.
    let mut failed = 0;
    let mut parsed = Vec::new();
    for file in &args.files {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let parsed_file = match args.page_words {
            Some(words) => wire::parse_in_pages(&text, words),
            None => wire::parse(&text),
        };
        match parsed_file {
            Ok(story) => parsed.push((file, story)),
            Err(e) => {
                eprintln!("{}: {e}", file.display());
                failed += 1;
            }
        }
    }
    let store = open_store(&settings)?;
    for (file, wire_story) in parsed {
        let now = OffsetDateTime::now_utc();
        let story = wire_story.into_story(args.section, now);
        match editorial::import_wire(&*store, &editorial::Actor::CommandLine, story, now)? {
            editorial::Imported::New(story) => println!(
                "{}: published {:?} as {}",
                file.display(),
                story.content.headline.as_str(),
                article_url(&story)
            ),
            editorial::Imported::AlreadyThere(story) => {
                println!(
                    "{}: already imported as {}; skipped",
                    file.display(),
                    article_url(&story)
                )
            }
        }
    }
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} files could not be imported",
            args.files.len()
        );
    }
    Ok(())
}

/// Where readers find a story: its path on the site, as the article page links it.
fn article_url(story: &crate::domain::Story) -> String {
    crate::urls::article(
        story.published_at.unwrap_or(story.updated_at),
        &story.content.slug,
        1,
    )
}
