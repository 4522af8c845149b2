//! The front page as readers see it (and as the desk previews it), and the desk's page for
//! arranging it.

use super::desk::DeskContext;
use super::reader::{
    EAGER_TEASERS, FeedLink, ListingItem, ListingPage, Thumbnail, attach_thumbnails,
};
use super::{PageContext, Pager, SiteContext, Timestamp};
use crate::domain::{Aspect, Banner, Photo, StoryId, StorySummary};
use crate::storage::{self, Listing};
use askama::Template;

/// The lead photo spans the page's column: 62rem at most, the screen less margins below that.
const LEAD_SIZES: &str = "(min-width: 66rem) 62rem, calc(100vw - 2rem)";

#[derive(Template)]
#[template(path = "reader/front.html")]
pub struct FrontPageView {
    pub ctx: PageContext,
    pub heading: String,
    pub banner: Option<BannerView>,
    pub lead: Option<LeadView>,
    /// The top slots, then the newest other stories.
    pub items: Vec<ListingItem>,
    pub pager: Option<Pager>,
    pub feeds: Vec<FeedLink>,
    /// On the desk: the arrangement previewed, not live, with the form that puts it live.
    pub preview: Option<PreviewBar>,
}

pub struct BannerView {
    pub text: String,
    pub link: Option<String>,
}

pub struct LeadView {
    pub item: ListingItem,
    /// The 16:9 crop, large.
    pub photo: Option<Thumbnail>,
}

/// The draft arrangement as hidden fields, sent again to put it live or to go on arranging.
pub struct PreviewBar {
    pub csrf: String,
    pub fields: Vec<(String, String)>,
}

impl FrontPageView {
    /// A page of the front page: its lead and top stories (page 1), the newest others and the
    /// paging (`rest`), the banner; `photos` holds the lead photos of the stories on it.
    pub fn new(
        site: &SiteContext,
        lead: Option<&StorySummary>,
        slots: &[StorySummary],
        rest: &storage::ListingPage,
        banner: Option<&Banner>,
        photos: &[(StoryId, Photo, String)],
    ) -> Self {
        let listing = ListingPage::new(site, Listing::Published, rest);
        let lead = lead.and_then(|s| lead_view(site, s, photos));
        let mut items: Vec<ListingItem> = slots
            .iter()
            .filter_map(|s| ListingItem::new(site, s))
            .chain(listing.items)
            .collect();
        // The lead's picture is the largest above the fold; the first teasers' follow it.
        let eager = if lead.is_some() { 1 } else { EAGER_TEASERS };
        attach_thumbnails(&mut items, photos, eager);
        Self {
            ctx: listing.ctx,
            heading: listing.heading,
            banner: banner.map(BannerView::new),
            lead,
            items,
            pager: listing.pager,
            feeds: listing.feeds,
            preview: None,
        }
    }

    /// The page as the desk previews it: marked, kept out of search engines, with the form.
    pub fn previewing(mut self, bar: PreviewBar) -> Self {
        self.ctx.title = format!("Preview: {}", self.ctx.title);
        self.preview = Some(bar);
        self
    }
}

impl BannerView {
    fn new(banner: &Banner) -> Self {
        Self {
            text: banner.text.to_string(),
            link: banner.link.as_ref().map(ToString::to_string),
        }
    }
}

fn lead_view(
    site: &SiteContext,
    story: &StorySummary,
    photos: &[(StoryId, Photo, String)],
) -> Option<LeadView> {
    let item = ListingItem::new(site, story)?;
    let photo = photos
        .iter()
        .find(|(id, ..)| *id == story.id)
        .and_then(|(_, photo, alt)| Thumbnail::of(photo, Aspect::Wide, alt, LEAD_SIZES, true));
    Some(LeadView { item, photo })
}

// --- The desk's page ---------------------------------------------------------------------------

/// A story that can be chosen, as the selects list it.
pub struct Candidate {
    pub id: String,
    pub label: String,
}

/// One select of the form: the lead or a top slot, with the story id it holds.
pub struct SlotField {
    pub name: String,
    pub label: String,
    pub value: String,
}

/// A chosen story of the live arrangement, with why readers do not see it, if they do not.
pub struct LiveRow {
    pub place: String,
    pub headline: String,
    pub hidden: Option<String>,
}

/// What the front page's live arrangement is, as the desk describes it.
pub struct LiveSummary {
    pub rows: Vec<LiveRow>,
    pub by: String,
    pub at: Timestamp,
    pub banner: Option<String>,
    pub banner_expired: bool,
}

/// Another editor put a front page live while this one arranged theirs.
pub struct ConflictNote {
    pub by: String,
    pub at: Timestamp,
}

#[derive(Template)]
#[template(path = "desk/front.html")]
pub struct FrontDeskPage {
    pub ctx: DeskContext,
    /// The revision arranged from, empty when nothing was ever put live.
    pub revision: String,
    pub live: Option<LiveSummary>,
    pub conflict: Option<ConflictNote>,
    pub saved: bool,
    pub errors: Vec<String>,
    pub fields: Vec<SlotField>,
    pub candidates: Vec<Candidate>,
    pub banner_text: String,
    pub banner_link: String,
    pub banner_expires: String,
    pub q: String,
    /// What the search found, listed so the editor sees it was done.
    pub found: Option<Vec<Candidate>>,
}
