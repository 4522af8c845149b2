//! Stories brought in from elsewhere: wire copy (`newsroom import-wire`) and ninjs documents
//! (`newsroom import`). They arrive published, so each one is recorded in the audit log.

use super::{Actor, EditorialError, embargo};
use crate::domain::{AuditAction, Slug, Story};
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
    }
    let event = actor.event(AuditAction::Import, story.content.headline.to_string(), now);
    // The import and its audit entry are stored together, or neither is.
    Ok(storage::transaction(store, |tx| {
        let outcome = tx.import_story_version(&story)?;
        if outcome != ImportOutcome::Unchanged {
            super::filing::register_tags(tx, &story)?;
            tx.record_audit(&event)?;
        }
        Ok::<_, StoreError>(outcome)
    })?)
}

fn free_slug(store: &dyn Store, story: &Story) -> Result<Slug, EditorialError> {
    if let Some(existing) = store.story(story.id)? {
        return Ok(existing.content.slug);
    }
    for n in 1..SLUG_TRIES {
        let candidate = if n == 1 {
            story.content.slug.clone()
        } else {
            numbered(&story.content.slug, n)?
        };
        if store.story_by_slug(&candidate)?.is_none() {
            return Ok(candidate);
        }
    }
    Err(EditorialError::SlugTaken(story.content.slug.to_string()))
}

/// `base-n`, with the base shortened so the result stays a valid slug.
fn numbered(base: &Slug, n: usize) -> Result<Slug, EditorialError> {
    let base = base.as_str().chars().take(90).collect::<String>();
    Slug::parse(&format!("{base}-{n}")).map_err(|_| EditorialError::SlugTaken(base))
}
