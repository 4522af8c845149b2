//! The rules of a story in one place: who may change it, which revision a change must build
//! on, when readers are told it was updated, and what the audit log records. Every change of a
//! story's content or status goes through here, whether it comes from the desk, the scheduler
//! or the command line, so they all follow the same rules. Callers hand in parsed values and
//! the time; nothing here knows about HTTP.

mod addresses;
mod embargo;
pub(crate) mod filing;
mod form;
mod import;
pub mod incoming;
pub mod merge;
mod notes;
mod restore;
mod review;
mod schedule;
mod staged;
#[cfg(test)]
mod tests;
mod withdrawal;

pub use import::{Imported, import_ninjs, import_wire};
pub use incoming::TakenIn;
pub use merge::{Merged, Outcome, Unmerged, save_merging};
pub use notes::add_note;
pub use restore::{Restored, may_restore, may_see_history, restore};
pub use review::{Take, send_back, take};
pub use schedule::{publish_due, publish_due_in};
pub use staged::live_revision;
pub use withdrawal::{reinstate, shows_withdrawn_photo, withdraw, withdrawn};

use crate::domain::story_form::FieldErrors;
use crate::domain::{
    AuditAction, AuditEvent, NoteDraft, SiteZone, Status, Story, StoryContent, StoryId, User,
    UserId,
};
use crate::storage::prelude::*;
use crate::storage::{self, StoreError};
use thiserror::Error;
use time::OffsetDateTime;

/// Who makes a change: it decides what may be done, and the audit log names it.
#[derive(Debug, Clone)]
pub enum Actor {
    User(User),
    /// Publishing stories when their scheduled time comes.
    Scheduler,
    /// The `newsroom` command, run by whoever can run it on the server.
    CommandLine,
    /// The server's drop folder of agency copy (`serve --ingest-dir`).
    DropFolder,
}

impl Actor {
    fn id(&self) -> Option<UserId> {
        match self {
            Actor::User(user) => Some(user.id),
            Actor::Scheduler | Actor::CommandLine | Actor::DropFolder => None,
        }
    }

    fn name(&self) -> String {
        match self {
            Actor::User(user) => user.username.to_string(),
            Actor::Scheduler => "scheduler".into(),
            Actor::CommandLine => "command line".into(),
            Actor::DropFolder => "drop folder".into(),
        }
    }

    fn may_edit(&self, story: &Story) -> bool {
        match self {
            Actor::User(user) => user.can_edit(story),
            Actor::Scheduler | Actor::CommandLine => true,
            // It only brings copy in: the desk decides what becomes of it.
            Actor::DropFolder => false,
        }
    }

    fn may_publish(&self) -> bool {
        match self {
            Actor::User(user) => user.role.can_publish(),
            Actor::Scheduler | Actor::CommandLine => true,
            // It only brings copy in: the desk decides what becomes of it.
            Actor::DropFolder => false,
        }
    }

    fn event(&self, action: AuditAction, detail: String, now: OffsetDateTime) -> AuditEvent {
        AuditEvent {
            at: now,
            actor: self.id(),
            actor_name: self.name(),
            action,
            detail,
        }
    }
}

#[derive(Debug, Error)]
pub enum EditorialError {
    #[error("not allowed: {0}")]
    NotAllowed(&'static str),
    #[error("no such story")]
    NotFound,
    /// Someone saved the story after the change was begun; nothing was changed.
    #[error("the story has changed since it was loaded (now at revision {})", current.revision)]
    Conflict { current: Box<Story> },
    #[error("the slug {0:?} is already used by another story")]
    SlugTaken(String),
    /// What is wrong, by form field.
    #[error("{} fields are not valid", .0.len())]
    Invalid(FieldErrors),
    #[error("the story could not be stored")]
    Store(#[source] StoreError),
}

impl From<StoreError> for EditorialError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { current } => EditorialError::Conflict { current },
            StoreError::SlugTaken(slug) => EditorialError::SlugTaken(slug),
            other => EditorialError::Store(other),
        }
    }
}

