//! The site's sections. Admins add, rename, reorder and hide them (see [`SectionList`]); each has
//! a key, its address (`/section/world`), which never changes once the section exists, so
//! stories keep their section through a rename and their addresses through a hiding.
//!
//! A [`Section`] is its key, interned: small, `Copy` and compared by pointer-free equality of
//! the key, as the fixed list it replaces was. The names, order and visibility of the sections
//! live in one process-wide table, a cache of the stored [`SectionList`] that the application
//! installs with [`install`] whenever the stored list may have changed; until then it holds the
//! sections every new site starts with. Keys enter the table only from an installed list or a
//! stored story, never from a request, so it cannot be grown from outside.

use super::{DomainError, Slug};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{LazyLock, PoisonError, RwLock};

/// The sections of a new site, by key and name.
const STARTING: &[(&str, &str)] = &[
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

/// A section of the site, by its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Section(&'static str);

/// What the table knows of one section.
#[derive(Debug, Clone)]
struct Entry {
    key: &'static str,
    name: &'static str,
    hidden: bool,
}

/// The sections in the site's order, with every key ever seen by this process.
struct Table {
    entries: Vec<Entry>,
    by_key: HashMap<&'static str, usize>,
    /// Every key and name interned so far: each text is kept once, however often a list
    /// holding it is installed. Only admins' edits and stored stories add to it.
    interned: HashSet<&'static str>,
}

impl Table {
    fn of(list: &SectionList) -> Self {
        let mut table = Table {
            entries: Vec::new(),
            by_key: HashMap::new(),
            interned: HashSet::new(),
        };
        table.set(list);
        table
    }

    /// Takes `list` in, keeping (at the end, hidden) sections the table knew and it lacks:
    /// a stored story may still name one. Keys known already keep their interned copy.
    fn set(&mut self, list: &SectionList) {
        let old = std::mem::take(&mut self.entries);
        let mut entries: Vec<Entry> = list
            .0
            .iter()
            .map(|spec| Entry {
                key: self.intern(spec.key.as_str()),
                name: self.intern(&spec.name),
                hidden: spec.hidden,
            })
            .collect();
        for entry in old {
            if !entries.iter().any(|e| e.key == entry.key) {
                entries.push(Entry {
                    hidden: true,
                    ..entry
                });
            }
        }
        self.by_key = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key, i))
            .collect();
        self.entries = entries;
    }

    fn intern(&mut self, text: &str) -> &'static str {
        match self.interned.get(text) {
            Some(kept) => kept,
            None => {
                let kept: &'static str = Box::leak(text.to_owned().into_boxed_str());
                self.interned.insert(kept);
                kept
            }
        }
    }

    fn entry(&self, key: &str) -> Option<&Entry> {
        self.by_key.get(key).map(|&i| &self.entries[i])
    }
}

static TABLE: LazyLock<RwLock<Table>> =
    LazyLock::new(|| RwLock::new(Table::of(&SectionList::starting())));

fn read<T>(f: impl FnOnce(&Table) -> T) -> T {
    f(&TABLE.read().unwrap_or_else(PoisonError::into_inner))
}

/// Makes `list` the sections this process shows: their names, order and visibility.
pub fn install(list: &SectionList) {
    TABLE
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .set(list);
}

impl Section {
    /// The sections readers see, in the site's order: the navigation, and the choices for a
    /// new story.
    pub fn all() -> impl Iterator<Item = Section> {
        read(|t| {
            t.entries
                .iter()
                .filter(|e| !e.hidden)
                .map(|e| Section(e.key))
                .collect::<Vec<_>>()
        })
        .into_iter()
    }

    /// Every section, hidden ones last among them as the site orders them: what the desk
    /// filters by.
    pub fn every() -> impl Iterator<Item = Section> {
        read(|t| t.entries.iter().map(|e| Section(e.key)).collect::<Vec<_>>()).into_iter()
    }

    /// Accepts a section's key ("world") or its name ("World"), hidden ones included.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(DomainError::Empty { field: "Section" });
        }
        read(|t| {
            t.entry(value)
                .or_else(|| {
                    t.entries
                        .iter()
                        .find(|e| e.name.eq_ignore_ascii_case(value))
                })
                .map(|e| Section(e.key))
        })
        .ok_or_else(|| {
            DomainError::invalid("Section", format!("there is no section called {value:?}"))
        })
    }

    /// The section a stored story names. A key the site's list no longer holds (a database
    /// restored into a site with other sections) is taken in as a hidden section named after
    /// its key, so the story still reads.
    pub fn from_stored(key: &str) -> Result<Self, DomainError> {
        if let Some(found) = read(|t| t.entry(key).map(|e| Section(e.key))) {
            return Ok(found);
        }
        let key = Slug::parse(key)?;
        let mut table = TABLE.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = table.entry(key.as_str()) {
            return Ok(Section(entry.key));
        }
        let interned = table.intern(key.as_str());
        let name = table.intern(&name_from_key(interned));
        let index = table.entries.len();
        table.entries.push(Entry {
            key: interned,
            name,
            hidden: true,
        });
        table.by_key.insert(interned, index);
        Ok(Section(interned))
    }

    /// The section readers may browse under the key or name `raw`: none for a hidden one.
    pub fn shown(raw: &str) -> Option<Self> {
        Self::parse(raw).ok().filter(|s| !s.is_hidden())
    }

    /// The sections a story's form offers: those readers see, and `current` (the story's own,
    /// which may be hidden) so that saving the story keeps it.
    pub fn offered(current: Option<Section>) -> Vec<Section> {
        let mut offered: Vec<Section> = Self::all().collect();
        if let Some(current) = current.filter(|c| !offered.contains(c)) {
            offered.push(current);
        }
        offered
    }

    pub fn key(self) -> &'static str {
        self.0
    }

    pub fn name(self) -> &'static str {
        read(|t| t.entry(self.0).map_or(self.0, |e| e.name))
    }

    /// Hidden sections are off the navigation and the section pages; their stories stay
    /// readable at their addresses.
    pub fn is_hidden(self) -> bool {
        read(|t| t.entry(self.0).is_none_or(|e| e.hidden))
    }
}

