//! Pages of the desk, where editors and writers work.

use super::Viewer;
use crate::domain::SiteZone;
use crate::urls::assets::css_url;
use askama::Template;

/// What the desk layout needs on every page: who is signed in and the session's CSRF token.
pub struct DeskContext {
    pub title: String,
    pub css_url: &'static str,
    pub js_url: &'static str,
    pub username: String,
    pub role: &'static str,
    pub is_admin: bool,
    pub csrf: String,
    /// The newsroom's time zone: the desk shows and reads every date in it.
    pub zone: SiteZone,
}

impl DeskContext {
    /// `viewer` is anything that says who is signed in (the web layer's session gives one).
    pub fn new(viewer: impl Into<Viewer>, title: impl Into<String>) -> Self {
        let viewer = viewer.into();
        Self {
            title: title.into(),
            css_url: css_url(),
            js_url: crate::urls::assets::js_url(),
            username: viewer.username.to_string(),
            role: viewer.role.key(),
            is_admin: viewer.role.can_manage_users(),
            csrf: viewer.csrf,
            zone: viewer.zone,
        }
    }
}

#[derive(Template)]
#[template(path = "desk/login.html")]
pub struct LoginPage {
    pub css_url: &'static str,
    pub form_token: String,
    pub next: String,
    pub username: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// A logged-out writer's unsaved form, carried through login.
    pub stash: Option<String>,
}

#[derive(Template)]
#[template(path = "desk/setup.html")]
pub struct SetupPage {
    pub css_url: &'static str,
    pub form_token: String,
    pub setup_token: String,
    pub username: String,
    pub initials: String,
    pub errors: Vec<(&'static str, String)>,
}

impl SetupPage {
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

use super::{Pager, Timestamp};
use crate::domain::Section;
use crate::domain::merge::{self, Choice, Merge, Part, Span};
use crate::domain::story_form::{self, FieldErrors, StoryInput};

/// One story on the desk's list.
pub struct StoryRow {
    pub edit_url: String,
    pub headline: String,
    pub status_key: &'static str,
    pub status_label: &'static str,
    pub submitted: bool,
    /// An editor sent it back to its writer with a note.
    pub sent_back: bool,
    /// When a scheduled story goes out.
    pub scheduled_for: Option<Timestamp>,
    /// When the embargo of a story not yet public ends, while it holds.
    pub embargoed_until: Option<Timestamp>,
    pub section: &'static str,
    /// Who has the story: the editor who took it, else its writer.
    pub holder: String,
    /// An editor took it (so `holder` is that editor).
    pub taken: bool,
    pub edited_by: String,
    pub updated: Timestamp,
    pub public_url: Option<String>,
    /// Where a search found its words; empty when the row comes from no search.
    pub snippet: crate::storage::search::Snippet,
}

#[derive(Template)]
#[template(path = "desk/stories.html")]
pub struct StoryListPage {
    pub ctx: DeskContext,
    pub rows: Vec<StoryRow>,
    pub pager: Option<Pager>,
    pub status_filter: String,
    pub section_filter: String,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub sections: Vec<Section>,
    pub total: u64,
    /// How many stories wait for review in the section shown (every section when none is).
    pub for_review: u64,
    pub for_review_url: String,
    /// The search box, the date range and the order, as typed.
    pub search: DeskSearchInput,
    /// What is wrong with the search, by field (`q`, `from`, `to`).
    pub search_errors: Vec<(&'static str, String)>,
}

/// The desk's search fields exactly as typed, kept in the form whatever became of them.
#[derive(Debug, Clone, Default)]
pub struct DeskSearchInput {
    pub q: String,
    pub from: String,
    pub to: String,
    /// `relevance`, `newest`, or empty for the default.
    pub order: String,
}

impl StoryListPage {
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.search_errors
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, e)| e.as_str())
    }
}

