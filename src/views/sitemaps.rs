//! Sitemaps (sitemaps.org 0.9) and the Google News sitemap, written directly: the formats are
//! a handful of elements, and every text goes through [`escape`].

use crate::domain::StorySummary;
use crate::urls;
use std::fmt::Write;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Stories in the news sitemap: Google's limit.
pub const NEWS_LIMIT: usize = 1_000;
/// How far back the news sitemap reaches.
pub const NEWS_WINDOW: time::Duration = time::Duration::days(2);

const HEADER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

/// XML character data and attribute values: the five predefined entities, and characters XML
/// 1.0 cannot hold at all dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn date(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Page 1 of a story: the canonical URL of the whole story.
fn story_url(base_url: &str, story: &StorySummary) -> Option<String> {
    let published = story.published_at?;
    Some(urls::absolute(
        base_url,
        &urls::article(published, &story.slug, 1),
    ))
}

/// The index: every page of the story sitemap, then the news sitemap.
pub fn index(base_url: &str, pages: u32) -> String {
    let mut xml = format!("{HEADER}\n<sitemapindex xmlns=\"{SITEMAP_NS}\">\n");
    let paths = (1..=pages)
        .map(urls::sitemap)
        .chain(std::iter::once(urls::news_sitemap()));
    for path in paths {
        let loc = escape(&urls::absolute(base_url, &path));
        let _ = writeln!(xml, "<sitemap><loc>{loc}</loc></sitemap>");
    }
    xml.push_str("</sitemapindex>\n");
    xml
}

/// One page of the story sitemap.
pub fn urlset(base_url: &str, stories: &[StorySummary]) -> String {
    let mut xml = String::with_capacity(64 + stories.len() * 140);
    let _ = writeln!(xml, "{HEADER}\n<urlset xmlns=\"{SITEMAP_NS}\">");
    for story in stories {
        let Some(loc) = story_url(base_url, story) else {
            continue;
        };
        let _ = writeln!(
            xml,
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>",
            escape(&loc),
            date(story.updated_at)
        );
    }
    xml.push_str("</urlset>\n");
    xml
}

/// The Google News sitemap of `stories` (already limited to the window).
pub fn news(base_url: &str, site_name: &str, stories: &[StorySummary]) -> String {
    let mut xml = format!("{HEADER}\n<urlset xmlns=\"{SITEMAP_NS}\" xmlns:news=\"{NEWS_NS}\">\n");
    let name = escape(site_name);
    for story in stories {
        let (Some(loc), Some(published)) = (story_url(base_url, story), story.published_at) else {
            continue;
        };
        let _ = writeln!(
            xml,
            "<url><loc>{}</loc><news:news><news:publication><news:name>{name}</news:name>\
             <news:language>en</news:language></news:publication>\
             <news:publication_date>{}</news:publication_date>\
             <news:title>{}</news:title></news:news></url>",
            escape(&loc),
            date(published),
            escape(story.headline.as_str()),
        );
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn robots(base_url: &str) -> String {
    format!(
        "User-agent: *\nDisallow: /desk\nDisallow: /login\n\nSitemap: {}\nSitemap: {}\n",
        urls::absolute(base_url, &urls::sitemap_index()),
        urls::absolute(base_url, &urls::news_sitemap()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup_and_no_forbidden_characters() {
        assert_eq!(
            escape("a < b & \"c\" ]]> 'd'\u{1}"),
            "a &lt; b &amp; &quot;c&quot; ]]&gt; &apos;d&apos;"
        );
    }
}
