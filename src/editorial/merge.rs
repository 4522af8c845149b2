//! Saving the story form over a newer revision: instead of refusing the save, the form is merged
//! with what was saved meanwhile, against the revision the editor started from. Edits to
//! different paragraphs and fields are saved together; edits to the same one are handed back,
//! with the rest already merged, for the editor to settle. Nothing saved by anyone is dropped
//! unseen: it is either in the merged story or in a conflict shown to the editor.

use super::{Actor, Edit, EditorialError, Step, save_noting};
use crate::domain::merge::{self, Merge, Part};
use crate::domain::story_form::{self, StoryInput};
use crate::domain::{SiteZone, Story, StoryId};
use crate::storage::Store;
use time::OffsetDateTime;

/// A save that others overtake this many times in a row is handed back to the editor, merged,
/// rather than retried for ever.
const MAX_ATTEMPTS: usize = 5;

/// The form field that says which revision the form was loaded from: it is where the merge
/// starts, never a value to merge.
const REVISION: &str = "revision";

/// What a save of the story form came to.
#[derive(Debug)]
pub enum Outcome {
    /// Saved; `merged` says what of others' changes it was merged with, if anything.
    Saved {
        story: Box<Story>,
        merged: Option<Merged>,
    },
    /// Some paragraph or field was changed both here and meanwhile; nothing was saved.
    Conflicts(Box<Unmerged>),
}

/// Others' changes a save was merged with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// Who saved the story meanwhile, by username.
    pub with: Vec<String>,
    /// The parts their changes brought into the saved story, named as people read them.
    pub parts: Vec<Part>,
}

impl Merged {
    /// "Merged with ann.lee's changes to the headline and paragraph 3."
    pub fn notice(&self) -> String {
        let mut note = self.note();
        if let Some(first) = note.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        format!("{note}.")
    }

    /// The notice as the audit log keeps it, in lower case.
    fn note(&self) -> String {
        let who = names(&self.with);
        if self.parts.is_empty() {
            format!("merged with {who}'s save, which changed nothing edited here")
        } else {
            format!(
                "merged with {who}'s changes to {}",
                merge::describe(&self.parts)
            )
        }
    }
}

/// A save that clashed with changes made meanwhile.
#[derive(Debug)]
pub struct Unmerged {
    /// The story as stored now; settling the conflicts builds on its revision.
    pub current: Story,
    /// Who saved the story since the editor's revision, by username.
    pub with: Vec<String>,
    /// Everything merged that could be, and the conflicts left.
    pub merge: Merge,
}

impl Unmerged {
    /// Who saved the story meanwhile, in words: "ann.lee and li.wei".
    pub fn who(&self) -> String {
        names(&self.with)
    }
}

/// Saves the story form: as [`super::save`] does when it builds on the stored revision, and
/// otherwise merged with the changes saved since `mine.revision` (see the module doc).
/// `edit.content` is what `mine` parses to.
pub fn save_merging(
    store: &dyn Store,
    actor: &Actor,
    edit: Edit,
    mine: &StoryInput,
    now: OffsetDateTime,
) -> Result<Outcome, EditorialError> {
    // Discarding builds on exactly the revision shown: merged, it would drop changes saved
    // meanwhile that nobody has seen.
    let (Some(id), false) = (edit.story, edit.step == Step::DiscardChanges) else {
        return save_noting(store, actor, edit, now, None).map(saved_unmerged);
    };
    let base_revision = edit.expected_revision;
    let zone = edit.zone.clone();
    let step = edit.step;
    let note = edit.note.clone();
    let mut current = match save_noting(store, actor, edit, now, None) {
        Err(EditorialError::Conflict { current }) => *current,
        other => return other.map(saved_unmerged),
    };
    let base = base_revision
        .filter(|revision| *revision < current.revision)
        .map(|revision| store.story_revision(id, revision))
        .transpose()?
        .flatten();
    let mut attempts = 0;
    loop {
        let with = editors_since(store, id, base.as_ref(), &current)?;
        // Update live story puts the merged words live: pending changes saved since the
        // editor's form was loaded are words nobody has reviewed, so they are shown to the
        // editor as conflicts, never published unseen.
        let merge = if step == Step::UpdateLive && current.pending.is_some() {
            merge_forms_holding_theirs(base.as_ref(), &current, mine, &zone)
        } else {
            merge_forms(base.as_ref(), &current, mine, &zone)
        };
        attempts += 1;
        let fields = match merge.clean() {
            Some(fields) if attempts <= MAX_ATTEMPTS => fields,
            _ => {
                return Ok(Outcome::Conflicts(Box::new(Unmerged {
                    current,
                    with,
                    merge,
                })));
            }
        };
        let mut merged = StoryInput::from_pairs(fields.into_vec());
        merged.revision = current.revision.to_string();
        let dateline_date = zone.local(current.published_at.unwrap_or(now)).date();
        let form =
            story_form::apply(&merged, dateline_date, &zone).map_err(EditorialError::Invalid)?;
        let merged = Merged {
            with,
            parts: merge.taken_from_theirs().iter().map(readable).collect(),
        };
        let next = Edit {
            story: Some(id),
            expected_revision: Some(current.revision),
            content: form.content,
            filed_at: form.filed_at,
            step,
            note: note.clone(),
            zone: zone.clone(),
        };
        match save_noting(store, actor, next, now, Some(&merged.note())) {
            Ok(story) => {
                return Ok(Outcome::Saved {
                    story: Box::new(story),
                    merged: Some(merged),
                });
            }
            // Saved again meanwhile: merge once more, from the same starting revision.
            Err(EditorialError::Conflict { current: newer }) => current = *newer,
            Err(e) => return Err(e),
        }
    }
}