/// "middle-east" as "Middle east": a name for a section known only by its key.
fn name_from_key(key: &str) -> String {
    let words = key.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One section as an admin sets it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionSpec {
    pub key: Slug,
    pub name: String,
    pub hidden: bool,
}

/// The site's sections in their order: what is stored, and what an admin edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionList(Vec<SectionSpec>);

impl SectionList {
    /// Most sections a site may have.
    pub const MAX: usize = 40;
    pub const MAX_NAME_CHARS: usize = 40;
    pub const MAX_KEY_CHARS: usize = 40;

    /// The sections every new site starts with.
    pub fn starting() -> Self {
        SectionList(
            STARTING
                .iter()
                .map(|(key, name)| SectionSpec {
                    key: Slug::parse(key).unwrap_or_else(|_| unreachable!("{key} is a slug")),
                    name: (*name).to_owned(),
                    hidden: false,
                })
                .collect(),
        )
    }

    /// A list whose keys and names are each used once, with at least one section shown.
    pub fn new(specs: Vec<SectionSpec>) -> Result<Self, DomainError> {
        if specs.len() > Self::MAX {
            return Err(DomainError::invalid(
                "Sections",
                format!("a site has at most {} sections", Self::MAX),
            ));
        }
        for (i, spec) in specs.iter().enumerate() {
            if spec.key.as_str().len() > Self::MAX_KEY_CHARS {
                return Err(DomainError::TooLong {
                    field: "Section key",
                    len: spec.key.as_str().len(),
                    max: Self::MAX_KEY_CHARS,
                });
            }
            let earlier = &specs[..i];
            if earlier.iter().any(|s| s.key == spec.key) {
                return Err(DomainError::invalid(
                    "Section key",
                    format!("{:?} is used by two sections", spec.key.as_str()),
                ));
            }
            if earlier
                .iter()
                .any(|s| s.name.eq_ignore_ascii_case(&spec.name))
            {
                return Err(DomainError::invalid(
                    "Section name",
                    format!("{:?} is used by two sections", spec.name),
                ));
            }
        }
        if specs.iter().all(|s| s.hidden) {
            return Err(DomainError::invalid(
                "Sections",
                "at least one section must be shown",
            ));
        }
        Ok(SectionList(specs))
    }

    /// A section's name as an admin types it: 1 to 40 characters of text.
    pub fn parse_name(raw: &str) -> Result<String, DomainError> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(DomainError::Empty {
                field: "Section name",
            });
        }
        let chars = name.chars().count();
        if chars > Self::MAX_NAME_CHARS {
            return Err(DomainError::TooLong {
                field: "Section name",
                len: chars,
                max: Self::MAX_NAME_CHARS,
            });
        }
        if name.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                "Section name",
                "contains control characters",
            ));
        }
        Ok(name)
    }

    pub fn specs(&self) -> &[SectionSpec] {
        &self.0
    }

    pub fn into_specs(self) -> Vec<SectionSpec> {
        self.0
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

    #[test]
    fn a_stored_key_the_list_lacks_reads_as_a_hidden_section() {
        let section = Section::from_stored("weather-desk").unwrap();
        assert_eq!(section.key(), "weather-desk");
        assert_eq!(section.name(), "Weather desk");
        assert!(section.is_hidden());
        assert!(Section::all().all(|s| s != section));
        assert_eq!(Section::parse("weather-desk").unwrap(), section);
        assert!(Section::from_stored("Not A Key").is_err());
    }

    #[test]
    fn a_list_uses_each_key_and_name_once_and_shows_a_section() {
        let spec = |key: &str, name: &str, hidden| SectionSpec {
            key: Slug::parse(key).unwrap(),
            name: name.into(),
            hidden,
        };
        assert!(SectionList::new(vec![spec("a", "A", false), spec("b", "B", true)]).is_ok());
        assert!(SectionList::new(vec![spec("a", "A", false), spec("a", "B", false)]).is_err());
        assert!(SectionList::new(vec![spec("a", "A", false), spec("b", "a", false)]).is_err());
        assert!(SectionList::new(vec![spec("a", "A", true)]).is_err());
        assert!(SectionList::parse_name("  Middle   East ").unwrap() == "Middle East");
        assert!(SectionList::parse_name("").is_err());
    }
}
