//! The desk's tags page (rename, merge) and authors' profiles pages (create, edit).

use super::desk::DeskContext;
use crate::domain::AuthorProfile;
use askama::Template;

pub struct TagRow {
    pub key: String,
    pub name: String,
    pub published: u64,
    pub stories: u64,
    pub url: String,
}

#[derive(Template)]
#[template(path = "desk/tags.html")]
pub struct TagsPage {
    pub ctx: DeskContext,
    pub tags: Vec<TagRow>,
    pub notice: Option<String>,
    /// A refused change: the tag's key and what was wrong.
    pub error: Option<(String, String)>,
    /// What was typed in the refused form, kept.
    pub typed: String,
}

impl TagsPage {
    pub fn new(ctx: DeskContext, tags: Vec<TagRow>) -> Self {
        Self {
            ctx,
            tags,
            notice: None,
            error: None,
            typed: String::new(),
        }
    }

    pub fn error_for(&self, key: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(k, _)| k == key)
            .map(|(_, e)| e.as_str())
    }

    pub fn typed_for(&self, key: &str) -> &str {
        if self.error_for(key).is_some() {
            &self.typed
        } else {
            ""
        }
    }
}

/// What the story form offers as its Tags and Bylines are typed: every tag's name and every
/// profile's name (a `<datalist>` each; typing works without them).
#[derive(Debug, Clone, Default)]
pub struct Suggestions {
    pub tags: Vec<String>,
    pub authors: Vec<String>,
}

/// The profile form's fields as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuthorInput {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub revision: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub bio: String,
    #[serde(default)]
    pub photo: String,
    #[serde(default)]
    pub links: String,
    #[serde(default)]
    pub account: String,
    #[serde(default)]
    pub organization: Option<String>,
}

impl AuthorInput {
    pub fn of(profile: &AuthorProfile, revision: u64, account: Option<String>) -> Self {
        AuthorInput {
            csrf: String::new(),
            revision: revision.to_string(),
            name: profile.name.to_string(),
            slug: profile.slug.to_string(),
            bio: profile
                .bio
                .as_ref()
                .map(|b| b.as_str().to_owned())
                .unwrap_or_default(),
            photo: profile.photo.map(|p| p.to_string()).unwrap_or_default(),
            links: profile
                .links
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            account: account.unwrap_or_default(),
            organization: profile.organization.then(|| "on".to_owned()),
        }
    }
}

pub struct AuthorRow {
    pub name: String,
    pub slug: String,
    pub edit_url: String,
    pub page_url: String,
    pub organization: bool,
}

#[derive(Template)]
#[template(path = "desk/authors.html")]
pub struct AuthorsPage {
    pub ctx: DeskContext,
    pub authors: Vec<AuthorRow>,
    pub notice: Option<String>,
    /// `None`: a new profile; `Some(slug)`: the profile being edited.
    pub editing: Option<String>,
    pub form_url: String,
    pub input: AuthorInput,
    pub errors: Vec<(&'static str, String)>,
    /// Desk accounts a profile may be linked to.
    pub accounts: Vec<String>,
}

impl AuthorsPage {
    pub fn new(ctx: DeskContext, profiles: &[AuthorProfile], accounts: Vec<String>) -> Self {
        Self {
            ctx,
            authors: profiles
                .iter()
                .map(|p| AuthorRow {
                    name: p.name.to_string(),
                    slug: p.slug.to_string(),
                    edit_url: crate::urls::topics::desk_author(&p.slug),
                    page_url: crate::urls::topics::author(&p.slug, 1),
                    organization: p.organization,
                })
                .collect(),
            notice: None,
            editing: None,
            form_url: crate::urls::topics::desk_authors(),
            input: AuthorInput::default(),
            errors: Vec::new(),
            accounts,
        }
    }

    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e.as_str())
    }
}
