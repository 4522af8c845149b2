//! The lead photo of a story and the words that travel with it.

use super::{AltText, Caption, Credit, DomainError, PhotoId, User, UserId};
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
    /// The point every crop is cut around.
    pub focal: FocalPoint,
    /// The crops made around `focal`, one per [`Aspect`]; empty for photos stored before
    /// crops existed, which stand in with their widest rendition.
    pub crops: Vec<Crop>,
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

    /// Who may move the focal point: editors, and whoever uploaded the photo.
    pub fn may_be_reframed_by(&self, user: &User) -> bool {
        user.role.can_publish() || self.uploaded_by == Some(user.id)
    }

    /// The crop in `aspect`, if one was made.
    pub fn crop(&self, aspect: Aspect) -> Option<Crop> {
        self.crops.iter().copied().find(|c| c.aspect == aspect)
    }
}

/// Where the subject of a photo is, in whole percent of its upright width and height from the
/// top left corner; crops keep it in the picture and as near their middle as the edges allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FocalPoint {
    x: u8,
    y: u8,
}

impl FocalPoint {
    /// The middle of the picture, for photos whose focal point nobody set.
    pub const CENTRE: FocalPoint = FocalPoint { x: 50, y: 50 };

    /// A point at `x`% across and `y`% down; each must be 0 to 100.
    pub fn parse(x: i64, y: i64) -> Result<FocalPoint, DomainError> {
        let percent = |field, value: i64| {
            u8::try_from(value)
                .ok()
                .filter(|v| *v <= 100)
                .ok_or_else(|| DomainError::invalid(field, "must be a percentage from 0 to 100"))
        };
        Ok(FocalPoint {
            x: percent("focal_x", x)?,
            y: percent("focal_y", y)?,
        })
    }

    pub fn x(self) -> u8 {
        self.x
    }

    pub fn y(self) -> u8 {
        self.y
    }
}

impl Default for FocalPoint {
    fn default() -> Self {
        Self::CENTRE
    }
}

/// The proportions search engines and social sites ask article images in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Aspect {
    Wide,
    Standard,
    Square,
}

impl Aspect {
    /// Widest first: the order JSON-LD lists them in.
    pub const ALL: [Aspect; 3] = [Aspect::Wide, Aspect::Standard, Aspect::Square];

    /// Width and height in lowest terms: 16:9, 4:3, 1:1.
    pub fn ratio(self) -> (u32, u32) {
        match self {
            Aspect::Wide => (16, 9),
            Aspect::Standard => (4, 3),
            Aspect::Square => (1, 1),
        }
    }

    /// `16x9`, as in a crop's address.
    pub fn as_str(self) -> &'static str {
        match self {
            Aspect::Wide => "16x9",
            Aspect::Standard => "4x3",
            Aspect::Square => "1x1",
        }
    }

    pub fn parse(s: &str) -> Option<Aspect> {
        Aspect::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// One crop of a photo, as re-encoded for readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crop {
    pub aspect: Aspect,
    pub width: u32,
    pub height: u32,
}

/// The caption, credit and alt text a library photo gives every story that picks it; each is
/// absent when not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhotoDefaults {
    pub caption: Option<Caption>,
    pub credit: Option<Credit>,
    pub alt: Option<AltText>,
}

impl Photo {
    /// Takes `defaults` in place of the photo's earlier ones.
    pub fn set_defaults(&mut self, defaults: &PhotoDefaults) {
        let text = |v: Option<String>| v.unwrap_or_default();
        self.caption = text(defaults.caption.as_ref().map(ToString::to_string));
        self.credit = text(defaults.credit.as_ref().map(ToString::to_string));
        self.alt = text(defaults.alt.as_ref().map(ToString::to_string));
    }
}
