//! IPTC ninjs 2.2 ("News in JSON"): a story as the news industry exchanges it, and back.
//!
//! Writing maps every part of a story onto a standard property (ninjs 2.2 allows no others).
//! Reading accepts any ninjs 2.x text item; it keeps what a story can hold and ignores the rest.
//! A document this module wrote reads back to the same story, so exporting, importing into an
//! empty site and exporting again gives the same bytes.
//!
//! [`writing`] makes a [`Document`] of a story, [`reading`] a story of a document; the
//! document's shape is in [`document`](mod@document), the HTML bodies in `html`.

mod document;
mod html;
mod reading;
mod writing;

pub use document::{Association, BodyText, Document, Entity, InfoSource, Rendition, Text};
pub use reading::{Defaults, NinjsError, story, story_id};
pub use writing::{Site, document, to_line};

/// Content type of the Markdown body that rides beside the HTML one, so a story comes back
/// exactly as it was written rather than reconstructed from its HTML.
const MARKDOWN: &str = "text/markdown";

#[cfg(test)]
mod tests {
    use super::reading::dateline;
    use super::*;
    use crate::domain::{
        AltText, Body, Bylines, Caption, Credit, Dateline, Headline, LeadPhoto, Section, Source,
        Standfirst, Story, StoryId,
    };
    use time::OffsetDateTime;
    use time::macros::{date, datetime};

    static ENGLISH: std::sync::LazyLock<crate::domain::Language> =
        std::sync::LazyLock::new(|| crate::domain::Language::parse("en").unwrap());

