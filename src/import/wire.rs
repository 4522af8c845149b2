//! Plain-text wire copy, as agencies send it:
//!
//! ```text
//! Latest peace talks on Syria end without major breakthrough
//!
//! Source: Xinhua| 2017-07-15 07:11:57|Editor: ZD
//!
//! The UN Special Envoy ... speaks at a press conference ... (Xinhua/POOL/Xu Jinquan)
//!
//! GENEVA, July 14 (Xinhua) -- The UN Special Envoy for Syria ...
//!
//! More paragraphs ...
//!
//!    1 2 3 4 Next
//! ```
//!
//! Paragraphs are separated by blank lines. The photo caption is optional; the trailing page
//! navigation of the agency's web page is ignored. A long story may be split into pages of
//! about a given number of words ([`parse_in_pages`]).

use crate::domain::body::PAGE_BREAK;
use crate::domain::site_zone::{self, LocalTimeError, SiteZone};
use crate::domain::{
    Body, Byline, Bylines, Caption, Credit, Dateline, DomainError, Headline, Initials, LeadPhoto,
    Section, Source, Story,
};
use std::fmt;
use std::num::NonZeroUsize;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Why a file is not wire copy, with the line (1-based) where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for WireError {}

/// A parsed piece of wire copy, every part in its own field.
#[derive(Debug, Clone, PartialEq)]
pub struct WireStory {
    pub headline: Headline,
    pub source: Source,
    /// The agency's time stamp, read as UTC.
    pub published_at: OffsetDateTime,
    pub editor: Initials,
    pub photo: Option<LeadPhoto>,
    pub dateline: Dateline,
    pub body: Body,
}

impl WireStory {
    /// A published story in `section`, credited to the agency.
    pub fn into_story(self, section: Section, now: OffsetDateTime) -> Story {
        let byline = Bylines::one(Byline::crediting(&self.source));
        let mut story = Story::draft(self.headline, section, byline, self.body, now);
        story.content.source = Some(self.source);
        story.content.dateline = Some(self.dateline);
        story.content.photo = self.photo;
        story.published_at = Some(self.published_at);
        story.publish(now, Some(self.editor));
        story
    }
}

struct Paragraph<'a> {
    line: usize,
    text: String,
    lines: Vec<&'a str>,
}

fn paragraphs(text: &str) -> Vec<Paragraph<'_>> {
    let mut out: Vec<Paragraph> = Vec::new();
    let mut current: Option<Paragraph> = None;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            out.extend(current.take());
            continue;
        }
        let p = current.get_or_insert_with(|| Paragraph {
            line: n + 1,
            text: String::new(),
            lines: Vec::new(),
        });
        if !p.text.is_empty() {
            p.text.push(' ');
        }
        p.text.push_str(line.trim());
        p.lines.push(line);
    }
    out.extend(current);
    out
}

fn at(line: usize, message: impl Into<String>) -> WireError {
    WireError {
        line,
        message: message.into(),
    }
}

fn field_error(line: usize, e: DomainError) -> WireError {
    at(line, e.to_string())
}

/// Reads wire copy, its body on one page.
pub fn parse(text: &str) -> Result<WireStory, WireError> {
    parse_paged(text, None)
}

/// Reads wire copy, its body split into pages of about `page_words` words (see [`pages`]).
pub fn parse_in_pages(text: &str, page_words: NonZeroUsize) -> Result<WireStory, WireError> {
    parse_paged(text, Some(page_words))
}

fn parse_paged(text: &str, page_words: Option<NonZeroUsize>) -> Result<WireStory, WireError> {
    parse_in_zone(text, &SiteZone::utc(), page_words)
}

