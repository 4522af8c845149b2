//! The photo library page.

use super::Pager;
use super::desk::DeskContext;
use askama::Template;

/// One photo in the library's grid.
pub struct PhotoTile {
    pub thumb_url: String,
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub caption: String,
    pub credit: String,
    pub alt: String,
    /// `1600×1067`, upright.
    pub dimensions: String,
    pub original_url: String,
    /// The photo's own page: its defaults and the stories using it.
    pub page_url: String,
    /// Leads back to the story form with this photo chosen, when the library was opened from it.
    pub use_url: Option<String>,
    /// The focal-point form, for those who may move it.
    pub focal: Option<FocalForm>,
}

/// Where a photo's crops are centred, as a form: two percentages, and the square crop it
/// gives as a preview.
pub struct FocalForm {
    pub action: String,
    pub x: u8,
    pub y: u8,
    /// The 1:1 crop as cut now (the widest rendition for a photo stored before crops existed).
    pub preview_url: String,
    /// Where the form returns to: this page of the library.
    pub back: String,
}

#[derive(Template)]
#[template(path = "desk/photos.html")]
pub struct PhotoLibraryPage {
    pub ctx: DeskContext,
    pub search: String,
    /// Why the words in the box cannot be searched for, when they cannot.
    pub search_error: Option<String>,
    /// The story (an id, or `new`) a photo is being chosen for.
    pub for_story: Option<String>,
    /// Back to that story's form without choosing.
    pub back_url: Option<String>,
    pub tiles: Vec<PhotoTile>,
    pub total: u64,
    pub pager: Option<Pager>,
    /// The focal-point picker's script.
    pub focal_js_url: &'static str,
}
