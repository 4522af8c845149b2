//! A three-way merge of a story's editable text, for a save made over a newer revision: the
//! editor's version ("mine") and the newer one ("theirs") are merged against the revision the
//! editor started from ("base").
//!
//! # Algorithm
//! The text comes as ordered name -> value fields, so the merge need not know the story form.
//! - Every field but the body merges as one value: changed on one side only, that side wins;
//!   changed identically on both, it is taken once; changed differently on both, it conflicts.
//! - The body (the field named [`BODY`], or another name the caller gives) is Markdown whose
//!   paragraphs are separated by blank lines, and merges paragraph by paragraph, like `diff3`:
//!   1. Each side is diffed against the base as a list of paragraphs (Myers). Runs of changes
//!      with no unchanged paragraph between them become one *hunk*: a base range and what
//!      replaced it. A hunk that replaces n paragraphs by n paragraphs is split into n one-
//!      paragraph hunks, paired in order, so edits to neighbouring paragraphs stay apart. (When
//!      a side deletes one paragraph, rewrites the next and adds one after it, the pairing may
//!      not be the one the editor meant; the texts still all appear, merged or in a conflict.)
//!   2. A hunk of one side *touches* a hunk of the other when their base ranges share a
//!      paragraph, when one inserts strictly inside the other's range, or when both insert at
//!      the same place. Touching hunks are grouped (transitively) into clusters.
//!   3. A cluster with hunks of one side only takes that side; one whose two sides produce the
//!      same paragraphs takes them once; any other cluster is a conflict over its base range.
//!      Unchanged paragraphs between clusters are kept.
//!
//! # Guarantees
//! - Edits to different paragraphs merge even when the paragraphs are neighbours; insertions
//!   and deletions merge unless they touch a paragraph the other side changed.
//! - The result does not depend on which side is "mine", apart from which texts a conflict
//!   calls theirs and mine (unless a diff hits its time limit and settles for a coarser one).
//! - Merging with an unchanged side gives the other side exactly (normalised, see below).
//! - Nothing is dropped unseen: every change of either side is in the merged text, or in a
//!   [`Conflict`] that shows the base, theirs and mine; changes taken from theirs are listed
//!   in [`Merge::taken_from_theirs`] for the notice.
//!
//! Texts are normalised before they are compared, so that line endings and trailing spaces
//! never cause a phantom conflict: `\r\n` becomes `\n`, lines lose their trailing whitespace,
//! values lose their surrounding whitespace, and body paragraphs are joined by exactly one
//! blank line (so blank lines inside a fenced code block shrink to one as well).

use super::DomainError;
use similar::{Algorithm, ChangeTag, DiffOp, TextDiff, capture_diff_slices_deadline};
use std::fmt;
use std::ops::Range;
use std::time::{Duration, Instant};

/// The name of the field that merges by paragraph unless the caller names another.
pub const BODY: &str = "body";

/// Past this a diff settles for a correct but coarser answer (more conflicts, never lost
/// text), so a pathological text cannot stall a save.
const DIFF_TIMEOUT: Duration = Duration::from_millis(200);

/// What separates two paragraphs in a merged body.
const PARAGRAPH_BREAK: &str = "\n\n";

/// A story's editable text: ordered name -> value pairs, values normalised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    pub fn into_vec(self) -> Vec<(String, String)> {
        self.0
    }
}

/// Where a change or a conflict lies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Part {
    /// A whole field, by its name.
    Field(String),
    /// Paragraphs of a Markdown field, numbered from 0 in the base and half-open; an empty
    /// range is the place before paragraph `range.start` where paragraphs were added.
    Paragraphs { field: String, range: Range<usize> },
}

/// Reads as the notice says it: "the headline", "paragraph 3", "paragraphs 3 to 5",
/// "new paragraphs after paragraph 2" (numbered from 1 for people).
impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Field(name) => write!(f, "the {name}"),
            Part::Paragraphs { range, .. } => match (range.start, range.end) {
                (0, 0) => f.write_str("new paragraphs at the start"),
                (start, end) if start == end => write!(f, "new paragraphs after paragraph {start}"),
                (start, end) if end == start + 1 => write!(f, "paragraph {end}"),
                (start, end) => write!(f, "paragraphs {} to {end}", start + 1),
            },
        }
    }
}

