//! The audit log: who did what, when. Kept for logins, publishing and account changes.

use super::UserId;
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Login,
    LoginFailed,
    Logout,
    Publish,
    Unpublish,
    Schedule,
    Restore,
    /// A change to what readers see of a published story.
    Edit,
    /// A save over a newer revision, merged with the changes made meanwhile.
    Merge,
    /// A story brought in from a wire file or a ninjs feed.
    Import,
    /// An embargo set, moved or lifted.
    Embargo,
    /// A published story taken down, with the reason.
    Withdraw,
    /// A withdrawn story brought back (as unpublished) by an administrator.
    Reinstate,
    /// Changes to a published story saved without going live yet.
    StageChanges,
    /// A published story's pending changes put live.
    UpdateLive,
    /// A published story's pending changes thrown away.
    DiscardChanges,
    /// A correction, clarification or editor's note added to a published story.
    Note,
    /// A story sent back to its writer with a note.
    SendBack,
    /// An editor took a story to work on it.
    Take,
    /// Agency copy came into the incoming list, or a newer version of it.
    CopyIn,
    /// A piece of incoming copy taken: it became a draft story.
    CopyTaken,
    /// A piece of incoming copy kept out of the list.
    CopySpiked,
    /// A spiked piece of copy put back in the incoming list.
    CopyRestored,
    UserCreated,
    UserChanged,
    UserDisabled,
    PasswordChanged,
    /// A second factor confirmed and put in place.
    TwoFactorEnrolled,
    /// A second factor taken away (by its owner or an admin); the account's sessions end.
    TwoFactorReset,
    /// Every session of an account ended at once.
    SessionsEnded,
    /// A site setting changed by an admin.
    SettingChanged,
    /// The site's sections added to, renamed, reordered or hidden.
    SectionsChanged,
    /// The caption, credit or alt text a library photo gives the stories that pick it.
    PhotoDefaults,
    /// A front page arrangement (lead, top stories, banner) put live.
    FrontPage,
    /// A tag renamed or merged into another on the desk.
    TagChanged,
    /// An author's profile created or changed on the desk.
    AuthorChanged,
}

impl AuditAction {
    pub const ALL: [AuditAction; 36] = [
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::Logout,
        AuditAction::Publish,
        AuditAction::Unpublish,
        AuditAction::Schedule,
        AuditAction::Restore,
        AuditAction::Edit,
        AuditAction::Merge,
        AuditAction::Import,
        AuditAction::Embargo,
        AuditAction::Withdraw,
        AuditAction::Reinstate,
        AuditAction::StageChanges,
        AuditAction::UpdateLive,
        AuditAction::DiscardChanges,
        AuditAction::Note,
        AuditAction::SendBack,
        AuditAction::Take,
        AuditAction::CopyIn,
        AuditAction::CopyTaken,
        AuditAction::CopySpiked,
        AuditAction::CopyRestored,
        AuditAction::UserCreated,
        AuditAction::UserChanged,
        AuditAction::UserDisabled,
        AuditAction::PasswordChanged,
        AuditAction::TwoFactorEnrolled,
        AuditAction::TwoFactorReset,
        AuditAction::SessionsEnded,
        AuditAction::SettingChanged,
        AuditAction::SectionsChanged,
        AuditAction::PhotoDefaults,
        AuditAction::FrontPage,
        AuditAction::TagChanged,
        AuditAction::AuthorChanged,
    ];

    pub fn key(self) -> &'static str {
        match self {
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login-failed",
            AuditAction::Logout => "logout",
            AuditAction::Publish => "publish",
            AuditAction::Unpublish => "unpublish",
            AuditAction::Schedule => "schedule",
            AuditAction::Restore => "restore",
            AuditAction::Edit => "edit",
            AuditAction::Merge => "merge",
            AuditAction::Import => "import",
            AuditAction::Embargo => "embargo",
            AuditAction::Withdraw => "withdraw",
            AuditAction::Reinstate => "reinstate",
            AuditAction::StageChanges => "stage-changes",
            AuditAction::UpdateLive => "update-live",
            AuditAction::DiscardChanges => "discard-changes",
            AuditAction::Note => "note",
            AuditAction::SendBack => "send-back",
            AuditAction::Take => "take",
            AuditAction::CopyIn => "copy-in",
            AuditAction::CopyTaken => "copy-taken",
            AuditAction::CopySpiked => "copy-spiked",
            AuditAction::CopyRestored => "copy-restored",
            AuditAction::UserCreated => "user-created",
            AuditAction::UserChanged => "user-changed",
            AuditAction::UserDisabled => "user-disabled",
            AuditAction::PasswordChanged => "password-changed",
            AuditAction::TwoFactorEnrolled => "two-factor-enrolled",
            AuditAction::TwoFactorReset => "two-factor-reset",
            AuditAction::SessionsEnded => "sessions-ended",
            AuditAction::SettingChanged => "setting-changed",
            AuditAction::SectionsChanged => "sections-changed",
            AuditAction::PhotoDefaults => "photo-defaults",
            AuditAction::FrontPage => "front-page",
            AuditAction::TagChanged => "tag-changed",
            AuditAction::AuthorChanged => "author-changed",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub at: OffsetDateTime,
    /// The account that acted; `None` for the command line or an unknown login name.
    pub actor: Option<UserId>,
    /// The name as known at the time (or as typed, for a failed login).
    pub actor_name: String,
    pub action: AuditAction,
    /// What was acted on, in words: a headline, a username.
    pub detail: String,
}