/// The story form, new or existing, blank or with errors, always with what was typed.
#[derive(Template)]
#[template(path = "desk/story_form.html")]
pub struct StoryFormPage {
    pub ctx: DeskContext,
    pub heading: String,
    pub form_url: String,
    pub input: StoryInput,
    pub errors: FieldErrors,
    pub notice: Option<String>,
    pub status_label: Option<&'static str>,
    pub can_publish: bool,
    pub is_published: bool,
    /// Withdrawn: nothing but saving (and, for an administrator, reinstating) is offered.
    pub is_withdrawn: bool,
    pub history_url: Option<String>,
    pub public_url: Option<String>,
    pub photo_url: Option<String>,
    /// The photo library, from which a photo is chosen for this story.
    pub library_url: String,
    pub sections: Vec<Section>,
    /// The story's id, for the autosave script; empty for a new story.
    pub story_id: String,
    /// An autosaved copy newer than the last save, offered back.
    pub autosaved: Option<AutosaveNote>,
    /// The story is published and this editor may withdraw it.
    pub can_withdraw: bool,
    /// The story is withdrawn and this administrator may reinstate it.
    pub can_reinstate: bool,
    /// Why a withdrawn story was withdrawn, for the desk.
    pub withdrawal_reason: Option<String>,
    /// A withdrawal reason typed and refused, shown back in its box.
    pub typed_withdrawal_reason: String,
    /// The publication time of a story published once (a `datetime-local` value): its filing
    /// time is shown as this and cannot be changed, as it is part of the article's address.
    pub filed_at_fixed: Option<String>,
    /// Why the story was sent back, who has it, and an editor's forms to take it or send it
    /// back.
    pub review: ReviewPanel,
    /// The kind and words of a note typed in "Add a correction" and refused, shown back.
    pub typed_note_kind: String,
    pub typed_note_text: String,
    /// Changes of a live story waiting to go live, which the fields show.
    pub pending: Option<PendingNote>,
    /// Who else has the form open; the warning that a new slug moves the story's address.
    pub watch: crate::views::story_watch::StoryWatch,
    /// Existing tags and authors' names, offered as the Tags and Bylines fields are typed.
    pub suggestions: super::desk_topics::Suggestions,
}

/// The review desk's part of the story form.
#[derive(Default)]
pub struct ReviewPanel {
    /// Why an editor sent the story back to its writer: shown at the top of the form.
    pub sent_back: Option<SentBackNote>,
    /// The editor who took the story, if one did ("you" for the one looking).
    pub holder: Option<String>,
    /// The one looking has the story.
    pub holder_is_viewer: bool,
    /// The one looking may take the story or send it back: an editor, on a saved story.
    pub may_review: bool,
    /// The story waits for review, so an editor can send it back.
    pub submitted: bool,
    /// Where the review forms post (`/take`, `/send-back` below it).
    pub story_url: String,
    /// The revision the forms build on.
    pub revision: u64,
    /// Why a take or send-back was refused or not done, shown at the top of the form.
    pub error: Option<String>,
    /// A note typed for sending back, shown back in its box when it was not sent.
    pub typed_note: String,
    /// What is wrong with that note.
    pub note_error: Option<String>,
    /// Taking the story from the editor who has it, once the one looking confirms.
    pub confirm_take: Option<ConfirmTake>,
}

/// "Sent back by zhang.dan on 2 Dec 2026, 10:00: Needs a second source."
pub struct SentBackNote {
    pub by: String,
    pub at: Timestamp,
    pub text: String,
}

/// The question asked before taking a story another editor has.
pub struct ConfirmTake {
    pub holder: String,
    /// Their account id, sent back with the confirmation so the story is taken from them and
    /// from nobody else.
    pub holder_id: String,
}

