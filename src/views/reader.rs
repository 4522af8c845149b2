//! Pages readers see.

use super::{PageContext, Pager, SiteContext, StoryLanguage, Timestamp};
use crate::domain::body::{Figure, Rendering};
use crate::domain::{
    Aspect, PageNumber, Paging, Photo, PublicNote, SanitizedHtml, SiteZone, Story, StoryId,
    StorySummary,
};
use crate::storage::{self, Listing};
use crate::urls;
use askama::Template;

pub struct ListingItem {
    pub url: String,
    pub headline: String,
    pub standfirst: Option<String>,
    pub section_name: &'static str,
    pub section_url: String,
    pub published: Timestamp,
    pub bylines: String,
    /// Each byline, linked to its author's page when it names a profile.
    pub credits: Vec<super::topics::CreditView>,
    /// The lead photo's 4:3 crop, when the story has a photo.
    pub thumbnail: Option<Thumbnail>,
    /// The story's language, where it is not the site's.
    pub language: StoryLanguage,
    story: StoryId,
}

/// A teaser's picture: the same proportions for every story, whatever the upload's shape.
pub struct Thumbnail {
    pub src: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    /// The crop and the photo's narrower renditions, for the browser to pick from by `sizes`.
    pub srcset: String,
    pub sizes: &'static str,
    /// `lazy` below the fold; `eager` for the first pictures, which readers see at once.
    pub loading: &'static str,
    /// The class that keeps the photo's focal point in the frame when a rendition (another
    /// shape than the crop) fills it: `focus-50-25`, to the nearest quarter.
    pub focus: String,
}

/// How wide a teaser's picture is (see `.teaser-photo` in the stylesheet).
const TEASER_PHOTO_SIZES: &str = "8rem";

/// How many teasers at the top of a listing load their pictures at once: those above the fold
/// on a phone or a desktop. Lazy loading them would delay the page's largest picture.
pub const EAGER_TEASERS: usize = 2;

impl Thumbnail {
    /// `photo` in `aspect`, `sizes` wide: the crop cut around its focal point (or the widest
    /// rendition of a photo stored before crops), with the renditions narrower than it as
    /// smaller choices. The crop's proportions reserve the space (no layout shift); the
    /// stylesheet fits a rendition, of the upload's shape, into them around the focal point.
    pub fn of(
        photo: &Photo,
        aspect: Aspect,
        alt: &str,
        sizes: &'static str,
        eager: bool,
    ) -> Option<Self> {
        let image = super::structured::crop_or_widest(photo, aspect)?;
        let mut srcset: Vec<String> = photo
            .renditions
            .iter()
            .filter(|r| r.width < image.width)
            .map(|r| format!("{} {}w", urls::photo_rendition(photo.id, r.width), r.width))
            .collect();
        srcset.push(format!("{} {}w", image.path, image.width));
        let quarter = |percent: u8| (u32::from(percent) + 12) / 25 * 25;
        Some(Self {
            src: image.path,
            width: image.width,
            height: image.height,
            alt: alt.to_owned(),
            srcset: srcset.join(", "),
            sizes,
            loading: if eager { "eager" } else { "lazy" },
            focus: format!(
                "focus-{}-{}",
                quarter(photo.focal.x()),
                quarter(photo.focal.y())
            ),
        })
    }
}

/// Gives each of `items` whose story's lead photo is among `photos` its 4:3 thumbnail, the
/// first `eager` of them loading at once.
pub fn attach_thumbnails(
    items: &mut [ListingItem],
    photos: &[(StoryId, Photo, String)],
    eager: usize,
) {
    for (n, item) in items.iter_mut().enumerate() {
        let Some((_, photo, alt)) = photos.iter().find(|(id, ..)| *id == item.story) else {
            continue;
        };
        item.thumbnail = Thumbnail::of(photo, Aspect::Standard, alt, TEASER_PHOTO_SIZES, n < eager);
    }
}

impl ListingItem {
    pub fn new(site_ctx: &SiteContext, s: &StorySummary) -> Option<Self> {
        let published_at = s.published_at?;
        Some(Self {
            thumbnail: None,
            language: site_ctx.story_language(s.language.as_ref()),
            story: s.id,
            url: urls::article(published_at, &s.slug, 1),
            headline: s.headline.to_string(),
            standfirst: s.standfirst.as_ref().map(ToString::to_string),
            section_name: s.section.name(),
            section_url: urls::section(s.section, 1),
            published: Timestamp::new(published_at, &site_ctx.zone),
            bylines: s.bylines.joined(),
            credits: super::topics::CreditView::of(&s.bylines, &s.byline_links, None),
        })
    }
}

