//! Stories brought in from elsewhere: wire copy (`newsroom import-wire`) and ninjs documents
//! (`newsroom import`). A new story arrives published, so each one is recorded in the audit
//! log. A newer version of a story already stored never changes its status or what readers
//! see: its words become the story's pending changes (see `incoming::staged_version`), so a
//! withdrawn story stays withdrawn and a live one keeps its live text until an editor acts.

use super::{Actor, EditorialError, embargo, incoming};
use crate::domain::{AuditAction, CopyIdentity, Slug, Story};
use crate::storage::prelude::*;
use crate::storage::{self, ImportOutcome, StoreError};
use time::OffsetDateTime;

/// How many numbered slugs (`-2`, `-3`, ...) are tried before giving up.
const SLUG_TRIES: usize = 1000;

/// What became of a wire story.
#[derive(Debug)]
pub enum Imported {
    New(Story),
    /// The same story (same headline and time) was imported before; nothing was saved.
    AlreadyThere(Story),
    /// A newer version (same source and headline, a later time stamp) of a stored story: its
    /// words are the story's pending changes.
    Staged(Story),
}

/// Saves a new story from the wire, adding `-2`, `-3`, ... to its slug when another story holds
/// it. The same wire story imported twice is recognised and not saved again.
pub fn import_wire(
    store: &dyn Store,
    actor: &Actor,
    mut story: Story,
    now: OffsetDateTime,
) -> Result<Imported, EditorialError> {
    embargo::hold(&mut story, now);
    // Wire copy credits its agency: linked to the agency's profile when there is one.
    super::filing::link_authors(store, &mut story.content)?;
    // Every version of one wire story is one story (see `domain::incoming`).
    if let Some(source) = &story.content.source {
        story.id =
            CopyIdentity::wire(source.as_str(), story.content.headline.as_str()).wire_story_id();
    }
    let id = story.id;
    let arriving = story.clone();
    let staged = storage::transaction(store, |tx| {
        let Some(stored) = tx.story(id)? else {
            return Ok::<_, StoreError>(None);
        };
        if stored.published_at >= arriving.published_at {
            return Ok(Some(Imported::AlreadyThere(stored)));
        }
        let staged = incoming::staged_version(&stored, &arriving, now);
        let saved = super::addresses::save_story(tx, &staged, Some(stored.revision))?;
        super::filing::register_tags(tx, &saved)?;
        let detail = format!(
            "{} (a newer version, staged as pending changes)",
            arriving.content.headline
        );
        tx.record_audit(&actor.event(AuditAction::Import, detail, now))?;
        Ok(Some(Imported::Staged(saved)))
    })?;
    if let Some(done) = staged {
        return Ok(done);
    }
    let base = story.content.slug.clone();
    for n in 1..SLUG_TRIES {
        if n > 1 {
            story.content.slug = numbered(&base, n)?;
        }
        match store.story_by_slug(&story.content.slug)? {
            Some(existing)
                if existing.content.headline == story.content.headline
                    && existing.published_at == story.published_at =>
            {
                return Ok(Imported::AlreadyThere(existing));
            }
            Some(_) => continue,
            None => {}
        }
        let event = actor.event(AuditAction::Import, story.content.headline.to_string(), now);
        match super::save_audited(store, &story, None, &event) {
            Ok(saved) => return Ok(Imported::New(saved)),
            Err(StoreError::SlugTaken(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(EditorialError::SlugTaken(base.to_string()))
}

/// Stores a story from a ninjs feed at its own revision: a new story is created, a stored one
/// replaced only by a newer revision. `has_slug` says the document named its slug; otherwise a
/// new story gets its headline's slug, numbered when another story holds it, and a stored one
/// keeps its own.
pub fn import_ninjs(
    store: &dyn Store,
    actor: &Actor,
    mut story: Story,
    has_slug: bool,
    now: OffsetDateTime,
) -> Result<ImportOutcome, EditorialError> {
    embargo::hold(&mut story, now);
    super::filing::link_authors(store, &mut story.content)?;
    if !has_slug {
        story.content.slug = free_slug(store, &story)?;
    } else if store.story(story.id)?.is_none() {
        // A new story whose slug another story has (or had) gets a numbered one, as wire
        // copy does; the command says which.
        story.content.slug = super::addresses::free_slug(store, &story.content.slug)?;
    }
    // The import and its audit entry are stored together, or neither is; the stored story is
    // read in the same transaction, so a withdrawal made meanwhile still holds.
    Ok(storage::transaction(store, |tx| {
        let (arriving, detail) = match tx.story(story.id)? {
            Some(stored) if stored.revision >= story.revision => {
                return Ok::<_, StoreError>(ImportOutcome::Unchanged);
            }
            Some(stored) => {
                let mut staged = incoming::staged_version(&stored, &story, now);
                // Kept at the document's version, so only a newer one replaces it again.
                staged.revision = story.revision;
                let detail = format!(
                    "{} (version {}, staged as pending changes)",
                    story.content.headline, story.revision
                );
                (staged, detail)
            }
            None => (story.clone(), story.content.headline.to_string()),
        };
        let outcome = super::addresses::import_story_version(tx, &arriving)?;
        if outcome != ImportOutcome::Unchanged {
            super::filing::register_tags(tx, &arriving)?;
            tx.record_audit(&actor.event(AuditAction::Import, detail, now))?;
        }
        Ok(outcome)
    })?)
}

pub(super) fn free_slug(store: &dyn Store, story: &Story) -> Result<Slug, EditorialError> {
    if let Some(existing) = store.story(story.id)? {
        return Ok(existing.content.slug);
    }
    Ok(super::addresses::free_slug(store, &story.content.slug)?)
}

/// `base-n`, with the base shortened so the result stays a valid slug.
fn numbered(base: &Slug, n: usize) -> Result<Slug, EditorialError> {
    let base = base.as_str().chars().take(90).collect::<String>();
    Slug::parse(&format!("{base}-{n}")).map_err(|_| EditorialError::SlugTaken(base))
}
