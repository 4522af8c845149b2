//! One page of Markdown to the HTML readers get.
//!
//! A page is cut at the lines that stand for something else: a library photo
//! (`![alt](photo:ID)`) becomes a `<figure>` with the photo's renditions and the caption and
//! credit of its library record, a known site's post address becomes a card that links out
//! (see [`super::embed`]). The Markdown between is rendered by pulldown-cmark with tables, and
//! its events are rewritten on the way:
//! - raw HTML is dropped (the desk refuses it on save, imports convert it; a body stored before
//!   that still never shows a reader its tags as text), with the content of a `<script>` or
//!   `<style>`;
//! - an image from another address becomes a link to it (we do not hotlink);
//! - `http`/`https` addresses in text become links;
//! - links to the site's own host, and relative links, carry no `rel`: they are the
//!   newsroom's own pages. Links elsewhere carry `noopener noreferrer nofollow`: wire copy and
//!   pasted text bring addresses nobody checked one by one, and nofollow keeps the site from
//!   vouching for them to search engines; an editor's choice of source is still a plain link
//!   for readers.
//!
//! Everything is then cleaned by ammonia with a list of the tags and attributes this module
//! writes, so a mistake here still cannot put a script on a page.
//!
//! Cost: one pass over the page's lines, one pulldown-cmark parse per run of Markdown between
//! special lines, one ammonia pass. Photo records are looked up through the caller's closure,
//! which reads only the photos the page places.

use super::embed::{self, Embed};
use super::{SanitizedHtml, escape_text};
use crate::domain::PhotoId;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::LazyLock;

/// A library photo as a page shows it, made by the caller from the photo's record (the
/// addresses differ for readers and for the desk's preview).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub src: String,
    pub srcset: String,
    pub sizes: &'static str,
    pub width: u32,
    pub height: u32,
    /// The library's alt text, for a line that gives none.
    pub alt: String,
    pub caption: String,
    pub credit: String,
}

/// What rendering needs from outside the body.
pub struct Rendering<'a> {
    /// The site's own host (`news.example`): links there are the newsroom's own.
    pub own_host: &'a str,
    /// The figure of a library photo, `None` when the photo is not there (it is left out).
    pub figure: &'a dyn Fn(PhotoId) -> Option<Figure>,
}

impl Rendering<'static> {
    /// No site and no photos: every absolute link is another site's, photos are left out.
    pub fn plain() -> Self {
        Rendering {
            own_host: "",
            figure: &|_| None,
        }
    }
}

/// A line that stands for something other than Markdown.
enum Block<'t> {
    Markdown(String),
    Photo { alt: &'t str, id: PhotoId },
    Embed(Embed),
}

/// `![alt](photo:ID)` alone on a line: its alt text and the photo.
pub(super) fn photo_line(line: &str) -> Option<(&str, PhotoId)> {
    let id = super::inline_photo_of(line)?;
    let rest = line.trim().strip_prefix("![")?;
    let (alt, _) = rest.split_once("](photo:")?;
    Some((alt, id))
}

/// A fenced code block's opening marker (three or more backticks or tildes).
fn fence_of(line: &str) -> Option<(char, usize)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let c = trimmed.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let n = trimmed.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

/// The page cut into Markdown and the lines that stand for a photo or a post elsewhere. Lines
/// inside fenced code are code, whatever they hold.
fn blocks(page: &str) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    let mut markdown = String::new();
    let mut fence: Option<(char, usize)> = None;
    for line in page.split_inclusive('\n') {
        if let Some((c, n)) = fence {
            if fence_of(line).is_some_and(|(c2, n2)| c2 == c && n2 >= n)
                && line.trim().chars().all(|x| x == c)
            {
                fence = None;
            }
            markdown.push_str(line);
            continue;
        }
        if let Some(opened) = fence_of(line) {
            fence = Some(opened);
            markdown.push_str(line);
            continue;
        }
        let special = photo_line(line)
            .map(|(alt, id)| Block::Photo { alt, id })
            .or_else(|| embed::embed_of(line).map(Block::Embed));
        match special {
            Some(block) => {
                if !markdown.trim().is_empty() {
                    out.push(Block::Markdown(std::mem::take(&mut markdown)));
                }
                markdown.clear();
                out.push(block);
            }
            None => markdown.push_str(line),
        }
    }
    if !markdown.trim().is_empty() {
        out.push(Block::Markdown(markdown));
    }
    out
}

