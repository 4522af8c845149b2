//! What the desk may not type into a body, said line by line, and what an import makes of the
//! same things. A reader never sees raw HTML or a picture from another site: the desk is told
//! at once which line holds one and what to do instead; copy that arrives from elsewhere is
//! converted (an image becomes a link to it, a known video's frame becomes its address on a
//! line of its own) and its other tags are dropped, keeping their text.

use super::PAGE_BREAK;
use super::embed;
use crate::domain::PhotoId;
use pulldown_cmark::{Event, Options, Parser, Tag};
use std::fmt;
use std::ops::Range;

/// Something on one line of a typed body that the desk does not accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyProblem {
    /// Counted from 1, as the form's text box shows lines.
    pub line: usize,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The tag as typed, e.g. `<iframe>`.
    RawHtml(String),
    /// A picture from another address.
    OutsideImage(String),
    /// `![..](photo:...)` naming no photo id.
    NotAPhotoId(String),
    /// A library photo among other words on its line.
    PhotoNotAlone,
    /// A library photo id the library does not hold.
    UnknownPhoto(PhotoId),
}

impl fmt::Display for BodyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        match &self.kind {
            ProblemKind::RawHtml(tag) if is_embed_tag(tag) => write!(
                f,
                "raw HTML ({tag}) is not accepted: paste the address of the video on a line of its own to embed it"
            ),
            ProblemKind::RawHtml(tag) => write!(
                f,
                "raw HTML ({tag}) is not accepted: write it in Markdown (see the formatting help)"
            ),
            ProblemKind::OutsideImage(url) => write!(
                f,
                "an image from another site ({url}) is not accepted: add it to the photo library and place it with the Photo button"
            ),
            ProblemKind::NotAPhotoId(id) => {
                write!(f, "photo:{id} does not name a photo of the library")
            }
            ProblemKind::PhotoNotAlone => {
                write!(f, "a library photo must be on a line of its own")
            }
            ProblemKind::UnknownPhoto(id) => write!(f, "there is no photo {id} in the library"),
        }
    }
}

fn is_embed_tag(tag: &str) -> bool {
    let name = tag.trim_start_matches(['<', '/']).trim_end_matches('>');
    matches!(
        name,
        "iframe" | "embed" | "object" | "video" | "audio" | "script" | "blockquote"
    )
}

/// The problems of `text` as typed on the desk, first line first, one per line.
pub fn problems(text: &str) -> Vec<BodyProblem> {
    let text = text.replace("\r\n", "\n");
    let starts = line_starts(&text);
    let line_of = |offset: usize| starts.partition_point(|s| *s <= offset);
    let mut out: Vec<BodyProblem> = Vec::new();
    let mut push = |line: usize, kind: ProblemKind| {
        if !out.iter().any(|p| p.line == line) {
            out.push(BodyProblem { line, kind });
        }
    };
    for (event, range) in Parser::new_ext(&text, options()).into_offset_iter() {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                // A page break's marker is a line of its own, and the only HTML the desk types.
                if html.trim() == PAGE_BREAK {
                    continue;
                }
                if let Some((offset, tag)) = first_tag(&html) {
                    push(line_of(range.start + offset), ProblemKind::RawHtml(tag));
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let line = line_of(range.start);
                match dest_url.strip_prefix("photo:") {
                    None => push(line, ProblemKind::OutsideImage(dest_url.to_string())),
                    Some(id) => match id.trim().parse::<PhotoId>() {
                        Err(_) => push(line, ProblemKind::NotAPhotoId(id.to_owned())),
                        Ok(id) => {
                            let whole = &text[starts[line - 1]..];
                            let whole = whole.split('\n').next().unwrap_or_default();
                            if super::inline_photo_of(whole) != Some(id) {
                                push(line, ProblemKind::PhotoNotAlone);
                            }
                        }
                    },
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|p| p.line);
    out
}

/// What the form says of a body's problems: the first few, each with its line.
pub fn describe(problems: &[BodyProblem]) -> String {
    const SHOWN: usize = 5;
    let mut out = problems
        .iter()
        .take(SHOWN)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    if problems.len() > SHOWN {
        out.push_str(&format!("; and {} more", problems.len() - SHOWN));
    }
    out
}

/// The library photos of `text` as typed, with the line each is placed on.
pub fn photo_lines(text: &str) -> Vec<(usize, PhotoId)> {
    text.replace("\r\n", "\n")
        .split('\n')
        .enumerate()
        .filter_map(|(n, line)| super::inline_photo_of(line).map(|id| (n + 1, id)))
        .collect()
}

fn options() -> Options {
    Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The first tag of some raw HTML, as `<name>` or `</name>`, with its offset.
fn first_tag(html: &str) -> Option<(usize, String)> {
    let mut from = 0;
    while let Some(found) = html[from..].find('<') {
        let at = from + found;
        let rest = &html[at + 1..];
        if rest.starts_with("!--") {
            return Some((at, "<!-- -->".to_owned()));
        }
        let closing = rest.starts_with('/');
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if !name.is_empty() && name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let slash = if closing { "/" } else { "" };
            return Some((at, format!("<{slash}{}>", name.to_ascii_lowercase())));
        }
        from = at + 1;
    }
    None
}

/// Markdown that arrived from elsewhere, made what the desk would accept: an image from
/// another address becomes a link to it; raw HTML is dropped, keeping its text (not a script's
/// or a style's), and a frame showing a known site's post becomes the post's address on a
/// line of its own, which readers get as a card.
pub fn imported_markdown(markdown: &str) -> String {
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut skipping_until: Option<&'static str> = None;
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                let mut replacement = String::new();
                if html.trim() != PAGE_BREAK {
                    replacement = html_as_markdown(&html, &mut skipping_until);
                } else {
                    replacement.push_str(&html);
                }
                edits.push((range, replacement));
            }
            Event::Text(_) if skipping_until.is_some() => edits.push((range, String::new())),
            Event::Start(Tag::Image { dest_url, .. })
                if !dest_url.starts_with("photo:") && markdown[range.clone()].starts_with('!') =>
            {
                edits.push((range.start..range.start + 1, String::new()));
            }
            _ => {}
        }
    }
    let mut out = String::with_capacity(markdown.len());
    let mut at = 0;
    for (range, replacement) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&markdown[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&markdown[at..]);
    out
}

