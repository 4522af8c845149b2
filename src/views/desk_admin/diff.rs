//! What changed between two revisions of a story, field by field, ready to print: short fields
//! as a word diff, the body as a line diff with a little context. Texts are kept as plain
//! strings; the template escapes them.

use crate::domain::Story;
use similar::{ChangeTag, TextDiff};
use std::time::Duration;

/// Past this a diff gives up looking for the smallest edit and settles for a correct but
/// coarser one, so a huge rewrite cannot stall the page.
const DIFF_TIMEOUT: Duration = Duration::from_millis(200);
/// Unchanged body lines shown around each change.
const CONTEXT_LINES: usize = 2;

/// A run of text that was kept, added or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub kind: Kind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Same,
    Added,
    Removed,
    /// Unchanged body lines left out between two changes.
    Gap,
}

impl Kind {
    fn of(tag: ChangeTag) -> Self {
        match tag {
            ChangeTag::Equal => Kind::Same,
            ChangeTag::Insert => Kind::Added,
            ChangeTag::Delete => Kind::Removed,
        }
    }

    pub fn is_added(self) -> bool {
        self == Kind::Added
    }

    pub fn is_removed(self) -> bool {
        self == Kind::Removed
    }

    pub fn is_gap(self) -> bool {
        self == Kind::Gap
    }

    /// The mark a changed line carries, for readers without colour or styles.
    pub fn mark(self) -> &'static str {
        match self {
            Kind::Same => " ",
            Kind::Added => "+",
            Kind::Removed => "−",
            Kind::Gap => "…",
        }
    }
}

/// One field that differs between two revisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub label: &'static str,
    /// For short fields: the new value with removed and added words marked.
    pub words: Vec<Segment>,
    /// For the body: changed lines with their context.
    pub lines: Vec<Segment>,
    /// For changes better said in words than shown, such as a replaced photo.
    pub note: Option<&'static str>,
}

