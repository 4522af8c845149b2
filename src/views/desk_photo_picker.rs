//! The library as the body's photo button shows it: each photo with the line that places it.

use super::Pager;
use super::desk::DeskContext;
use askama::Template;

/// One library photo offered for the body.
pub struct PickerItem {
    pub thumb_url: String,
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub caption: String,
    pub credit: String,
    /// `![alt](photo:ID)`: what the body gets.
    pub line: String,
}

#[derive(Template)]
#[template(path = "desk/photo_picker.html")]
pub struct PhotoPickerPage {
    pub ctx: DeskContext,
    pub search: String,
    pub items: Vec<PickerItem>,
    pub pager: Option<Pager>,
}
