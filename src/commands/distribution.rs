//! `newsroom export`, `import`, `import-wire`, `backup` and `setup-link`: stories in and out as
//! ninjs JSON Lines or wire copy, the whole database to a backup directory, and a new first-run
//! setup link.

use super::{Input, Output, Site, WireFile, line};
use crate::domain::{Language, Section, SiteZone};
use crate::editorial::{self, EditorialError, TakenIn};
use crate::import::{copy, wire};
use crate::ninjs::{self, Defaults};
use crate::storage::prelude::*;
use crate::storage::{Cursor, ImportOutcome, Listing};
use anyhow::Context;
use std::num::NonZeroUsize;
use std::path::Path;
use time::OffsetDateTime;

/// Stories read from the store at a time: memory stays flat however many there are.
const EXPORT_BATCH: usize = 500;

/// Every published story, newest first, then every withdrawn one (marked canceled). Drafts,
/// scheduled and unpublished stories are not distributed, so ninjs (which describes published
/// news) leaves them out; `backup` keeps them.
pub(super) fn export(
    store: &dyn Store,
    base_url: &str,
    site_name: &str,
    language: &str,
    output: &mut dyn Output,
) -> anyhow::Result<()> {
    let base_url = base_url.trim_end_matches('/');
    let language = Language::parse(language)?;
    let site = ninjs::Site {
        base_url,
        name: site_name,
        language: &language,
    };
    let mut after: Option<Cursor> = None;
    let mut written = 0u64;
    loop {
        let batch = store.listing_after(Listing::Published, after, EXPORT_BATCH)?;
        let Some(last) = batch.last() else { break };
        after = Cursor::after(last);
        for summary in &batch {
            let Some(story) = store.story(summary.id)?.filter(|s| s.is_public()) else {
                continue;
            };
            line(output, &ninjs::to_line(&ninjs::document(&story, site))?)?;
            written += 1;
        }
        if after.is_none() {
            break;
        }
    }
    // Marked canceled, so recipients take down what they ran.
    for story in editorial::withdrawn(store)? {
        line(output, &ninjs::to_line(&ninjs::document(&story, site))?)?;
        written += 1;
    }
    output.note(&format!(
        "exported {written} published or withdrawn stories"
    ))?;
    Ok(())
}

/// Imports line by line: each line is saved whole or not at all, and a bad line does not stop
/// the lines after it.
pub(super) fn import(
    store: &dyn Store,
    source: &str,
    section: &str,
    base_url: &str,
    language: &str,
    input: Input<'_>,
    output: &mut dyn Output,
) -> anyhow::Result<()> {
    let base_url = base_url.trim_end_matches('/');
    let language = Language::parse(language)?;
    let defaults = Defaults {
        section: Section::parse(section)?,
        now: OffsetDateTime::now_utc(),
        base_url,
        language: &language,
    };
    let (mut created, mut updated, mut unchanged, mut failed) = (0u64, 0u64, 0u64, 0u64);
    for (n, line) in input.enumerate() {
        let number = n + 1;
        let line = line.with_context(|| format!("cannot read line {number}"))?;
        if line.trim().is_empty() {
            continue;
        }
        match import_line(store, &line, defaults) {
            Ok((ImportOutcome::Created, Some(got))) => {
                output.note(&format!("{source}: line {number}: {got}"))?;
                created += 1;
            }
            Ok((ImportOutcome::Created, None)) => created += 1,
            Ok((ImportOutcome::Updated, _)) => updated += 1,
            Ok((ImportOutcome::Unchanged, _)) => unchanged += 1,
            Err(message) => {
                output.note(&format!("{source}: line {number}: {message}"))?;
                failed += 1;
            }
        }
    }
    let summary =
        format!("{created} new, {updated} updated, {unchanged} unchanged, {failed} failed");
    if failed > 0 {
        anyhow::bail!("import incomplete: {summary}");
    }
    line(output, &format!("imported: {summary}"))?;
    Ok(())
}

