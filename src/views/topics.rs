//! Tag and author pages (a listing with what it is about on top), the links to them from
//! articles and teasers, and what their feeds say they are.

use super::reader::{FeedLink, ListingItem, ListingPage};
use super::{PageContext, Pager, SiteContext};
use crate::domain::author::credits;
use crate::domain::{AuthorLinks, AuthorProfile, Bylines, Photo, Source, Tag, Tags};
use crate::storage;
use crate::urls::{self, topics};

/// A byline as readers see it: linked to the author's page when it names a profile.
pub struct CreditView {
    pub name: String,
    pub url: Option<String>,
}

impl CreditView {
    pub fn of(bylines: &Bylines, links: &AuthorLinks, source: Option<&Source>) -> Vec<Self> {
        credits(bylines, links, source)
            .into_iter()
            .map(|c| CreditView {
                name: c.name.to_string(),
                url: c.author.map(|slug| topics::author(slug, 1)),
            })
            .collect()
    }
}

/// A tag under an article, linked to its page.
pub struct TagLink {
    pub name: String,
    pub url: String,
}

impl TagLink {
    pub fn of(tags: &Tags) -> Vec<Self> {
        tags.iter()
            .map(|t| TagLink {
                name: t.name().to_owned(),
                url: topics::tag(t.key(), 1),
            })
            .collect()
    }
}

/// What a tag or author page shows above its stories.
pub struct About {
    pub paragraphs: Vec<String>,
    pub photo: Option<AboutPhoto>,
    /// The author's pages elsewhere (`rel="me"`).
    pub links: Vec<String>,
}

pub struct AboutPhoto {
    pub src: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
}

/// What a page lists: the stories of a tag or of an author.
pub enum Topic {
    Tag {
        tag: Tag,
        description: Option<String>,
    },
    Author(AuthorProfile),
}

impl Topic {
    pub fn name(&self) -> &str {
        match self {
            Topic::Tag { tag, .. } => tag.name(),
            Topic::Author(profile) => profile.name.as_str(),
        }
    }

    /// The first page's address.
    pub fn path(&self, page: u32) -> String {
        match self {
            Topic::Tag { tag, .. } => topics::tag(tag.key(), page),
            Topic::Author(profile) => topics::author(&profile.slug, page),
        }
    }

    /// The page's and the feeds' description.
    pub fn description(&self, site: &str) -> String {
        match self {
            Topic::Tag {
                description: Some(d),
                ..
            } => d.clone(),
            Topic::Tag { tag, .. } => format!("Stories about {} from {site}.", tag.name()),
            Topic::Author(profile) => match &profile.bio {
                Some(bio) => bio.paragraphs().join(" "),
                None => format!("Stories by {} from {site}.", profile.name),
            },
        }
    }

    pub fn feeds(&self, site: &str) -> Vec<FeedLink> {
        let base = self.path(1);
        let name = format!("{} | {site}", self.name());
        vec![
            FeedLink {
                title: format!("{name} (RSS)"),
                href: topics::rss(&base),
                mime: "application/rss+xml",
            },
            FeedLink {
                title: format!("{name} (Atom)"),
                href: topics::atom(&base),
                mime: "application/atom+xml",
            },
            FeedLink {
                title: format!("{name} (JSON Feed)"),
                href: topics::json_feed(&base),
                mime: "application/feed+json",
            },
        ]
    }
}

impl ListingPage {
    /// Page `page` of a tag's or an author's stories; `photo` is the author's photo record.
    pub fn topic(
        site_ctx: &SiteContext,
        topic: &Topic,
        page: &storage::ListingPage,
        photo: Option<&Photo>,
    ) -> Self {
        let site = &site_ctx.name;
        let heading = match topic {
            Topic::Tag { tag, .. } => tag.name().to_owned(),
            Topic::Author(profile) => profile.name.to_string(),
        };
        let mut title = format!("{heading} | {site}");
        if page.paging.current > 1 {
            title = format!("Page {} | {title}", page.paging.current);
        }
        let mut ctx = PageContext::new(site_ctx, title);
        ctx.description = topic.description(site);
        let about = match topic {
            Topic::Tag { description, .. } => description.as_ref().map(|d| About {
                paragraphs: vec![d.clone()],
                photo: None,
                links: Vec::new(),
            }),
            Topic::Author(profile) => Some(About {
                paragraphs: profile
                    .bio
                    .as_ref()
                    .map(|b| b.paragraphs())
                    .unwrap_or_default(),
                photo: photo.and_then(|p| {
                    let image =
                        super::structured::crop_or_widest(p, crate::domain::Aspect::Square)?;
                    Some(AboutPhoto {
                        src: image.path,
                        width: image.width,
                        height: image.height,
                        alt: profile.name.to_string(),
                    })
                }),
                links: profile.links.iter().map(ToString::to_string).collect(),
            }),
        };
        let pager = Pager::new("Pages", page.paging, |n| topic.path(n));
        ListingPage {
            ctx,
            heading,
            items: page
                .items
                .iter()
                .filter_map(|s| ListingItem::new(site_ctx, s))
                .collect(),
            pager,
            feeds: topic.feeds(site),
            about,
        }
    }
}

/// The feed of a tag or an author: what [`super::feeds::FeedSource`] says it is.
pub struct FeedTopic {
    pub title: String,
    /// The page's absolute address.
    pub page_url: String,
    pub description: String,
    /// The page's own address, from which the feeds' are made.
    pub path: String,
}

impl FeedTopic {
    pub fn of(topic: &Topic, site: &str, base_url: &str) -> Self {
        FeedTopic {
            title: format!("{} | {site}", topic.name()),
            page_url: urls::absolute(base_url, &topic.path(1)),
            description: topic.description(site),
            path: topic.path(1),
        }
    }
}
