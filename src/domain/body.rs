//! A story's body: Markdown typed by a journalist, split into pages by `<!--nextpage-->` lines and
//! rendered to HTML that is safe to show a reader.

use super::{DomainError, PhotoId};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

mod check;
mod embed;
mod render;

pub use check::{
    BodyProblem, ProblemKind, describe, embed_of_frame, imported_markdown, photo_lines, problems,
};
pub use embed::{Embed, embed_of};
pub use render::{Figure, Rendering};

/// The line that starts a new page of a long story.
pub const PAGE_BREAK: &str = "<!--nextpage-->";

/// Markdown source of a story body, non-empty and at most 1 MiB (a 20,000-word story is ~130 KiB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body(String);

impl Body {
    pub const MAX_BYTES: usize = 1 << 20;

    /// Characters XML forbids are dropped first (see `text.rs`); other control characters
    /// but newlines and tabs are refused.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let normalised = super::text::without_xml_forbidden(raw).replace("\r\n", "\n");
        let text = normalised.trim();
        if text.is_empty() || split_pages(text).iter().all(|page| page.trim().is_empty()) {
            return Err(DomainError::Empty { field: "Body" });
        }
        if text.len() > Self::MAX_BYTES {
            return Err(DomainError::TooLong {
                field: "Body",
                len: text.len(),
                max: Self::MAX_BYTES,
            });
        }
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        {
            return Err(DomainError::invalid("Body", "contains control characters"));
        }
        Ok(Self(text.to_owned()))
    }

    /// A body read back from storage, where only bodies made by [`Body::parse`] are written.
    /// Parsing again on every read scanned and copied the whole text (about a fifth of an
    /// article request's time), so only the checks that cost nothing are repeated: a damaged
    /// record still cannot give an empty or oversized body.
    pub fn from_stored(text: String) -> Result<Self, DomainError> {
        if text.is_empty() {
            return Err(DomainError::Empty { field: "Body" });
        }
        if text.len() > Self::MAX_BYTES {
            return Err(DomainError::TooLong {
                field: "Body",
                len: text.len(),
                max: Self::MAX_BYTES,
            });
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Markdown of each page. Empty pages (two breaks in a row) are dropped.
    pub fn pages(&self) -> Vec<&str> {
        split_pages(&self.0)
            .into_iter()
            .filter(|page| !page.trim().is_empty())
            .collect()
    }

    pub fn page_count(&self) -> usize {
        self.pages().len().max(1)
    }

    /// Each page rendered to sanitised HTML, without library photos.
    pub fn render_pages(&self) -> Vec<SanitizedHtml> {
        let plain = Rendering::plain();
        self.pages()
            .into_iter()
            .map(|page| render::render(page, &plain))
            .collect()
    }

    /// One page rendered to sanitised HTML, without rendering the others or library photos.
    pub fn render_page(&self, index: usize) -> Option<SanitizedHtml> {
        self.render_page_with(index, &Rendering::plain())
    }

    /// One page rendered to sanitised HTML, its library photos as `rendering` shows them and
    /// its links to the site's own host as the newsroom's own.
    pub fn render_page_with(
        &self,
        index: usize,
        rendering: &Rendering<'_>,
    ) -> Option<SanitizedHtml> {
        self.pages()
            .get(index)
            .map(|page| render::render(page, rendering))
    }

    /// The library photos page `index` places, in order, each once: what rendering it reads.
    pub fn photos_on_page(&self, index: usize) -> Vec<PhotoId> {
        self.pages()
            .get(index)
            .map(|page| render::photos_of(page))
            .unwrap_or_default()
    }

    /// Every word of the body as plain text, a paragraph a line, without Markdown's marks or
    /// the page-break markers: what search indexes and highlights.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for page in self.pages() {
            for event in Parser::new(page) {
                match event {
                    Event::Text(text) | Event::Code(text) => out.push_str(&text),
                    Event::SoftBreak | Event::HardBreak => out.push(' '),
                    Event::End(
                        TagEnd::Paragraph
                        | TagEnd::Heading(_)
                        | TagEnd::Item
                        | TagEnd::CodeBlock
                        | TagEnd::TableCell,
                    ) if !out.ends_with('\n') && !out.is_empty() => out.push('\n'),
                    _ => {}
                }
            }
        }
        out.trim_end().to_owned()
    }

    /// The first paragraph as plain text, for summaries and descriptions.
    pub fn first_paragraph(&self) -> String {
        let mut out = String::new();
        let mut in_paragraph = false;
        for event in Parser::new(&self.0) {
            match event {
                Event::Start(Tag::Paragraph) => in_paragraph = true,
                Event::End(TagEnd::Paragraph) if !out.is_empty() => break,
                Event::End(TagEnd::Paragraph) => in_paragraph = false,
                Event::Text(text) | Event::Code(text) if in_paragraph => out.push_str(&text),
                Event::SoftBreak | Event::HardBreak if in_paragraph => out.push(' '),
                _ => {}
            }
        }
        out
    }
}