/// Where a change takes a story in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Keep its status.
    Save,
    /// Ask an editor to review the draft.
    Submit,
    Publish,
    /// Publish at this time, which the caller has checked lies ahead.
    Schedule(OffsetDateTime),
    Unpublish,
    /// Put the form's content live on a published story: readers see it from now on.
    UpdateLive,
    /// Drop a published story's pending changes; readers keep what they see.
    DiscardChanges,
}

impl Step {
    fn needs_editor(self) -> bool {
        matches!(
            self,
            Step::Publish
                | Step::Schedule(_)
                | Step::Unpublish
                | Step::UpdateLive
                | Step::DiscardChanges
        )
    }

    fn audit_action(self) -> Option<AuditAction> {
        match self {
            Step::Publish => Some(AuditAction::Publish),
            Step::Schedule(_) => Some(AuditAction::Schedule),
            Step::Unpublish => Some(AuditAction::Unpublish),
            Step::UpdateLive => Some(AuditAction::UpdateLive),
            Step::DiscardChanges => Some(AuditAction::DiscardChanges),
            Step::Save | Step::Submit => None,
        }
    }
}

/// A change made on the story form.
#[derive(Debug, Clone)]
pub struct Edit {
    /// `None` for a new story.
    pub story: Option<StoryId>,
    /// The revision the change was made on; `None` (or a wrong number) for a stored story is
    /// a conflict.
    pub expected_revision: Option<u64>,
    pub content: StoryContent,
    /// The filing time typed with the content: the publication time of a story never
    /// published (see [`Story::set_filed_at`]).
    pub filed_at: Option<OffsetDateTime>,
    pub step: Step,
    /// A correction, clarification or editor's note to show readers from now on; only with a
    /// step that puts a story readers already see live (see `notes`).
    pub note: Option<NoteDraft>,
    /// The newsroom's time zone: the form's times were typed on its clocks, and messages and
    /// the audit log name times on them.
    pub zone: SiteZone,
}

/// The story stored under `id`.
pub fn story(store: &dyn Store, id: StoryId) -> Result<Story, EditorialError> {
    store.story(id)?.ok_or(EditorialError::NotFound)
}

/// Saves an edit: checks who may make it, that it builds on the stored revision and that a
/// story about to go public can be; stamps the revision time readers see, and records the
/// change in the audit log in the same save when it is one the log keeps.
pub fn save(
    store: &dyn Store,
    actor: &Actor,
    edit: Edit,
    now: OffsetDateTime,
) -> Result<Story, EditorialError> {
    save_noting(store, actor, edit, now, None)
}

/// Saves as [`save`] does; `merged` says what the edit was merged with, for the audit log: its
/// own entry, or added to the entry of the step taken.
fn save_noting(
    store: &dyn Store,
    actor: &Actor,
    edit: Edit,
    now: OffsetDateTime,
    merged: Option<&str>,
) -> Result<Story, EditorialError> {
    let (expected, step, zone) = (edit.expected_revision, edit.step, edit.zone.clone());
    let (current, mut story) = prepare(store, actor, edit, now)?;
    match &current {
        Some(current) => check_revision(current, expected)?,
        // A new story whose slug another story has (or had) gets the first free numbered one:
        // the form's page says which.
        None => story.content.slug = addresses::free_slug(store, &story.content.slug)?,
    }
    let event = audit_of(actor, step, current.as_ref(), &story, now, &zone);
    let event = notes::audit(actor, current.as_ref(), &story, event, now);
    let event = match (event, merged) {
        (Some(mut event), Some(note)) => {
            event.detail = format!("{}; {note}", event.detail);
            Some(event)
        }
        (None, Some(note)) => Some(actor.event(
            AuditAction::Merge,
            format!("{}; {note}", story.content.headline),
            now,
        )),
        (event, None) => event,
    };
    let base = current.as_ref().map(|c| c.revision);
    let saved = match event {
        Some(event) => save_audited(store, &story, base, &event)?,
        None => storage::transaction(store, |tx| {
            let saved = addresses::save_story(tx, &story, base)?;
            filing::register_tags(tx, &saved)?;
            Ok::<_, StoreError>(saved)
        })?,
    };
    Ok(saved)
}

