//! Desk pages for looking after the newsroom: accounts and the audit log (admins only), and a
//! story's history of revisions.

pub mod diff;

use super::Timestamp;
use super::desk::DeskContext;
use crate::domain::{AuditAction, AuditEvent, Role, SiteZone, Status, Story, User, UserId};
use askama::Template;
use diff::FieldChange;
use std::collections::HashMap;

// --- Accounts -----------------------------------------------------------------------------------

pub struct AccountRow {
    pub id: String,
    pub username: String,
    pub role: &'static str,
    pub initials: String,
    pub disabled: bool,
    /// The signed-in admin's own row: it has no role or disable controls.
    pub is_self: bool,
    pub has_two_factor: bool,
}

impl AccountRow {
    pub fn new(user: &User, me: UserId) -> Self {
        Self {
            id: user.id.to_string(),
            username: user.username.to_string(),
            role: user.role.key(),
            initials: user.initials.to_string(),
            disabled: user.disabled,
            is_self: user.id == me,
            has_two_factor: user.two_factor.is_some(),
        }
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.role == role
    }
}

/// What was typed into the form for a new account, to show again after an error. Never the
/// password.
#[derive(Default)]
pub struct NewAccountValues {
    pub username: String,
    pub role: String,
    pub initials: String,
}

#[derive(Template)]
#[template(path = "desk/users.html")]
pub struct UsersPage {
    pub ctx: DeskContext,
    pub accounts: Vec<AccountRow>,
    pub roles: Vec<&'static str>,
    pub new: NewAccountValues,
    /// (field, message): `username`, `role`, `initials`, `password` for the new account;
    /// `role-ID`, `password-ID`, `status-ID` for an account's own forms.
    pub errors: Vec<(String, String)>,
    pub notice: Option<String>,
    /// Whether admins and editors must log in with a second factor (set with
    /// [`UsersPage::two_factor_required`] after `new`).
    pub two_factor_required: bool,
}

impl UsersPage {
    pub fn new(
        ctx: DeskContext,
        users: &[User],
        me: UserId,
        new: NewAccountValues,
        errors: Vec<(String, String)>,
        notice: Option<String>,
    ) -> Self {
        Self {
            ctx,
            accounts: users.iter().map(|u| AccountRow::new(u, me)).collect(),
            roles: Role::ALL.iter().map(|r| r.key()).collect(),
            new,
            errors,
            notice,
            two_factor_required: false,
        }
    }

    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// The error of one account's form: `form` is `role`, `password` or `status`.
    pub fn account_error(&self, form: &str, id: &str) -> Option<&str> {
        self.error_for(&format!("{form}-{id}"))
    }

    /// The role preselected in the new account form: the one typed, or writer.
    pub fn new_role_is(&self, role: &str) -> bool {
        if self.new.role.is_empty() {
            role == Role::Writer.key()
        } else {
            self.new.role == role
        }
    }
}

// --- Audit log ----------------------------------------------------------------------------------

pub struct AuditRow {
    pub at: Timestamp,
    pub who: String,
    pub action: &'static str,
    pub detail: String,
}

impl AuditRow {
    pub fn new(event: &AuditEvent, zone: &SiteZone) -> Self {
        Self {
            at: Timestamp::new(event.at, zone),
            who: event.actor_name.clone(),
            action: action_label(event.action),
            detail: event.detail.clone(),
        }
    }
}

pub fn action_label(action: AuditAction) -> &'static str {
    match action {
        AuditAction::Login => "Logged in",
        AuditAction::LoginFailed => "Failed login",
        AuditAction::Logout => "Logged out",
        AuditAction::Publish => "Published",
        AuditAction::Unpublish => "Unpublished",
        AuditAction::Schedule => "Scheduled",
        AuditAction::Restore => "Restored a revision",
        AuditAction::Edit => "Edited a published story",
        AuditAction::Merge => "Saved a story merged with others' changes",
        AuditAction::Import => "Imported",
        AuditAction::Embargo => "Changed an embargo",
        AuditAction::Withdraw => "Withdrew a story",
        AuditAction::Reinstate => "Reinstated a withdrawn story",
        AuditAction::StageChanges => "Saved changes to a live story, not live yet",
        AuditAction::UpdateLive => "Updated a live story",
        AuditAction::DiscardChanges => "Discarded a live story's pending changes",
        AuditAction::Note => "Added a public note",
        AuditAction::SendBack => "Sent a story back",
        AuditAction::Take => "Took a story",
        AuditAction::CopyIn => "Agency copy came in",
        AuditAction::CopyTaken => "Took agency copy as a draft",
        AuditAction::CopySpiked => "Spiked agency copy",
        AuditAction::CopyRestored => "Restored spiked agency copy",
        AuditAction::UserCreated => "Account created",
        AuditAction::UserChanged => "Account changed",
        AuditAction::UserDisabled => "Account disabled",
        AuditAction::PasswordChanged => "Password changed",
        AuditAction::TwoFactorEnrolled => "Second factor set up",
        AuditAction::TwoFactorReset => "Second factor reset",
        AuditAction::SessionsEnded => "Signed out everywhere",
        AuditAction::SettingChanged => "Setting changed",
        AuditAction::SectionsChanged => "Sections changed",
        AuditAction::PhotoDefaults => "Changed a photo's defaults",
        AuditAction::FrontPage => "Front page put live",
        AuditAction::TagChanged => "Tag changed",
        AuditAction::AuthorChanged => "Author changed",
    }
}

#[derive(Template)]
#[template(path = "desk/audit.html")]
pub struct AuditPage {
    pub ctx: DeskContext,
    pub events: Vec<AuditRow>,
    /// The next page of older events, if there are any.
    pub older: Option<String>,
    /// Whether this is the newest page (no `before`).
    pub is_newest: bool,
}

