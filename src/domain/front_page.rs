//! The front page as editors arrange it: a lead story, a few ordered top slots and a
//! breaking-news banner that ends by itself. Everything else on the front page is the newest
//! published stories, so an arrangement only names what editors chose.

use super::{DomainError, StoryId};
use std::fmt;
use time::OffsetDateTime;

/// How many top slots an arrangement holds besides its lead.
pub const MAX_SLOTS: usize = 6;

/// What editors chose for the front page. Holds each story at most once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Arrangement {
    lead: Option<StoryId>,
    slots: Vec<StoryId>,
    banner: Option<Banner>,
}

impl Arrangement {
    /// An arrangement of `lead` (if any) above `slots`, in order, with `banner`. Refuses more
    /// than [`MAX_SLOTS`] slots and a story chosen twice.
    pub fn new(
        lead: Option<StoryId>,
        slots: Vec<StoryId>,
        banner: Option<Banner>,
    ) -> Result<Self, DomainError> {
        if slots.len() > MAX_SLOTS {
            return Err(DomainError::invalid(
                "Top stories",
                format!("at most {MAX_SLOTS} besides the lead"),
            ));
        }
        let mut seen: Vec<StoryId> = Vec::with_capacity(slots.len() + 1);
        for id in lead.iter().chain(&slots) {
            if seen.contains(id) {
                return Err(DomainError::invalid(
                    "Top stories",
                    "the same story is chosen twice; choose each story once",
                ));
            }
            seen.push(*id);
        }
        Ok(Self {
            lead,
            slots,
            banner,
        })
    }

    pub fn lead(&self) -> Option<StoryId> {
        self.lead
    }

    pub fn slots(&self) -> &[StoryId] {
        &self.slots
    }

    /// The lead, then the slots in order.
    pub fn chosen(&self) -> impl Iterator<Item = StoryId> + '_ {
        self.lead.into_iter().chain(self.slots.iter().copied())
    }

    /// The banner as stored, expired or not.
    pub fn banner(&self) -> Option<&Banner> {
        self.banner.as_ref()
    }

    /// The banner readers see at `now`: none once it has expired.
    pub fn banner_at(&self, now: OffsetDateTime) -> Option<&Banner> {
        self.banner.as_ref().filter(|b| b.is_shown_at(now))
    }
}

/// A breaking-news line across the top of the front page until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    pub text: BannerText,
    pub link: Option<BannerLink>,
    pub expires_at: OffsetDateTime,
}

impl Banner {
    pub fn is_shown_at(&self, now: OffsetDateTime) -> bool {
        now < self.expires_at
    }
}

/// The banner's words: one line, at most [`BannerText::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BannerText(String);

impl BannerText {
    pub const MAX_CHARS: usize = 200;
    pub const FIELD: &'static str = "Banner text";

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(DomainError::Empty { field: Self::FIELD });
        }
        let len = value.chars().count();
        if len > Self::MAX_CHARS {
            return Err(DomainError::TooLong {
                field: Self::FIELD,
                len,
                max: Self::MAX_CHARS,
            });
        }
        if value.chars().any(char::is_control) {
            return Err(DomainError::MultiLine { field: Self::FIELD });
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BannerText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where the banner leads: a page of this site (`/2017/07/15/talks-end`) or an `http(s)`
/// address elsewhere. Never `javascript:` or another scheme, never a protocol-relative `//`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BannerLink(String);

impl BannerLink {
    pub const MAX_CHARS: usize = 500;
    pub const FIELD: &'static str = "Banner link";

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(DomainError::Empty { field: Self::FIELD });
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(DomainError::TooLong {
                field: Self::FIELD,
                len: value.chars().count(),
                max: Self::MAX_CHARS,
            });
        }
        if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(DomainError::invalid(
                Self::FIELD,
                "an address holds no spaces or line breaks",
            ));
        }
        let lower = value.to_ascii_lowercase();
        let local = value.starts_with('/') && !value.starts_with("//") && !value.contains('\\');
        let web = ["https://", "http://"]
            .iter()
            .any(|scheme| lower.starts_with(scheme) && lower.len() > scheme.len());
        if !(local || web) {
            return Err(DomainError::invalid(
                Self::FIELD,
                "use a page of this site (starting with /) or an address starting with https://",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BannerLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The arrangement readers see, with who put it live and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveFrontPage {
    pub arrangement: Arrangement,
    /// The username of the editor who put it live.
    pub by: String,
    pub at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn an_arrangement_holds_each_story_once_and_six_slots_at_most() {
        let ids: Vec<StoryId> = (0..8).map(|_| StoryId::new()).collect();
        assert!(Arrangement::new(Some(ids[0]), ids[1..7].to_vec(), None).is_ok());
        assert!(Arrangement::new(Some(ids[0]), ids[1..8].to_vec(), None).is_err());
        assert!(Arrangement::new(Some(ids[0]), vec![ids[1], ids[0]], None).is_err());
        assert!(Arrangement::new(None, vec![ids[1], ids[1]], None).is_err());
    }

    #[test]
    fn a_banner_shows_until_it_expires() {
        let banner = Banner {
            text: BannerText::parse("Polls close").unwrap(),
            link: None,
            expires_at: datetime!(2026-06-01 10:00 UTC),
        };
        let arrangement = Arrangement::new(None, Vec::new(), Some(banner)).unwrap();
        assert!(
            arrangement
                .banner_at(datetime!(2026-06-01 09:59 UTC))
                .is_some()
        );
        assert!(
            arrangement
                .banner_at(datetime!(2026-06-01 10:00 UTC))
                .is_none()
        );
    }

    #[test]
    fn a_banner_links_to_this_site_or_the_web_only() {
        for good in [
            "/2017/07/15/talks-end",
            "https://example.org/live",
            "http://x.org",
        ] {
            assert!(BannerLink::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "//evil.example",
            "https://",
            "ftp://x.org",
            "/a b",
            "example.org",
            "/\\evil",
        ] {
            assert!(BannerLink::parse(bad).is_err(), "{bad}");
        }
        assert!(BannerText::parse("  ").is_err());
        assert!(BannerText::parse("two\nlines").is_err());
    }
}
