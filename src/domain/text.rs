//! Bounded, trimmed text fields. Each type can only hold a value that passed its rules.
//!
//! # Characters XML forbids
//! Every text a person or an import gives ends up in XML somewhere (feeds, sitemaps, ninjs
//! exports), and one character XML 1.0 forbids makes the whole document unreadable. So each
//! text type, the body and the dateline clean their input once, on parsing, with
//! [`without_xml_forbidden`]: U+FFFE, U+FFFF and the C0 controls other than tab, line feed
//! and carriage return are **dropped**, never refused. None of them has a glyph or a meaning
//! a reader could miss (they come from byte-order-mark mix-ups and word-processor pastes),
//! and refusing a story for a character nobody can see on the page would leave its writer
//! nothing to correct. What is left is then held to the field's own rules, which **refuse**:
//! a line break or tab in a one-line field (it says the text was meant as two), and other
//! control characters (C1) anywhere, as before.

use super::DomainError;
use std::borrow::Cow;
use std::fmt;

/// Whether XML 1.0 forbids `c` in a document (lone surrogates cannot occur in a `str`).
pub fn is_xml_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// `raw` without the characters XML forbids (see the module doc); borrowed when it has none.
pub fn without_xml_forbidden(raw: &str) -> Cow<'_, str> {
    if raw.chars().any(is_xml_forbidden) {
        Cow::Owned(raw.chars().filter(|c| !is_xml_forbidden(*c)).collect())
    } else {
        Cow::Borrowed(raw)
    }
}

