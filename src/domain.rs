//! Pure types and rules of a newsroom: what a story is made of and which values each part may hold.
//! Nothing here knows about HTTP or the database.

pub mod audit;
pub mod author;
pub mod autosave;
pub mod body;
pub mod dateline;
pub mod error;
pub mod front_page;
pub mod ids;
pub mod incoming;
pub mod language;
pub mod merge;
pub mod note;
pub mod page;
pub mod photo;
pub mod presence;
mod restore;
pub mod search;
pub mod section;
pub mod session;
pub mod site_key;
pub mod site_zone;
pub mod slug;
pub mod story;
pub mod story_form;
pub mod tag;
pub mod text;
pub mod two_factor;
pub mod user;

pub use audit::{AuditAction, AuditEvent};
pub use author::{AuthorLink, AuthorLinks, AuthorProfile, Bio, ProfileLink};
pub use autosave::Autosave;
pub use body::{Body, SanitizedHtml};
pub use dateline::Dateline;
pub use error::DomainError;
pub use front_page::{Arrangement, Banner, BannerLink, BannerText, LiveFrontPage};
pub use ids::{PhotoId, StoryId, UserId};
pub use incoming::{CopyFormat, CopyIdentity, CopyState, IncomingCopy};
pub use language::Language;
pub use note::{NoteDraft, NoteKind, PublicNote, ReviewNote};
pub use page::{PageNumber, Paging};
pub use photo::{Aspect, Crop, FocalPoint, LeadPhoto, Photo, PhotoDefaults, Rendition};
pub use presence::Presence;
pub use search::SearchTerms;
pub use section::{Section, SectionList, SectionSpec};
pub use session::Session;
pub use site_key::SiteKey;
pub use site_zone::SiteZone;
pub use slug::Slug;
pub use story::{PendingChanges, ReaderView, Status, Story, StoryContent, StoryEdit, StorySummary};
pub use tag::{Tag, Tags};
pub use text::{
    AltText, Byline, Bylines, Caption, Credit, Headline, Initials, NoteText, Source, Standfirst,
    WithdrawalReason,
};
pub use two_factor::{RecoveryDigest, TotpSecret, TwoFactor};
pub use user::{Password, PasswordHash, Role, User, Username};
