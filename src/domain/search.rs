//! What a person typed into a search box, parsed once: trimmed, non-empty and bounded, so no
//! engine is handed an empty or a runaway query.

use super::DomainError;
use std::fmt;

/// Search words as typed: free words, `"quoted phrases"` and `-excluded` words, in the syntax
/// readers know from web search engines. Each engine reads the syntax its own way (tantivy's
/// query parser, PostgreSQL's `websearch_to_tsquery`); both take every one of those forms.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchTerms(String);

impl SearchTerms {
    pub const FIELD: &'static str = "search";
    /// Longer than any headline a reader might paste, short enough that no query is costly.
    pub const MAX_CHARS: usize = 200;
    /// More words than this would make an engine combine too many postings for one query.
    pub const MAX_WORDS: usize = 24;

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
        let words = value.split_whitespace().count();
        if words > Self::MAX_WORDS {
            return Err(DomainError::invalid(
                Self::FIELD,
                "has more words than a search can take (at most 24)",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SearchTerms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_trimmed() {
        assert_eq!(SearchTerms::parse("  talks ").unwrap().as_str(), "talks");
    }

    #[test]
    fn empty_terms_are_refused() {
        assert!(matches!(
            SearchTerms::parse(" \t "),
            Err(DomainError::Empty { .. })
        ));
    }

    #[test]
    fn overlong_terms_are_refused() {
        let long = "a".repeat(SearchTerms::MAX_CHARS + 1);
        assert!(matches!(
            SearchTerms::parse(&long),
            Err(DomainError::TooLong { .. })
        ));
        let many = "word ".repeat(SearchTerms::MAX_WORDS + 1);
        assert!(SearchTerms::parse(&many).is_err());
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(SearchTerms::parse("talks\u{0}").is_err());
    }
}
