//! Sitemaps (sitemaps.org 0.9) and the Google News sitemap, rendered by askama like the pages
//! (`templates/reader/*.xml`), which escapes every text it prints; and robots.txt.

use crate::domain::StorySummary;
use crate::urls;
use askama::Template;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Stories in the news sitemap: Google's limit.
pub const NEWS_LIMIT: usize = 1_000;
/// How far back the news sitemap reaches.
pub const NEWS_WINDOW: time::Duration = time::Duration::days(2);

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
#[derive(Template)]
#[template(path = "reader/sitemap_index.xml")]
pub struct SitemapIndex {
    locs: Vec<String>,
}

impl SitemapIndex {
    pub fn new(base_url: &str, pages: u32) -> Self {
        let locs = (1..=pages)
            .map(urls::sitemap)
            .chain(std::iter::once(urls::news_sitemap()))
            .chain(std::iter::once(TOPICS_SITEMAP.to_owned()))
            .map(|path| urls::absolute(base_url, &path))
            .collect();
        Self { locs }
    }
}

/// The sitemap of tag and author pages.
pub const TOPICS_SITEMAP: &str = "/sitemaps/topics.xml";

/// Every tag and author page with a published story: its address and the day its newest story
/// last changed for readers.
#[derive(Template)]
#[template(path = "reader/topics_sitemap.xml")]
pub struct TopicsSitemap {
    urls: Vec<(String, String)>,
}

impl TopicsSitemap {
    /// `pages` holds each page's path and the newest story listed on it.
    pub fn new(base_url: &str, pages: &[(String, StorySummary)]) -> Self {
        let urls = pages
            .iter()
            .filter_map(|(path, story)| {
                Some((
                    urls::absolute(base_url, path),
                    date(story.public_changed_at.or(story.published_at)?),
                ))
            })
            .collect();
        Self { urls }
    }
}

/// One page of the story sitemap.
#[derive(Template)]
#[template(path = "reader/sitemap.xml")]
pub struct Urlset {
    urls: Vec<UrlEntry>,
}

struct UrlEntry {
    loc: String,
    lastmod: String,
}

impl Urlset {
    pub fn new(base_url: &str, stories: &[StorySummary]) -> Self {
        let urls = stories
            .iter()
            .filter_map(|story| {
                Some(UrlEntry {
                    loc: story_url(base_url, story)?,
                    // Only what readers see moves it: a change staged on a live story is not a
                    // modification of the page crawlers fetch.
                    lastmod: date(story.public_changed_at.or(story.published_at)?),
                })
            })
            .collect();
        Self { urls }
    }
}

/// The Google News sitemap of `stories` (already limited to the window).
#[derive(Template)]
#[template(path = "reader/news_sitemap.xml")]
pub struct NewsSitemap {
    publication: String,
    items: Vec<NewsEntry>,
}

struct NewsEntry {
    loc: String,
    published: String,
    title: String,
}

impl NewsSitemap {
    pub fn new(base_url: &str, site_name: &str, stories: &[StorySummary]) -> Self {
        let items = stories
            .iter()
            .filter_map(|story| {
                Some(NewsEntry {
                    loc: story_url(base_url, story)?,
                    published: date(story.published_at?),
                    title: story.headline.to_string(),
                })
            })
            .collect();
        Self {
            publication: site_name.to_owned(),
            items,
        }
    }
}

pub fn robots(base_url: &str) -> String {
    format!(
        "User-agent: *\nDisallow: /desk\nDisallow: /login\n\nSitemap: {}\nSitemap: {}\n",
        urls::absolute(base_url, &urls::sitemap_index()),
        urls::absolute(base_url, &urls::news_sitemap()),
    )
}
