//! Pages of the desk, where editors and writers work.

use crate::web::assets::css_url;
use crate::web::auth::SignedIn;
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
}

impl DeskContext {
    pub fn new(signed_in: &SignedIn, title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            css_url: css_url(),
            js_url: crate::web::assets::js_url(),
            username: signed_in.user.username.to_string(),
            role: signed_in.user.role.key(),
            is_admin: signed_in.user.role.can_manage_users(),
            csrf: signed_in.csrf.clone(),
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