/// What became of the line's story and, for a new story whose slug was taken, which slug it got.
fn import_line(
    store: &dyn Store,
    line: &str,
    defaults: Defaults<'_>,
) -> Result<(ImportOutcome, Option<String>), String> {
    let doc: ninjs::Document =
        serde_json::from_str(line).map_err(|e| format!("not a ninjs document: {e}"))?;
    let story = ninjs::story(&doc, defaults).map_err(|e| e.to_string())?;
    let actor = editorial::Actor::CommandLine;
    let (id, asked) = (story.id, story.content.slug.clone());
    let named = doc.slugline.is_some();
    match editorial::import_ninjs(store, &actor, story, named, defaults.now) {
        Ok(ImportOutcome::Created) if named => {
            let got = store
                .story(id)
                .map_err(|e| format!("saved, but cannot be read back: {e}"))?
                .map(|s| s.content.slug)
                .filter(|got| *got != asked)
                .map(|got| format!("the slug {asked} is taken by another story; saved as {got}"));
            Ok((ImportOutcome::Created, got))
        }
        Ok(outcome) => Ok((outcome, None)),
        Err(e @ EditorialError::SlugTaken(_)) => Err(e.to_string()),
        Err(EditorialError::Store(e)) => Err(format!("not saved: {e}")),
        Err(e) => Err(format!("not saved: {e}")),
    }
}

/// Publishes each file of wire copy in the input. Every file is parsed first: one that does
/// not parse is reported and nothing of it is saved, and the others are published.
pub(super) fn import_wire(
    store: &dyn Store,
    section: &str,
    page_words: Option<NonZeroUsize>,
    language: Option<&str>,
    time_zone: &str,
    input: Input<'_>,
    output: &mut dyn Output,
) -> anyhow::Result<()> {
    let section = Section::parse(section)?;
    let language = language.map(Language::parse).transpose()?;
    let zone = crate::domain::SiteZone::parse(time_zone)?;
    let (mut files, mut failed) = (0usize, 0usize);
    let mut parsed = Vec::new();
    for frame in input {
        let file: WireFile = serde_json::from_str(&frame?).context("not a file of wire copy")?;
        files += 1;
        let parsed_file = wire::parse_in_zone(&file.text, &zone, page_words);
        match parsed_file {
            Ok(story) => parsed.push((file.name, story)),
            Err(e) => {
                output.note(&format!("{}: {e}", file.name))?;
                failed += 1;
            }
        }
    }
    for (name, wire_story) in parsed {
        let now = OffsetDateTime::now_utc();
        let mut story = wire_story.into_story(section, now);
        story.content.language = language.clone();
        let said = match editorial::import_wire(store, &editorial::Actor::CommandLine, story, now)?
        {
            editorial::Imported::New(story) => format!(
                "{name}: published {:?} as {}",
                story.content.headline.as_str(),
                article_url(&story)
            ),
            editorial::Imported::Staged(story) => format!(
                "{name}: a newer version of {}; staged as its pending changes",
                article_url(&story)
            ),
            editorial::Imported::AlreadyThere(story) => {
                format!(
                    "{name}: already imported as {}; skipped",
                    article_url(&story)
                )
            }
        };
        line(output, &said)?;
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {files} files could not be imported");
    }
    Ok(())
}

/// Puts ninjs documents (one a line) in the desk's incoming list, a newer version of copy
/// already here replacing it (see [`editorial::incoming`]). A bad line is named and does not
/// stop the lines after it.
pub(super) fn import_incoming(
    store: &dyn Store,
    source: &str,
    section: &str,
    base_url: &str,
    language: &str,
    input: Input<'_>,
    output: &mut dyn Output,
) -> anyhow::Result<()> {
    let (site_language, zone) = (Language::parse(language)?, SiteZone::utc());
    let reading = copy::Reading {
        section: Section::parse(section)?,
        base_url: base_url.trim_end_matches('/'),
        page_words: None,
        now: OffsetDateTime::now_utc(),
        site_language: &site_language,
        language: None,
        wire_zone: &zone,
    };
    let mut tally = Tally::default();
    for (n, line) in input.enumerate() {
        let number = n + 1;
        let line = line.with_context(|| format!("cannot read line {number}"))?;
        if line.trim().is_empty() {
            continue;
        }
        match copy::read(source, line.as_bytes(), reading) {
            Ok(copies) => {
                for piece in copies {
                    tally.take_in(store, piece, &format!("{source}: line {number}"), output)?;
                }
            }
            Err(e) => {
                output.note(&format!("{source}: line {number}: {}", e.message))?;
                tally.failed += 1;
            }
        }
    }
    tally.finish(output)
}