/// Reads wire copy whose time stamp is the local time of `zone`, the agency's (Xinhua stamps
/// Beijing time), its body split into pages when `page_words` is given.
pub fn parse_in_zone(
    text: &str,
    zone: &SiteZone,
    page_words: Option<NonZeroUsize>,
) -> Result<WireStory, WireError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut paras = paragraphs(text).into_iter().peekable();

    let head = paras
        .next()
        .ok_or_else(|| at(1, "the file is empty; expected a headline"))?;
    if head.lines.len() > 1 {
        return Err(at(
            head.line + 1,
            "expected a blank line after the one-line headline",
        ));
    }
    let headline = Headline::parse(&head.text).map_err(|e| field_error(head.line, e))?;

    let meta = paras.next().ok_or_else(|| {
        at(
            head.line + 1,
            "expected the line `Source: AGENCY| YYYY-MM-DD HH:MM:SS|Editor: XX`",
        )
    })?;
    let (source, published_at, editor) =
        parse_meta(&meta.text, zone).map_err(|m| at(meta.line, m))?;

    let mut photo = None;
    let first = paras.next().ok_or_else(|| {
        at(
            meta.line + 1,
            "expected the dateline paragraph, e.g. `GENEVA, July 14 (Xinhua) -- ...`",
        )
    })?;
    let dateline_para = if split_dateline(&first.text).is_none() {
        photo = Some(parse_caption(&first)?);
        paras.next().ok_or_else(|| {
            at(
                first.line + 1,
                "expected the dateline paragraph after the photo caption",
            )
        })?
    } else {
        first
    };
    let (dateline_text, lead) = split_dateline(&dateline_para.text).ok_or_else(|| {
        at(
            dateline_para.line,
            "expected a dateline such as `GENEVA, July 14 (Xinhua) --` leading this paragraph",
        )
    })?;
    let dateline = Dateline::parse(dateline_text, published_at.date())
        .map_err(|e| field_error(dateline_para.line, e))?;

    let mut body = vec![escape_markdown(lead)];
    for para in paras {
        if is_page_navigation(&para.text) {
            continue;
        }
        body.push(escape_markdown(&para.text));
    }
    let markdown = match page_words {
        Some(words) => pages(&body, words)
            .iter()
            .map(|page| page.join("\n\n"))
            .collect::<Vec<_>>()
            .join(&format!("\n\n{PAGE_BREAK}\n\n")),
        None => body.join("\n\n"),
    };
    let body = Body::parse(&markdown).map_err(|e| field_error(dateline_para.line, e))?;
    // Stored times are UTC; the agency's clock gave the dateline its date.
    let published_at = published_at.to_offset(time::UtcOffset::UTC);
    Ok(WireStory {
        headline,
        source,
        published_at,
        editor,
        photo,
        dateline,
        body,
    })
}

/// The source, the time stamp (on `zone`'s clocks, so its date is the agency's) and the editor.
fn parse_meta(line: &str, zone: &SiteZone) -> Result<(Source, OffsetDateTime, Initials), String> {
    const EXPECTED: &str = "expected `Source: AGENCY| YYYY-MM-DD HH:MM:SS|Editor: XX`";
    let parts: Vec<&str> = line.split('|').map(str::trim).collect();
    let [source, stamp, editor] = parts.as_slice() else {
        return Err(EXPECTED.into());
    };
    let source = source
        .strip_prefix("Source:")
        .ok_or_else(|| EXPECTED.to_owned())?;
    let source = Source::parse(source).map_err(|e| e.to_string())?;
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let local = PrimitiveDateTime::parse(stamp, format)
        .map_err(|_| format!("the time stamp {stamp:?} is not YYYY-MM-DD HH:MM:SS"))?;
    if !site_zone::year_in_range(local.year()) {
        return Err(format!(
            "the time stamp {stamp:?} is not a year from 1900 to 9999"
        ));
    }
    // Copy stamped in the hour the clocks repeat is taken as the first time they showed it:
    // nobody is at hand to ask, and an hour either way harms nothing in an archive.
    let stamp = match zone.resolve(local, "") {
        Ok(at) => at,
        Err(LocalTimeError::Twice { choices, .. }) => zone
            .resolve(local, &choices[0].value)
            .map_err(|e| format!("the time stamp {stamp:?}: {e}"))?,
        Err(e) => return Err(format!("the time stamp {stamp:?}: {e}")),
    };
    let stamp = zone.local(stamp);
    let editor = editor
        .strip_prefix("Editor:")
        .ok_or_else(|| EXPECTED.to_owned())?;
    let editor = Initials::parse(editor).map_err(|e| e.to_string())?;
    Ok((source, stamp, editor))
}