impl Body {
    /// The library photos placed in the body, in order, each once: a line of its own holding
    /// only `![alt text](photo:ID)` (the form's photo button writes it), where ID is the
    /// photo's id as the library shows it.
    pub fn inline_photos(&self) -> Vec<PhotoId> {
        let mut out = Vec::new();
        for line in self.0.lines() {
            if let Some(id) = inline_photo_of(line).filter(|id| !out.contains(id)) {
                out.push(id);
            }
        }
        out
    }
}

/// How many words a reader gets from `markdown` (marks, addresses of photos and page breaks
/// not counted), and the minutes it takes to read them at 230 words a minute, at least one.
pub fn word_count(markdown: &str) -> (usize, usize) {
    let mut run = String::new();
    // A photo's alt text is for those who cannot see it, not part of the story's length.
    let mut in_image = false;
    for event in Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Image { .. }) => in_image = true,
            Event::End(TagEnd::Image) => in_image = false,
            Event::Text(_) | Event::Code(_) if in_image => {}
            Event::Text(text) | Event::Code(text) => run.push_str(&text),
            Event::Html(_)
            | Event::InlineHtml(_)
            | Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock,
            ) => run.push(' '),
            _ => {}
        }
    }
    let words = run.split_whitespace().count();
    (words, words.div_ceil(230).max(1))
}

/// The photo a line places, if it is `![alt](photo:ID)` and nothing else.
pub fn inline_photo_of(line: &str) -> Option<PhotoId> {
    let rest = line.trim().strip_prefix("![")?;
    let (_alt, rest) = rest.split_once("](photo:")?;
    let id = rest.strip_suffix(')')?;
    id.trim().parse().ok()
}

/// Splits at lines that hold only the page-break marker (surrounding spaces allowed).
fn split_pages(text: &str) -> Vec<&str> {
    let mut pages = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim() == PAGE_BREAK {
            pages.push(&text[start..offset]);
            start = offset + line.len();
        }
        offset += line.len();
    }
    pages.push(&text[start..]);
    pages
}

/// HTML produced by the Markdown renderer and cleaned by the sanitiser: the only HTML a template
/// may print unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanitizedHtml(String);

impl SanitizedHtml {
    pub fn empty() -> Self {
        Self(String::new())
    }

    /// Joins pages rendered by this module with separators the caller builds from constants.
    pub fn concat(html: String) -> Self {
        Self(html)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Puts `lead` (plain text, escaped here) at the start of the first paragraph, the way a
    /// dateline leads a wire story.
    pub fn with_lead(&self, lead: &str) -> SanitizedHtml {
        let lead = format!(r#"<span class="dateline">{}</span> "#, escape_text(lead));
        match self.0.strip_prefix("<p>") {
            Some(rest) => SanitizedHtml(format!("<p>{lead}{rest}")),
            None => SanitizedHtml(format!("<p>{lead}</p>\n{}", self.0)),
        }
    }
}

impl std::fmt::Display for SanitizedHtml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).ok();
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn plain_text_keeps_the_words_and_drops_the_marks() {
        let body = Body::parse(
            "A **bold** step.\n\n<!--nextpage-->\n\n> Quoted [link](https://example.org) text.",
        )
        .unwrap();
        let text = body.plain_text();
        assert!(text.contains("A bold step."), "{text}");
        assert!(text.contains("Quoted link text."), "{text}");
        assert!(!text.contains("**") && !text.contains("nextpage") && !text.contains("https"));
    }
    use super::*;