/// The photos a page places, in order, each once.
pub(super) fn photos_of(page: &str) -> Vec<PhotoId> {
    let mut out = Vec::new();
    for block in blocks(page) {
        if let Block::Photo { id, .. } = block
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

pub(super) fn render(page: &str, rendering: &Rendering<'_>) -> SanitizedHtml {
    let mut html = String::with_capacity(page.len() + page.len() / 4);
    for block in blocks(page) {
        match block {
            Block::Markdown(markdown) => markdown_html(&markdown, rendering, &mut html),
            Block::Photo { alt, id } => {
                if let Some(figure) = (rendering.figure)(id) {
                    figure_html(alt, &figure, &mut html);
                }
            }
            Block::Embed(embed) => embed_html(&embed, rendering, &mut html),
        }
    }
    SanitizedHtml(SANITIZER.clean(&html).to_string())
}

fn figure_html(alt: &str, figure: &Figure, out: &mut String) {
    let alt = unescape_markdown(alt.trim());
    let alt = if alt.is_empty() { &figure.alt } else { &alt };
    let _ = write!(
        out,
        r#"<figure class="inline-photo"><img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" loading="lazy" decoding="async">"#,
        escape_text(&figure.src),
        escape_text(&figure.srcset),
        escape_text(figure.sizes),
        figure.width,
        figure.height,
        escape_text(alt),
    );
    let (caption, credit) = (figure.caption.trim(), figure.credit.trim());
    if !caption.is_empty() || !credit.is_empty() {
        out.push_str("<figcaption>");
        out.push_str(&escape_text(caption));
        if !credit.is_empty() {
            if !caption.is_empty() {
                out.push(' ');
            }
            let _ = write!(
                out,
                r#"<span class="credit">({})</span>"#,
                escape_text(credit)
            );
        }
        out.push_str("</figcaption>");
    }
    out.push_str("</figure>\n");
}

fn embed_html(embed: &Embed, rendering: &Rendering<'_>, out: &mut String) {
    let _ = writeln!(
        out,
        r#"<div class="embed"><p class="embed-provider">{}</p><p class="embed-address">{}</p><p>{}{}</a></p></div>"#,
        escape_text(embed.provider),
        escape_text(&embed.shown),
        link_open(&embed.url, "", rendering.own_host),
        escape_text(embed.action),
    );
}

/// Backslash escapes undone, for alt text taken from the source line.
fn unescape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(next) = chars.peek().filter(|n| n.is_ascii_punctuation())
        {
            out.push(*next);
            chars.next();
        } else {
            out.push(c);
        }
    }
    out
}

