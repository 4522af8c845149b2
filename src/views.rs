//! askama template structs, one per page. Templates only print what these hold; every value is
//! escaped except [`SanitizedHtml`](crate::domain::SanitizedHtml) and
//! [`JsonLd`](structured::JsonLd), which escapes itself for its script element.

pub mod desk;
pub mod desk_account;
pub mod desk_admin;
pub mod desk_confirm;
pub mod desk_incoming;
pub mod desk_photo;
pub mod desk_photo_picker;
pub mod desk_photos;
pub mod desk_refusal;
pub mod desk_sections;
pub mod desk_topics;
pub mod feeds;
pub mod front_page;
pub mod reader;
pub mod search;
pub mod sitemaps;
pub mod story_watch;
pub mod structured;
pub mod topics;

use crate::domain::{Language, Role, Section, SiteZone, Username};
use crate::urls::assets::{Logo, css_url};
use askama::Template;
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

/// What any page may need that is the same all over the site. Built once when the server starts,
/// so a page can be made (and tested) from it and the page's own data alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteContext {
    /// The name readers know the site by, in titles and feeds.
    pub name: String,
    /// The public address (`https://news.example`, no trailing slash), for absolute links.
    pub base_url: String,
    /// What the site is, for search results: the description of pages that have none of
    /// their own (front and section pages).
    pub description: String,
    /// The publisher's logo, with an absolute URL.
    pub logo: Logo,
    /// The language of the site's own words, and of stories that name none.
    pub language: Language,
    /// The newsroom's time zone: every date on a page is on its clocks.
    pub zone: SiteZone,
}

impl SiteContext {
    /// A site with the logo shipped in `static/`.
    pub fn new(name: impl Into<String>, base_url: &str) -> Self {
        let name = name.into();
        let base_url = base_url.trim_end_matches('/').to_owned();
        Self {
            description: format!("The latest news from {name}."),
            logo: absolute_logo(&base_url, Logo::shipped()),
            language: Language::parse("en").unwrap_or_else(|_| unreachable!("en is a tag")),
            name,
            base_url,
            zone: SiteZone::utc(),
        }
    }

    /// The same site in another language.
    pub fn with_language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// A story's language, as its page and listings mark it: only where it differs from the
    /// site's, which the whole page is marked with.
    pub fn story_language(&self, language: Option<&Language>) -> StoryLanguage {
        StoryLanguage::of(language.filter(|l| **l != self.language))
    }

    /// The same site in another time zone.
    pub fn with_zone(mut self, zone: SiteZone) -> Self {
        self.zone = zone;
        self
    }

    /// The same site with another publisher's logo.
    pub fn with_logo(mut self, logo: Logo) -> Self {
        self.logo = absolute_logo(&self.base_url, logo);
        self
    }

    /// What a section page is about.
    pub fn section_description(&self, section: Section) -> String {
        format!("The latest {} news from {}.", section.name(), self.name)
    }
}

fn absolute_logo(base_url: &str, logo: Logo) -> Logo {
    if logo.url.starts_with('/') {
        Logo {
            url: crate::urls::absolute(base_url, &logo.url),
            ..logo
        }
    } else {
        logo
    }
}

/// Who is looking at a desk page: what the desk layout shows of the account, and the session's
/// token that every form on the page must send back.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub username: Username,
    pub role: Role,
    pub csrf: String,
    /// The newsroom's time zone, which the page's dates are in.
    pub zone: SiteZone,
}

/// What the layout needs on every page.
pub struct PageContext {
    pub site_name: String,
    pub title: String,
    /// The page's `<meta name="description">`: what a search result shows under its title.
    pub description: String,
    pub css_url: &'static str,
    pub sections: Vec<Section>,
    pub current_section: Option<Section>,
    /// What the masthead's search box holds: the words searched for, on the results page.
    pub search: String,
    /// The page's language (`<html lang>`) and direction: the site's.
    pub lang: String,
    pub dir: &'static str,
    /// The site's time zone, which the page's dates are in.
    pub zone: SiteZone,
}

impl PageContext {
    pub fn new(site: &SiteContext, title: impl Into<String>) -> Self {
        Self {
            site_name: site.name.clone(),
            title: title.into(),
            description: site.description.clone(),
            css_url: css_url(),
            sections: Section::all().collect(),
            current_section: None,
            search: String::new(),
            lang: site.language.to_string(),
            dir: site.language.dir(),
            zone: site.zone.clone(),
        }
    }

    pub fn is_current(&self, section: &Section) -> bool {
        self.current_section == Some(*section)
    }
}

/// How an element holding a story's words is marked when the story's language is not the
/// page's: `lang`, and `dir` when the direction differs too. Empty for a story in the site's
/// language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoryLanguage {
    pub lang: Option<String>,
    pub dir: Option<&'static str>,
}

impl StoryLanguage {
    fn of(language: Option<&Language>) -> Self {
        match language {
            None => Self::default(),
            Some(language) => Self {
                lang: Some(language.to_string()),
                dir: Some(language.dir()),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub title: &'static str,
    pub message: String,
}

impl ErrorPage {
    pub fn css_url(&self) -> &'static str {
        css_url()
    }
}

/// RFC 3339 in UTC with at most milliseconds: HTML's `datetime` attribute allows no more than
/// three fractional digits, and stored times carry nanoseconds.
const MACHINE: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// A time as readers see it and as machines read it.
pub struct Timestamp {
    pub display: String,
    pub iso: String,
}

impl Timestamp {
    /// As readers read it, on the site's clocks: `15 July 2017, 07:11`.
    pub fn new(at: OffsetDateTime, zone: &SiteZone) -> Self {
        Self {
            display: zone.readable(at),
            iso: machine(at),
        }
    }

    /// As the desk reads it, the zone named: `15 July 2017, 07:11 (Europe/London)`.
    pub fn named(at: OffsetDateTime, zone: &SiteZone) -> Self {
        Self {
            display: zone.named(at),
            iso: machine(at),
        }
    }
}

fn machine(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(MACHINE)
        .unwrap_or_default()
}

/// Page navigation: `1 2 3 4 Next`, with elided runs in long listings.
pub struct Pager {
    pub label: &'static str,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub links: Vec<PagerLink>,
}

pub struct PagerLink {
    /// `None` for an elided run of pages.
    pub number: Option<u32>,
    pub url: String,
    pub current: bool,
}

impl Pager {
    pub fn new(
        label: &'static str,
        paging: crate::domain::Paging,
        url: impl Fn(u32) -> String,
    ) -> Option<Self> {
        if paging.total <= 1 {
            return None;
        }
        let links = paging
            .window()
            .into_iter()
            .map(|n| PagerLink {
                number: n,
                url: n.map(&url).unwrap_or_default(),
                current: n == Some(paging.current),
            })
            .collect();
        Some(Self {
            label,
            prev: paging.prev().map(&url),
            next: paging.next().map(&url),
            links,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_machine_readable_time_carries_at_most_milliseconds() {
        let at = time::macros::datetime!(2026-12-01 21:12:28.910017212 +01:00);
        let stamp = Timestamp::new(at, &SiteZone::utc());
        assert_eq!(stamp.iso, "2026-12-01T20:12:28.910Z");
        assert_eq!(stamp.display, "1 December 2026, 20:12");
        let shanghai = SiteZone::parse("Asia/Shanghai").unwrap();
        let stamp = Timestamp::named(at, &shanghai);
        assert_eq!(stamp.iso, "2026-12-01T20:12:28.910Z");
        assert_eq!(stamp.display, "2 December 2026, 04:12 (Asia/Shanghai)");
    }
}