#[derive(Template)]
#[template(path = "reader/listing.html")]
pub struct ListingPage {
    pub ctx: PageContext,
    pub heading: String,
    pub items: Vec<ListingItem>,
    pub pager: Option<Pager>,
    /// The page's own feeds, for `<link rel="alternate">`.
    pub feeds: Vec<FeedLink>,
    /// What a tag or author page says of its tag or author above the stories.
    pub about: Option<super::topics::About>,
}

pub struct FeedLink {
    pub title: String,
    pub href: String,
    pub mime: &'static str,
}

impl FeedLink {
    pub fn of(site: &str, section: Option<crate::domain::Section>) -> Vec<FeedLink> {
        let name = match section {
            Some(section) => format!("{} | {site}", section.name()),
            None => site.to_owned(),
        };
        vec![
            FeedLink {
                title: format!("{name} (RSS)"),
                href: urls::rss(section),
                mime: "application/rss+xml",
            },
            FeedLink {
                title: format!("{name} (Atom)"),
                href: urls::atom(section),
                mime: "application/atom+xml",
            },
            FeedLink {
                title: format!("{name} (JSON Feed)"),
                href: urls::json_feed(section),
                mime: "application/feed+json",
            },
        ]
    }
}

impl ListingPage {
    pub fn new(site_ctx: &SiteContext, listing: Listing, page: &storage::ListingPage) -> Self {
        let site = &site_ctx.name;
        let (heading, section) = match &listing {
            Listing::Section(section) => (section.name().to_owned(), Some(*section)),
            _ => ("Latest news".to_owned(), None),
        };
        let mut title = match section {
            Some(section) => format!("{} | {site}", section.name()),
            None => site.clone(),
        };
        if page.paging.current > 1 {
            title = format!("Page {} | {title}", page.paging.current);
        }
        let mut ctx = PageContext::new(site_ctx, title);
        if let Some(section) = section {
            ctx.description = site_ctx.section_description(section);
        }
        ctx.current_section = section;
        let pager = Pager::new("Pages", page.paging, |n| match section {
            Some(section) => urls::section(section, n),
            None => urls::front(n),
        });
        Self {
            ctx,
            heading,
            items: page
                .items
                .iter()
                .filter_map(|s| ListingItem::new(site_ctx, s))
                .collect(),
            pager,
            feeds: FeedLink::of(site, section),
            about: None,
        }
    }

    /// Gives each listed story whose lead photo is among `photos` (story id, the photo's
    /// record and the story's alt text) its thumbnail: the 4:3 crop, or the widest rendition
    /// of a photo stored before crops existed.
    pub fn with_photos(mut self, photos: &[(StoryId, Photo, String)]) -> Self {
        attach_thumbnails(&mut self.items, photos, EAGER_TEASERS);
        self
    }
}

pub struct PhotoView {
    pub src: Option<String>,
    /// The renditions, with the space the photo takes, so the browser picks the smallest that
    /// is sharp enough; `width`/`height` reserve that space before it loads (no layout jump).
    pub srcset: Option<String>,
    pub sizes: &'static str,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// `eager` for a photo at the top of the page, which the reader sees first.
    pub loading: &'static str,
    pub alt: String,
    pub caption: String,
    pub credit: Option<String>,
}

/// The column an article's photo fills: the story's measure (40rem) or the screen less margins.
const LEAD_PHOTO_SIZES: &str = "(min-width: 42rem) 40rem, calc(100vw - 2rem)";

/// One note on the corrections page, with a link to its story.
pub struct ListedNoteView {
    pub note: NoteView,
    pub headline: String,
    pub url: String,
}

/// The latest corrections, clarifications and editor's notes of every public story.
#[derive(Template)]
#[template(path = "reader/corrections.html")]
pub struct CorrectionsPage {
    pub ctx: PageContext,
    pub items: Vec<ListedNoteView>,
    pub pager: Option<Pager>,
}