/// The `<a ...>` that opens a link to `href`, with the `rel` its destination calls for.
fn link_open(href: &str, title: &str, own_host: &str) -> String {
    let mut out = String::from(r#"<a href=""#);
    let _ = pulldown_cmark_escape::escape_href(&mut out, href);
    out.push('"');
    if !title.is_empty() {
        let _ = write!(out, r#" title="{}""#, escape_text(title));
    }
    if !is_own(href, own_host) {
        out.push_str(r#" rel="noopener noreferrer nofollow""#);
    }
    out.push('>');
    out
}

/// A relative link, or one to the site's own host (with or without `www.`).
fn is_own(href: &str, own_host: &str) -> bool {
    let href = href.trim();
    if href.starts_with("//") {
        return !own_host.is_empty() && is_own(&format!("https:{href}"), own_host);
    }
    let scheme_end = href.find(':');
    let path_start = href.find(['/', '?', '#']);
    let relative = match (scheme_end, path_start) {
        (None, _) => true,
        (Some(colon), Some(slash)) => slash < colon,
        (Some(_), None) => false,
    };
    if relative {
        return true;
    }
    let bare = |h: &str| h.strip_prefix("www.").unwrap_or(h).to_ascii_lowercase();
    !own_host.is_empty()
        && embed::host_and_path(href).is_some_and(|(host, _)| bare(&host) == bare(own_host))
}

const TABLE_OPEN: &str =
    r#"<div class="table-scroll" role="region" tabindex="0" aria-label="Table">"#;

fn markdown_html(markdown: &str, rendering: &Rendering<'_>, out: &mut String) {
    let options =
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION | Options::ENABLE_TABLES;
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut text = String::new();
    // Inside code, a link or an image, text is not searched for addresses.
    let mut plain_depth = 0usize;
    // Inside an inline `<script>` or `<style>`: its content is dropped too.
    let mut skipping = false;
    // An image from elsewhere, as a link: its address, and whether its alt text said anything.
    let mut image: Option<(String, bool)> = None;
    // The words of a block of raw HTML being read.
    let mut block: Option<String> = None;
    for event in Parser::new_ext(markdown, options) {
        if let Event::Text(t) = &event {
            if skipping {
                continue;
            }
            if let Some((_, said)) = image.as_mut() {
                *said |= !t.trim().is_empty();
            }
            if plain_depth == 0 {
                text.push_str(t);
                continue;
            }
        }
        if !text.is_empty() {
            linkify(&std::mem::take(&mut text), rendering.own_host, &mut events);
        }
        match event {
            // A block of HTML keeps its words as a paragraph; inline tags keep the words
            // between them, which are text events of their own.
            Event::Start(Tag::HtmlBlock) => block = Some(String::new()),
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(words) = block.take().filter(|w| !w.trim().is_empty()) {
                    events.push(Event::Start(Tag::Paragraph));
                    events.push(Event::Text(CowStr::from(words.trim().to_owned())));
                    events.push(Event::End(TagEnd::Paragraph));
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let words = html_words(&html, &mut skipping);
                if let Some(block) = block.as_mut() {
                    block.push_str(&words);
                }
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => events.push(Event::Start(Tag::Heading {
                level: demote(level),
                id,
                classes,
                attrs,
            })),
            Event::End(TagEnd::Heading(level)) => {
                events.push(Event::End(TagEnd::Heading(demote(level))));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                plain_depth += 1;
                events.push(Event::Start(Tag::CodeBlock(kind)));
            }
            Event::End(TagEnd::CodeBlock) => {
                plain_depth = plain_depth.saturating_sub(1);
                events.push(Event::End(TagEnd::CodeBlock));
            }
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) => {
                plain_depth += 1;
                let open = link_open(&dest_url, &title, rendering.own_host);
                events.push(Event::Html(CowStr::from(open)));
            }
            Event::End(TagEnd::Link) => {
                plain_depth = plain_depth.saturating_sub(1);
                events.push(Event::Html(CowStr::Borrowed("</a>")));
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                plain_depth += 1;
                // A library photo within a line is left out: the desk refuses it.
                if dest_url.starts_with("photo:") {
                    skipping = true;
                } else {
                    let open = link_open(&dest_url, &title, rendering.own_host);
                    events.push(Event::Html(CowStr::from(open)));
                    image = Some((dest_url.to_string(), false));
                }
            }
            Event::End(TagEnd::Image) => {
                plain_depth = plain_depth.saturating_sub(1);
                if let Some((dest, said)) = image.take() {
                    if !said {
                        events.push(Event::Text(CowStr::from(dest)));
                    }
                    events.push(Event::Html(CowStr::Borrowed("</a>")));
                } else {
                    skipping = false;
                }
            }
            Event::Start(Tag::Table(alignments)) => {
                events.push(Event::Html(CowStr::Borrowed(TABLE_OPEN)));
                events.push(Event::Start(Tag::Table(alignments)));
            }
            Event::End(TagEnd::Table) => {
                events.push(Event::End(TagEnd::Table));
                events.push(Event::Html(CowStr::Borrowed("</div>\n")));
            }
            _ if skipping => {}
            other => events.push(other),
        }
    }
    if !text.is_empty() {
        linkify(&text, rendering.own_host, &mut events);
    }
    let start = out.len();
    pulldown_cmark::html::push_html(out, events.into_iter());
    // Every header cell heads a column: a Markdown table has no row headers.
    let rendered = out.split_off(start);
    out.push_str(
        &rendered
            .replace("<th>", r#"<th scope="col">"#)
            .replace("<th style=", r#"<th scope="col" style="#),
    );
}

/// The words of some raw HTML without its tags (or comments), as plain text; what a
/// `<script>` or `<style>` holds is not words, up to its end tag, which may come in a later
/// piece (`skipping` carries that over).
fn html_words(html: &str, skipping: &mut bool) -> String {
    let mut out = String::new();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            if !*skipping {
                out.push_str(rest);
            }
            break;
        };
        if !*skipping {
            out.push_str(&rest[..open]);
        }
        let close = if rest[open..].starts_with("<!--") {
            rest[open..]
                .find("-->")
                .map_or(rest.len(), |i| open + i + 3)
        } else {
            rest[open..].find('>').map_or(rest.len(), |i| open + i + 1)
        };
        let tag = rest[open..close].to_ascii_lowercase();
        if tag.starts_with("<script") || tag.starts_with("<style") {
            *skipping = !tag.ends_with("/>");
        } else if tag.starts_with("</script") || tag.starts_with("</style") {
            *skipping = false;
        }
        rest = &rest[close..];
    }
    out
}

/// Text with its `http`/`https` addresses made links.
fn linkify<'e>(text: &str, own_host: &str, events: &mut Vec<Event<'e>>) {
    let mut rest = text;
    while let Some((before, url, after)) = next_address(rest) {
        if !before.is_empty() {
            events.push(Event::Text(CowStr::from(before.to_owned())));
        }
        events.push(Event::Html(CowStr::from(link_open(url, "", own_host))));
        events.push(Event::Text(CowStr::from(url.to_owned())));
        events.push(Event::Html(CowStr::Borrowed("</a>")));
        rest = after;
    }
    if !rest.is_empty() {
        events.push(Event::Text(CowStr::from(rest.to_owned())));
    }
}

/// The first address in `text` that starts a word: the text before it, it, and the text after.
/// Punctuation that ends a sentence, and a closing parenthesis it did not open, stay outside.
fn next_address(text: &str) -> Option<(&str, &str, &str)> {
    let mut from = 0;
    loop {
        let found = text[from..].find("http")? + from;
        let tail = &text[found..];
        let starts_word = text[..found]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '/' && c != '.');
        let scheme = ["https://", "http://"]
            .into_iter()
            .find(|s| tail.len() > s.len() && tail[..s.len()].eq_ignore_ascii_case(s));
        if let (true, Some(scheme)) = (starts_word, scheme) {
            let len = tail
                .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
                .unwrap_or(tail.len());
            let mut url = &tail[..len];
            loop {
                let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '*']);
                let trimmed = if trimmed.ends_with(')')
                    && trimmed.matches(')').count() > trimmed.matches('(').count()
                {
                    &trimmed[..trimmed.len() - 1]
                } else {
                    trimmed
                };
                if trimmed.len() == url.len() {
                    break;
                }
                url = trimmed;
            }
            if url.len() > scheme.len() {
                return Some((&text[..found], url, &text[found + url.len()..]));
            }
        }
        from = found + 4;
    }
}

