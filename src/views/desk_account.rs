//! The pages of one's own account (password, second factor, sessions) and the second step of
//! logging in.

use super::Timestamp;
use super::desk::DeskContext;
use askama::Template;

/// One live session of the account, as its owner sees it.
pub struct SessionRow {
    /// What names the session in the form that ends it (hex of its stored key).
    pub id: String,
    pub browser: String,
    pub address: String,
    pub last_seen: Option<Timestamp>,
    /// The session this page was asked for from.
    pub is_current: bool,
}

#[derive(Template)]
#[template(path = "desk/account.html")]
pub struct AccountPage {
    pub ctx: DeskContext,
    pub notice: Option<String>,
    /// (field, message): `current`, `password` of the password form.
    pub errors: Vec<(String, String)>,
    pub has_two_factor: bool,
    pub recovery_left: usize,
    pub sessions: Vec<SessionRow>,
}

impl AccountPage {
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Template)]
#[template(path = "desk/two_factor_setup.html")]
pub struct TwoFactorSetupPage {
    pub ctx: DeskContext,
    /// The secret for typing into an app by hand, in groups of four.
    pub secret_text: String,
    /// The QR code's address on this site (drawn by the server from the session's secret).
    pub qr_url: String,
    /// Whether the site requires it before anything else.
    pub required: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "desk/recovery_codes.html")]
pub struct RecoveryCodesPage {
    pub ctx: DeskContext,
    pub codes: Vec<String>,
}

#[derive(Template)]
#[template(path = "desk/login_code.html")]
pub struct LoginCodePage {
    pub css_url: &'static str,
    pub form_token: String,
    pub error: Option<String>,
}
