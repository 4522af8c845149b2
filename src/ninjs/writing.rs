//! A story as a ninjs document: every part of it on a standard property, with absolute links
//! to where the site publishes it.

use super::document::{Association, BodyText, Document, Entity, InfoSource, Rendition, Text};
use super::{MARKDOWN, html};
use crate::domain::Language;
use crate::domain::{Dateline, Status, Story};
use crate::urls;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// What a document needs beyond the story: where the site lives and who holds the copyright.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    pub base_url: &'a str,
    pub name: &'a str,
    /// The site's language, given for stories that name none of their own.
    pub language: &'a Language,
}

impl Site<'_> {
    fn url(&self, path: &str) -> String {
        urls::absolute(self.base_url, path)
    }
}

fn plain(role: &str, value: &str) -> Text {
    Text {
        role: Some(role.into()),
        contenttype: Some("text/plain".into()),
        value: value.into(),
    }
}

fn timestamp(at: OffsetDateTime) -> String {
    // Formatting a UTC time as RFC 3339 cannot fail for years 0..=9999, which stored times are.
    at.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// The ninjs document of `story` (the caller decides whether it may be shown).
pub fn document(story: &Story, site: Site<'_>) -> Document {
    let uri = site.url(&urls::api_story(story.id));
    let html = story
        .content
        .body
        .render_pages()
        .iter()
        .map(|page| page.as_str().trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("\n");
    let text = html::text_of(&html);
    let published = story.reader_view().map(|view| view.published_at);
    let year = published.unwrap_or(story.created_at).year();
    let photo = story.content.photo.as_ref().map(|photo| {
        let mut descriptions = vec![plain("caption", photo.caption.as_str())];
        if let Some(alt) = &photo.alt {
            descriptions.push(plain("alt", alt.as_str()));
        }
        let image = photo.image.map(|id| site.url(&urls::photo(id)));
        Association {
            name: "photo".into(),
            uri: image.clone().unwrap_or_else(|| format!("{uri}#photo")),
            kind: Some("picture".into()),
            descriptions,
            by: photo.credit.as_ref().map(|c| c.to_string()),
            copyrightholder: photo.credit.as_ref().map(|c| c.to_string()),
            renditions: image
                .map(|href| Rendition {
                    name: "display".into(),
                    href: Some(href),
                    contenttype: Some("image/jpeg".into()),
                })
                .into_iter()
                .collect(),
        }
    });
    Document {
        kind: Some("text".into()),
        // The version counts what readers have seen change, not the desk's saves: a change
        // staged on a live story is not a new version of the published one. ninjs versions
        // start at 1, as the reader of this document expects.
        version: Some(story.public_revision.max(1).to_string()),
        firstcreated: Some(timestamp(story.created_at)),
        versioncreated: Some(timestamp(
            story.public_changed_at.unwrap_or(story.created_at),
        )),
        contentcreated: published.map(timestamp),
        embargoed: story.content.embargo.map(timestamp),
        pubstatus: Some(
            match (published, story.status) {
                (Some(_), _) => "usable",
                // Withdrawn: recipients must take down what they ran.
                (None, Status::Withdrawn(_)) => "canceled",
                (None, _) => "withheld",
            }
            .into(),
        ),
        language: Some(
            story
                .content
                .language
                .as_ref()
                .unwrap_or(site.language)
                .to_string(),
        ),
        slugline: Some(story.content.slug.to_string()),
        headlines: vec![plain("main", story.content.headline.as_str())],
        descriptions: story
            .content
            .standfirst
            .iter()
            .map(|s| plain("summary", s.as_str()))
            .collect(),
        bodies: [
            BodyText {
                role: Some("main".into()),
                contenttype: Some("text/html".into()),
                charcount: Some(text.chars().count() as u64),
                wordcount: Some(text.split_whitespace().count() as u64),
                value: html,
            },
            BodyText {
                role: Some("source".into()),
                contenttype: Some(MARKDOWN.into()),
                charcount: None,
                wordcount: None,
                value: story.content.body.as_str().to_owned(),
            },
        ]
        .into_iter()
        .chain(published.iter().flat_map(|_| notes(story)))
        .collect(),
        by: Some(story.content.bylines.joined()),
        people: story
            .content
            .bylines
            .iter()
            .map(|b| Entity {
                name: Some(b.to_string()),
                rel: Some("author".into()),
                ..Entity::default()
            })
            .collect(),
        infosources: story
            .content
            .source
            .iter()
            .map(|s| InfoSource {
                name: Some(s.to_string()),
                role: Some("source".into()),
            })
            .collect(),
        // The section, then each tag: its name, its key as the literal and its page.
        subjects: std::iter::once(Entity {
            name: Some(story.content.section.name().into()),
            rel: Some("section".into()),
            uri: Some(site.url(&urls::section(story.content.section, 1))),
            literal: Some(story.content.section.key().into()),
        })
        .chain(story.content.tags.iter().map(|tag| Entity {
            name: Some(tag.name().into()),
            rel: Some("tag".into()),
            uri: Some(site.url(&urls::topics::tag(tag.key(), 1))),
            literal: Some(tag.key().to_string()),
        }))
        .collect(),
        located: story.content.dateline.as_ref().map(Dateline::to_form_value),
        copyrightholder: Some(site.name.into()),
        copyrightnotice: Some(format!(
            "Copyright {year} {}. All rights reserved.",
            site.name
        )),
        renditions: published
            .map(|at| Rendition {
                name: "web".into(),
                href: Some(site.url(&urls::article(at, &story.content.slug, 1))),
                contenttype: Some("text/html".into()),
            })
            .into_iter()
            .collect(),
        associations: photo.into_iter().collect(),
        uri,
    }
}

/// A story's public notes, oldest first: each a body of its own whose role is its kind
/// (`correction`, `clarification`, `editors-note`), in HTML whose first paragraph is the time
/// it was added. ninjs 2.2 gives bodies no other properties, and the notes are part of the
/// published text (readers see them with the story), so a body is where they belong: not a
/// description (metadata), nor `ednote` (for the recipient's staff, not for publication).
fn notes(story: &Story) -> Vec<BodyText> {
    story
        .notes
        .iter()
        .map(|note| {
            let at = timestamp(note.at);
            let mut value = format!("<p><time datetime=\"{at}\">{at}</time></p>");
            for paragraph in note.paragraphs() {
                value.push_str("\n<p>");
                pulldown_cmark_escape::escape_html(&mut value, &paragraph).ok();
                value.push_str("</p>");
            }
            BodyText {
                role: Some(note.kind.key().into()),
                contenttype: Some("text/html".into()),
                charcount: None,
                wordcount: None,
                value,
            }
        })
        .collect()
}

/// Lines of JSON: one document per line, as `export` writes and `import` reads.
pub fn to_line(doc: &Document) -> Result<String, serde_json::Error> {
    serde_json::to_string(doc)
}
