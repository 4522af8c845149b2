//! Notes on a story: the public notes readers are shown when a published story is corrected or
//! clarified, and the note an editor leaves a writer when sending a story back.

use super::{DomainError, NoteText, UserId};
use time::OffsetDateTime;

/// What kind of public note; readers see its label before the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoteKind {
    /// A factual error was put right.
    Correction,
    /// Something accurate but unclear or incomplete was made clearer.
    Clarification,
    /// Anything else readers should know about a change to the story.
    EditorsNote,
}

impl NoteKind {
    pub const ALL: [NoteKind; 3] = [
        NoteKind::Correction,
        NoteKind::Clarification,
        NoteKind::EditorsNote,
    ];

    pub fn key(self) -> &'static str {
        match self {
            NoteKind::Correction => "correction",
            NoteKind::Clarification => "clarification",
            NoteKind::EditorsNote => "editors-note",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NoteKind::Correction => "Correction",
            NoteKind::Clarification => "Clarification",
            NoteKind::EditorsNote => "Editor's note",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.key() == raw.trim())
            .ok_or_else(|| DomainError::invalid("Note", "is not a kind of note"))
    }
}

/// A note shown to readers with a published story, from the time it was added on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicNote {
    pub kind: NoteKind,
    pub text: NoteText,
    pub at: OffsetDateTime,
}

impl PublicNote {
    /// The note's paragraphs (blank lines part them), each one's lines joined with spaces: how
    /// the note is laid out wherever it is shown.
    pub fn paragraphs(&self) -> Vec<String> {
        paragraphs(self.text.as_str())
    }
}

/// Text split at blank lines, each paragraph's lines joined with spaces.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A public note as an editor writes it, before it is added to a story (which gives it its time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteDraft {
    pub kind: NoteKind,
    pub text: NoteText,
}

impl NoteDraft {
    /// The note as readers will see it, added at `at`.
    pub fn at(self, at: OffsetDateTime) -> PublicNote {
        PublicNote {
            kind: self.kind,
            text: self.text,
            at,
        }
    }
}

/// Why an editor sent a story back to its writer, shown to her on the form and in her list
/// until the story is submitted again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewNote {
    pub text: NoteText,
    /// The editor who sent it back.
    pub by: Option<UserId>,
    pub at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_keeps_its_paragraphs_and_joins_its_lines() {
        assert_eq!(
            paragraphs("One line\r\nand the next.\r\n\r\n\n  Second. "),
            vec!["One line and the next.", "Second."]
        );
    }
}