    fn render(text: &str) -> String {
        Body::parse(text)
            .unwrap()
            .render_pages()
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn markdown_renders_to_html() {
        let html = render(
            "## Talks\n\nSome *emphasis* and a [link](https://example.org).\n\n> quote\n\n- one\n- two",
        );
        assert!(html.contains("<h2>Talks</h2>"));
        assert!(html.contains("<em>emphasis</em>"));
        assert!(html.contains(
            r#"<a href="https://example.org" rel="noopener noreferrer nofollow">link</a>"#
        ));
        assert!(html.contains("<blockquote>"));
        assert!(html.contains("<li>two</li>"));
    }

    #[test]
    fn raw_html_never_reaches_the_reader_as_markup_or_as_text() {
        let html = render(
            "Hello <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n<div onclick=x>hi</div>\n\n<iframe src=\"https://evil.example/\"></iframe>",
        );
        assert!(
            !html.contains("<script") && !html.contains("&lt;script"),
            "{html}"
        );
        assert!(!html.contains("alert"), "{html}");
        assert!(!html.contains("<img") && !html.contains("<div"), "{html}");
        assert!(
            !html.contains("iframe") && !html.contains("onclick"),
            "{html}"
        );
        assert!(html.contains("<p>Hello"), "{html}");
        assert!(
            html.contains("<p>hi</p>"),
            "the words of a block are kept: {html}"
        );
    }

    #[test]
    fn dangerous_links_are_stripped() {
        let html = render("[click](javascript:alert(1)) [data](data:text/html,x)");
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("data:"));
    }

    #[test]
    fn a_page_break_line_splits_the_body() {
        let body = Body::parse("One.\n<!--nextpage-->\nTwo.\n  <!--nextpage-->  \nThree.").unwrap();
        let pages = body.render_pages();
        assert_eq!(pages.len(), 3);
        assert_eq!(pages[2].as_str().trim(), "<p>Three.</p>");
        assert!(pages.iter().all(|p| !p.as_str().contains("nextpage")));
        assert_eq!(body.render_page(1), Some(pages[1].clone()));
        assert_eq!(body.render_page(3), None);
    }

    #[test]
    fn a_marker_inside_a_line_is_text_not_a_break() {
        let body = Body::parse("One <!--nextpage--> still one.").unwrap();
        assert_eq!(body.page_count(), 1);
    }

    #[test]
    fn a_body_of_only_breaks_is_empty() {
        assert!(Body::parse("<!--nextpage-->\n<!--nextpage-->").is_err());
        assert!(Body::parse(" \n ").is_err());
    }

    #[test]
    fn the_dateline_leads_the_first_paragraph() {
        let page = &Body::parse("The envoy spoke.").unwrap().render_pages()[0];
        let led = page.with_lead("GENEVA, July 14 (Xinhua) --");
        assert!(led.as_str().starts_with(
            r#"<p><span class="dateline">GENEVA, July 14 (Xinhua) --</span> The envoy"#
        ));
    }

    #[test]
    fn inline_photos_are_lines_of_their_own() {
        let a = PhotoId::new();
        let b = PhotoId::new();
        let body = Body::parse(&format!(
            "Text.\n\n![Envoy](photo:{a})\n\nMore ![x](photo:{b}) inline.\n\n  ![](photo:{b})  \n\n![Again](photo:{a})"
        ))
        .unwrap();
        assert_eq!(body.inline_photos(), vec![a, b]);
        assert_eq!(inline_photo_of("![x](photo:nonsense)"), None);
    }

    #[test]
    fn words_are_counted_without_marks_and_reading_time_rounds_up() {
        let id = PhotoId::new();
        let (words, minutes) = word_count(&format!(
            "## Two words\n\nA **bold** [link](https://x.example) here.\n\n![Not counted](photo:{id})\n\n<!--nextpage-->"
        ));
        assert_eq!(words, 2 + 4);
        assert_eq!(minutes, 1);
        assert_eq!(word_count(&"word ".repeat(231)), (231, 2));
        assert_eq!(word_count(""), (0, 1));
    }

    #[test]
    fn the_first_paragraph_is_plain_text() {
        let body = Body::parse("## Head\n\nThe *envoy*\nspoke.\n\nMore.").unwrap();
        assert_eq!(body.first_paragraph(), "The envoy spoke.");
    }
}