// --- Story history ------------------------------------------------------------------------------

pub struct RevisionView {
    pub revision: u64,
    pub who: String,
    pub when: Timestamp,
    pub status: &'static str,
    pub status_key: &'static str,
    pub is_current: bool,
    /// The revision readers see (see [`crate::editorial::live_revision`]); set by the caller.
    pub is_live: bool,
    /// Saved with changes waiting to go live: readers did not see this revision's words.
    pub pending: bool,
    pub is_first: bool,
    /// Against the revision before it; empty for the first.
    pub changes: Vec<FieldChange>,
}

impl RevisionView {
    /// Every revision, newest first, each with its changes against the one before it.
    /// `revisions` must be newest first, as the store gives them.
    pub fn all(revisions: &[Story], users: &[User], zone: &SiteZone) -> Vec<Self> {
        let names: HashMap<UserId, &str> =
            users.iter().map(|u| (u.id, u.username.as_str())).collect();
        revisions
            .iter()
            .enumerate()
            .map(|(i, story)| {
                let previous = revisions.get(i + 1);
                Self {
                    revision: story.revision,
                    who: match story.last_edited_by {
                        Some(id) => names.get(&id).copied().unwrap_or("unknown account").into(),
                        None => "no account (import or schedule)".into(),
                    },
                    when: Timestamp::named(story.updated_at, zone),
                    status: story.status.label(),
                    status_key: story.status.key(),
                    is_current: i == 0,
                    is_live: false,
                    pending: story.pending.is_some(),
                    is_first: previous.is_none(),
                    changes: previous
                        .map(|p| diff::story_changes(p, story))
                        .unwrap_or_default(),
                }
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "desk/history.html")]
pub struct HistoryPage {
    pub ctx: DeskContext,
    pub story_id: String,
    pub headline: String,
    pub current_revision: u64,
    pub revisions: Vec<RevisionView>,
    /// Whether the signed-in account may restore (edit) the story.
    pub can_restore: bool,
    /// A published story keeps its address when an older revision is restored.
    pub keeps_slug: bool,
    /// Readers see the story now: one revision is marked live.
    pub is_live_story: bool,
    pub error: Option<String>,
}

/// The step before a restore: which revision's text becomes the current text, what it changes,
/// and what readers will see of it.
#[derive(Template)]
#[template(path = "desk/restore.html")]
pub struct RestorePage {
    pub ctx: DeskContext,
    pub story_id: String,
    pub headline: String,
    /// The revision to restore, and who saved it when.
    pub revision: u64,
    pub who: String,
    pub when: Timestamp,
    /// The revision current now, and the one the restore will be saved as.
    pub current_revision: u64,
    pub saved_as: u64,
    /// The labels of the fields restoring changes (Headline, Body, ...).
    pub changes: Vec<&'static str>,
    /// What happens to the story's public page.
    pub effect: String,
    /// The story changed since its history was shown: said instead of offering the restore.
    pub outdated: Option<String>,
}

impl RestorePage {
    /// Restoring `old` over `current`; `expected` is the revision the history page showed as
    /// current, `who` the account that saved `old`.
    pub fn new(ctx: DeskContext, current: &Story, old: &Story, who: String, expected: u64) -> Self {
        let restored = current.restored_from(old, None, current.updated_at);
        let zone = ctx.zone.clone();
        let outdated = (expected != current.revision).then(|| {
            format!(
                "Someone saved this story after you opened its history: it is now at revision \
                 {}. Look at the history again before restoring.",
                current.revision
            )
        });
        Self {
            ctx,
            story_id: current.id.to_string(),
            headline: current.content.headline.to_string(),
            revision: old.revision,
            who,
            when: Timestamp::named(old.updated_at, &zone),
            current_revision: current.revision,
            saved_as: current.revision.saturating_add(1),
            changes: diff::story_changes(current, &restored)
                .iter()
                .map(|c| c.label)
                .collect(),
            effect: restore_effect(current, &zone),
            outdated,
        }
    }
}

/// What a restore will do to what readers see of `story`.
fn restore_effect(story: &Story, zone: &SiteZone) -> String {
    match story.status {
        Status::Published => "This story is published: the restored text becomes its pending \
                              changes, and readers keep seeing the published text until an \
                              editor updates the live story."
            .to_owned(),
        Status::Scheduled(at) => format!(
            "This story is scheduled for {}: it will be published with the restored text.",
            zone.named(at)
        ),
        Status::Withdrawn(_) => {
            "This story is withdrawn: readers will still see only that it has been withdrawn."
                .to_owned()
        }
        Status::Draft | Status::Unpublished => {
            "This story is not published: readers see nothing of it until it is.".to_owned()
        }
    }
}

/// What the story form says after revision `restored` of a story was restored as `saved`.
pub fn restored_notice(restored: u64, saved: &Story, zone: &SiteZone) -> String {
    let effect = match saved.status {
        // A live story's restore is staged: it waits for an editor to update the live story.
        Status::Published if saved.pending.is_some() => {
            "The published page is unchanged: the restored text waits as the story's pending \
             changes until an editor updates the live story."
                .to_owned()
        }
        Status::Published => "The published page already shows this text.".to_owned(),
        Status::Scheduled(at) => format!(
            "The story is still scheduled for {}, and will be published with this text.",
            zone.named(at)
        ),
        Status::Withdrawn(_) => "The story stays withdrawn.".to_owned(),
        Status::Draft | Status::Unpublished => {
            "The story is not published, so readers see nothing of it.".to_owned()
        }
    };
    format!(
        "Revision {restored} restored as revision {}. {effect}",
        saved.revision
    )
}