/// Trims `raw`, cleaned of what XML forbids, and checks it is non-empty, within `max`
/// characters and, if `single_line`, has no line breaks or other control characters.
fn bounded(
    raw: &str,
    field: &'static str,
    max: usize,
    single_line: bool,
) -> Result<String, DomainError> {
    let cleaned = without_xml_forbidden(raw);
    let value = cleaned.trim();
    if value.is_empty() {
        return Err(DomainError::Empty { field });
    }
    let len = value.chars().count();
    if len > max {
        return Err(DomainError::TooLong { field, len, max });
    }
    if single_line && value.chars().any(|c| c.is_control()) {
        return Err(DomainError::MultiLine { field });
    }
    // Multi-line text may hold newlines and tabs, never other control characters.
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(DomainError::invalid(field, "contains control characters"));
    }
    Ok(value.to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:expr, $single:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;
            pub const FIELD: &'static str = $field;

            pub fn parse(raw: &str) -> Result<Self, DomainError> {
                bounded(raw, $field, $max, $single).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

text_type!(
    /// A story's headline: one line, at most 200 characters.
    Headline, "Headline", 200, true
);
text_type!(
    /// The short summary under the headline.
    Standfirst, "Standfirst", 500, false
);
text_type!(
    /// One writer's credit line, e.g. "Jane Doe" or "Jane Doe in Geneva".
    Byline, "Byline", 100, true
);
text_type!(
    /// The source or agency of a story, e.g. "Xinhua".
    Source, "Source", 100, true
);
text_type!(
    /// A photo's caption.
    Caption, "Caption", 2000, false
);
text_type!(
    /// A photo's credit, e.g. "Xinhua/POOL/Xu Jinquan".
    Credit, "Credit", 200, true
);
text_type!(
    /// Why a story was withdrawn, kept for the desk and the audit log.
    WithdrawalReason, "Reason", 500, true
);
text_type!(
    /// The words of a note on a story: a correction readers see, or an editor's note to a writer.
    NoteText, "Note", 2000, false
);
text_type!(
    /// The text alternative of a photo for readers who cannot see it.
    AltText, "Alt text", 300, true
);

impl Byline {
    /// Credits a story to its agency, as wire copy without a writer's name is.
    pub fn crediting(source: &Source) -> Self {
        // Same rules: one line of at most 100 characters.
        const _: () = assert!(Byline::MAX_CHARS == Source::MAX_CHARS);
        Self(source.0.clone())
    }
}

/// One or more bylines, in the order they are credited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bylines(Vec<Byline>);

impl Bylines {
    pub const MAX: usize = 10;

    pub fn new(bylines: Vec<Byline>) -> Result<Self, DomainError> {
        if bylines.is_empty() {
            return Err(DomainError::Empty {
                field: Byline::FIELD,
            });
        }
        if bylines.len() > Self::MAX {
            return Err(DomainError::invalid(
                Byline::FIELD,
                format!("at most {} bylines", Self::MAX),
            ));
        }
        Ok(Self(bylines))
    }

    /// Parses bylines typed one per line or separated by semicolons; blank entries are ignored.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let bylines = raw
            .split(['\n', ';'])
            .filter(|part| !part.trim().is_empty())
            .map(Byline::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(bylines)
    }

    pub fn one(byline: Byline) -> Self {
        Self(vec![byline])
    }

    pub fn iter(&self) -> impl Iterator<Item = &Byline> {
        self.0.iter()
    }

    pub fn as_slice(&self) -> &[Byline] {
        &self.0
    }

    /// "A", "A and B", "A, B and C".
    pub fn joined(&self) -> String {
        match self.0.as_slice() {
            [] => String::new(),
            [one] => one.to_string(),
            [init @ .., last] => {
                let head: Vec<&str> = init.iter().map(Byline::as_str).collect();
                format!("{} and {}", head.join(", "), last)
            }
        }
    }
}

/// An editor's initials as shown in the meta line, e.g. "ZD": 1 to 5 letters, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Initials(String);

impl Initials {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(DomainError::Empty { field: "Initials" });
        }
        let valid = value.chars().count() <= 5 && value.chars().all(char::is_alphabetic);
        if !valid {
            return Err(DomainError::invalid(
                "Initials",
                "use 1 to 5 letters, e.g. ZD",
            ));
        }
        Ok(Self(value.to_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Initials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_headline_is_trimmed_and_bounded() {
        assert_eq!(
            Headline::parse("  Talks end  ").unwrap().as_str(),
            "Talks end"
        );
        assert!(matches!(
            Headline::parse("   "),
            Err(DomainError::Empty { .. })
        ));
        assert!(matches!(
            Headline::parse(&"x".repeat(201)),
            Err(DomainError::TooLong { len: 201, .. })
        ));
        assert!(Headline::parse(&"é".repeat(200)).is_ok());
    }

    #[test]
    fn a_headline_is_one_line() {
        assert!(matches!(
            Headline::parse("one\ntwo"),
            Err(DomainError::MultiLine { .. })
        ));
    }

    #[test]
    fn characters_xml_forbids_are_dropped_and_line_breaks_still_refused() {
        let headline = Headline::parse("Talks\u{FFFE} end\u{FFFF}\u{1}").unwrap();
        assert_eq!(headline.as_str(), "Talks end");
        let note = NoteText::parse("A correction.\u{FFFF}\n\nSecond\u{B} line.").unwrap();
        assert_eq!(note.as_str(), "A correction.\n\nSecond line.");
        assert!(matches!(
            Headline::parse("\u{FFFE}\u{FFFF}"),
            Err(DomainError::Empty { .. })
        ));
        assert!(matches!(
            Headline::parse("one\u{FFFE}\ntwo"),
            Err(DomainError::MultiLine { .. })
        ));
        assert!(
            Caption::parse("a\u{85}b").is_err(),
            "C1 controls are still refused"
        );
        assert!(matches!(
            without_xml_forbidden("plain"),
            Cow::Borrowed("plain")
        ));
    }

    #[test]
    fn bylines_split_on_lines_and_semicolons() {
        let bylines = Bylines::parse("Ann Lee; Bo Chen\n\nCy Diaz").unwrap();
        assert_eq!(bylines.joined(), "Ann Lee, Bo Chen and Cy Diaz");
        assert!(Bylines::parse(" ; \n").is_err());
    }

    #[test]
    fn initials_are_short_letters() {
        assert_eq!(Initials::parse("zd").unwrap().as_str(), "ZD");
        assert!(Initials::parse("Z1").is_err());
        assert!(Initials::parse("ABCDEF").is_err());
    }
}
