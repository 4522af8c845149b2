//! The admins' page of the site's sections.

use super::desk::DeskContext;
use askama::Template;

/// One section's row, as stored or as typed.
pub struct SectionRow {
    pub key: String,
    pub name: String,
    pub position: String,
    pub hidden: bool,
    /// Whether any story is filed under it (then only its name and visibility change).
    pub stories: u64,
}

#[derive(Template)]
#[template(path = "desk/sections.html")]
pub struct SectionsPage {
    pub ctx: DeskContext,
    pub rows: Vec<SectionRow>,
    /// The revision of the stored list the form edits; empty: never saved.
    pub revision: String,
    pub new_key: String,
    pub new_name: String,
    /// Why the form was not saved, one message a problem.
    pub errors: Vec<String>,
    /// The list as someone else saved it meanwhile, shown above the form.
    pub stored_meanwhile: Vec<SectionRow>,
    pub saved: bool,
}