impl ReviewPanel {
    /// The panel of `story` (`None`: a story not saved yet) as `viewer` sees it, naming
    /// accounts with `name` ("an editor" for one it does not know).
    pub fn of(
        story: Option<&crate::domain::Story>,
        viewer: &crate::domain::User,
        zone: &SiteZone,
        name: &dyn Fn(crate::domain::UserId) -> Option<String>,
    ) -> Self {
        let Some(story) = story else {
            return Self::default();
        };
        let named = |id: Option<crate::domain::UserId>| {
            id.and_then(name).unwrap_or_else(|| "an editor".to_owned())
        };
        let holder_is_viewer = story.assignee == Some(viewer.id);
        Self {
            sent_back: story.sent_back.as_ref().map(|note| SentBackNote {
                by: named(note.by),
                at: Timestamp::named(note.at, zone),
                text: note.text.to_string(),
            }),
            holder: story.assignee.map(|id| {
                if holder_is_viewer {
                    "you".to_owned()
                } else {
                    named(Some(id))
                }
            }),
            holder_is_viewer,
            may_review: viewer.role.can_publish(),
            submitted: story.submitted,
            story_url: format!("/desk/stories/{}", story.id),
            revision: story.revision,
            ..Self::default()
        }
    }
}

/// "Changes pending, saved by ann.lee at 10:42": a live story's staged changes.
pub struct PendingNote {
    /// Who saved them last, by username; empty when unknown.
    pub by: String,
    pub at: Timestamp,
    /// The story as it will read once the changes go live.
    pub preview_url: String,
}

/// "Autosaved at 10:42, not saved to the story: restore it".
pub struct AutosaveNote {
    pub saved_at: Timestamp,
    pub restore_url: String,
}

/// The question a time typed in the hour the clocks repeat asks: which of its two moments.
pub struct OffsetQuestion {
    /// The form field the answer is sent in.
    pub name: String,
    /// Each moment's value, words, and whether it is the one chosen.
    pub choices: Vec<(String, String, bool)>,
}

impl OffsetQuestion {
    /// The question for the date and time field named `name`, if its time needs one.
    pub fn of(input: &StoryInput, name: &str, zone: &SiteZone) -> Option<Self> {
        let choices = story_form::offset_choice(input, name, zone)?;
        let name = story_form::offset_field(name);
        let chosen = story_form::field(&name).map_or("", |f| f.value(input));
        Some(Self {
            choices: choices
                .into_iter()
                .map(|c| {
                    let checked = c.value == chosen.trim();
                    (c.value, c.label, checked)
                })
                .collect(),
            name,
        })
    }
}

impl StoryFormPage {
    /// For a date and time field whose time the clocks showed twice: which moment is meant.
    pub fn offset_question(&self, name: &str) -> Option<OffsetQuestion> {
        OffsetQuestion::of(&self.input, name, &self.ctx.zone)
    }

    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// `1,234 words, about 6 minutes' reading`, of the body as typed.
    pub fn body_length(&self) -> String {
        let (words, minutes) = crate::domain::body::word_count(&self.input.body);
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!(
            "{}, about {} reading",
            plural(words, "word", "words"),
            plural(minutes, "minute's", "minutes'")
        )
    }

    /// A Publish or Schedule refused for the embargo: the form offers the embargo time.
    pub fn offers_embargo_time(&self) -> bool {
        self.can_publish
            && self
                .error_for(crate::domain::story_form::EMBARGO_OFFER)
                .is_some()
    }

    /// The fixed value of the field named `name`, shown without being editable.
    pub fn fixed_value(&self, name: &str) -> Option<&str> {
        self.filed_at_fixed
            .as_deref()
            .filter(|_| name == "filed_at")
    }

    pub fn other_errors(&self) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|(f, _)| *f == "form")
            .map(|(_, m)| m.as_str())
            .collect()
    }
}

