//! A library photo's own desk page (its defaults and the stories using it), and the page a
//! batch upload answers with.

use super::desk::DeskContext;
use askama::Template;

/// The defaults form as typed (or as stored, before any edit).
#[derive(Debug, Clone, Default)]
pub struct DefaultsInput {
    pub caption: String,
    pub credit: String,
    pub alt: String,
}

/// One story that uses the photo.
pub struct PhotoUseRow {
    pub edit_url: String,
    pub headline: String,
    pub status_key: &'static str,
    pub status_label: &'static str,
    /// "Lead photo", "In the body" or both.
    pub how: String,
    /// Readers see the photo through this story.
    pub public: bool,
}

#[derive(Template)]
#[template(path = "desk/photo.html")]
pub struct PhotoPage {
    pub ctx: DeskContext,
    pub id: String,
    pub image_url: String,
    pub image_width: u32,
    pub image_height: u32,
    /// The stored alt text, for the picture itself (the form may hold an edited one).
    pub image_alt: String,
    pub dimensions: String,
    pub original_url: String,
    pub action: String,
    pub input: DefaultsInput,
    /// Problems by field (`caption`, `credit`, `alt`).
    pub errors: Vec<(&'static str, String)>,
    /// Whether the signed-in account may change the defaults.
    pub editable: bool,
    pub saved: bool,
    pub uses: Vec<PhotoUseRow>,
}

impl PhotoPage {
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// What became of one file of a batch upload.
pub struct UploadRow {
    pub filename: String,
    /// The photo's desk page, when it is in the library.
    pub photo_url: Option<String>,
    pub thumb_url: Option<String>,
    pub thumb_width: u32,
    pub thumb_height: u32,
    /// "Added", "Already in the library", or why it was refused.
    pub outcome: String,
    pub accepted: bool,
}

#[derive(Template)]
#[template(path = "desk/photo_upload.html")]
pub struct UploadResultPage {
    pub ctx: DeskContext,
    pub rows: Vec<UploadRow>,
    pub accepted: usize,
    pub refused: usize,
}