impl CorrectionsPage {
    pub fn new(site_ctx: &SiteContext, page: &storage::NotePage) -> Self {
        let mut title = format!("Corrections and clarifications | {}", site_ctx.name);
        if page.paging.current > 1 {
            title = format!("Page {} | {title}", page.paging.current);
        }
        let mut ctx = PageContext::new(site_ctx, title);
        ctx.description = format!(
            "Corrections, clarifications and editor's notes on stories published by {}, newest \
             first.",
            site_ctx.name
        );
        let items = page
            .items
            .iter()
            .filter_map(|item| {
                let published_at = item.story.published_at?;
                Some(ListedNoteView {
                    note: NoteView::new(&item.note, &site_ctx.zone),
                    headline: item.story.headline.to_string(),
                    url: urls::article(published_at, &item.story.slug, 1),
                })
            })
            .collect();
        Self {
            ctx,
            items,
            pager: Pager::new("Pages", page.paging, urls::corrections),
        }
    }
}

/// A correction, clarification or editor's note as readers see it under the story.
pub struct NoteView {
    pub label: &'static str,
    /// The note's paragraphs (it may hold several, separated by blank lines).
    pub paragraphs: Vec<String>,
    pub at: Timestamp,
}

impl NoteView {
    pub fn new(note: &PublicNote, zone: &SiteZone) -> Self {
        Self {
            label: note.kind.label(),
            paragraphs: note.paragraphs(),
            at: Timestamp::new(note.at, zone),
        }
    }

    /// The notes of a story, newest first: the latest change is what a returning reader needs.
    pub fn of(notes: &[PublicNote], zone: &SiteZone) -> Vec<Self> {
        notes.iter().rev().map(|n| Self::new(n, zone)).collect()
    }
}

/// `Source: Xinhua | 2017-07-15 07:11:57 | Editor: ZD`, with an Updated time when revised.
pub struct MetaLine {
    pub source: Option<String>,
    pub published: Timestamp,
    pub updated: Option<Timestamp>,
    pub editor: Option<String>,
}

#[derive(Template)]
#[template(path = "reader/article.html")]
pub struct ArticlePage {
    pub ctx: PageContext,
    pub headline: String,
    pub standfirst: Option<String>,
    pub meta: MetaLine,
    pub bylines: Vec<String>,
    /// Each byline, linked to its author's page when it names a profile.
    pub credits: Vec<super::topics::CreditView>,
    /// The story's tags, each linked to its page.
    pub tags: Vec<super::topics::TagLink>,
    pub photo: Option<PhotoView>,
    pub body: SanitizedHtml,
    /// Corrections, clarifications and editor's notes, newest first, on every page.
    pub notes: Vec<NoteView>,
    pub section_name: &'static str,
    pub section_url: String,
    /// The story's language, where it is not the site's: on the `<article>` element.
    pub language: StoryLanguage,
    pub paging: Paging,
    pub pager: Option<Pager>,
    /// Shown on the desk before publishing: marked as a preview, photos from the desk.
    pub preview: bool,
    /// The preview shows saved changes not yet live, rather than a form not saved.
    pub preview_of_saved: bool,
    /// A preview's pager, in place of `pager`.
    pub preview_pager: Option<PreviewPager>,
    /// Canonical link, social cards and JSON-LD; none on a preview.
    pub structured: Option<super::structured::StructuredData>,
    /// Other stories at the foot of the article (see [`crate::related`]).
    pub related: Vec<ListingItem>,
}

impl ArticlePage {
    /// Page `page` of a published story; the caller checked that it is published and has the page.
    pub fn new(site_ctx: &SiteContext, story: &Story, page: PageNumber) -> Self {
        Self::with_inline(site_ctx, story, page, &[], false)
    }

