//! Tags: free words an editor files a story under ("Syria", "Peace talks"). A tag is its name as
//! typed and the key its address is made of (`/tag/peace-talks`); two names with one key are
//! one tag.

use super::{DomainError, Slug};
use std::fmt;

/// A tag's name (1 to 60 characters of text, no commas) and its key, derived from the name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tag {
    name: String,
    key: Slug,
}

impl Tag {
    pub const MAX_CHARS: usize = 60;
    const FIELD: &'static str = "Tags";

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(DomainError::Empty { field: Self::FIELD });
        }
        let chars = name.chars().count();
        if chars > Self::MAX_CHARS {
            return Err(DomainError::TooLong {
                field: Self::FIELD,
                len: chars,
                max: Self::MAX_CHARS,
            });
        }
        if name.contains(',') || name.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                Self::FIELD,
                format!("{name:?}: a tag holds no commas or control characters"),
            ));
        }
        let key = slug::slugify(&name);
        let key = Slug::parse(&key).map_err(|_| {
            DomainError::invalid(
                Self::FIELD,
                format!("{name:?}: a tag needs at least one letter or digit"),
            )
        })?;
        Ok(Tag { name, key })
    }

    /// A tag with a name and a key of its own choosing (a tag renamed keeps its key).
    pub fn with_key(name: &str, key: Slug) -> Result<Self, DomainError> {
        let mut tag = Tag::parse(name)?;
        tag.key = key;
        Ok(tag)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key(&self) -> &Slug {
        &self.key
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A story's tags: at most [`Tags::MAX`], no two with one key, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags(Vec<Tag>);

impl Tags {
    pub const MAX: usize = 20;

    pub fn new(tags: Vec<Tag>) -> Result<Self, DomainError> {
        let mut kept: Vec<Tag> = Vec::with_capacity(tags.len());
        for tag in tags {
            if !kept.iter().any(|t| t.key == tag.key) {
                kept.push(tag);
            }
        }
        if kept.len() > Self::MAX {
            return Err(DomainError::invalid(
                Tag::FIELD,
                format!("at most {} tags, not {}", Self::MAX, kept.len()),
            ));
        }
        Ok(Tags(kept))
    }

    /// Tags typed as a list separated by commas; empty items are skipped.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let tags = raw
            .split(',')
            .filter(|item| !item.trim().is_empty())
            .map(Tag::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Tags::new(tags)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Tag> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// As the form shows them: names separated by commas.
    pub fn to_form(&self) -> String {
        self.0.iter().map(Tag::name).collect::<Vec<_>>().join(", ")
    }
}

impl<'a> IntoIterator for &'a Tags {
    type Item = &'a Tag;
    type IntoIter = std::slice::Iter<'a, Tag>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_has_a_key_made_of_its_name() {
        let tag = Tag::parse("  Peace   talks ").unwrap();
        assert_eq!(tag.name(), "Peace talks");
        assert_eq!(tag.key().as_str(), "peace-talks");
        assert_eq!(Tag::parse("Zürich").unwrap().key().as_str(), "zurich");
        assert!(Tag::parse("!!!").is_err());
        assert!(Tag::parse(&"x".repeat(61)).is_err());
    }

    #[test]
    fn tags_are_a_comma_separated_list_without_repeats() {
        let tags = Tags::parse("Syria, peace talks, ,Peace Talks,Geneva").unwrap();
        assert_eq!(tags.to_form(), "Syria, peace talks, Geneva");
        assert!(Tags::parse("").unwrap().is_empty());
        let many = (0..21)
            .map(|n| format!("t{n}"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(Tags::parse(&many).is_err());
    }
}