/// The story as an edit would leave it, without saving it: what the preview shows, pending
/// changes in place of what readers see now. The same permissions and checks apply as to
/// saving.
pub fn preview(
    store: &dyn Store,
    actor: &Actor,
    mut edit: Edit,
    now: OffsetDateTime,
) -> Result<Story, EditorialError> {
    // A note typed with the changes is shown as readers would see it once they go live,
    // whichever button the preview stands in for.
    let note = edit.note.take();
    let (current, story) = prepare(store, actor, edit, now)?;
    let mut shown = story.as_edited();
    if let Some(note) = note {
        notes::preview(actor, current.as_ref(), &mut shown, note, now)?;
    }
    Ok(shown)
}

/// Whether `actor` may change story `id` (`None`: write a new one), publishing it or not.
/// Returns the stored story. Callers check this before costly work such as storing an upload;
/// [`save`] checks it again.
pub fn allowed(
    store: &dyn Store,
    actor: &Actor,
    id: Option<StoryId>,
    publishing: bool,
) -> Result<Option<Story>, EditorialError> {
    let current = id.map(|id| story(store, id)).transpose()?;
    if let Some(current) = &current
        && !actor.may_edit(current)
    {
        return Err(EditorialError::NotAllowed(
            "only editors may change a story once it is submitted or scheduled, or someone \
             else's published story. Ask an editor to make the change.",
        ));
    }
    if publishing && !actor.may_publish() {
        return Err(EditorialError::NotAllowed(
            "only editors may publish, schedule, unpublish, update a live story or discard its \
             pending changes. Save your changes and submit them for review: an editor will \
             take it from there.",
        ));
    }
    Ok(current)
}

/// The stored story, if any, and the story the edit makes of it.
fn prepare(
    store: &dyn Store,
    actor: &Actor,
    edit: Edit,
    now: OffsetDateTime,
) -> Result<(Option<Story>, Story), EditorialError> {
    let current = allowed(store, actor, edit.story, edit.step.needs_editor())?;
    let zone = edit.zone.clone();
    let mut content = edit.content;
    filing::link_authors(store, &mut content)?;
    let mut story = match &current {
        Some(current) => {
            let mut story = current.clone();
            staged::place_content(&mut story, content, edit.step, actor.id(), now)?;
            story
        }
        None if matches!(edit.step, Step::UpdateLive | Step::DiscardChanges) => {
            return Err(staged::not_live());
        }
        None => Story::new_draft(content, actor.id(), now),
    };
    story.set_filed_at(edit.filed_at);
    // The checks apply to the words the desk is working on, pending or not.
    check_photo(store, &story.as_edited(), edit.step)?;
    if story.is_withdrawn() && edit.step.needs_editor() {
        return Err(EditorialError::Invalid(vec![(
            "form",
            "This story was withdrawn: only an administrator can reinstate it (as unpublished) \
             before it is published again."
                .into(),
        )]));
    }
    take_step(&mut story, edit.step, actor, now);
    embargo::check(&story.as_edited(), edit.step, now, &zone)?;
    story.updated_at = now;
    story.last_edited_by = actor.id();
    if let Some(current) = &current {
        stamp_revision(current, &mut story, now);
    }
    if let Some(note) = edit.note {
        notes::attach(actor, current.as_ref(), edit.step, &mut story, note, now)?;
    }
    Ok((current, story))
}

/// Saves `story` (over `expected`, the revision the editor loaded) and records `event` in one
/// transaction: both are stored or neither.
fn save_audited(
    store: &dyn Store,
    story: &Story,
    expected: Option<u64>,
    event: &AuditEvent,
) -> Result<Story, StoreError> {
    storage::transaction(store, |tx| {
        let saved = addresses::save_story(tx, story, expected)?;
        filing::register_tags(tx, &saved)?;
        tx.record_audit(event)?;
        Ok(saved)
    })
}

/// The change must build on the revision stored now; compared here rather than left to the
/// store, so that a revision typed into a form is only ever compared, never counted on from.
fn check_revision(current: &Story, expected: Option<u64>) -> Result<(), EditorialError> {
    if expected == Some(current.revision) {
        Ok(())
    } else {
        Err(EditorialError::Conflict {
            current: Box::new(current.clone()),
        })
    }
}