/// Shown when a save over a newer revision changed a paragraph or field that was changed
/// meanwhile too: every field of the story as merged, with each conflict in its place for the
/// editor to settle. The page is the story form again: submitting it saves the merged story
/// with the choices, building on the revision it was shown for.
#[derive(Template)]
#[template(path = "desk/conflict.html")]
pub struct ConflictPage {
    pub ctx: DeskContext,
    pub form_url: String,
    pub edit_url: String,
    /// The button the editor pressed, pressed again by saving from this page.
    pub action: &'static str,
    /// What saving from this page does: "Save and update live story".
    pub button_label: &'static str,
    /// The merged form's photo, shown as a picture (its id travels in a hidden field).
    pub photo_url: Option<String>,
    /// The publication time of a story published once, shown as the story form shows it:
    /// fixed, as it is part of the article's address.
    pub filed_at_fixed: Option<String>,
    pub theirs_by: String,
    pub theirs_at: Timestamp,
    pub theirs_revision: u64,
    /// Every settled field, with its merged value; a field in conflict is empty here.
    pub input: StoryInput,
    pub conflicts: Vec<ConflictView>,
    /// The body as settled stretches and conflicts, when a conflict lies in it; empty when the
    /// whole body is settled (it is then one field of `input`).
    pub body: Vec<BodyPiece>,
    pub sections: Vec<Section>,
    /// Never any: the page shows only merged values. Kept for the shared field template.
    pub errors: FieldErrors,
}

/// A stretch of a body that has conflicts.
pub enum BodyPiece {
    Settled(String),
    /// The conflict of this index in [`ConflictPage::conflicts`].
    Conflict(usize),
}

/// One part changed on both sides, as the page shows it.
pub struct ConflictView {
    /// The prefix of this conflict's form fields: `conflict:FIELD:INDEX`.
    pub key: String,
    /// The form field it lies in.
    pub field: &'static str,
    /// "Headline", "Body, paragraph 3".
    pub title: String,
    pub base: String,
    pub theirs: String,
    pub mine: String,
    pub theirs_changes: Vec<Span>,
    pub mine_changes: Vec<Span>,
    /// Only they changed it, and it is not live: held for the editor to see before it goes
    /// live, "mine" being the text as the editor's form had it.
    pub unseen: bool,
}

/// Whether a block of a body's Markdown reads as a paragraph: not a heading, a page break, a
/// rule or a line holding only a photo, which readers do not count as paragraphs.
fn reads_as_paragraph(block: &str) -> bool {
    let line = block.trim();
    let heading = line.starts_with('#') && {
        let rest = line.trim_start_matches('#');
        rest.is_empty() || rest.starts_with(' ')
    };
    let marks: String = line.chars().filter(|c| *c != ' ').collect();
    let rule = marks.len() >= 3
        && ['-', '*', '_']
            .iter()
            .any(|m| marks.chars().all(|c| c == *m));
    let photo_only = line.starts_with("![") && line.ends_with(')') && !line.contains('\n');
    !(line.is_empty() || heading || rule || photo_only || line == crate::domain::body::PAGE_BREAK)
}

/// Where in the body a conflict lies, counting paragraphs as readers see them: `before`
/// paragraphs come before it, and `base` is the text it replaces.
fn place_in_body(before: usize, base: &str) -> String {
    let blocks = merge::paragraphs(base);
    let read = blocks.iter().filter(|b| reads_as_paragraph(b)).count();
    match (blocks.len(), read) {
        (0, _) if before == 0 => "new paragraphs at the start".to_owned(),
        (0, _) => format!("new paragraphs after paragraph {before}"),
        (_, 0) if before == 0 => "a heading or break at the start".to_owned(),
        (_, 0) => format!("a heading or break after paragraph {before}"),
        (_, 1) => format!("paragraph {}", before + 1),
        (_, read) => format!("paragraphs {} to {}", before + 1, before + read),
    }
}

/// A conflict's text in a merged field, unlike any text typed: control characters around its
/// number.
fn marker(index: usize) -> String {
    format!("\u{1}conflict {index}\u{1}")
}