/// A caption ends in its credit in parentheses: `... (Xinhua/POOL/Xu Jinquan)`.
fn parse_caption(para: &Paragraph) -> Result<LeadPhoto, WireError> {
    let last_line = para.line + para.lines.len() - 1;
    let missing = || {
        at(
            last_line,
            "expected a photo caption ending in its credit, e.g. `(Xinhua/POOL/Xu Jinquan)`, or the dateline paragraph",
        )
    };
    let text = para.text.strip_suffix(')').ok_or_else(missing)?;
    let open = text.rfind('(').ok_or_else(missing)?;
    let credit = Credit::parse(&text[open + 1..]).map_err(|e| field_error(last_line, e))?;
    let caption = Caption::parse(&text[..open]).map_err(|e| field_error(para.line, e))?;
    Ok(LeadPhoto {
        image: None,
        caption,
        credit: Some(credit),
        alt: None,
    })
}

/// Splits `GENEVA, July 14 (Xinhua) -- The envoy ...` into the dateline and the rest.
fn split_dateline(text: &str) -> Option<(&str, &str)> {
    let (dateline, rest) = text.split_once(" -- ").or_else(|| text.split_once(" --"))?;
    // A dateline is short and starts with a capitalised place followed by a comma.
    let valid =
        dateline.len() <= 80 && dateline.contains(',') && dateline.chars().next()?.is_uppercase();
    valid.then(|| (dateline.trim(), rest.trim()))
}

/// Groups paragraphs into pages: a page closes once it holds at least `words` words, so a
/// paragraph is never split, no page is empty and only the last may be shorter. The first page
/// starts with the first paragraph, the one the dateline leads.
pub fn pages(paragraphs: &[String], words: NonZeroUsize) -> Vec<&[String]> {
    let mut pages = Vec::new();
    let (mut start, mut count) = (0, 0);
    for (i, paragraph) in paragraphs.iter().enumerate() {
        count += paragraph.split_whitespace().count();
        if count >= words.get() {
            pages.push(&paragraphs[start..=i]);
            (start, count) = (i + 1, 0);
        }
    }
    if start < paragraphs.len() {
        pages.push(&paragraphs[start..]);
    }
    pages
}

/// The agency's web page navigation, `1 2 3 4 Next` or `Prev 1 2 3`.
fn is_page_navigation(text: &str) -> bool {
    let mut words = text.split_whitespace().peekable();
    words.peek().is_some()
        && words.all(|w| {
            w.chars().all(|c| c.is_ascii_digit())
                || matches!(w, "Next" | "Prev" | "Previous" | ">>" | "<<")
        })
}

