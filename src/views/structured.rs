//! What machines read on an article page: its canonical URL, Open Graph and Twitter card tags,
//! and schema.org `NewsArticle` JSON-LD.

use super::SiteContext;
use crate::domain::{Aspect, PageNumber, Photo, Story};
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

/// One image of a photo as addressed from a page: a path on this site and its size.
pub struct PhotoImage {
    pub path: String,
    pub width: u32,
    pub height: u32,
}

/// A photo's crop in `aspect` for readers, or its widest rendition when it was stored before
/// crops existed; `None` for a photo with neither.
pub fn crop_or_widest(photo: &Photo, aspect: Aspect) -> Option<PhotoImage> {
    match photo.crop(aspect) {
        Some(crop) => Some(PhotoImage {
            path: urls::photo_crop(photo.id, aspect, photo.focal),
            width: crop.width,
            height: crop.height,
        }),
        None => photo.largest().map(|r| PhotoImage {
            path: urls::photo_rendition(photo.id, r.width),
            width: r.width,
            height: r.height,
        }),
    }
}

/// What a page offers machines as its images: a photo's three crops (one image, its widest
/// rendition, for a photo stored before crops existed), or the photo's address when its record
/// is not at hand. The first stands in where only one is used (Open Graph: the 16:9 crop).
fn images(base_url: &str, id: crate::domain::PhotoId, photo: Option<&Photo>) -> Vec<ImageRef> {
    let absolute = |image: PhotoImage| ImageRef {
        url: urls::absolute(base_url, &image.path),
        size: Some((image.width, image.height)),
    };
    match photo.filter(|p| p.id == id) {
        Some(photo) if !photo.crops.is_empty() => Aspect::ALL
            .into_iter()
            .filter_map(|aspect| photo.crop(aspect).and(crop_or_widest(photo, aspect)))
            .map(absolute)
            .collect(),
        Some(photo) => crop_or_widest(photo, Aspect::Wide)
            .map(absolute)
            .into_iter()
            .collect(),
        None => vec![ImageRef {
            url: urls::absolute(base_url, &urls::photo(id)),
            size: None,
        }],
    }
}

struct ImageRef {
    url: String,
    size: Option<(u32, u32)>,
}

