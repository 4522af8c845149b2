//! The readable last part of an article's URL.

use super::DomainError;
use std::fmt;

/// Lower-case ASCII letters, digits and single hyphens; 1 to 100 characters; no hyphen at either end.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    pub const MAX_CHARS: usize = 100;
    const FIELD: &'static str = "Slug";

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(DomainError::Empty { field: Self::FIELD });
        }
        if value.len() > Self::MAX_CHARS {
            return Err(DomainError::TooLong {
                field: Self::FIELD,
                len: value.len(),
                max: Self::MAX_CHARS,
            });
        }
        let allowed = value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !allowed || value.starts_with('-') || value.ends_with('-') || value.contains("--") {
            return Err(DomainError::invalid(
                Self::FIELD,
                "use lower-case letters, digits and single hyphens, e.g. peace-talks-end",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// Derives a slug from a headline: transliterated, lower-cased, hyphenated, cut at a word
    /// boundary. Falls back to "story" for a headline with no letters or digits.
    pub fn from_headline(headline: &str) -> Self {
        let full = slug::slugify(headline);
        let mut cut = String::new();
        for word in full.split('-').filter(|w| !w.is_empty()) {
            let extra = if cut.is_empty() {
                word.len()
            } else {
                word.len() + 1
            };
            if cut.len() + extra > 80 {
                break;
            }
            if !cut.is_empty() {
                cut.push('-');
            }
            cut.push_str(word);
        }
        if cut.is_empty() {
            cut = full
                .chars()
                .take(80)
                .collect::<String>()
                .trim_matches('-')
                .to_owned();
        }
        Self::parse(&cut).unwrap_or_else(|_| Self("story".to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_is_derived_from_the_headline() {
        let slug =
            Slug::from_headline("Latest peace talks on Syria end without major breakthrough");
        assert_eq!(
            slug.as_str(),
            "latest-peace-talks-on-syria-end-without-major-breakthrough"
        );
        assert_eq!(
            Slug::from_headline("Zürich: “Ça va?”").as_str(),
            "zurich-ca-va"
        );
        assert_eq!(Slug::from_headline("!!!").as_str(), "story");
    }

    #[test]
    fn a_long_headline_gives_a_slug_cut_at_a_word() {
        let slug = Slug::from_headline(&"word ".repeat(60));
        assert!(slug.as_str().len() <= 80);
        assert!(!slug.as_str().ends_with('-'));
    }

    #[test]
    fn bad_slugs_are_refused() {
        for bad in ["", "Upper", "a b", "-a", "a-", "a--b", "a/b", "ä"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(Slug::parse("peace-talks-2017").is_ok());
    }
}
