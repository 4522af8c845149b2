//! What machines read on an article page: its canonical URL, Open Graph and Twitter card tags,
//! and schema.org `NewsArticle` JSON-LD.

use super::SiteContext;
use super::feeds::modified_at;
use crate::domain::{PageNumber, Story};
use crate::urls;
use serde_json::{Value, json};
use std::fmt;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub struct StructuredData {
    pub canonical: String,
    /// `<meta property=...>`: Open Graph.
    pub open_graph: Vec<MetaTag>,
    /// `<meta name=...>`: Twitter cards.
    pub twitter: Vec<MetaTag>,
    pub json_ld: JsonLd,
}

pub struct MetaTag {
    pub key: &'static str,
    pub content: String,
}

fn tag(key: &'static str, content: impl Into<String>) -> MetaTag {
    MetaTag {
        key,
        content: content.into(),
    }
}

/// JSON that may be printed unescaped inside `<script type="application/ld+json">`: `<`, `>`
/// and `&` (and the JavaScript line separators) only ever occur inside JSON strings, where
/// their `\uXXXX` forms mean the same, so no text can close the element or start markup.
pub struct JsonLd(String);

impl JsonLd {
    pub fn new(value: &Value) -> Self {
        let raw = value.to_string();
        let mut out = String::with_capacity(raw.len());
        for c in raw.chars() {
            match c {
                '<' => out.push_str("\\u003c"),
                '>' => out.push_str("\\u003e"),
                '&' => out.push_str("\\u0026"),
                '\u{2028}' => out.push_str("\\u2028"),
                '\u{2029}' => out.push_str("\\u2029"),
                c => out.push(c),
            }
        }
        Self(out)
    }
}

impl fmt::Display for JsonLd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn iso(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

impl StructuredData {
    /// For page `page` of a published story.
    pub fn article(site: &SiteContext, story: &Story, page: PageNumber) -> Self {
        let (base_url, site_name) = (site.base_url.as_str(), site.name.as_str());
        let published = story.published_at.unwrap_or(story.updated_at);
        let modified = modified_at(story);
        let canonical =
            urls::absolute(base_url, &urls::article(published, &story.slug, page.get()));
        let headline = story.headline.to_string();
        let description = story
            .standfirst
            .as_ref()
            .map_or_else(|| story.body.first_paragraph(), ToString::to_string);
        let photo = story.photo.as_ref().and_then(|p| {
            let url = urls::absolute(base_url, &urls::photo(p.image?));
            Some((url, p))
        });
        let authors: Vec<String> = story.bylines.iter().map(ToString::to_string).collect();

        let mut open_graph = vec![
            tag("og:type", "article"),
            tag("og:site_name", site_name),
            tag("og:title", headline.clone()),
            tag("og:description", description.clone()),
            tag("og:url", canonical.clone()),
            tag("og:locale", "en"),
        ];
        let mut twitter = vec![
            tag(
                "twitter:card",
                if photo.is_some() {
                    "summary_large_image"
                } else {
                    "summary"
                },
            ),
            tag("twitter:title", headline.clone()),
            tag("twitter:description", description.clone()),
        ];
        if let Some((url, p)) = &photo {
            let alt = p
                .alt
                .as_ref()
                .map_or_else(|| p.caption.to_string(), ToString::to_string);
            open_graph.push(tag("og:image", url.clone()));
            open_graph.push(tag("og:image:type", urls::PHOTO_CONTENT_TYPE));
            open_graph.push(tag("og:image:alt", alt.clone()));
            twitter.push(tag("twitter:image", url.clone()));
            twitter.push(tag("twitter:image:alt", alt));
        }
        open_graph.push(tag("article:published_time", iso(published)));
        open_graph.push(tag("article:modified_time", iso(modified)));
        open_graph.push(tag("article:section", story.section.name()));
        for author in &authors {
            open_graph.push(tag("article:author", author.clone()));
        }

        let mut ld = json!({
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": { "@type": "WebPage", "@id": canonical },
            "url": canonical,
            "headline": headline,
            "description": description,
            "datePublished": iso(published),
            "dateModified": iso(modified),
            "articleSection": story.section.name(),
            "inLanguage": "en",
            "author": authors
                .iter()
                .map(|name| json!({ "@type": "Person", "name": name }))
                .collect::<Vec<_>>(),
            "publisher": {
                "@type": "Organization",
                "name": site_name,
                "url": urls::absolute(base_url, &urls::front(1)),
                "logo": {
                    "@type": "ImageObject",
                    "url": site.logo.url,
                    "width": site.logo.width,
                    "height": site.logo.height,
                },
            },
        });
        if let Some((url, p)) = &photo {
            let mut image = json!({
                "@type": "ImageObject",
                "url": url,
                "contentUrl": url,
                "caption": p.caption.to_string(),
            });
            if let Some(credit) = &p.credit {
                image["creditText"] = json!(credit.to_string());
            }
            ld["image"] = json!([image]);
        }
        if let Some(dateline) = &story.dateline {
            ld["dateline"] = json!(dateline.to_form_value());
            ld["locationCreated"] = json!({ "@type": "Place", "name": dateline.place().as_str() });
        }
        if let Some(source) = &story.source {
            ld["sourceOrganization"] =
                json!({ "@type": "Organization", "name": source.to_string() });
        }
        if story.body.page_count() > 1 {
            ld["pagination"] = json!(format!("{} of {}", page.get(), story.body.page_count()));
        }

        Self {
            canonical,
            open_graph,
            twitter,
            json_ld: JsonLd::new(&ld),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let value = json!({ "headline": "</script><script>alert(1)</script> & <!--" });
        let printed = JsonLd::new(&value).to_string();
        assert!(!printed.contains('<') && !printed.contains('>') && !printed.contains('&'));
        let back: Value = serde_json::from_str(&printed).unwrap();
        assert_eq!(back, value);
    }
}
