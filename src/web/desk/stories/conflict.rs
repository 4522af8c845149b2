//! The conflict page: showing a save that clashed with one made meanwhile, and reading the page
//! back as the story form it stands for (the settled stretches of the body and each conflict's
//! chosen text, in the order the page lays them out).

use crate::domain::Section;
use crate::domain::merge::BODY;
use crate::domain::story_form::{Action, StoryInput};
use crate::editorial::Unmerged;
use crate::views::Timestamp;
use crate::views::desk::{ConflictPage, DeskContext};
use crate::web::auth::SignedIn;
use crate::web::desk::story_form::photo_url;

/// The page for a save that left conflicts; saving from it presses `action` again.
pub(super) fn page(signed_in: &SignedIn, action: Action, unmerged: &Unmerged) -> ConflictPage {
    let current = &unmerged.current;
    let mut page = ConflictPage {
        ctx: DeskContext::new(signed_in, "Edit conflict"),
        form_url: format!("/desk/stories/{}", current.id),
        edit_url: format!("/desk/stories/{}", current.id),
        action: action.key(),
        button_label: button_label(action),
        photo_url: None,
        filed_at_fixed: current
            .first_published_at
            .and(current.published_at)
            .map(|at| signed_in.zone.input_value_seconds(at)),
        theirs_by: unmerged.who(),
        theirs_at: Timestamp::named(current.updated_at, &signed_in.zone),
        theirs_revision: current.revision,
        input: StoryInput::default(),
        conflicts: Vec::new(),
        body: Vec::new(),
        sections: Section::every().collect(),
        errors: Vec::new(),
    };
    page.lay_out(&unmerged.merge);
    page.photo_url = photo_url(&page.input);
    page
}

/// What saving from the page does, in the words of the button first pressed.
fn button_label(action: Action) -> &'static str {
    match action {
        Action::UpdateLive => "Save and update live story",
        Action::Publish => "Save and publish",
        Action::Schedule | Action::ScheduleAtEmbargo => "Save and schedule",
        Action::Submit => "Save and submit for review",
        Action::Unpublish => "Save and unpublish",
        Action::Save | Action::Preview | Action::DiscardChanges => "Save with these choices",
    }
}

/// One stretch of a field as the page sent it.
enum Piece {
    Text(String),
    /// The conflict whose fields are named `conflict:KEY:...`.
    Conflict(String),
}

/// What the page sent for one conflict.
#[derive(Default)]
struct Answer {
    theirs: String,
    mine: String,
    edited: String,
    choice: String,
}

impl Answer {
    /// The chosen text; without a choice, the edit box's, which starts as the editor's own.
    fn chosen(self) -> String {
        match self.choice.as_str() {
            "theirs" => self.theirs,
            "mine" => self.mine,
            _ => self.edited,
        }
    }
}

/// Puts the conflict page's fields (`part:FIELD`, `conflict:FIELD:INDEX:WHAT`) together into
/// the fields of `input` they stand for.
pub(super) fn settle(input: &mut StoryInput, sent: Vec<(String, String)>) {
    let mut fields: Vec<(String, Vec<Piece>)> = Vec::new();
    let mut answers: Vec<(String, Answer)> = Vec::new();
    for (name, value) in sent {
        let (field, piece) = if let Some(field) = name.strip_prefix("part:") {
            (field.to_owned(), Some(Piece::Text(value)))
        } else if let Some(rest) = name.strip_prefix("conflict:")
            && let Some((key, what)) = rest.rsplit_once(':')
        {
            let field = key.split(':').next().unwrap_or_default().to_owned();
            let (index, is_new) = match answers.iter().position(|(k, _)| k == key) {
                Some(index) => (index, false),
                None => {
                    answers.push((key.to_owned(), Answer::default()));
                    (answers.len() - 1, true)
                }
            };
            let answer = &mut answers[index].1;
            match what {
                "theirs" => answer.theirs = value,
                "mine" => answer.mine = value,
                "edited" => answer.edited = value,
                "choice" => answer.choice = value,
                _ => {}
            }
            (field, is_new.then(|| Piece::Conflict(key.to_owned())))
        } else {
            continue;
        };
        let Some(piece) = piece else { continue };
        match fields.iter_mut().find(|(name, _)| *name == field) {
            Some((_, pieces)) => pieces.push(piece),
            None => fields.push((field, vec![piece])),
        }
    }
    for (field, pieces) in fields {
        let texts: Vec<String> = pieces
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text) => text,
                Piece::Conflict(key) => answers
                    .iter()
                    .position(|(k, _)| *k == key)
                    .map(|index| std::mem::take(&mut answers[index].1).chosen())
                    .unwrap_or_default(),
            })
            .collect();
        let value = if field == BODY {
            texts.join("\n\n")
        } else {
            texts.concat()
        };
        input.set(&field, value);
    }
}
