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
    /// Leads back to the story form with this photo chosen, when the library was opened from it.
    pub use_url: Option<String>,
}

#[derive(Template)]
#[template(path = "desk/photos.html")]
pub struct PhotoLibraryPage {
    pub ctx: DeskContext,
    pub search: String,
    /// The story (an id, or `new`) a photo is being chosen for.
    pub for_story: Option<String>,
    /// Back to that story's form without choosing.
    pub back_url: Option<String>,
    pub tiles: Vec<PhotoTile>,
    pub total: u64,
    pub pager: Option<Pager>,
}
