//! The page that asks before a step that takes something away from readers or from the desk
//! (Withdraw, Unpublish, Discard changes): it says what will happen, and its one button, set
//! apart as dangerous, sends again what the first button sent, plus the confirmation. It works
//! without a script, and leaving by its cancel link does nothing.

use super::desk::DeskContext;
use askama::Template;

/// The field a confirmation adds to what it sends again.
pub const CONFIRM_FIELD: &str = "confirm";
/// Its value.
pub const CONFIRMED: &str = "yes";

#[derive(Template)]
#[template(path = "desk/confirm.html")]
pub struct ConfirmPage {
    pub ctx: DeskContext,
    /// "Withdraw “Talks end”?"
    pub heading: String,
    /// What will happen, one paragraph each.
    pub explanation: Vec<String>,
    /// Where the confirmation posts, and whether as `multipart/form-data` (the story form).
    pub action_url: String,
    pub multipart: bool,
    /// What the first button sent (the CSRF token is added by the page), sent again.
    pub fields: Vec<(String, String)>,
    /// The confirm button's words: "Withdraw this story".
    pub confirm_label: String,
    /// Back to the story, doing nothing.
    pub cancel_url: String,
}

impl ConfirmPage {
    pub fn confirm_field(&self) -> &'static str {
        CONFIRM_FIELD
    }

    pub fn confirmed(&self) -> &'static str {
        CONFIRMED
    }
}
