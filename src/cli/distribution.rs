//! `newsroom export`, `import`, `backup` and `restore`: stories in and out as ninjs JSON Lines,
//! and the whole database to and from a backup directory.

use super::open_store;
use crate::domain::Section;
use crate::editorial::{self, EditorialError};
use crate::ninjs::{self, Defaults, Site};
use crate::settings::{Settings, Storage};
use crate::storage::prelude::*;
use crate::storage::{self, Cursor, ImportOutcome, Listing, Replace, StoreError};
use anyhow::Context;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use time::OffsetDateTime;

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
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[arg(long, value_enum, default_value = "ninjs")]
    pub format: Format,
    /// JSON Lines: one ninjs document a line.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Section for documents that do not name one of ours.
    #[arg(long, default_value = "world", value_parser = super::parse_section)]
    pub section: Section,
    /// Public address of this site: a document whose URI is one of this site's stories updates
    /// that story; any other document is a story of its own.
    #[arg(
        long,
        env = "NEWSROOM_BASE_URL",
        default_value = "http://127.0.0.1:8080",
        value_name = "URL"
    )]
    pub base_url: String,
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

/// Every published story, newest first, then every withdrawn one (marked canceled). Drafts, scheduled and unpublished stories are not
/// distributed, so ninjs (which describes published news) leaves them out; `backup` keeps them.
pub fn export(settings: &Settings, args: ExportArgs) -> anyhow::Result<()> {
    let Format::Ninjs = args.format;
    let store = open_store(settings)?;
    let base_url = args.base_url.trim_end_matches('/').to_owned();
    let site = Site {
        base_url: &base_url,
        name: &args.site_name,
    };
    let out: Box<dyn Write> = match &args.file {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::new(out);
    let mut after: Option<Cursor> = None;
    let mut written = 0u64;
    loop {
        let batch = store.listing_after(Listing::Published, after, 500)?;
        let Some(last) = batch.last() else { break };
        after = Cursor::after(last);
        for summary in &batch {
            let Some(story) = store.story(summary.id)?.filter(|s| s.is_public()) else {
                continue;
            };
            writeln!(out, "{}", ninjs::to_line(&ninjs::document(&story, site))?)?;
            written += 1;
        }
        if after.is_none() {
            break;
        }
    }
    // Marked canceled, so recipients take down what they ran.
    for story in editorial::withdrawn(&*store)? {
        writeln!(out, "{}", ninjs::to_line(&ninjs::document(&story, site))?)?;
        written += 1;
    }
    out.flush()?;
    eprintln!("exported {written} published or withdrawn stories");
    Ok(())
}

/// Imports line by line: each line is saved whole or not at all, and a bad line does not stop
/// the lines after it.
pub fn import(settings: &Settings, args: ImportArgs) -> anyhow::Result<()> {
    let Format::Ninjs = args.format;
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let store = open_store(settings)?;
    let base_url = args.base_url.trim_end_matches('/').to_owned();
    let defaults = Defaults {
        section: args.section,
        now: OffsetDateTime::now_utc(),
        base_url: &base_url,
    };
    let (mut created, mut updated, mut unchanged, mut failed) = (0u64, 0u64, 0u64, 0u64);
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let number = n + 1;
        let line = line.with_context(|| format!("cannot read line {number}"))?;
        if line.trim().is_empty() {
            continue;
        }
        match import_line(&*store, &line, defaults) {
            Ok(ImportOutcome::Created) => created += 1,
            Ok(ImportOutcome::Updated) => updated += 1,
            Ok(ImportOutcome::Unchanged) => unchanged += 1,
            Err(message) => {
                eprintln!("{}: line {number}: {message}", args.file.display());
                failed += 1;
            }
        }
    }
    let summary =
        format!("{created} new, {updated} updated, {unchanged} unchanged, {failed} failed");
    if failed > 0 {
        anyhow::bail!("import incomplete: {summary}");
    }
    println!("imported: {summary}");
    Ok(())
}

fn import_line(
    store: &dyn Store,
    line: &str,
    defaults: Defaults<'_>,
) -> Result<ImportOutcome, String> {
    let doc: ninjs::Document =
        serde_json::from_str(line).map_err(|e| format!("not a ninjs document: {e}"))?;
    let story = ninjs::story(&doc, defaults).map_err(|e| e.to_string())?;
    let actor = editorial::Actor::CommandLine;
    match editorial::import_ninjs(store, &actor, story, doc.slugline.is_some(), defaults.now) {
        Ok(outcome) => Ok(outcome),
        Err(e @ EditorialError::SlugTaken(_)) => Err(e.to_string()),
        Err(EditorialError::Store(e)) => Err(format!("not saved: {e}")),
        Err(e) => Err(format!("not saved: {e}")),
    }
}

pub fn backup(settings: &Settings, args: BackupArgs) -> anyhow::Result<()> {
    let records = match storage::open(&settings.storage, settings.clock.clone()) {
        Ok(store) => store.backup(&args.dir)?.records(),
        Err(StoreError::Locked(dir)) => crate::control::request_backup(&dir, &args.dir)?,
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("cannot open {}", settings.storage)));
        }
    };
    println!(
        "backed up {records} records from {} to {}",
        settings.storage,
        args.dir.display()
    );
    Ok(())
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
