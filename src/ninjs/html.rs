//! Reading incoming ninjs HTML: the text of a fragment, and a fragment turned into the
//! Markdown a story body is written in. The HTML is tokenized by html5ever, as a browser reads
//! it (every named entity, attributes holding `>`, script and style content that is not text);
//! anything unknown is kept as text, never as markup, so nothing a sender writes can reach
//! readers as HTML.

use super::Text;
use crate::domain::body::embed_of_frame;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use std::cell::{Cell, RefCell};

/// The readable text of an HTML fragment, tags dropped and entities decoded.
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    for piece in pieces(html) {
        match piece {
            Piece::Text(text) => out.push_str(&text),
            Piece::Embed(_) => out.push(' '),
            // Inline markup sits inside words ("<em>page</em>."); anything else separates them.
            Piece::Tag { name, .. } => {
                if !matches!(
                    name.as_str(),
                    "em" | "strong" | "a" | "code" | "del" | "sup" | "sub" | "span" | "b" | "i"
                ) {
                    out.push(' ');
                }
            }
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A headline or description as plain text, whatever content type it came in.
pub fn as_plain(text: &Text) -> String {
    match text.contenttype.as_deref() {
        Some(t) if t.contains("html") => text_of(&text.value),
        _ => text.value.clone(),
    }
}

/// Plain text as Markdown: blank-line paragraphs kept, every Markdown character escaped.
pub fn plain_to_markdown(text: &str) -> String {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| escape(&p.split_whitespace().collect::<Vec<_>>().join(" ")))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// An HTML body as Markdown: paragraphs, headings, list items and line breaks; emphasis and
/// links become their text.
pub fn to_markdown(html: &str) -> String {
    let mut blocks: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prefix = "";
    let flush = |current: &mut String, prefix: &str, blocks: &mut Vec<String>| {
        let text = current
            .split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .replace(" \n ", "\n")
            .trim()
            .to_owned();
        if !text.is_empty() {
            blocks.push(format!("{prefix}{}", escape(&text)));
        }
        current.clear();
    };
    for piece in pieces(html) {
        match piece {
            Piece::Text(text) => {
                for c in text.chars() {
                    current.push(if c.is_whitespace() { ' ' } else { c });
                }
            }
            // A known site's player becomes its post's address on a line of its own, which
            // readers get as a card that links out.
            Piece::Embed(url) => {
                flush(&mut current, prefix, &mut blocks);
                blocks.push(url);
            }
            Piece::Tag { name, closing } => match name.as_str() {
                "br" => current.push_str(" \n "),
                "p" | "div" | "blockquote" | "ul" | "ol" | "section" | "article" | "body"
                | "figure" | "figcaption" | "table" | "tr" | "pre" => {
                    flush(&mut current, prefix, &mut blocks);
                    prefix = "";
                }
                "li" => {
                    flush(&mut current, prefix, &mut blocks);
                    prefix = if closing { "" } else { "- " };
                }
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                    flush(&mut current, prefix, &mut blocks);
                    prefix = if closing { "" } else { "## " };
                }
                _ => {}
            },
        }
    }
    flush(&mut current, prefix, &mut blocks);
    blocks.join("\n\n")
}

/// Backslash-escapes what Markdown would read as markup; the `"- "` and `"## "` prefixes
/// added by [`to_markdown`] are outside the escaped text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for line in text.split('\n') {
        if !out.is_empty() {
            out.push_str("  \n");
        }
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        for (i, c) in line.chars().enumerate() {
            let at_start = i == 0 && matches!(c, '-' | '+' | '=');
            let list_number = digits > 0 && i == digits && matches!(c, '.' | ')');
            if at_start
                || list_number
                || matches!(
                    c,
                    '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' | '|' | '!' | '&'
                )
            {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

enum Piece {
    /// Text, its character references decoded.
    Text(String),
    Tag {
        name: String,
        closing: bool,
    },
    /// The address of the post a frame of a known site shows.
    Embed(String),
}

/// Collects what the tokenizer reads. Script and style elements are read as raw text (as a
/// browser does) and dropped whole: their content is neither markup nor copy.
#[derive(Default)]
struct Collector {
    pieces: RefCell<Vec<Piece>>,
    /// Inside a script or style element, named here, until its end tag.
    skipping: Cell<Option<&'static str>>,
}

impl TokenSink for Collector {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::CharacterTokens(text) if self.skipping.get().is_none() => {
                self.pieces.borrow_mut().push(Piece::Text(text.to_string()));
            }
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                let closing = tag.kind == TagKind::EndTag;
                if let Some(skipped) = self.skipping.get() {
                    if closing && name == skipped {
                        self.skipping.set(None);
                    }
                    return TokenSinkResult::Continue;
                }
                if !closing && name == "iframe" {
                    let src = tag.attrs.iter().find(|a| &*a.name.local == "src");
                    if let Some(url) = src.and_then(|a| embed_of_frame(&a.value)) {
                        self.pieces.borrow_mut().push(Piece::Embed(url));
                    }
                }
                if !closing {
                    let raw = match name.as_str() {
                        "script" => Some(("script", RawKind::ScriptData)),
                        "style" => Some(("style", RawKind::Rawtext)),
                        "xmp" | "iframe" | "noembed" | "noframes" => {
                            return TokenSinkResult::RawData(RawKind::Rawtext);
                        }
                        "textarea" | "title" => {
                            return TokenSinkResult::RawData(RawKind::Rcdata);
                        }
                        _ => None,
                    };
                    if let Some((skipped, kind)) = raw {
                        self.skipping.set(Some(skipped));
                        return TokenSinkResult::RawData(kind);
                    }
                }
                self.pieces.borrow_mut().push(Piece::Tag { name, closing });
            }
            // Comments, doctypes, NUL characters and parse errors carry no copy.
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Splits HTML into text runs and tags, as html5ever's tokenizer reads them.
fn pieces(html: &str) -> Vec<Piece> {
    let input = BufferQueue::default();
    input.push_back(html.into());
    let tokenizer = Tokenizer::new(Collector::default(), TokenizerOpts::default());
    // Reads the whole input: it stops early only for a script to run, which this sink never
    // asks for.
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.pieces.take()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_paragraphs_become_markdown_paragraphs() {
        let md =
            to_markdown("<p>One &amp; <em>two</em>.</p> <p>Three *stars*</p><ul><li>a</li></ul>");
        assert_eq!(md, "One \\& two.\n\nThree \\*stars\\*\n\n- a");
    }

    #[test]
    fn a_known_site_s_player_becomes_its_address_and_images_are_dropped() {
        let md = to_markdown(
            r#"<p>Watch <img src="https://example.org/a.jpg" alt="A">this:</p><iframe src="https://www.youtube.com/embed/x_y?rel=0"></iframe><iframe src="https://ads.example/"></iframe><p>End.</p>"#,
        );
        assert_eq!(
            md,
            "Watch this:\n\nhttps://www.youtube.com/watch?v=x_y\n\nEnd."
        );
    }

    #[test]
    fn markup_in_text_stays_text() {
        let md = to_markdown("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
        assert_eq!(md, "\\<script\\>alert(1)\\</script\\>");
        assert_eq!(text_of("<p>a &lt;b&gt;</p><p>c</p>"), "a <b> c");
    }

    #[test]
    fn every_named_entity_is_decoded() {
        assert_eq!(
            text_of("<p>Talks&rsquo; end &mdash; at last&hellip; &eacute;t&eacute;</p>"),
            "Talks\u{2019} end \u{2014} at last\u{2026} \u{e9}t\u{e9}"
        );
    }

    #[test]
    fn script_and_style_content_is_not_copy() {
        let md = to_markdown(
            "<p>Before</p><script>var x = '<p>not copy</p>';</script><style>p{}</style><p>After</p>",
        );
        assert_eq!(md, "Before\n\nAfter");
        assert_eq!(text_of("a<script>alert(1)</script> b"), "a b");
    }

    #[test]
    fn a_greater_than_sign_inside_an_attribute_stays_in_the_tag() {
        let md = to_markdown(r#"<p><a href="/x" title="a > b">Link</a> text</p>"#);
        assert_eq!(md, "Link text");
    }
}