/// Parts as one phrase for a notice: "the headline, paragraph 3 and paragraph 5".
pub fn describe(parts: &[Part]) -> String {
    let names: Vec<String> = parts.iter().map(ToString::to_string).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// The same part changed differently on both sides: the three texts the editor chooses from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub part: Part,
    pub base: String,
    pub theirs: String,
    pub mine: String,
}

impl Conflict {
    /// What the other save changed, word by word, for highlighting.
    pub fn theirs_changes(&self) -> Vec<Span> {
        word_diff(&self.base, &self.theirs)
    }

    /// What this save changed, word by word, for highlighting.
    pub fn mine_changes(&self) -> Vec<Span> {
        word_diff(&self.base, &self.mine)
    }
}

/// How the editor settles one conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Theirs,
    Mine,
    /// Text typed on the conflict page, used as it is (normalised).
    Edited(String),
}

/// The outcome of a merge: settled text, what came from theirs, and what is left to choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    fields: Vec<MergedField>,
    taken_from_theirs: Vec<Part>,
    conflicts: Vec<Conflict>,
    /// A part only theirs changed is a conflict (mine being the base), not taken.
    holds_theirs: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct MergedField {
    name: String,
    by_paragraph: bool,
    pieces: Vec<Piece>,
}

/// A stretch of a merged field: settled text, or the conflict of that index.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Settled(String),
    Open(usize),
}

impl Merge {
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty()
    }

    /// The conflicts, in the order of the fields and, within the body, of the paragraphs.
    pub fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }

    /// The parts where only theirs changed, and whose change is in the merge.
    pub fn taken_from_theirs(&self) -> &[Part] {
        &self.taken_from_theirs
    }

    /// The merged fields, when nothing conflicts.
    pub fn clean(&self) -> Option<Fields> {
        if self.is_clean() {
            self.resolve(&[]).ok()
        } else {
            None
        }
    }

    /// The fields that merged without a conflict, with their merged values.
    pub fn settled(&self) -> Fields {
        Fields(
            self.fields
                .iter()
                .filter(|field| field.pieces.iter().all(|p| matches!(p, Piece::Settled(_))))
                .map(|field| (field.name.clone(), field.assemble(&[])))
                .collect(),
        )
    }

    /// The final fields, given one choice per conflict, in the order of [`Merge::conflicts`].
    pub fn resolve(&self, choices: &[Choice]) -> Result<Fields, DomainError> {
        if choices.len() != self.conflicts.len() {
            return Err(DomainError::invalid(
                "Conflicts",
                format!(
                    "{} choices for {} conflicts",
                    choices.len(),
                    self.conflicts.len()
                ),
            ));
        }
        let chosen: Vec<&str> = self
            .conflicts
            .iter()
            .zip(choices)
            .map(|(conflict, choice)| match choice {
                Choice::Theirs => conflict.theirs.as_str(),
                Choice::Mine => conflict.mine.as_str(),
                Choice::Edited(text) => text.as_str(),
            })
            .collect();
        Ok(Fields(
            self.fields
                .iter()
                .map(|field| (field.name.clone(), field.assemble(&chosen)))
                .collect(),
        ))
    }
}

impl MergedField {
    /// The field's text with `chosen[i]` in place of conflict `i` (empty if not given).
    fn assemble(&self, chosen: &[&str]) -> String {
        let texts = self.pieces.iter().map(|piece| match piece {
            Piece::Settled(text) => text.as_str(),
            Piece::Open(index) => chosen.get(*index).copied().unwrap_or_default(),
        });
        if self.by_paragraph {
            let joined: Vec<&str> = texts.collect();
            normalise_body(&joined.join(PARAGRAPH_BREAK))
        } else {
            normalise_value(&texts.collect::<String>())
        }
    }
}