    /// Page `page`, the library photos it places among `inline` (records the page does not
    /// place are ignored, those it places and that are missing are left out), addressed for
    /// the desk when `preview`.
    fn with_inline(
        site_ctx: &SiteContext,
        story: &Story,
        page: PageNumber,
        inline: &[Photo],
        preview: bool,
    ) -> Self {
        let published_at = story.published_at.unwrap_or(story.updated_at);
        let paging = Paging {
            current: page.get(),
            total: story.content.body.page_count() as u32,
        };
        let figure = |id| inline_figure(inline.iter().find(|p| p.id == id)?, preview);
        let rendering = Rendering {
            own_host: own_host(&site_ctx.base_url),
            figure: &figure,
        };
        let mut body = story
            .content
            .body
            .render_page_with(page.index(), &rendering)
            .unwrap_or_else(SanitizedHtml::empty);
        if page == PageNumber::FIRST
            && let Some(dateline) = &story.content.dateline
        {
            body = body.with_lead(&dateline.to_string());
        }
        let site = &site_ctx.name;
        let title = if paging.total > 1 && paging.current > 1 {
            format!(
                "{} (page {}) | {site}",
                story.content.headline, paging.current
            )
        } else {
            format!("{} | {site}", story.content.headline)
        };
        let mut ctx = PageContext::new(site_ctx, title);
        ctx.description = story
            .content
            .standfirst
            .as_ref()
            .map_or_else(|| story.content.body.first_paragraph(), ToString::to_string);
        ctx.current_section = Some(story.content.section);
        // A caption without its picture (wire copy, an import whose image was not fetched)
        // would describe nothing the reader can see: it stays on the desk.
        let photo = story
            .content
            .photo
            .as_ref()
            .filter(|p| page == PageNumber::FIRST && p.image.is_some())
            .map(|p| PhotoView {
                src: p.image.map(urls::photo),
                srcset: None,
                sizes: LEAD_PHOTO_SIZES,
                width: None,
                height: None,
                loading: "eager",
                alt: p.alt.as_ref().map(ToString::to_string).unwrap_or_default(),
                caption: p.caption.to_string(),
                credit: p.credit.as_ref().map(ToString::to_string),
            });
        Self {
            ctx,
            headline: story.content.headline.to_string(),
            standfirst: story.content.standfirst.as_ref().map(ToString::to_string),
            meta: MetaLine {
                source: story.content.source.as_ref().map(ToString::to_string),
                published: Timestamp::new(published_at, &site_ctx.zone),
                updated: story
                    .revised_at
                    .filter(|at| *at > published_at)
                    .map(|at| Timestamp::new(at, &site_ctx.zone)),
                editor: story.editor.as_ref().map(ToString::to_string),
            },
            bylines: story
                .content
                .bylines
                .iter()
                .map(ToString::to_string)
                .collect(),
            credits: super::topics::CreditView::of(
                &story.content.bylines,
                &story.content.byline_links,
                story.content.source.as_ref(),
            ),
            tags: super::topics::TagLink::of(&story.content.tags),
            photo,
            body,
            notes: NoteView::of(&story.notes, &site_ctx.zone),
            section_name: story.content.section.name(),
            section_url: urls::section(story.content.section, 1),
            language: site_ctx.story_language(story.content.language.as_ref()),
            paging,
            pager: Pager::new("Story pages", paging, |n| {
                urls::article(published_at, &story.content.slug, n)
            }),
            preview: false,
            preview_of_saved: false,
            preview_pager: None,
            structured: Some(super::structured::StructuredData::article(
                site_ctx, story, None, page,
            )),
            related: Vec::new(),
        }
    }

    /// Lists `related` at the foot of the article.
    pub fn with_related(mut self, site_ctx: &SiteContext, related: &[StorySummary]) -> Self {
        self.related = related
            .iter()
            .filter_map(|s| ListingItem::new(site_ctx, s))
            .collect();
        self
    }

    /// Page `page` of a published story with its lead photo's record (`photo`): the photo
    /// shown from its renditions, and its crops offered to machines.
    /// `inline` holds the records of the library photos the page places.
    pub fn published(
        site_ctx: &SiteContext,
        story: &Story,
        photo: Option<&Photo>,
        inline: &[Photo],
        page: PageNumber,
    ) -> Self {
        let mut article = Self::with_inline(site_ctx, story, page, inline, false).with_photo(photo);
        article.structured = Some(super::structured::StructuredData::article(
            site_ctx, story, photo, page,
        ));
        article
    }