impl ConflictPage {
    /// Lays out `merge`, the form merged with the revision `theirs_revision`.
    pub fn lay_out(&mut self, merge: &Merge) {
        let markers: Vec<String> = (0..merge.conflicts().len()).map(marker).collect();
        let choices: Vec<Choice> = markers.iter().cloned().map(Choice::Edited).collect();
        let Ok(fields) = merge.resolve(&choices) else {
            return;
        };
        let index_of = |text: &str| markers.iter().position(|m| m == text);
        // How many paragraphs a reader sees before each conflict of the body.
        let mut paragraphs_before: Vec<(usize, usize)> = Vec::new();
        for (name, value) in fields.iter() {
            if name == merge::BODY && markers.iter().any(|m| value.contains(m.as_str())) {
                let mut settled: Vec<String> = Vec::new();
                let mut read_before = 0;
                for paragraph in merge::paragraphs(value) {
                    match index_of(&paragraph) {
                        Some(index) => {
                            paragraphs_before.push((index, read_before));
                            // Counted as the edit box starts: the editor's own text.
                            read_before += merge.conflicts().get(index).map_or(0, |c| {
                                merge::paragraphs(&c.mine)
                                    .iter()
                                    .filter(|b| reads_as_paragraph(b))
                                    .count()
                            });
                            if !settled.is_empty() {
                                self.body.push(BodyPiece::Settled(settled.join("\n\n")));
                                settled.clear();
                            }
                            self.body.push(BodyPiece::Conflict(index));
                        }
                        None => {
                            read_before += usize::from(reads_as_paragraph(&paragraph));
                            settled.push(paragraph);
                        }
                    }
                }
                if !settled.is_empty() {
                    self.body.push(BodyPiece::Settled(settled.join("\n\n")));
                }
            } else if index_of(value).is_none() {
                self.input.set(name, value.to_owned());
            }
        }
        for (index, conflict) in merge.conflicts().iter().enumerate() {
            let (field, title) = match &conflict.part {
                Part::Field(name) => (name.as_str(), None),
                Part::Paragraphs { field, .. } => {
                    let before = paragraphs_before
                        .iter()
                        .find(|(i, _)| *i == index)
                        .map(|(_, n)| *n);
                    let title = match before {
                        Some(before) => place_in_body(before, &conflict.base),
                        None => conflict.part.to_string(),
                    };
                    (field.as_str(), Some(title))
                }
            };
            let Some(field) = story_form::field(field) else {
                continue;
            };
            self.conflicts.push(ConflictView {
                key: format!("conflict:{}:{index}", field.name),
                field: field.name,
                title: match title {
                    Some(part) => format!("{}, {part}", field.label),
                    None => field.label.to_owned(),
                },
                base: conflict.base.clone(),
                theirs: conflict.theirs.clone(),
                mine: conflict.mine.clone(),
                theirs_changes: conflict.theirs_changes(),
                mine_changes: conflict.mine_changes(),
                unseen: conflict.mine == conflict.base,
            });
        }
    }

    pub fn error_for(&self, _field: &str) -> Option<&str> {
        None
    }

    /// Never asked here: a choice already made travels with the merged form (see the template).
    pub fn offset_question(&self, _name: &str) -> Option<OffsetQuestion> {
        None
    }

    /// The fixed value of the field named `name`, shown without being editable.
    pub fn fixed_value(&self, name: &str) -> Option<&str> {
        self.filed_at_fixed
            .as_deref()
            .filter(|_| name == "filed_at")
    }

    /// Whether some conflict is a change only they made and the editor has not seen.
    pub fn holds_unseen(&self) -> bool {
        self.conflicts.iter().any(|c| c.unseen)
    }

    /// The conflict over the whole of the field named `name`, if there is one.
    pub fn conflict_over(&self, name: &str) -> Option<&ConflictView> {
        if name == merge::BODY && !self.body.is_empty() {
            return None;
        }
        self.conflicts.iter().find(|c| c.field == name)
    }

    /// Whether the body is laid out in pieces, around its conflicts.
    pub fn body_in_pieces(&self, name: &str) -> bool {
        name == merge::BODY && !self.body.is_empty()
    }
}