/// Merges three versions whose body is the field named [`BODY`].
pub fn merge(base: &[(&str, &str)], theirs: &[(&str, &str)], mine: &[(&str, &str)]) -> Merge {
    merge_with_body(BODY, base, theirs, mine)
}

/// Merges three versions; the field named `body` merges by paragraph, every other as one
/// value. A field missing from a version counts as empty there. Fields keep the base's
/// order, then those new in theirs, then those new in mine.
pub fn merge_with_body(
    body: &str,
    base: &[(&str, &str)],
    theirs: &[(&str, &str)],
    mine: &[(&str, &str)],
) -> Merge {
    merge_fields(body, base, theirs, mine, false)
}

/// Merges as [`merge`] does, except that nothing is taken from theirs unseen: a part only
/// theirs changed is a conflict whose "mine" is the base, for the editor to take or leave.
/// For a save that puts its words live, which must not publish words its editor never saw.
pub fn merge_holding_theirs(
    base: &[(&str, &str)],
    theirs: &[(&str, &str)],
    mine: &[(&str, &str)],
) -> Merge {
    merge_fields(BODY, base, theirs, mine, true)
}

fn merge_fields(
    body: &str,
    base: &[(&str, &str)],
    theirs: &[(&str, &str)],
    mine: &[(&str, &str)],
    holds_theirs: bool,
) -> Merge {
    let mut merge = Merge {
        fields: Vec::new(),
        taken_from_theirs: Vec::new(),
        conflicts: Vec::new(),
        holds_theirs,
    };
    for name in field_names(&[base, theirs, mine]) {
        let [b, t, m] = [base, theirs, mine].map(|version| value_of(version, name));
        let field = if name == body {
            merge_paragraphs(&mut merge, name, b, t, m)
        } else {
            merge_value(&mut merge, name, b, t, m)
        };
        merge.fields.push(field);
    }
    merge
}

fn field_names<'a>(versions: &[&[(&'a str, &str)]]) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for (name, _) in versions.iter().flat_map(|version| version.iter()) {
        if !names.contains(name) {
            names.push(name);
        }
    }
    names
}

fn value_of<'a>(version: &[(&str, &'a str)], name: &str) -> &'a str {
    version
        .iter()
        .find(|(field, _)| *field == name)
        .map(|(_, value)| *value)
        .unwrap_or_default()
}

fn merge_value(merge: &mut Merge, name: &str, base: &str, theirs: &str, mine: &str) -> MergedField {
    let [base, theirs, mine] = [base, theirs, mine].map(normalise_value);
    let part = || Part::Field(name.to_owned());
    let piece = if theirs == mine || theirs == base {
        Piece::Settled(mine)
    } else if mine == base && !merge.holds_theirs {
        merge.taken_from_theirs.push(part());
        Piece::Settled(theirs)
    } else {
        merge.conflicts.push(Conflict {
            part: part(),
            base,
            theirs,
            mine,
        });
        Piece::Open(merge.conflicts.len() - 1)
    };
    MergedField {
        name: name.to_owned(),
        by_paragraph: false,
        pieces: vec![piece],
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Theirs,
    Mine,
}

/// One side's change: the base paragraphs in `base` became `text`.
#[derive(Debug, Clone)]
struct Hunk<'a> {
    side: Side,
    base: Range<usize>,
    text: &'a [String],
}

fn merge_paragraphs(
    merge: &mut Merge,
    name: &str,
    base: &str,
    theirs: &str,
    mine: &str,
) -> MergedField {
    let [base, theirs, mine] = [base, theirs, mine].map(paragraphs);
    let deadline = Instant::now() + DIFF_TIMEOUT;
    let mut all = hunks(Side::Theirs, &base, &theirs, deadline);
    all.extend(hunks(Side::Mine, &base, &mine, deadline));
    let mut pieces = Vec::new();
    let mut cursor = 0;
    for cluster in clusters(all) {
        let span = span(&cluster);
        pieces.extend(settled(&base[cursor..span.start]));
        cursor = span.end;
        pieces.push(settle_cluster(merge, name, &base, span, &cluster));
    }
    pieces.extend(settled(&base[cursor..]));
    MergedField {
        name: name.to_owned(),
        by_paragraph: true,
        pieces,
    }
}

