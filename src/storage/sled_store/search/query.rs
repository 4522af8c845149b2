//! From what a person typed to a tantivy query, and from a hit to a [`Snippet`].
//!
//! The parser reads free words (all required), `"quoted phrases"`, `-excluded` and `+required`
//! words. Characters with a meaning to tantivy's parser that readers do not mean (`:` naming a
//! field, brackets of ranges, `^` boosts, `*`) are read as spaces, so nobody can name a field
//! (a reader's `kind:desk` is the word "kind" and the word "desk"); a query the parser still
//! refuses (an unbalanced quote, a stray `-`) is read as its plain words.

use super::schema::Fields;
use crate::domain::SearchTerms;
use crate::storage::search::{Snippet, SnippetPart};
use std::ops::Bound;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, Searcher, TantivyDocument, Term};

/// The longest snippet, in characters.
const SNIPPET_CHARS: usize = 180;

/// Which fields a search reads, with their weights: a word in the headline counts most.
pub(super) fn text_fields(fields: &Fields, identifiers: bool) -> Vec<(Field, f32)> {
    let mut out = vec![
        (fields.headline, 3.0),
        (fields.standfirst, 2.0),
        (fields.body, 1.0),
    ];
    if identifiers {
        out.push((fields.identifiers, 1.5));
    }
    out
}

/// The query of `terms` over `fields`; `None` when nothing searchable is left (only
/// punctuation), which finds nothing.
pub(super) fn text_query(
    index: &Index,
    fields: &[(Field, f32)],
    terms: &SearchTerms,
) -> Option<Box<dyn Query>> {
    let mut parser = QueryParser::for_index(index, fields.iter().map(|(f, _)| *f).collect());
    parser.set_conjunction_by_default();
    for (field, boost) in fields {
        parser.set_field_boost(*field, *boost);
    }
    let typed = readable(terms.as_str());
    if typed.trim().is_empty() {
        return None;
    }
    if let Ok(query) = parser.parse_query(&typed) {
        return Some(query);
    }
    let plain = plain_words(terms.as_str());
    if plain.is_empty() {
        return None;
    }
    parser.parse_query(&plain).ok()
}

/// The query syntax readers may use, everything else read as a space; `or` between words
/// (in any case) means either, as on web search engines, and `AND` and `NOT` are words.
fn readable(raw: &str) -> String {
    let kept: String = raw
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c.is_whitespace() || matches!(c, '"' | '-' | '+') {
                c
            } else {
                ' '
            }
        })
        .collect();
    kept.split_whitespace()
        .map(|word| {
            if word.eq_ignore_ascii_case("or") {
                "OR".to_owned()
            } else if word == "AND" || word == "NOT" {
                word.to_lowercase()
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Only the words, in lower case so that none reads as an operator (`AND`, `OR`).
fn plain_words(raw: &str) -> String {
    raw.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A filter that counts for nothing in the score.
pub(super) fn filter(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

pub(super) fn term(field: Field, value: &str) -> Box<dyn Query> {
    filter(Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    )))
}

/// `field` in `[from, until)`, either end open but not both.
pub(super) fn between(field: Field, from: Option<i64>, until: Option<i64>) -> Box<dyn Query> {
    let lower = from.map_or(Bound::Unbounded, |v| {
        Bound::Included(Term::from_field_i64(field, v))
    });
    let upper = until.map_or(Bound::Unbounded, |v| {
        Bound::Excluded(Term::from_field_i64(field, v))
    });
    filter(Box::new(RangeQuery::new(lower, upper)))
}

pub(super) fn all_of(parts: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        parts.into_iter().map(|q| (Occur::Must, q)).collect(),
    ))
}

/// Snippets from the body, else the standfirst, else the headline: the first that shows a
/// found word.
pub(super) struct Snippets {
    generators: Vec<SnippetGenerator>,
}

impl Snippets {
    pub fn new(searcher: &Searcher, query: &dyn Query, fields: &Fields) -> tantivy::Result<Self> {
        let mut generators = Vec::with_capacity(3);
        for field in [fields.body, fields.standfirst, fields.headline] {
            let mut generator = SnippetGenerator::create(searcher, query, field)?;
            generator.set_max_num_chars(SNIPPET_CHARS);
            generators.push(generator);
        }
        Ok(Self { generators })
    }

    pub fn of(&self, doc: &TantivyDocument) -> Snippet {
        for generator in &self.generators {
            let snippet = generator.snippet_from_doc(doc);
            if !snippet.highlighted().is_empty() {
                return parts(snippet.fragment(), snippet.highlighted());
            }
        }
        Snippet::default()
    }
}

fn parts(fragment: &str, highlighted: &[std::ops::Range<usize>]) -> Snippet {
    let mut out = Vec::new();
    let mut at = 0;
    for range in highlighted {
        let (start, end) = (range.start.max(at), range.end.min(fragment.len()));
        if start >= end || !fragment.is_char_boundary(start) || !fragment.is_char_boundary(end) {
            continue;
        }
        if start > at {
            out.push(SnippetPart {
                text: fragment[at..start].to_owned(),
                highlighted: false,
            });
        }
        out.push(SnippetPart {
            text: fragment[start..end].to_owned(),
            highlighted: true,
        });
        at = end;
    }
    if at < fragment.len() {
        out.push(SnippetPart {
            text: fragment[at..].to_owned(),
            highlighted: false,
        });
    }
    Snippet(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_and_ranges_are_read_as_words() {
        assert_eq!(readable("kind:desk [a TO b]"), "kind desk a TO b");
        assert_eq!(readable("capital or markets AND"), "capital OR markets and");
        assert_eq!(plain_words("\"unbalanced AND -"), "unbalanced and");
    }

    #[test]
    fn a_snippet_keeps_every_character_in_order() {
        let snippet = parts("Envoys talk in Genève.", &[7..11, 15..22]);
        let text: String = snippet.parts().iter().map(|p| p.text.as_str()).collect();
        assert_eq!(text, "Envoys talk in Genève.");
        let marked: Vec<_> = snippet
            .parts()
            .iter()
            .filter(|p| p.highlighted)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(marked, ["talk", "Genève"]);
    }
}