fn demote(level: pulldown_cmark::HeadingLevel) -> pulldown_cmark::HeadingLevel {
    use pulldown_cmark::HeadingLevel::*;
    match level {
        H1 => H2,
        other => other,
    }
}

/// The tags and attributes this module writes, and nothing else.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "p",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "em",
        "strong",
        "a",
        "blockquote",
        "ul",
        "ol",
        "li",
        "code",
        "pre",
        "br",
        "hr",
        "del",
        "sup",
        "sub",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "div",
        "figure",
        "figcaption",
        "img",
        "span",
    ]
    .into_iter()
    .collect();
    let classes: HashMap<&str, HashSet<&str>> = [
        ("div", ["table-scroll", "embed"].into_iter().collect()),
        (
            "p",
            ["embed-provider", "embed-address"].into_iter().collect(),
        ),
        ("figure", ["inline-photo"].into_iter().collect()),
        ("span", ["credit"].into_iter().collect()),
    ]
    .into_iter()
    .collect();
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(tags)
        .allowed_classes(classes)
        .add_tag_attributes("a", ["href", "title", "rel"])
        .add_tag_attributes("ol", ["start"])
        .add_tag_attributes("th", ["scope", "style"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("div", ["role", "tabindex", "aria-label"])
        .add_tag_attributes(
            "img",
            [
                "src", "srcset", "sizes", "width", "height", "alt", "loading", "decoding",
            ],
        )
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // pulldown-cmark aligns a column's cells this way, and only this way.
            (_, "style") => matches!(
                value,
                "text-align: left" | "text-align: center" | "text-align: right"
            )
            .then_some(value.into()),
            ("a", "rel") => (value == "noopener noreferrer nofollow").then_some(value.into()),
            _ => Some(value.into()),
        })
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(None);
    builder
});

#[cfg(test)]
mod tests;