    /// Points the lead photo at its stored renditions (`record` is the story's photo).
    pub fn with_photo(mut self, record: Option<&Photo>) -> Self {
        let (Some(view), Some(record)) = (self.photo.as_mut(), record) else {
            return self;
        };
        let id = record.id;
        let widths = record.renditions.iter().map(|r| r.width);
        let Some(largest) = record.largest() else {
            return self;
        };
        if self.preview {
            view.src = Some(urls::desk_photo(id, largest.width));
            view.srcset = Some(urls::desk_photo_srcset(id, widths));
        } else {
            view.src = Some(urls::photo_rendition(id, largest.width));
            view.srcset = Some(urls::photo_srcset(id, widths));
        }
        view.width = Some(largest.width);
        view.height = Some(largest.height);
        self
    }

    /// Page `page` of the story as readers would see it, before it is saved or published
    /// (`page` past the end shows the last page). Its pager sends `form` again with the page
    /// asked for, so what was typed and not saved stays in the preview.
    /// `inline` holds the records of the library photos the page places.
    pub fn preview(
        site: &SiteContext,
        story: &Story,
        page: PageNumber,
        form: PreviewForm,
        inline: &[Photo],
    ) -> Self {
        let last =
            PageNumber::new(story.content.body.page_count() as u32).unwrap_or(PageNumber::FIRST);
        let mut article = Self::with_inline(site, story, page.min(last), inline, true);
        if let (Some(view), Some(photo)) = (article.photo.as_mut(), story.content.photo.as_ref()) {
            view.src = photo.image.map(urls::desk_photo_widest);
        }
        article.pager = None;
        article.preview = true;
        article.preview_pager = PreviewPager::new(article.paging, form);
        article.structured = None;
        article
    }
}

/// A library photo placed in a body, from its record: its renditions (the desk's for a
/// preview), the space it takes, and the library's caption, credit and alt text.
fn inline_figure(record: &Photo, preview: bool) -> Option<Figure> {
    let largest = record.largest()?;
    let widths = record.renditions.iter().map(|r| r.width);
    let (src, srcset) = if preview {
        (
            urls::desk_photo(record.id, largest.width),
            urls::desk_photo_srcset(record.id, widths),
        )
    } else {
        (
            urls::photo_rendition(record.id, largest.width),
            urls::photo_srcset(record.id, widths),
        )
    };
    Some(Figure {
        src,
        srcset,
        sizes: LEAD_PHOTO_SIZES,
        width: largest.width,
        height: largest.height,
        alt: record.alt.clone(),
        caption: record.caption.clone(),
        credit: record.credit.clone(),
    })
}

/// The host of the site's public address (`news.example` of `https://news.example:8080`).
fn own_host(base_url: &str) -> &str {
    let rest = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host)
}

/// The unsaved story form, as the preview's pager sends it back: where to, the session's token
/// and every field as typed.
pub struct PreviewForm {
    pub action: String,
    pub csrf: String,
    pub fields: Vec<(String, String)>,
}

/// A preview's `1 2 3 4 Next`: buttons that send the form again with `preview_page`, since the
/// previewed text exists only in the form (a link could not carry it).
pub struct PreviewPager {
    pub form: PreviewForm,
    pub prev: Option<u32>,
    pub next: Option<u32>,
    /// Page numbers, `None` for an elided run, with the current page marked.
    pub pages: Vec<(Option<u32>, bool)>,
}

impl PreviewPager {
    fn new(paging: Paging, form: PreviewForm) -> Option<Self> {
        (paging.total > 1).then(|| Self {
            form,
            prev: paging.prev(),
            next: paging.next(),
            pages: paging
                .window()
                .into_iter()
                .map(|n| (n, n == Some(paging.current)))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Body, Bylines, Headline, Section};
    use time::macros::datetime;

    #[test]
    fn an_article_page_is_made_from_the_site_and_the_story_alone() {
        let site = SiteContext::new("The Example", "https://news.example/");
        let mut story = Story::draft(
            Headline::parse("Talks end without a deal").unwrap(),
            Section::parse("world").unwrap(),
            Bylines::parse("Ann Writer").unwrap(),
            Body::parse("The talks ended.").unwrap(),
            datetime!(2017-07-14 20:00 UTC),
        );
        story.publish(datetime!(2017-07-15 07:11:57 UTC), None);

        let html = ArticlePage::new(&site, &story, PageNumber::FIRST)
            .render()
            .unwrap();

        assert!(html.contains("<title>Talks end without a deal | The Example</title>"));
        assert!(html.contains("https://news.example/2017/07/15/talks-end-without-a-deal"));
    }
}