    fn site() -> Site<'static> {
        Site {
            base_url: "https://news.example",
            name: "The Example",
            language: &ENGLISH,
        }
    }

    fn published() -> Story {
        let mut story = Story::draft(
            Headline::parse("Talks end <without> a deal & more").unwrap(),
            Section::parse("business").unwrap(),
            Bylines::parse("Ann Writer; Bo Reporter").unwrap(),
            Body::parse("First *page*.\n\n<!--nextpage-->\n\nSecond page.").unwrap(),
            datetime!(2017-07-14 20:00:00.123456789 UTC),
        );
        story.content.standfirst = Some(Standfirst::parse("What happened").unwrap());
        story.content.dateline =
            Some(Dateline::parse("GENEVA, July 14 (Xinhua)", date!(2017 - 07 - 15)).unwrap());
        story.content.source = Some(Source::parse("Xinhua").unwrap());
        story.content.photo = Some(LeadPhoto {
            image: None,
            caption: Caption::parse("The envoy speaks").unwrap(),
            credit: Some(Credit::parse("Xinhua/Xu Jinquan").unwrap()),
            alt: Some(AltText::parse("A man at a lectern").unwrap()),
        });
        story.revision = 3;
        story.publish(datetime!(2017-07-15 07:11:57 UTC), None);
        // Saved once more with changes readers do not see yet.
        story.public_revision = 2;
        story.public_changed_at = Some(datetime!(2017-07-15 07:11:57 UTC));
        story
    }

    #[test]
    fn the_version_is_what_readers_have_seen_change_not_every_save() {
        let doc = document(&published(), site());
        assert_eq!(doc.version.as_deref(), Some("2"));
        assert_eq!(doc.versioncreated.as_deref(), Some("2017-07-15T07:11:57Z"));
        let mut never_public = published();
        never_public.public_revision = 0;
        never_public.public_changed_at = None;
        let doc = document(&never_public, site());
        assert_eq!(
            doc.version.as_deref(),
            Some("1"),
            "ninjs versions start at 1"
        );
        assert_eq!(
            doc.versioncreated.as_deref(),
            Some("2017-07-14T20:00:00.123456789Z")
        );
    }

    #[test]
    fn a_document_reads_back_to_the_same_document() {
        let doc = document(&published(), site());
        let defaults = Defaults {
            section: Section::parse("world").unwrap(),
            now: OffsetDateTime::now_utc(),
            base_url: site().base_url,
            language: &ENGLISH,
        };
        let again = document(&story(&doc, defaults).unwrap(), site());
        assert_eq!(again, doc);
    }

    #[test]
    fn public_notes_are_bodies_of_their_kind_and_read_back_with_their_time() {
        use crate::domain::{NoteKind, NoteText, PublicNote};
        let mut story = published();
        let at = datetime!(2017-07-16 08:00:00.25 UTC);
        story.notes = vec![
            PublicNote {
                kind: NoteKind::Correction,
                text: NoteText::parse("The envoy is <Smyth>, not Smith.\n\nAnd more.").unwrap(),
                at,
            },
            PublicNote {
                kind: NoteKind::EditorsNote,
                text: NoteText::parse("Updated with reactions.").unwrap(),
                at: at + time::Duration::hours(1),
            },
        ];
        let doc = document(&story, site());

        let roles: Vec<_> = doc
            .bodies
            .iter()
            .map(|b| b.role.as_deref().unwrap())
            .collect();
        assert_eq!(roles, ["main", "source", "correction", "editors-note"]);
        assert_eq!(
            doc.bodies[2].value,
            "<p><time datetime=\"2017-07-16T08:00:00.25Z\">2017-07-16T08:00:00.25Z</time></p>\n\
             <p>The envoy is &lt;Smyth&gt;, not Smith.</p>\n<p>And more.</p>"
        );
        let defaults = Defaults {
            section: Section::parse("world").unwrap(),
            now: OffsetDateTime::now_utc(),
            base_url: site().base_url,
            language: &ENGLISH,
        };
        let back = story_of(&doc, defaults);
        assert_eq!(back.notes, story.notes);
        assert_eq!(
            back.content.body, story.content.body,
            "a note is never taken for the text"
        );
    }

    fn story_of(doc: &Document, defaults: Defaults<'_>) -> Story {
        story(doc, defaults).unwrap()
    }

    #[test]
    fn a_story_readers_cannot_see_exports_no_notes() {
        use crate::domain::{NoteKind, NoteText, PublicNote, Status};
        let mut story = published();
        story.notes.push(PublicNote {
            kind: NoteKind::Clarification,
            text: NoteText::parse("Clearer now.").unwrap(),
            at: datetime!(2017-07-16 08:00 UTC),
        });
        story.status = Status::Withdrawn(datetime!(2017-07-17 08:00 UTC));
        assert_eq!(document(&story, site()).bodies.len(), 2);
    }

    #[test]
    fn every_page_of_the_body_is_one_html_body() {
        let doc = document(&published(), site());
        let html = &doc.bodies[0];
        assert_eq!(html.contenttype.as_deref(), Some("text/html"));
        assert!(html.value.contains("<em>page</em>"));
        assert!(html.value.contains("Second page."));
        assert!(!html.value.contains("nextpage"));
        assert_eq!(html.wordcount, Some(4));
    }

    #[test]
    fn a_foreign_uri_always_names_the_same_story() {
        let base = "https://x.example";
        let a = story_id("http://ninjs.example.com/newsitems/1", base);
        assert_eq!(a, story_id("http://ninjs.example.com/newsitems/1", base));
        assert_ne!(a, story_id("http://ninjs.example.com/newsitems/2", base));
        let own = StoryId::new();
        assert_eq!(
            story_id(&format!("https://x.example/api/v1/stories/{own}"), base),
            own
        );
    }

    #[test]
    fn only_this_sites_uri_names_one_of_its_stories() {
        let base = "https://x.example";
        let own = StoryId::new();
        for uri in [
            format!("https://evil.example/api/v1/stories/{own}"),
            format!("https://evil.example/stories/{own}"),
            format!("http://x.example/api/v1/stories/{own}"),
            format!("https://x.example.evil/api/v1/stories/{own}"),
            format!("https://x.example/api/v1/stories/{own}/"),
            format!("https://x.example/other/api/v1/stories/{own}"),
        ] {
            assert_ne!(story_id(&uri, base), own, "{uri}");
        }
    }

    #[test]
    fn a_dateline_takes_the_year_nearest_publication() {
        let d = dateline("PARIS, December 31", date!(2018 - 01 - 01)).unwrap();
        assert_eq!(d.date(), date!(2017 - 12 - 31));
        assert!(dateline("Grossetto, Italy", date!(2018 - 01 - 01)).is_none());
    }
}