/// Puts each file of wire copy in the desk's incoming list; one that does not parse is
/// reported and the others are taken in.
pub(super) fn import_wire_incoming(
    store: &dyn Store,
    section: &str,
    page_words: Option<NonZeroUsize>,
    language: Option<&str>,
    time_zone: &str,
    input: Input<'_>,
    output: &mut dyn Output,
) -> anyhow::Result<()> {
    let language = language.map(Language::parse).transpose()?;
    let zone = SiteZone::parse(time_zone)?;
    // Wire copy names no language of its own: the site's stands for the one given, if any.
    let site_language = Language::parse("en")?;
    let reading = copy::Reading {
        section: Section::parse(section)?,
        base_url: "",
        page_words,
        now: OffsetDateTime::now_utc(),
        site_language: &site_language,
        language: language.as_ref(),
        wire_zone: &zone,
    };
    let mut tally = Tally::default();
    for frame in input {
        let file: WireFile = serde_json::from_str(&frame?).context("not a file of wire copy")?;
        match copy::read(&file.name, file.text.as_bytes(), reading) {
            Ok(copies) => {
                for piece in copies {
                    tally.take_in(store, piece, &file.name, output)?;
                }
            }
            Err(e) => {
                output.note(&format!("{}: {e}", file.name))?;
                tally.failed += 1;
            }
        }
    }
    tally.finish(output)
}

/// What became of copy taken in by the command line.
#[derive(Default)]
struct Tally {
    new: u64,
    updated: u64,
    staged: u64,
    unchanged: u64,
    failed: u64,
}

impl Tally {
    fn take_in(
        &mut self,
        store: &dyn Store,
        mut piece: crate::domain::IncomingCopy,
        name: &str,
        output: &mut dyn Output,
    ) -> anyhow::Result<()> {
        let headline = piece.story.content.headline.to_string();
        // Each piece arrives after the one before it, so the list keeps their order.
        let now = OffsetDateTime::now_utc();
        piece.arrived_at = now;
        piece.updated_at = now;
        match editorial::incoming::take_in(store, &editorial::Actor::CommandLine, piece, now) {
            Ok(outcome) => {
                match outcome {
                    TakenIn::New => self.new += 1,
                    TakenIn::Updated => self.updated += 1,
                    TakenIn::Staged(_) => self.staged += 1,
                    TakenIn::Unchanged => self.unchanged += 1,
                }
                line(output, &format!("{name}: {headline:?}: {}", outcome.said()))?;
            }
            Err(e) => {
                output.note(&format!("{name}: not saved: {e}"))?;
                self.failed += 1;
            }
        }
        Ok(())
    }

    fn finish(self, output: &mut dyn Output) -> anyhow::Result<()> {
        let summary = format!(
            "{} new, {} updated, {} staged on stories, {} unchanged, {} failed",
            self.new, self.updated, self.staged, self.unchanged, self.failed
        );
        if self.failed > 0 {
            anyhow::bail!("incoming incomplete: {summary}");
        }
        line(output, &format!("incoming: {summary}"))?;
        Ok(())
    }
}

/// Where readers find a story: its path on the site, as the article page links it.
fn article_url(story: &crate::domain::Story) -> String {
    crate::urls::article(
        story.published_at.unwrap_or(story.updated_at),
        &story.content.slug,
        1,
    )
}

/// A consistent copy of the database (sessions excluded) in `dir`.
pub(super) fn backup(site: &Site<'_>, dir: &Path, output: &mut dyn Output) -> anyhow::Result<()> {
    // Relative to what? The server's working directory is no one's guess.
    anyhow::ensure!(
        dir.is_absolute(),
        "the backup directory {} is not an absolute path",
        dir.display()
    );
    let records = site.store.backup(dir)?.records();
    line(
        output,
        &format!(
            "backed up {records} records from {} to {}",
            site.storage,
            dir.display()
        ),
    )?;
    Ok(())
}

/// A new first-run setup link, while no account exists; the earlier link stops working.
pub(super) fn setup_link(
    site: &Site<'_>,
    base_url: &str,
    output: &mut dyn Output,
) -> anyhow::Result<()> {
    match crate::auth::token::reissue_setup_token(site.store)? {
        // The one place the token appears: for whoever asked, never the log.
        Some(token) => line(
            output,
            &format!(
                "Create the first admin account at:\n  {}/setup/{token}",
                base_url.trim_end_matches('/')
            ),
        )
        .map_err(Into::into),
        None => anyhow::bail!(
            "{} already has accounts; `newsroom user add` creates more",
            site.storage
        ),
    }
}