/// Raw HTML as Markdown: its text escaped, its tags dropped, a frame of a known site as the
/// address on a line of its own; the content of a script or style is dropped up to its end tag.
fn html_as_markdown(html: &str, skipping_until: &mut Option<&'static str>) -> String {
    let mut out = String::new();
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(end) = *skipping_until {
            match rest.to_ascii_lowercase().find(end) {
                Some(i) => {
                    rest = &rest[i..];
                    *skipping_until = None;
                }
                None => return out,
            }
        }
        let Some(open) = rest.find('<') else {
            escape_into(rest, &mut out);
            break;
        };
        escape_into(&rest[..open], &mut out);
        let close = rest[open..].find('>').map_or(rest.len(), |i| open + i + 1);
        let tag = &rest[open..close];
        let lower = tag.to_ascii_lowercase();
        if lower.starts_with("<script") {
            *skipping_until = Some("</script");
        } else if lower.starts_with("<style") {
            *skipping_until = Some("</style");
        } else if lower.starts_with("<iframe")
            && let Some(url) = attribute(tag, "src").and_then(embed_of_frame)
        {
            out.push_str("\n\n");
            out.push_str(&url);
            out.push_str("\n\n");
        }
        rest = &rest[close..];
    }
    out
}

/// The value of attribute `name` in a start tag, if quoted.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.find(&format!(" {name}="))? + name.len() + 2;
    let quote = tag[at..]
        .chars()
        .next()
        .filter(|q| matches!(q, '"' | '\''))?;
    let value = &tag[at + 1..];
    value.find(quote).map(|end| &value[..end])
}

/// The address of the post a player frame shows, for the providers whose player addresses say
/// it plainly; otherwise the frame's own address if it is a known site's.
pub fn embed_of_frame(src: &str) -> Option<String> {
    let src = src.replace("&amp;", "&");
    let src = if src.starts_with("//") {
        format!("https:{src}")
    } else {
        src
    };
    let (host, path) = embed::host_and_path(&src)?;
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if (embed::host_is(&host, "youtube.com") || embed::host_is(&host, "youtube-nocookie.com"))
        && let Some(id) = path.strip_prefix("/embed/").filter(|id| !id.is_empty())
    {
        return Some(format!("https://www.youtube.com/watch?v={id}"));
    }
    if host == "player.vimeo.com"
        && let Some(id) = path.strip_prefix("/video/").filter(|id| !id.is_empty())
    {
        return Some(format!("https://vimeo.com/{id}"));
    }
    embed::embed_of(&src).map(|e| e.url)
}

/// Text escaped so Markdown reads it as the same text.
fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' | '|' | '!' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_named_with_its_line() {
        let found = problems(
            "First.\n\nSecond.\n\n<iframe src=\"https://x\"></iframe>\n\nA <b>bold</b> word.",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[0].to_string(),
            "line 5: raw HTML (<iframe>) is not accepted: paste the address of the video on a line of its own to embed it"
        );
        assert_eq!(found[1].line, 7);
        assert!(found[1].to_string().contains("(<b>)"));
    }

    #[test]
    fn a_page_break_is_not_raw_html_and_code_may_show_tags() {
        let text =
            "One.\n\n<!--nextpage-->\n\nTwo `<div>` and\n\n    <script>\n\n```\n<iframe>\n```";
        assert_eq!(problems(text), vec![]);
    }

    #[test]
    fn images_must_be_library_photos_on_lines_of_their_own() {
        let id = PhotoId::new();
        let text = format!(
            "![a](https://example.org/x.jpg)\n\n![b](photo:{id})\n\nWords ![c](photo:{id}) here.\n\n![d](photo:nope)"
        );
        let found: Vec<_> = problems(&text)
            .into_iter()
            .map(|p| (p.line, p.kind))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    1,
                    ProblemKind::OutsideImage("https://example.org/x.jpg".into())
                ),
                (5, ProblemKind::PhotoNotAlone),
                (7, ProblemKind::NotAPhotoId("nope".into())),
            ]
        );
        assert_eq!(photo_lines(&text), vec![(3, id)]);
    }

    #[test]
    fn an_import_converts_images_frames_and_tags() {
        let md = imported_markdown(
            "Hello <b>world</b> & co.\n\n![pic](https://example.org/p.jpg)\n\n<iframe src=\"https://www.youtube.com/embed/abc\"></iframe>\n\n<script>alert(1)</script>\n\nEnd.",
        );
        assert!(md.contains("Hello world"), "{md}");
        assert!(
            md.contains("[pic](https://example.org/p.jpg)") && !md.contains("!["),
            "{md}"
        );
        assert!(
            md.contains("\nhttps://www.youtube.com/watch?v=abc\n"),
            "{md}"
        );
        assert!(!md.contains("alert") && !md.contains('<'), "{md}");
        assert!(problems(&md).is_empty(), "{md}");
    }
}
