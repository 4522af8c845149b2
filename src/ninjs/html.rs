//! Just enough HTML reading for incoming ninjs: the text of a fragment, and a fragment turned
//! into the Markdown a story body is written in. Anything unknown is kept as text, never as
//! markup, so nothing a sender writes can reach readers as HTML.

use super::Text;

/// The readable text of an HTML fragment, tags dropped and entities decoded.
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    for piece in pieces(html) {
        match piece {
            Piece::Text(text) => out.push_str(&decode(text)),
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
                for c in decode(text).chars() {
                    current.push(if c.is_whitespace() { ' ' } else { c });
                }
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

enum Piece<'a> {
    Text(&'a str),
    Tag { name: String, closing: bool },
}

/// Splits HTML into text runs and tags (comments and declarations are dropped).
fn pieces(html: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        let after = &rest[open..];
        let end = if after.starts_with("<!--") {
            after.find("-->").map(|e| e + 3)
        } else {
            after.find('>').map(|e| e + 1)
        };
        let Some(end) = end else {
            // A lone `<` is text.
            out.push(Piece::Text(after));
            return out;
        };
        let inner = after[1..end - 1].trim();
        if !inner.starts_with('!') && !inner.starts_with('?') {
            let closing = inner.starts_with('/');
            let name = inner
                .trim_start_matches('/')
                .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            out.push(Piece::Tag { name, closing });
        }
        rest = &after[end..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Decodes the entities that appear in news copy: the XML five, `&nbsp;` and numeric ones.
fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let decoded = after.find(';').filter(|e| *e <= 10).and_then(|semi| {
            let name = &after[1..semi];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
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
    fn markup_in_text_stays_text() {
        let md = to_markdown("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
        assert_eq!(md, "\\<script\\>alert(1)\\</script\\>");
        assert_eq!(text_of("<p>a &lt;b&gt;</p><p>c</p>"), "a <b> c");
    }
}
