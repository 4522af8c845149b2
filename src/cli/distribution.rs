//! `newsroom export`, `import`, `backup` and `restore`: stories in and out as ninjs JSON Lines,
//! and the whole database to and from a backup directory. All but `restore` run in
//! [`crate::commands`], in this process or in the running server.

use super::{Target, no_input};
use crate::commands::Request;
use crate::control::OwnedInput;
use crate::settings::{Settings, Storage};
use crate::storage::{self, Replace, StoreError};
use anyhow::Context;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// IPTC ninjs 2.2, one JSON document a line.
    Ninjs,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value = "ninjs")]
    pub format: Format,
    /// Where to write; standard output when left out.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Public address of the site, for the documents' URIs and links.
    #[arg(
        long,
        env = "NEWSROOM_BASE_URL",
        default_value = "http://127.0.0.1:8080",
        value_name = "URL"
    )]
    pub base_url: String,
    /// The copyright holder named in every document.
    #[arg(long, env = "NEWSROOM_SITE_NAME", default_value = "Newsroom")]
    pub site_name: String,
    /// The site's language: of every story that names none of its own.
    #[arg(long, env = "NEWSROOM_LANGUAGE", default_value = "en", value_name = "TAG", value_parser = super::parse_language)]
    pub language: crate::domain::Language,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[arg(long, value_enum, default_value = "ninjs")]
    pub format: Format,
    /// JSON Lines: one ninjs document a line.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Section for documents that do not name one of ours, by its key.
    #[arg(long, default_value = "world", value_parser = super::parse_section)]
    pub section: String,
    /// The site's language: a document in it is filed as a story in the site's language.
    #[arg(long, env = "NEWSROOM_LANGUAGE", default_value = "en", value_name = "TAG", value_parser = super::parse_language)]
    pub language: crate::domain::Language,
    /// Public address of this site: a document whose URI is one of this site's stories updates
    /// that story; any other document is a story of its own.
    #[arg(
        long,
        env = "NEWSROOM_BASE_URL",
        default_value = "http://127.0.0.1:8080",
        value_name = "URL"
    )]
    pub base_url: String,
    /// Put the stories in the desk's incoming list for an editor to take, instead of
    /// publishing them.
    #[arg(long)]
    pub incoming: bool,
}

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Directory to write the backup into; created if needed, must not hold a backup already.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// Directory holding a backup written by `newsroom backup`.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Replace the contents of a data directory that already holds data.
    #[arg(long)]
    pub force: bool,
}

/// Every published story, newest first, then every withdrawn one (marked canceled); see
/// [`crate::commands`].
pub fn export(settings: &Settings, args: ExportArgs) -> anyhow::Result<()> {
    let Format::Ninjs = args.format;
    let target = Target::open(settings)?;
    let out: Box<dyn Write> = match &args.file {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let request = Request::Export {
        base_url: args.base_url,
        site_name: args.site_name,
        language: args.language.to_string(),
    };
    target.run(settings, request, no_input(), BufWriter::new(out))
}

/// Imports line by line: each line is saved whole or not at all, and a bad line does not stop
/// the lines after it. The file is read here, a line at a time, wherever the import runs.
pub fn import(settings: &Settings, args: ImportArgs) -> anyhow::Result<()> {
    let Format::Ninjs = args.format;
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let target = Target::open(settings)?;
    let request = Request::Import {
        source: args.file.display().to_string(),
        section: args.section,
        base_url: args.base_url,
        language: args.language.to_string(),
        incoming: args.incoming,
    };
    let lines: OwnedInput = Box::new(std::io::BufReader::new(file).lines());
    target.run(settings, request, lines, std::io::stdout().lock())
}

/// Backs up while serving too: the running server then writes the backup, as the account it
/// runs as, into the directory named here.
pub fn backup(settings: &Settings, args: BackupArgs) -> anyhow::Result<()> {
    let dir = std::path::absolute(&args.dir)
        .with_context(|| format!("cannot resolve {}", args.dir.display()))?;
    let target = Target::open(settings)?;
    target.run(
        settings,
        Request::Backup { dir },
        no_input(),
        std::io::stdout().lock(),
    )
}

pub fn restore(settings: &Settings, args: RestoreArgs) -> anyhow::Result<()> {
    if !crate::storage::backup::file_in(&args.dir).is_file() {
        anyhow::bail!("{} holds no newsroom backup", args.dir.display());
    }
    let restored = match &settings.storage {
        // sled writes a new database beside the old one and swaps it in, all or nothing.
        Storage::Sled { dir, cache_bytes } => {
            let replace = if args.force {
                Replace::Anything
            } else {
                Replace::OnlyEmpty
            };
            storage::restore(dir, &args.dir, *cache_bytes, replace)
        }
        // Any other engine takes the records into its empty database in one transaction.
        Storage::Postgres { .. } => {
            if args.force {
                anyhow::bail!(
                    "--force replaces a sled data directory only; restore into an empty \
                     PostgreSQL database (create a new one, or drop and create it again)"
                );
            }
            storage::open(&settings.storage, settings.clock.clone())
                .and_then(|store| store.restore_backup(&args.dir))
        }
    };
    let summary = match restored {
        Err(StoreError::NotEmpty(_)) => anyhow::bail!(
            "{} already holds data; restore into an empty database, or (on sled) add --force \
             to replace everything in it",
            settings.storage
        ),
        other => other?,
    };
    println!(
        "restored {} records ({} stories, {} accounts) into {}",
        summary.records(),
        summary.of("stories"),
        summary.of("users"),
        settings.storage
    );
    Ok(())
}