/// Readers are shown "Updated" when what they read of a public story changes.
fn stamp_revision(current: &Story, edited: &mut Story, now: OffsetDateTime) {
    if current.is_public() && edited.is_public() && current.reads_differently_from(edited) {
        edited.revised_at = Some(now);
    }
}

fn take_step(story: &mut Story, step: Step, actor: &Actor, now: OffsetDateTime) {
    let initials = match actor {
        Actor::User(user) => Some(user.initials.clone()),
        Actor::Scheduler | Actor::CommandLine | Actor::DropFolder => None,
    };
    match step {
        // Publishing an unpublished story again keeps its original publication time.
        Step::Publish => story.publish(now, initials),
        Step::Schedule(at) => {
            story.status = Status::Scheduled(at);
            story.published_at = None;
            if initials.is_some() {
                story.editor = initials;
            }
        }
        Step::Unpublish => story.status = Status::Unpublished,
        // Submitted again, the story no longer answers to the note it was sent back with.
        Step::Submit => {
            story.submitted = true;
            story.sent_back = None;
        }
        Step::Save | Step::UpdateLive | Step::DiscardChanges => {}
    }
}

/// What the audit log keeps of an edit (`current`: the story before it, `None` for a new one): a
/// step in the workflow, a change of embargo, changes staged on a live story, or a change
/// readers see. An embargo changed along with a step is named in the step's entry.
fn audit_of(
    actor: &Actor,
    step: Step,
    current: Option<&Story>,
    edited: &Story,
    now: OffsetDateTime,
    zone: &SiteZone,
) -> Option<AuditEvent> {
    let embargo = embargo::change(
        current.and_then(|c| c.content.embargo),
        edited.content.embargo,
        zone,
    );
    let action = match (step.audit_action(), &embargo) {
        (Some(action), _) => action,
        (None, Some(_)) => AuditAction::Embargo,
        (None, None) if current.is_some_and(|c| c.is_public() && staged_differently(c, edited)) => {
            AuditAction::StageChanges
        }
        (None, None)
            if current.is_some_and(|c| c.is_public() && c.reads_differently_from(edited)) =>
        {
            AuditAction::Edit
        }
        (None, None) => return None,
    };
    let mut detail = edited.content.headline.to_string();
    // When a scheduled story is to go public belongs with who scheduled it.
    if let Step::Schedule(at) = step {
        detail.push_str(&format!("; for {}", embargo::shown(at, zone)));
    }
    if let Some(change) = embargo {
        detail.push_str(&format!("; {change}"));
    }
    Some(actor.event(action, detail, now))
}

/// Whether an edit of live story `current` changed what is pending (who saved it and when
/// aside).
fn staged_differently(current: &Story, edited: &Story) -> bool {
    let content = |story: &Story| story.pending.as_ref().map(|p| p.content.clone());
    content(current) != content(edited)
}

/// Readers must be told who took a photo and what it shows: a story whose photo lacks a credit
/// or alt text is not published or scheduled. A photo that was deleted meanwhile is not kept.
fn check_photo(store: &dyn Store, story: &Story, step: Step) -> Result<(), EditorialError> {
    let Some(photo) = story.content.photo.as_ref() else {
        return Ok(());
    };
    let Some(image) = photo.image else {
        return Ok(());
    };
    if store.photo(image)?.is_none() {
        return Err(EditorialError::Invalid(vec![(
            "photo",
            "The attached photo no longer exists; please attach it again.".into(),
        )]));
    }
    let verb = match step {
        Step::Publish => "published",
        Step::Schedule(_) => "scheduled",
        Step::UpdateLive => "updated live",
        _ => return Ok(()),
    };
    let mut errors = FieldErrors::new();
    let mut missing = Vec::new();
    if photo.credit.is_none() {
        missing.push("credit");
        errors.push((
            "credit",
            format!("A credit is required before the story can be {verb}"),
        ));
    }
    if photo.alt.is_none() {
        missing.push("alt text");
        errors.push((
            "alt",
            format!("Alt text is required before the story can be {verb}"),
        ));
    }
    if missing.is_empty() {
        return Ok(());
    }
    errors.push((
        "form",
        format!(
            "The story cannot be {verb}: its photo has no {}.",
            missing.join(" and no ")
        ),
    ));
    Err(EditorialError::Invalid(errors))
}
