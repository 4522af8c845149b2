//! The questions asked before Withdraw, Unpublish and Discard changes do their work (see
//! `views::desk_confirm`): what each will do, said plainly, with the story's headline.

use crate::domain::Story;
use crate::domain::story_form::{Action, StoryInput};
use crate::views::desk::DeskContext;
use crate::views::desk_confirm::ConfirmPage;
use crate::web::auth::SignedIn;

/// Whether the story form's `action` asks first.
pub(super) fn asks_first(action: Action) -> bool {
    matches!(action, Action::Unpublish | Action::DiscardChanges)
}

/// The question before Unpublish or Discard changes of `story`, sending `input` (the form as
/// typed) again once confirmed. Cancelling goes back to the form with what was typed, which
/// the caller keeps as the autosaved copy.
pub(super) fn story_step(
    signed_in: &SignedIn,
    story: &Story,
    action: Action,
    input: &StoryInput,
) -> ConfirmPage {
    let headline = story.content.headline.to_string();
    let (heading, explanation, button, label) = match action {
        Action::DiscardChanges => (
            format!("Discard the pending changes to “{headline}”?"),
            vec![
                "The changes saved to this story and not yet live are dropped, with anything \
                 typed on the form since. Readers keep seeing the live story exactly as it is \
                 now."
                    .to_owned(),
                "The story's history keeps the dropped version, but it is no longer the one \
                 the desk works on."
                    .to_owned(),
            ],
            "discard-changes",
            "Discard the pending changes",
        ),
        _ => (
            format!("Unpublish “{headline}”?"),
            vec![
                "Readers will no longer see this story: its address stops answering, and it \
                 leaves the front page, its section, the feeds, the sitemaps and search."
                    .to_owned(),
                "The form as you left it is saved with it. An editor can publish it again \
                 later."
                    .to_owned(),
            ],
            "unpublish",
            "Unpublish this story",
        ),
    };
    let mut fields = input.to_pairs();
    fields.push(("action".to_owned(), button.to_owned()));
    ConfirmPage {
        ctx: DeskContext::new(signed_in, heading.clone()),
        heading,
        explanation,
        action_url: format!("/desk/stories/{}", story.id),
        multipart: true,
        fields,
        confirm_label: label.to_owned(),
        cancel_url: format!("/desk/stories/{}?restore=autosave", story.id),
    }
}

/// The question before withdrawing `story` for `reason`.
pub(super) fn withdrawal(signed_in: &SignedIn, story: &Story, reason: &str) -> ConfirmPage {
    let heading = format!("Withdraw “{}”?", story.content.headline);
    ConfirmPage {
        ctx: DeskContext::new(signed_in, heading.clone()),
        heading,
        explanation: vec![
            "Every public address of this story will tell readers it has been withdrawn: its \
             text leaves the site, the feeds, search and the API at once."
                .to_owned(),
            "Only an administrator can undo this, and only by reinstating the story as \
             unpublished."
                .to_owned(),
            format!("Reason, kept for the desk and the audit log: {reason}"),
        ],
        action_url: format!("/desk/stories/{}/withdraw", story.id),
        multipart: false,
        fields: vec![("reason".to_owned(), reason.to_owned())],
        confirm_label: "Withdraw this story".to_owned(),
        cancel_url: format!("/desk/stories/{}", story.id),
    }
}