fn saved_unmerged(story: Story) -> Outcome {
    Outcome::Saved {
        story: Box::new(story),
        merged: None,
    }
}

/// Merges the editor's form with the stored story against the revision the editor started
/// from. Without that revision (a form that names none, or one that is not stored), every
/// field counts as changed on both sides, so whatever differs is shown as a conflict. Each
/// side is what the desk edits: a live story's pending changes, when it has some.
pub fn merge_forms(
    base: Option<&Story>,
    current: &Story,
    mine: &StoryInput,
    zone: &SiteZone,
) -> Merge {
    let [base, theirs, mine] = sides(base, current, mine, zone);
    merge::merge(&refs(&base), &refs(&theirs), &refs(&mine))
}

/// As [`merge_forms`], but what only the stored story changed is a conflict, not taken (see
/// [`merge::merge_holding_theirs`]).
fn merge_forms_holding_theirs(
    base: Option<&Story>,
    current: &Story,
    mine: &StoryInput,
    zone: &SiteZone,
) -> Merge {
    let [base, theirs, mine] = sides(base, current, mine, zone);
    merge::merge_holding_theirs(&refs(&base), &refs(&theirs), &refs(&mine))
}

/// The base, theirs and mine as the fields that merge.
fn sides(
    base: Option<&Story>,
    current: &Story,
    mine: &StoryInput,
    zone: &SiteZone,
) -> [Vec<(String, String)>; 3] {
    let edited = |story: &Story| StoryInput::from_story(&story.as_edited(), zone);
    let base = base.map(edited).unwrap_or_default();
    let theirs = edited(current);
    [&base, &theirs, mine].map(mergeable)
}

fn refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect()
}

/// The form's fields that merge: all but the revision it was loaded from.
fn mergeable(input: &StoryInput) -> Vec<(String, String)> {
    input
        .to_pairs()
        .into_iter()
        .filter(|(name, _)| name != REVISION)
        .collect()
}

/// A part named with the form's label ("the alt text", not "the alt").
fn readable(part: &Part) -> Part {
    match part {
        Part::Field(name) => Part::Field(
            story_form::field(name)
                .map_or_else(|| name.clone(), |field| field.label.to_lowercase()),
        ),
        other => other.clone(),
    }
}

/// The usernames of whoever saved the revisions after `base`, oldest first, each once.
fn editors_since(
    store: &dyn Store,
    id: StoryId,
    base: Option<&Story>,
    current: &Story,
) -> Result<Vec<String>, EditorialError> {
    let after = base.map_or(current.revision.saturating_sub(1), |b| b.revision);
    let mut ids = Vec::new();
    let mut revisions = store.story_revisions(id)?;
    revisions.retain(|story| story.revision > after);
    revisions.reverse();
    for story in revisions.iter().chain(std::iter::once(current)) {
        if let Some(user) = story.last_edited_by
            && !ids.contains(&user)
        {
            ids.push(user);
        }
    }
    let mut names = Vec::new();
    for user in ids {
        if let Some(user) = store.user(user)? {
            names.push(user.username.to_string());
        }
    }
    if names.is_empty() {
        names.push("someone".into());
    }
    Ok(names)
}

/// "ann.lee", "ann.lee and li.wei", "ann.lee, li.wei and zhang.dan".
fn names(names: &[String]) -> String {
    match names.split_last() {
        None => "someone".into(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}
