//! Incoming copy: agency stories waiting on the desk until an editor takes one (it becomes a
//! draft story) or spikes it (kept out of the list, restorable). Readers never see any of it.
//!
//! A piece of copy is known by its identity, so that a newer version of it finds the copy (or
//! the story) that an earlier version became: a ninjs item by its `uri`, numbered by its
//! `version`; wire copy, which carries no id, by its source and headline, numbered by the
//! agency's time stamp (a corrected story keeps its headline and gets a later stamp).

use super::{Story, StoryId, UserId};
use sha2::{Digest, Sha256};
use std::fmt;
use time::OffsetDateTime;

/// Which format the copy arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyFormat {
    /// Plain-text wire copy (`crate::import::wire`).
    Wire,
    /// A ninjs JSON document.
    Ninjs,
}

impl CopyFormat {
    pub fn key(self) -> &'static str {
        match self {
            CopyFormat::Wire => "wire",
            CopyFormat::Ninjs => "ninjs",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        [CopyFormat::Wire, CopyFormat::Ninjs]
            .into_iter()
            .find(|f| f.key() == key)
    }
}

/// What names a piece of copy across its versions (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CopyIdentity(String);

impl CopyIdentity {
    /// The longest identity kept, in bytes; a ninjs `uri` longer than that is cut (its
    /// digest, which names the copy, is taken of the whole).
    const MAX_BYTES: usize = 1000;

    pub fn ninjs(uri: &str) -> Self {
        Self(format!("ninjs:{uri}"))
    }

    /// Wire copy by its source and headline, compared without regard to case or spacing.
    pub fn wire(source: &str, headline: &str) -> Self {
        let fold = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        Self(format!("wire:{}\n{}", fold(source), fold(headline)))
    }

    /// An identity as stored.
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 32 hexadecimal digits naming the identity: fixed width, safe in a record key.
    pub fn digest(&self) -> String {
        let digest = Sha256::digest(self.0.as_bytes());
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The id of the story this copy becomes: the same for every version, so a newer version
    /// finds the story an earlier one became. A ninjs item's is the one `ninjs::story_id` gives.
    pub fn wire_story_id(&self) -> StoryId {
        let digest = Sha256::digest(self.0.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        // A name-based (version 8, RFC 9562 variant) UUID, as ninjs items get.
        bytes[6] = (bytes[6] & 0x0f) | 0x80;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        StoryId::from_bytes(bytes)
    }

    /// The identity as kept: at most [`Self::MAX_BYTES`].
    pub fn kept(&self) -> String {
        let mut end = self.0.len().min(Self::MAX_BYTES);
        while !self.0.is_char_boundary(end) {
            end -= 1;
        }
        self.0[..end].to_owned()
    }
}

impl fmt::Display for CopyIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a piece of copy stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyState {
    /// In the incoming list.
    Waiting,
    /// Kept out of the list by an editor; it can be restored.
    Spiked {
        at: OffsetDateTime,
        by: Option<UserId>,
    },
    /// Taken by an editor: it is this story now.
    Taken {
        at: OffsetDateTime,
        by: Option<UserId>,
        story: StoryId,
    },
}

impl CopyState {
    /// The word that starts the keys of copy in this state, so each state lists on its own.
    pub fn key(self) -> &'static str {
        match self {
            CopyState::Waiting => "waiting",
            CopyState::Spiked { .. } => "spiked",
            CopyState::Taken { .. } => "taken",
        }
    }
}

/// A piece of agency copy on the desk.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingCopy {
    pub identity: CopyIdentity,
    pub format: CopyFormat,
    /// The file it came in, for the desk and the audit log (at most [`MAX_NAME_CHARS`]).
    pub file_name: String,
    /// Which version of the copy this is: a ninjs `version`, or the wire's time stamp in
    /// seconds since 1970. Only a greater one replaces it.
    pub version: u64,
    /// When the first version arrived: the list is in this order, newest first.
    pub arrived_at: OffsetDateTime,
    /// When the version held arrived.
    pub updated_at: OffsetDateTime,
    /// The copy as the draft story it becomes when taken: the wire's headline, body, dateline,
    /// source and photo caption and credit as the agency gave them.
    pub story: Story,
    pub state: CopyState,
}

/// The longest file name kept with a piece of copy.
pub const MAX_NAME_CHARS: usize = 200;

impl IncomingCopy {
    /// The copy's first words, for the list.
    pub fn first_words(&self, words: usize) -> String {
        let text: Vec<&str> = self
            .story
            .content
            .body
            .as_str()
            .split_whitespace()
            .filter(|w| !w.starts_with("<!--") && !w.starts_with('#'))
            .take(words + 1)
            .collect();
        let mut out = text[..text.len().min(words)].join(" ");
        if text.len() > words {
            out.push_str(" …");
        }
        out
    }

    /// A file name as kept: its last path part, without control characters, shortened.
    pub fn clean_name(raw: &str) -> String {
        let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let name: String = last
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_NAME_CHARS)
            .collect();
        if name.trim().is_empty() {
            "unnamed".into()
        } else {
            name
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_identity_ignores_case_and_spacing_and_names_one_story() {
        let a = CopyIdentity::wire("Xinhua", "Talks  end without a deal");
        let b = CopyIdentity::wire("xinhua ", "talks end without a DEAL");
        assert_eq!(a, b);
        assert_eq!(a.wire_story_id(), b.wire_story_id());
        assert_ne!(
            a.wire_story_id(),
            CopyIdentity::wire("Reuters", "Talks end without a deal").wire_story_id()
        );
        assert_eq!(a.digest().len(), 32);
    }

    #[test]
    fn a_file_name_keeps_its_last_part_only() {
        assert_eq!(IncomingCopy::clean_name("../../etc/pass\nwd"), "passwd");
        assert_eq!(IncomingCopy::clean_name("C:\\wire\\a.txt"), "a.txt");
        assert_eq!(IncomingCopy::clean_name("dir/"), "unnamed");
    }
}
