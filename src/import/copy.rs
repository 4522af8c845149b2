//! A file of agency copy read into pieces of incoming copy: plain-text wire copy
//! ([`super::wire`]) or ninjs JSON (one document, or one a line). Whatever it is, a file that
//! cannot be read is refused with the line where the problem is.

use super::wire;
use crate::domain::incoming::MAX_NAME_CHARS;
use crate::domain::{
    Byline, Bylines, CopyFormat, CopyIdentity, CopyState, IncomingCopy, Language, Section,
    SiteZone, Status, Story,
};
use crate::ninjs::{self, Defaults};
use std::fmt;
use std::num::NonZeroUsize;
use time::OffsetDateTime;

/// The largest file taken: a story body is at most 1 MiB, and ninjs wraps it in HTML.
pub const MAX_FILE_BYTES: usize = 4 << 20;
/// The most documents one ninjs file may hold.
pub const MAX_DOCUMENTS: usize = 100;

/// Why a file was refused, with the line (1-based) where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub line: usize,
    pub message: String,
}

impl FileError {
    fn at(line: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for FileError {}

/// What the copy is read into when a file does not say.
#[derive(Debug, Clone, Copy)]
pub struct Reading<'a> {
    /// The section of wire copy, and of ninjs documents that name none of ours.
    pub section: Section,
    /// This site's public address: a ninjs `uri` under it names one of its stories.
    pub base_url: &'a str,
    /// Split wire copy into pages of about this many words.
    pub page_words: Option<NonZeroUsize>,
    pub now: OffsetDateTime,
    /// This site's language: a ninjs document in it is a story in the site's language.
    pub site_language: &'a Language,
    /// The language of wire copy, which names none; `None`: the site's.
    pub language: Option<&'a Language>,
    /// The agency's time zone: what the wire's time stamps are in.
    pub wire_zone: &'a SiteZone,
}

/// Reads the file `name` holding `bytes`: ninjs when it starts with `{`, wire copy otherwise.
/// Each piece of copy comes back waiting, arrived `now`.
pub fn read(
    name: &str,
    bytes: &[u8],
    reading: Reading<'_>,
) -> Result<Vec<IncomingCopy>, FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::at(
            1,
            format!(
                "the file is {} KiB; at most {} KiB is taken",
                bytes.len().div_ceil(1024),
                MAX_FILE_BYTES / 1024
            ),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        FileError::at(line, "the file is not UTF-8 text")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let name = IncomingCopy::clean_name(name);
    if text.trim_start().starts_with('{') {
        read_ninjs(&name, text, reading)
    } else {
        read_wire(&name, text, reading).map(|copy| vec![copy])
    }
}

fn read_wire(name: &str, text: &str, reading: Reading<'_>) -> Result<IncomingCopy, FileError> {
    let parsed = wire::parse_in_zone(text, reading.wire_zone, reading.page_words)
        .map_err(|e| FileError::at(e.line, e.message))?;
    let identity = CopyIdentity::wire(parsed.source.as_str(), parsed.headline.as_str());
    let version = u64::try_from(parsed.published_at.unix_timestamp()).unwrap_or(0);
    let mut story = Story::draft(
        parsed.headline,
        reading.section,
        Bylines::one(Byline::crediting(&parsed.source)),
        parsed.body,
        reading.now,
    );
    story.id = identity.wire_story_id();
    story.content.source = Some(parsed.source);
    story.content.dateline = Some(parsed.dateline);
    story.content.photo = parsed.photo;
    story.content.language = reading.language.cloned();
    // The agency's time: the filing time a story never published is published at.
    story.published_at = Some(parsed.published_at);
    Ok(waiting(
        identity,
        CopyFormat::Wire,
        name,
        version,
        story,
        reading.now,
    ))
}

fn read_ninjs(
    name: &str,
    text: &str,
    reading: Reading<'_>,
) -> Result<Vec<IncomingCopy>, FileError> {
    // One document, pretty-printed or not; otherwise JSON Lines, one document a line.
    let documents: Vec<(usize, ninjs::Document)> = match serde_json::from_str(text) {
        Ok(doc) => vec![(1, doc)],
        Err(whole) if whole.is_data() || !looks_like_lines(text) => {
            return Err(FileError::at(
                whole.line().max(1),
                format!("not a ninjs document: {}", without_position(&whole)),
            ));
        }
        Err(_) => {
            let mut docs = Vec::new();
            for (n, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                if docs.len() == MAX_DOCUMENTS {
                    return Err(FileError::at(
                        n + 1,
                        format!("a file holds at most {MAX_DOCUMENTS} documents"),
                    ));
                }
                let doc = serde_json::from_str(line).map_err(|e| {
                    FileError::at(
                        n + 1,
                        format!("not a ninjs document: {}", without_position(&e)),
                    )
                })?;
                docs.push((n + 1, doc));
            }
            docs
        }
    };
    let defaults = Defaults {
        section: reading.section,
        now: reading.now,
        base_url: reading.base_url,
        language: reading.site_language,
    };
    documents
        .into_iter()
        .map(|(line, doc)| {
            let mut story =
                ninjs::story(&doc, defaults).map_err(|e| FileError::at(line, e.to_string()))?;
            let version = story.revision;
            // Copy is a draft until an editor publishes it: what the feed said readers saw
            // is no part of it.
            story.status = Status::Draft;
            story.revision = 0;
            story.public_revision = 0;
            story.public_changed_at = None;
            story.first_published_at = None;
            story.notes.clear();
            Ok(waiting(
                CopyIdentity::ninjs(&doc.uri),
                CopyFormat::Ninjs,
                name,
                version,
                story,
                reading.now,
            ))
        })
        .collect()
}

/// Whether the text has several lines that each start a JSON object.
fn looks_like_lines(text: &str) -> bool {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    lines
        .next()
        .is_some_and(|l| l.trim_start().starts_with('{'))
        && lines
            .next()
            .is_some_and(|l| l.trim_start().starts_with('{'))
}

/// serde_json's message without its " at line L column C", which the caller words itself.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

fn waiting(
    identity: CopyIdentity,
    format: CopyFormat,
    name: &str,
    version: u64,
    story: Story,
    now: OffsetDateTime,
) -> IncomingCopy {
    IncomingCopy {
        identity,
        format,
        file_name: name.chars().take(MAX_NAME_CHARS).collect(),
        version,
        arrived_at: now,
        updated_at: now,
        story,
        state: CopyState::Waiting,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    static ENGLISH: std::sync::LazyLock<Language> =
        std::sync::LazyLock::new(|| Language::parse("en").unwrap());
    static UTC: std::sync::LazyLock<SiteZone> = std::sync::LazyLock::new(SiteZone::utc);

    fn reading() -> Reading<'static> {
        Reading {
            section: Section::parse("world").unwrap(),
            base_url: "https://news.example",
            page_words: None,
            now: datetime!(2017-07-15 08:00 UTC),
            site_language: &ENGLISH,
            language: None,
            wire_zone: &UTC,
        }
    }

    const WIRE: &str = include_str!("../../tests/fixtures/wire-story-syria-talks.txt");

    #[test]
    fn wire_copy_is_a_waiting_draft_with_the_agencys_parts() {
        let copies = read("dir/syria.txt", WIRE.as_bytes(), reading()).unwrap();
        let copy = &copies[0];
        assert_eq!(copy.format, CopyFormat::Wire);
        assert_eq!(copy.file_name, "syria.txt");
        assert_eq!(copy.state, CopyState::Waiting);
        assert_eq!(copy.story.status, Status::Draft);
        assert_eq!(
            copy.story.content.source.as_ref().unwrap().as_str(),
            "Xinhua"
        );
        assert!(copy.story.content.dateline.is_some());
        assert_eq!(copy.version, 1_500_102_717);
        assert_eq!(copy.story.id, copy.identity.wire_story_id());
    }

    #[test]
    fn a_refusal_names_its_line() {
        let e = read("bad.txt", b"Headline only\n\nSource: nowhere\n", reading()).unwrap_err();
        assert!(e.line >= 1, "{e}");
        let e = read("bad.json", b"{\n  \"uri\": \"x\",\n  oops\n}", reading()).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = read("bad.json", b"{\"uri\": \"\"}", reading()).unwrap_err();
        assert!(e.message.contains("uri"), "{e}");
        let e = read("bin.txt", &[b'a', b'\n', 0xff], reading()).unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn ninjs_lines_are_read_one_a_line() {
        let doc = |uri: &str| {
            format!(
                r#"{{"uri":"{uri}","version":"3","headlines":[{{"value":"Talks end"}}],"bodies":[{{"value":"Words."}}],"by":"Ann Lee"}}"#
            )
        };
        let text = format!(
            "{}\n{}\n",
            doc("http://a.example/1"),
            doc("http://a.example/2")
        );
        let copies = read("feed.jsonl", text.as_bytes(), reading()).unwrap();
        assert_eq!(copies.len(), 2);
        assert_eq!(copies[0].version, 3);
        assert_eq!(copies[0].story.status, Status::Draft);
        let broken = format!("{}\n{{\"uri\":\n", doc("http://a.example/1"));
        assert_eq!(read("f", broken.as_bytes(), reading()).unwrap_err().line, 2);
    }
}