/// The fields of `new` that differ from `old`, in the order the story form shows them.
pub fn story_changes(old: &Story, new: &Story) -> Vec<FieldChange> {
    let photo = |s: &Story, part: fn(&crate::domain::LeadPhoto) -> Option<String>| {
        s.content.photo.as_ref().and_then(part).unwrap_or_default()
    };
    let short_fields: [(&'static str, String, String); 11] = [
        (
            "Headline",
            old.content.headline.to_string(),
            new.content.headline.to_string(),
        ),
        (
            "Standfirst",
            opt(&old.content.standfirst),
            opt(&new.content.standfirst),
        ),
        ("Bylines", bylines(old), bylines(new)),
        ("Dateline", dateline(old), dateline(new)),
        ("Source", opt(&old.content.source), opt(&new.content.source)),
        (
            "Section",
            old.content.section.name().to_owned(),
            new.content.section.name().to_owned(),
        ),
        (
            "Slug",
            old.content.slug.to_string(),
            new.content.slug.to_string(),
        ),
        (
            "Status",
            old.status.label().to_owned(),
            new.status.label().to_owned(),
        ),
        (
            "Photo caption",
            photo(old, |p| Some(p.caption.to_string())),
            photo(new, |p| Some(p.caption.to_string())),
        ),
        (
            "Photo credit",
            photo(old, |p| p.credit.as_ref().map(ToString::to_string)),
            photo(new, |p| p.credit.as_ref().map(ToString::to_string)),
        ),
        (
            "Photo alt text",
            photo(old, |p| p.alt.as_ref().map(ToString::to_string)),
            photo(new, |p| p.alt.as_ref().map(ToString::to_string)),
        ),
    ];
    let mut changes: Vec<FieldChange> = short_fields
        .into_iter()
        .filter(|(_, before, after)| before != after)
        .map(|(label, before, after)| FieldChange {
            label,
            words: word_diff(&before, &after),
            lines: Vec::new(),
            note: None,
        })
        .collect();
    changes.extend(photo_change(old, new));
    if old.content.body != new.content.body {
        changes.push(FieldChange {
            label: "Body",
            words: Vec::new(),
            lines: line_diff(old.content.body.as_str(), new.content.body.as_str()),
            note: None,
        });
    }
    changes
}

fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn bylines(story: &Story) -> String {
    story
        .content
        .bylines
        .iter()
        .map(|b| b.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

fn dateline(story: &Story) -> String {
    story
        .content
        .dateline
        .as_ref()
        .map(|d| d.to_form_value())
        .unwrap_or_default()
}

fn photo_change(old: &Story, new: &Story) -> Option<FieldChange> {
    let image = |s: &Story| s.content.photo.as_ref().and_then(|p| p.image);
    let note = match (image(old), image(new)) {
        (None, Some(_)) => "Photo added",
        (Some(_), None) => "Photo removed",
        (Some(a), Some(b)) if a != b => "Photo replaced",
        _ => return None,
    };
    Some(FieldChange {
        label: "Photo",
        words: Vec::new(),
        lines: Vec::new(),
        note: Some(note),
    })
}

/// Words kept, removed and added, neighbours of one kind merged into one segment.
pub fn word_diff(old: &str, new: &str) -> Vec<Segment> {
    let diff = TextDiff::configure()
        .timeout(DIFF_TIMEOUT)
        .diff_words(old, new);
    let mut segments: Vec<Segment> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = Kind::of(change.tag());
        match segments.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => segments.push(Segment {
                kind,
                text: change.value().to_owned(),
            }),
        }
    }
    segments
}

/// Changed lines with up to [`CONTEXT_LINES`] unchanged ones around them; a gap marks
/// unchanged lines left out.
pub fn line_diff(old: &str, new: &str) -> Vec<Segment> {
    let diff = TextDiff::configure()
        .timeout(DIFF_TIMEOUT)
        .diff_lines(old, new);
    let gap = || Segment {
        kind: Kind::Gap,
        text: String::new(),
    };
    let mut lines = Vec::new();
    let mut shown_until = 0;
    for group in diff.grouped_ops(CONTEXT_LINES) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        if first.old_range().start > shown_until {
            lines.push(gap());
        }
        for op in &group {
            for change in diff.iter_changes(op) {
                lines.push(Segment {
                    kind: Kind::of(change.tag()),
                    text: change.value().trim_end_matches(['\n', '\r']).to_owned(),
                });
            }
        }
        shown_until = last.old_range().end;
    }
    if !lines.is_empty() && shown_until < diff.old_slices().len() {
        lines.push(gap());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Body, Bylines, Headline, Section};
    use time::OffsetDateTime;

    fn story(headline: &str, body: &str) -> Story {
        Story::draft(
            Headline::parse(headline).unwrap(),
            Section::parse("world").unwrap(),
            Bylines::parse("Ann Lee").unwrap(),
            Body::parse(body).unwrap(),
            OffsetDateTime::now_utc(),
        )
    }

    fn render(segments: &[Segment]) -> String {
        segments
            .iter()
            .map(|s| match s.kind {
                Kind::Same => s.text.clone(),
                Kind::Added => format!("{{+{}+}}", s.text),
                Kind::Removed => format!("[-{}-]", s.text),
                Kind::Gap => "…".into(),
            })
            .collect()
    }

    #[test]
    fn a_changed_word_is_marked_removed_and_added() {
        assert_eq!(
            render(&word_diff("Talks end in Geneva", "Talks resume in Geneva")),
            "Talks [-end-]{+resume+} in Geneva"
        );
    }

    #[test]
    fn the_body_shows_changed_lines_with_a_little_context() {
        let old = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight";
        let new = "one\ntwo\nthree\nfour\nFIVE\nsix\nseven\neight";
        let lines = line_diff(old, new);
        let shown: Vec<String> = lines
            .iter()
            .map(|l| format!("{}{}", l.kind.mark(), l.text))
            .collect();
        assert_eq!(
            shown,
            [
                "…", " three", " four", "−five", "+FIVE", " six", " seven", "…"
            ]
        );
    }

    #[test]
    fn only_the_fields_that_changed_are_listed() {
        let old = story("Talks end", "First paragraph.\n\nSecond paragraph.");
        let mut new = old.clone();
        new.content.headline = Headline::parse("Talks resume").unwrap();
        new.content.body = Body::parse("First paragraph.\n\nA new second paragraph.").unwrap();
        let labels: Vec<&str> = story_changes(&old, &new).iter().map(|c| c.label).collect();
        assert_eq!(labels, ["Headline", "Body"]);
        assert!(story_changes(&old, &old).is_empty());
    }
}
