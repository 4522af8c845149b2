//! Author profiles and the bylines linked to them. A profile is a writer (or an agency) readers
//! can follow at `/author/SLUG`: a name, a short bio, an optional photo from the library, links
//! elsewhere, and optionally the desk account whose stories carry it by default.
//!
//! A byline is linked to a profile when the story is saved, by its name (letter case aside),
//! and the link is stored with the story: renaming a profile later does not break the stories
//! already linked, and a byline typed free that names no profile stays plain text.

use super::{Byline, Bylines, DomainError, PhotoId, Slug, Source, UserId};
use std::fmt;

/// A profile's short biography: plain text, at most 1,000 characters, paragraphs separated by
/// blank lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bio(String);

impl Bio {
    pub const MAX_CHARS: usize = 1000;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(DomainError::Empty { field: "Bio" });
        }
        let len = value.chars().count();
        if len > Self::MAX_CHARS {
            return Err(DomainError::TooLong {
                field: "Bio",
                len,
                max: Self::MAX_CHARS,
            });
        }
        if value
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(DomainError::invalid("Bio", "contains control characters"));
        }
        Ok(Bio(value.replace("\r\n", "\n")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn paragraphs(&self) -> Vec<String> {
        self.0
            .split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect()
    }
}

/// A link from a profile to the author's pages elsewhere: an `http` or `https` address of at
/// most 300 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileLink(String);

impl ProfileLink {
    pub const MAX_CHARS: usize = 300;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim();
        let ok = (value.starts_with("https://") || value.starts_with("http://"))
            && value.len() > "https://".len()
            && value.chars().count() <= Self::MAX_CHARS
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(DomainError::invalid(
                "Links",
                format!("{value:?}: a link is an address starting with https:// or http://"),
            ));
        }
        Ok(ProfileLink(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProfileLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An author's profile, stored as a site record under its slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorProfile {
    /// Its address, `/author/SLUG`; it never changes once the profile exists.
    pub slug: Slug,
    /// The name bylines are matched against, and shown on the page.
    pub name: Byline,
    pub bio: Option<Bio>,
    pub photo: Option<PhotoId>,
    pub links: Vec<ProfileLink>,
    /// The desk account whose new stories carry this byline by default.
    pub account: Option<UserId>,
    /// An agency or other organisation rather than a person (structured data says so).
    pub organization: bool,
}

impl AuthorProfile {
    pub const MAX_LINKS: usize = 5;

    /// Whether `byline` names this profile.
    pub fn is_named_by(&self, byline: &Byline) -> bool {
        same_name(self.name.as_str(), byline.as_str())
    }
}

fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

/// One byline of a story linked to a profile, as stored with the story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorLink {
    /// The byline as credited on the story.
    pub byline: Byline,
    /// The profile's slug when the story was saved.
    pub author: Slug,
    /// The profile is an organisation's.
    pub organization: bool,
}

/// The bylines of a story that are linked to profiles, at most one link per byline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorLinks(Vec<AuthorLink>);

impl AuthorLinks {
    pub fn new(links: Vec<AuthorLink>) -> Self {
        let mut kept: Vec<AuthorLink> = Vec::with_capacity(links.len());
        for link in links {
            if !kept.iter().any(|k| k.byline == link.byline) {
                kept.push(link);
            }
        }
        AuthorLinks(kept)
    }

    /// Links each of `bylines` that names one of `profiles`.
    pub fn resolve(bylines: &Bylines, profiles: &[AuthorProfile]) -> Self {
        AuthorLinks::new(
            bylines
                .iter()
                .filter_map(|byline| {
                    let profile = profiles.iter().find(|p| p.is_named_by(byline))?;
                    Some(AuthorLink {
                        byline: byline.clone(),
                        author: profile.slug.clone(),
                        organization: profile.organization,
                    })
                })
                .collect(),
        )
    }

    /// The link of `byline`, if it has one.
    pub fn of(&self, byline: &Byline) -> Option<&AuthorLink> {
        self.0.iter().find(|l| &l.byline == byline)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, AuthorLink> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One byline as readers and machines are told of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit<'a> {
    pub name: &'a Byline,
    /// The profile's slug when the byline is linked.
    pub author: Option<&'a Slug>,
    /// An agency or other organisation: a profile marked so, or the story's own source.
    pub organization: bool,
}

/// The credits of a story's bylines, in order.
pub fn credits<'a>(
    bylines: &'a Bylines,
    links: &'a AuthorLinks,
    source: Option<&'a Source>,
) -> Vec<Credit<'a>> {
    bylines
        .iter()
        .map(|byline| {
            let link = links.of(byline);
            let is_source = source.is_some_and(|s| same_name(s.as_str(), byline.as_str()));
            Credit {
                name: byline,
                author: link.map(|l| &l.author),
                organization: is_source || link.is_some_and(|l| l.organization),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str, slug: &str, organization: bool) -> AuthorProfile {
        AuthorProfile {
            slug: Slug::parse(slug).unwrap(),
            name: Byline::parse(name).unwrap(),
            bio: None,
            photo: None,
            links: Vec::new(),
            account: None,
            organization,
        }
    }

    #[test]
    fn bylines_naming_a_profile_are_linked_whatever_their_case() {
        let profiles = [
            profile("Ann Lee", "ann-lee", false),
            profile("Xinhua", "xinhua", true),
        ];
        let bylines = Bylines::parse("ann  lee\nBob Free\nXinhua").unwrap();
        let links = AuthorLinks::resolve(&bylines, &profiles);
        let slugs: Vec<&str> = links.iter().map(|l| l.author.as_str()).collect();
        assert_eq!(slugs, ["ann-lee", "xinhua"]);
        let credits = credits(&bylines, &links, None);
        assert_eq!(credits[1].author, None);
        assert!(credits[2].organization && !credits[0].organization);
    }

    #[test]
    fn a_byline_equal_to_the_source_is_an_organisation() {
        let bylines = Bylines::parse("Reuters").unwrap();
        let source = Source::parse("reuters").unwrap();
        let links = AuthorLinks::default();
        let credits = credits(&bylines, &links, Some(&source));
        assert!(credits[0].organization);
    }

    #[test]
    fn links_and_bios_are_checked() {
        assert!(ProfileLink::parse("https://example.org/ann").is_ok());
        assert!(ProfileLink::parse("javascript:alert(1)").is_err());
        assert!(ProfileLink::parse("https://").is_err());
        assert_eq!(
            Bio::parse("One.\n\nTwo  words.").unwrap().paragraphs(),
            ["One.", "Two words."]
        );
        assert!(Bio::parse(&"x".repeat(1001)).is_err());
    }
}
