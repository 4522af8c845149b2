//! The lead photo of a story and the words that travel with it.

use super::{AltText, Caption, Credit, PhotoId, UserId};
use time::OffsetDateTime;

/// A story's lead photo: the stored image (absent for wire copy that came without one) and its
/// caption, credit and alt text as used in this story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadPhoto {
    pub image: Option<PhotoId>,
    pub caption: Caption,
    pub credit: Option<Credit>,
    pub alt: Option<AltText>,
}

/// A photo in the library: its original upload's description, the renditions made from it,
/// and the words every story that uses it starts from. Its bytes are stored apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Photo {
    pub id: PhotoId,
    /// The original upload's type, as its bytes show it.
    pub content_type: String,
    /// Upright dimensions (after the EXIF orientation).
    pub width: u32,
    pub height: u32,
    pub uploaded_by: Option<UserId>,
    /// Kept to the second.
    pub uploaded_at: OffsetDateTime,
    /// SHA-256 of the original bytes, which stores each upload once. `None` for photos stored
    /// before renditions existed.
    pub hash: Option<[u8; 32]>,
    /// The JPEG renditions readers get, narrowest first.
    pub renditions: Vec<Rendition>,
    /// Defaults for every story that uses the photo; empty when not given (the story form
    /// parses them into [`Caption`], [`Credit`] and [`AltText`] when a story takes them).
    pub caption: String,
    pub credit: String,
    pub alt: String,
}

/// One re-encoded size of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rendition {
    pub width: u32,
    pub height: u32,
}

impl Photo {
    /// The widest rendition, which stands for the photo where one size is enough.
    pub fn largest(&self) -> Option<Rendition> {
        self.renditions.last().copied()
    }

    /// The rendition at exactly `width`, if one was made.
    pub fn rendition(&self, width: u32) -> Option<Rendition> {
        self.renditions.iter().copied().find(|r| r.width == width)
    }
}
