//! The desk's sections. A fixed list: each has a stable key used in URLs and indexes.

use super::DomainError;
use std::fmt;

const SECTIONS: &[(&str, &str)] = &[
    ("world", "World"),
    ("politics", "Politics"),
    ("business", "Business"),
    ("technology", "Technology"),
    ("science", "Science"),
    ("health", "Health"),
    ("sport", "Sport"),
    ("culture", "Culture"),
    ("opinion", "Opinion"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Section(usize);

impl Section {
    pub fn all() -> impl Iterator<Item = Section> {
        (0..SECTIONS.len()).map(Section)
    }

    /// Accepts a section's key ("world") or its name ("World").
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(DomainError::Empty { field: "Section" });
        }
        SECTIONS
            .iter()
            .position(|(key, name)| *key == value || name.eq_ignore_ascii_case(value))
            .map(Section)
            .ok_or_else(|| {
                DomainError::invalid("Section", format!("there is no section called {value:?}"))
            })
    }

    pub fn key(self) -> &'static str {
        SECTIONS[self.0].0
    }

    pub fn name(self) -> &'static str {
        SECTIONS[self.0].1
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_parse_by_key_or_name() {
        assert_eq!(Section::parse("world").unwrap().name(), "World");
        assert_eq!(Section::parse("Business").unwrap().key(), "business");
        assert!(Section::parse("astrology").is_err());
    }
}