/// Wire copy is plain text: keep Markdown from reading meaning into it.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    // A paragraph opening like a list item or a heading underline stays a paragraph.
    let opens_block = out.starts_with(['-', '+', '='])
        || out.split_once(['.', ')']).is_some_and(|(n, _)| {
            !n.is_empty() && n.len() <= 9 && n.bytes().all(|b| b.is_ascii_digit())
        });
    if opens_block {
        out.insert(0, '\\');
        // An escaped digit does not stop a list marker; escape its punctuation instead.
        if out.as_bytes()[1].is_ascii_digit() {
            out.remove(0);
            if let Some(pos) = out.find(['.', ')']) {
                out.insert(pos, '\\');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = "Talks end\n\nSource: Xinhua| 2017-07-15 07:11:57|Editor: ZD\n\n\nThe envoy speaks. (Xinhua/POOL/Xu Jinquan)\n\nGENEVA, July 14 (Xinhua) -- The envoy said.\n\nHe added *more*.\n\n   1 2 3 4 Next\n";

    #[test]
    fn every_part_of_wire_copy_finds_its_field() {
        let story = parse(FIXTURE).unwrap();
        assert_eq!(story.headline.as_str(), "Talks end");
        assert_eq!(story.source.as_str(), "Xinhua");
        assert_eq!(story.editor.as_str(), "ZD");
        assert_eq!(
            story.published_at.to_string(),
            "2017-07-15 7:11:57.0 +00:00:00"
        );
        let photo = story.photo.unwrap();
        assert_eq!(photo.caption.as_str(), "The envoy speaks.");
        assert_eq!(photo.credit.unwrap().as_str(), "Xinhua/POOL/Xu Jinquan");
        assert_eq!(story.dateline.to_string(), "GENEVA, July 14 (Xinhua) --");
        assert_eq!(
            story.body.as_str(),
            "The envoy said.\n\nHe added \\*more\\*."
        );
    }

    #[test]
    fn the_caption_is_optional() {
        let text = FIXTURE.replace("The envoy speaks. (Xinhua/POOL/Xu Jinquan)\n\n", "");
        assert!(parse(&text).unwrap().photo.is_none());
    }

    #[test]
    fn errors_name_the_line() {
        let bad_meta = FIXTURE.replace(
            "Source: Xinhua| 2017-07-15 07:11:57|Editor: ZD",
            "Source Xinhua",
        );
        assert_eq!(parse(&bad_meta).unwrap_err().line, 3);
        let bad_stamp = FIXTURE.replace("2017-07-15 07:11:57", "yesterday");
        assert!(parse(&bad_stamp).unwrap_err().message.contains("yesterday"));
        let no_dateline = FIXTURE.replace("GENEVA, July 14 (Xinhua) -- ", "");
        assert_eq!(parse(&no_dateline).unwrap_err().line, 8);
        assert_eq!(parse("").unwrap_err().line, 1);
        assert_eq!(parse("Headline only\n").unwrap_err().line, 2);
    }

    #[test]
    fn plain_text_stays_plain() {
        assert_eq!(escape_markdown("1. Not a list"), "1\\. Not a list");
        assert_eq!(escape_markdown("- not a bullet"), "\\- not a bullet");
        assert_eq!(escape_markdown("<!--nextpage-->"), "\\<!--nextpage--\\>");
        let body = Body::parse(&escape_markdown("# 1. <b>*x*</b> [a](b)")).unwrap();
        let html = body.render_pages()[0].to_string();
        assert_eq!(html.trim(), "<p># 1. &lt;b&gt;*x*&lt;/b&gt; [a](b)</p>");
    }

    fn words(counts: &[usize]) -> Vec<String> {
        counts.iter().map(|&n| vec!["word"; n].join(" ")).collect()
    }

    fn page_sizes(paragraphs: &[String], per_page: usize) -> Vec<usize> {
        pages(paragraphs, NonZeroUsize::new(per_page).unwrap())
            .iter()
            .map(|page| page.len())
            .collect()
    }

    #[test]
    fn a_page_closes_once_it_reaches_the_number_of_words() {
        let paragraphs = words(&[40, 30, 50, 10, 10, 60, 5]);
        // 40+30 = 70; 50+10+10 = 70; 60+5 = 65, the rest.
        assert_eq!(page_sizes(&paragraphs, 70), [2, 3, 2]);
    }

    #[test]
    fn a_paragraph_longer_than_a_page_is_a_page_of_its_own_and_never_split() {
        let paragraphs = words(&[10, 500, 10]);
        assert_eq!(page_sizes(&paragraphs, 100), [2, 1]);
        assert_eq!(page_sizes(&paragraphs, 5), [1, 1, 1]);
    }

    #[test]
    fn no_page_is_empty_and_every_paragraph_is_kept_in_order() {
        let paragraphs = words(&[3, 7, 1, 12, 4, 4, 9]);
        for per_page in 1..40 {
            let pages = pages(&paragraphs, NonZeroUsize::new(per_page).unwrap());
            assert!(pages.iter().all(|page| !page.is_empty()), "{per_page}");
            assert_eq!(pages.concat(), paragraphs, "{per_page}");
        }
        assert!(pages(&[], NonZeroUsize::MIN).is_empty());
    }

    #[test]
    fn a_story_short_enough_stays_on_one_page() {
        let story = parse_in_pages(FIXTURE, NonZeroUsize::new(1000).unwrap()).unwrap();
        assert_eq!(story.body, parse(FIXTURE).unwrap().body);
        assert_eq!(story.body.page_count(), 1);
    }

    #[test]
    fn wire_copy_in_pages_has_the_lead_paragraph_on_page_one() {
        let story = parse_in_pages(FIXTURE, NonZeroUsize::new(2).unwrap()).unwrap();
        assert_eq!(
            story.body.as_str(),
            "The envoy said.\n\n<!--nextpage-->\n\nHe added \\*more\\*."
        );
        assert_eq!(story.body.page_count(), 2);
        assert_eq!(story.dateline.to_string(), "GENEVA, July 14 (Xinhua) --");
    }

    #[test]
    fn page_navigation_is_recognised() {
        assert!(is_page_navigation("1 2 3 4 Next"));
        assert!(is_page_navigation("Prev 1 2"));
        assert!(!is_page_navigation("2017 was a year"));
    }
}