fn settled(paragraphs: &[String]) -> Option<Piece> {
    (!paragraphs.is_empty()).then(|| Piece::Settled(paragraphs.join(PARAGRAPH_BREAK)))
}

/// Takes the side that changed, the common text if both sides agree, or records a conflict.
fn settle_cluster(
    merge: &mut Merge,
    field: &str,
    base: &[String],
    range: Range<usize>,
    cluster: &[Hunk],
) -> Piece {
    let side_text = |side| {
        apply(
            base,
            range.clone(),
            cluster.iter().filter(|h| h.side == side),
        )
    };
    let touched = |side| cluster.iter().any(|h: &Hunk| h.side == side);
    let part = Part::Paragraphs {
        field: field.to_owned(),
        range: range.clone(),
    };
    let (theirs, mine) = (side_text(Side::Theirs), side_text(Side::Mine));
    if !touched(Side::Mine) && !merge.holds_theirs {
        merge.taken_from_theirs.push(part);
        return Piece::Settled(theirs);
    }
    if !touched(Side::Theirs) || theirs == mine {
        return Piece::Settled(mine);
    }
    // Held (see `merge_holding_theirs`): theirs alone changed it, so "mine" is the base.
    merge.conflicts.push(Conflict {
        part,
        base: base[range].join(PARAGRAPH_BREAK),
        theirs,
        mine,
    });
    Piece::Open(merge.conflicts.len() - 1)
}

/// The base paragraphs in `range` with one side's hunks (sorted, inside `range`) applied.
fn apply<'h, 'a: 'h>(
    base: &[String],
    range: Range<usize>,
    hunks: impl Iterator<Item = &'h Hunk<'a>>,
) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut cursor = range.start;
    for hunk in hunks {
        out.extend(base[cursor..hunk.base.start].iter().map(String::as_str));
        out.extend(hunk.text.iter().map(String::as_str));
        cursor = hunk.base.end;
    }
    out.extend(base[cursor..range.end].iter().map(String::as_str));
    out.join(PARAGRAPH_BREAK)
}

/// One side's changes to the base as hunks, in base order.
fn hunks<'a>(side: Side, base: &[String], new: &'a [String], deadline: Instant) -> Vec<Hunk<'a>> {
    let mut out = Vec::new();
    let mut open: Option<(Range<usize>, Range<usize>)> = None;
    for op in capture_diff_slices_deadline(Algorithm::Myers, base, new, Some(deadline)) {
        if let DiffOp::Equal { .. } = op {
            if let Some((old, replacement)) = open.take() {
                push_hunks(&mut out, side, base, old, &new[replacement]);
            }
            continue;
        }
        let (old, replacement) = (op.old_range(), op.new_range());
        open = Some(match open {
            Some((o, r)) => (o.start..old.end, r.start..replacement.end),
            None => (old, replacement),
        });
    }
    if let Some((old, replacement)) = open {
        push_hunks(&mut out, side, base, old, &new[replacement]);
    }
    out
}

/// Pushes one hunk, or one per paragraph when it replaces paragraphs one for one, so that a
/// side's edits to neighbouring paragraphs do not look like one edit to both.
fn push_hunks<'a>(
    out: &mut Vec<Hunk<'a>>,
    side: Side,
    base: &[String],
    old: Range<usize>,
    text: &'a [String],
) {
    if old.len() != text.len() {
        out.push(Hunk {
            side,
            base: old,
            text,
        });
        return;
    }
    for (offset, paragraph) in text.iter().enumerate() {
        let at = old.start + offset;
        if base[at] != *paragraph {
            out.push(Hunk {
                side,
                base: at..at + 1,
                text: std::slice::from_ref(paragraph),
            });
        }
    }
}

