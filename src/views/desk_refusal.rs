//! The desk's page for something an account may not do: it says why and what to do instead,
//! with the desk's menu, so nobody is left at a bare "not allowed".

use super::desk::DeskContext;
use askama::Template;

#[derive(Template)]
#[template(path = "desk/refused.html")]
pub struct RefusalPage {
    pub ctx: DeskContext,
    /// Why, and what to do instead: whole sentences.
    pub reason: String,
    /// Where to go back to (the story), if anywhere.
    pub back_url: Option<String>,
}

/// Said without the page's context, which carries the session's CSRF token.
impl std::fmt::Debug for RefusalPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefusalPage")
            .field("reason", &self.reason)
            .field("back_url", &self.back_url)
            .finish_non_exhaustive()
    }
}

impl RefusalPage {
    /// A refusal for `reason`, which may start in lower case as the service words it.
    pub fn new(ctx: DeskContext, reason: &str, back_url: Option<String>) -> Self {
        let mut reason = reason.to_owned();
        if let Some(first) = reason.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        if !reason.ends_with('.') {
            reason.push('.');
        }
        Self {
            ctx,
            reason,
            back_url,
        }
    }
}
