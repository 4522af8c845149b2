//! Pages of the desk, where editors and writers work.

use super::Viewer;
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
use crate::domain::story_form::{FieldErrors, StoryInput};

/// One story on the desk's list.
pub struct StoryRow {
    pub edit_url: String,
    pub headline: String,
    pub status_key: &'static str,
    pub status_label: &'static str,
    pub submitted: bool,
    pub section: &'static str,
    pub author: String,
    pub edited_by: String,
    pub updated: Timestamp,
    pub public_url: Option<String>,
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
}

/// "Autosaved at 10:42, not saved to the story: restore it".
pub struct AutosaveNote {
    pub saved_at: Timestamp,
    pub restore_url: String,
}

impl StoryFormPage {
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// A Publish or Schedule refused for the embargo: the form offers the embargo time.
    pub fn offers_embargo_time(&self) -> bool {
        self.can_publish
            && self
                .error_for(crate::domain::story_form::EMBARGO_OFFER)
                .is_some()
    }

    pub fn other_errors(&self) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|(f, _)| *f == "form")
            .map(|(_, m)| m.as_str())
            .collect()
    }
}

/// Shown when a save was based on an older revision than the stored one.
#[derive(Template)]
#[template(path = "desk/conflict.html")]
pub struct ConflictPage {
    pub ctx: DeskContext,
    pub form_url: String,
    pub edit_url: String,
    /// What this user typed, with the current revision, so saving it is a deliberate overwrite.
    pub mine: StoryInput,
    pub theirs: StoryInput,
    pub theirs_by: String,
    pub theirs_at: Timestamp,
    pub theirs_revision: u64,
    pub sections: Vec<Section>,
}