/// Whether hunks of the two sides compete for the same place in the base.
fn touches(a: &Range<usize>, b: &Range<usize>) -> bool {
    let inside = |point: usize, range: &Range<usize>| range.start < point && point < range.end;
    match (a.is_empty(), b.is_empty()) {
        (true, true) => a.start == b.start,
        (true, false) => inside(a.start, b),
        (false, true) => inside(b.start, a),
        (false, false) => a.start < b.end && b.start < a.end,
    }
}

/// Groups hunks that touch across sides, transitively, into clusters in base order whose
/// spans do not overlap.
fn clusters(hunks: Vec<Hunk<'_>>) -> Vec<Vec<Hunk<'_>>> {
    let mut clusters: Vec<Vec<Hunk>> = Vec::new();
    for hunk in hunks {
        let (joined, apart): (Vec<_>, Vec<_>) = clusters.into_iter().partition(|cluster| {
            cluster
                .iter()
                .any(|h| h.side != hunk.side && touches(&h.base, &hunk.base))
        });
        let mut cluster: Vec<Hunk> = joined.into_iter().flatten().collect();
        cluster.push(hunk);
        clusters = apart;
        clusters.push(cluster);
    }
    for cluster in &mut clusters {
        cluster.sort_by_key(|h| (h.base.start, h.base.end));
    }
    clusters.sort_by_key(|cluster| {
        let span = span(cluster);
        (span.start, span.end)
    });
    join_overlapping(clusters)
}

/// Joins clusters whose spans overlap. Touching already keeps them apart; this is the
/// safety net that lets the caller walk the base in one pass whatever the diff produced.
fn join_overlapping(clusters: Vec<Vec<Hunk<'_>>>) -> Vec<Vec<Hunk<'_>>> {
    let mut out: Vec<Vec<Hunk>> = Vec::new();
    for cluster in clusters {
        match out.last_mut() {
            Some(last) if span(&cluster).start < span(last).end => {
                last.extend(cluster);
                last.sort_by_key(|h| (h.base.start, h.base.end));
            }
            _ => out.push(cluster),
        }
    }
    out
}

/// The base range a cluster covers.
fn span(cluster: &[Hunk]) -> Range<usize> {
    let start = cluster.iter().map(|h| h.base.start).min().unwrap_or(0);
    let end = cluster.iter().map(|h| h.base.end).max().unwrap_or(start);
    start..end
}

/// A Markdown text's paragraphs: runs of non-blank lines, each line without trailing space.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current.join("\n"));
    }
    out
}

/// A Markdown text as the merge returns it: its paragraphs joined by one blank line.
pub fn normalise_body(text: &str) -> String {
    paragraphs(text).join(PARAGRAPH_BREAK)
}

/// A one-value field as the merge compares and returns it.
pub fn normalise_value(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    lines.join("\n").trim().to_owned()
}

/// Whether a stretch of text was kept, removed or added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    Equal,
    Removed,
    Added,
}

/// A run of words of one kind; shown as is, in `<del>` or in `<ins>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub kind: SpanKind,
    pub text: String,
}

impl Span {
    /// The element that marks this span on a page, if any.
    pub fn tag(&self) -> Option<&'static str> {
        match self.kind {
            SpanKind::Equal => None,
            SpanKind::Removed => Some("del"),
            SpanKind::Added => Some("ins"),
        }
    }
}

/// The words of `old` kept, removed and added in `new`; neighbours of one kind form one span,
/// and the spans' texts put back together give `old` (without added) and `new` (without
/// removed).
pub fn word_diff(old: &str, new: &str) -> Vec<Span> {
    let diff = TextDiff::configure()
        .timeout(DIFF_TIMEOUT)
        .diff_words(old, new);
    let mut spans: Vec<Span> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => SpanKind::Equal,
            ChangeTag::Delete => SpanKind::Removed,
            ChangeTag::Insert => SpanKind::Added,
        };
        match spans.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => spans.push(Span {
                kind,
                text: change.value().to_owned(),
            }),
        }
    }
    spans
}

#[cfg(test)]
mod tests;
