//! What every search box of the site shares: the typed words parsed once, and a refusal said
//! as a sentence the person who typed them can act on.

use crate::domain::{DomainError, SearchTerms};

/// The words of a search box: `None` when nothing (or only spaces) was typed, a sentence saying
/// what is wrong when they cannot be searched for.
pub fn terms(raw: &str) -> Result<Option<SearchTerms>, String> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    SearchTerms::parse(raw).map(Some).map_err(|e| refusal(&e))
}

fn refusal(e: &DomainError) -> String {
    match e {
        DomainError::TooLong { len, max, .. } => format!(
            "The search is too long: {len} characters, and a search may have at most {max}. \
             Shorten it and try again."
        ),
        DomainError::MultiLine { .. } => "The search holds a line break or another character \
                                          that cannot be searched for. Remove it and try again."
            .to_owned(),
        DomainError::Invalid { reason, .. } => {
            format!("The search {reason}. Use fewer words and try again.")
        }
        DomainError::Empty { .. } => "Type the words to search for.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_typed_is_no_search_and_not_an_error() {
        assert_eq!(terms("   "), Ok(None));
    }

    #[test]
    fn a_refusal_says_what_to_change() {
        let long = "a".repeat(SearchTerms::MAX_CHARS + 5);
        let said = terms(&long).unwrap_err();
        assert!(said.contains("too long"), "{said}");
        assert!(said.contains(&SearchTerms::MAX_CHARS.to_string()), "{said}");
        let many = "word ".repeat(SearchTerms::MAX_WORDS + 1);
        assert!(terms(&many).unwrap_err().contains("words"));
    }
}