impl StructuredData {
    /// For page `page` of a published story whose lead photo's record is `photo` (`None` when
    /// it has none, or it is not at hand).
    pub fn article(
        site: &SiteContext,
        story: &Story,
        photo: Option<&Photo>,
        page: PageNumber,
    ) -> Self {
        let record = photo;
        let (base_url, site_name) = (site.base_url.as_str(), site.name.as_str());
        let published = story.published_at.unwrap_or(story.updated_at);
        let language = story.content.language.as_ref().unwrap_or(&site.language);
        // A preview of a story readers cannot see yet was last changed when it would be published.
        let modified = story
            .reader_view()
            .map_or(published, |view| view.modified_at());
        let canonical = urls::absolute(
            base_url,
            &urls::article(published, &story.content.slug, page.get()),
        );
        let headline = story.content.headline.to_string();
        let description = story
            .content
            .standfirst
            .as_ref()
            .map_or_else(|| story.content.body.first_paragraph(), ToString::to_string);
        let photo = story.content.photo.as_ref().and_then(|p| {
            let images = images(base_url, p.image?, record);
            (!images.is_empty()).then_some((images, p))
        });
        let authors: Vec<String> = story
            .content
            .bylines
            .iter()
            .map(ToString::to_string)
            .collect();

        let mut open_graph = vec![
            tag("og:type", "article"),
            tag("og:site_name", site_name),
            tag("og:title", headline.clone()),
            tag("og:description", description.clone()),
            tag("og:url", canonical.clone()),
            tag("og:locale", og_locale(language)),
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
        if let Some((images, p)) = &photo {
            let alt = p
                .alt
                .as_ref()
                .map_or_else(|| p.caption.to_string(), ToString::to_string);
            // The 16:9 crop: the proportions social cards are shown in.
            let card = &images[0];
            open_graph.push(tag("og:image", card.url.clone()));
            open_graph.push(tag("og:image:type", urls::PHOTO_CONTENT_TYPE));
            if let Some((width, height)) = card.size {
                open_graph.push(tag("og:image:width", width.to_string()));
                open_graph.push(tag("og:image:height", height.to_string()));
            }
            open_graph.push(tag("og:image:alt", alt.clone()));
            twitter.push(tag("twitter:image", card.url.clone()));
            twitter.push(tag("twitter:image:alt", alt));
        } else {
            // Without a photo, the publisher's logo stands for the story.
            open_graph.push(tag("og:image", site.logo.url.clone()));
            open_graph.push(tag("og:image:width", site.logo.width.to_string()));
            open_graph.push(tag("og:image:height", site.logo.height.to_string()));
            open_graph.push(tag("og:image:alt", site_name));
            twitter.push(tag("twitter:image", site.logo.url.clone()));
            twitter.push(tag("twitter:image:alt", site_name));
        }
        open_graph.push(tag("article:published_time", iso(published)));
        open_graph.push(tag("article:modified_time", iso(modified)));
        open_graph.push(tag("article:section", story.content.section.name()));
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
            "articleSection": story.content.section.name(),
            "inLanguage": language.as_str(),
            // A person, or an agency credited as an organisation; linked to the author's page.
            "author": crate::domain::author::credits(
                &story.content.bylines,
                &story.content.byline_links,
                story.content.source.as_ref(),
            )
            .iter()
            .map(|c| {
                let kind = if c.organization { "Organization" } else { "Person" };
                let mut author = json!({ "@type": kind, "name": c.name.to_string() });
                if let Some(slug) = c.author {
                    author["url"] = json!(urls::absolute(base_url, &urls::topics::author(slug, 1)));
                }
                author
            })
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
        ld["image"] = match &photo {
            Some((images, p)) => images
                .iter()
                .map(|i| {
                    let mut image = json!({
                        "@type": "ImageObject",
                        "url": i.url,
                        "contentUrl": i.url,
                        "caption": p.caption.to_string(),
                    });
                    if let Some((width, height)) = i.size {
                        image["width"] = json!(width);
                        image["height"] = json!(height);
                    }
                    if let Some(credit) = &p.credit {
                        image["creditText"] = json!(credit.to_string());
                    }
                    image
                })
                .collect(),
            // Google wants an image on every article; the logo stands in for a missing photo.
            None => json!([{
                "@type": "ImageObject",
                "url": site.logo.url,
                "contentUrl": site.logo.url,
                "width": site.logo.width,
                "height": site.logo.height,
            }]),
        };
        if !story.content.tags.is_empty() {
            ld["keywords"] = json!(
                story
                    .content
                    .tags
                    .iter()
                    .map(|t| t.name())
                    .collect::<Vec<_>>()
            );
        }
        if let Some(dateline) = &story.content.dateline {
            ld["dateline"] = json!(dateline.to_form_value());
            ld["locationCreated"] = json!({ "@type": "Place", "name": dateline.place().as_str() });
        }
        if let Some(source) = &story.content.source {
            ld["sourceOrganization"] =
                json!({ "@type": "Organization", "name": source.to_string() });
        }
        if !story.notes.is_empty() {
            ld["correction"] = story
                .notes
                .iter()
                .map(|note| {
                    json!({
                        "@type": "CorrectionComment",
                        "name": note.kind.label(),
                        "text": note.text.as_str(),
                        "datePublished": iso(note.at),
                    })
                })
                .collect();
        }
        if story.content.body.page_count() > 1 {
            ld["pagination"] = json!(format!(
                "{} of {}",
                page.get(),
                story.content.body.page_count()
            ));
        }

        Self {
            canonical,
            open_graph,
            twitter,
            json_ld: JsonLd::new(&ld),
        }
    }
}

/// A language as Open Graph names locales: `language_TERRITORY` ("en", "ar_EG", "zh_TW").
fn og_locale(language: &crate::domain::Language) -> String {
    let mut parts = language.as_str().split('-');
    let primary = parts.next().unwrap_or("en");
    match parts.find(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_uppercase())) {
        Some(region) => format!("{primary}_{region}"),
        None => primary.to_owned(),
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

    #[test]
    fn a_corrected_article_lists_its_corrections_and_was_modified_when_last_noted() {
        use crate::domain::{Body, Bylines, Headline, NoteKind, NoteText, PublicNote, Section};
        use time::macros::datetime;
        let site = SiteContext::new("The Example", "https://news.example/");
        let mut story = Story::draft(
            Headline::parse("Talks end").unwrap(),
            Section::parse("world").unwrap(),
            Bylines::parse("Ann Lee").unwrap(),
            Body::parse("The envoy spoke.").unwrap(),
            datetime!(2026-06-01 09:00 UTC),
        );
        story.publish(datetime!(2026-06-01 10:00 UTC), None);
        let at = datetime!(2026-06-01 12:30 UTC);
        story.notes.push(PublicNote {
            kind: NoteKind::Correction,
            text: NoteText::parse("The envoy's name is Smyth.").unwrap(),
            at,
        });
        story.revised_at = Some(at);

        let data = StructuredData::article(&site, &story, None, PageNumber::FIRST);
        let ld: Value = serde_json::from_str(&data.json_ld.to_string()).unwrap();

        assert_eq!(ld["dateModified"], "2026-06-01T12:30:00Z");
        assert_eq!(
            ld["correction"],
            json!([{
                "@type": "CorrectionComment",
                "name": "Correction",
                "text": "The envoy's name is Smyth.",
                "datePublished": "2026-06-01T12:30:00Z",
            }])
        );
    }
}
