//! The desk's incoming list: agency copy waiting to be taken or spiked, and the spiked copy.

use super::Timestamp;
use super::desk::DeskContext;
use crate::domain::IncomingCopy;
use askama::Template;

/// Words of each piece of copy the list shows.
const FIRST_WORDS: usize = 30;

#[derive(Template)]
#[template(path = "desk/incoming.html")]
pub struct IncomingPage {
    pub ctx: DeskContext,
    /// The spiked copy rather than the waiting.
    pub spiked: bool,
    pub rows: Vec<CopyRow>,
    /// The newest page's address when this is not it.
    pub newest: Option<String>,
    /// The next page of older copy, if there is one.
    pub older: Option<String>,
    /// What became of each file of the upload just sent.
    pub results: Vec<UploadResult>,
    /// Why the upload as a whole was refused.
    pub upload_error: Option<String>,
    /// What was just done (taken, spiked, restored).
    pub notice: Option<String>,
}

pub struct CopyRow {
    pub key: String,
    pub headline: String,
    pub source: String,
    /// The agency's time, or the arrival's when the copy gives none.
    pub at: Timestamp,
    pub arrived: Timestamp,
    pub file_name: String,
    pub format: &'static str,
    pub first_words: String,
}

impl CopyRow {
    pub fn new(key: String, copy: &IncomingCopy, zone: &crate::domain::SiteZone) -> Self {
        let content = &copy.story.content;
        Self {
            key,
            headline: content.headline.to_string(),
            source: content
                .source
                .as_ref()
                .map_or_else(|| content.bylines.joined(), ToString::to_string),
            at: Timestamp::new(copy.story.published_at.unwrap_or(copy.arrived_at), zone),
            arrived: Timestamp::new(copy.updated_at, zone),
            file_name: copy.file_name.clone(),
            format: match copy.format {
                crate::domain::CopyFormat::Wire => "wire",
                crate::domain::CopyFormat::Ninjs => "ninjs",
            },
            first_words: copy.first_words(FIRST_WORDS),
        }
    }
}

/// One file of an upload: taken in (what became of each piece), or refused with its reason.
pub struct UploadResult {
    pub file_name: String,
    pub refused: Option<String>,
    pub taken: Vec<String>,
}
