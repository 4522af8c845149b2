//! The lead photo of a story and the words that travel with it.

use super::{AltText, Caption, Credit, PhotoId};

/// A story's lead photo: the stored image (absent for wire copy that came without one) and its
/// caption, credit and alt text as used in this story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadPhoto {
    pub image: Option<PhotoId>,
    pub caption: Caption,
    pub credit: Option<Credit>,
    pub alt: Option<AltText>,
}
