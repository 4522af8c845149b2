//! The readers' search page: the form, what is wrong with what was typed, or the stories found
//! with the words highlighted where they were found.

use super::{PageContext, Pager, SiteContext, Timestamp};
use crate::domain::Section;
use crate::storage::search::{MAX_COUNTED, SearchOrder, SearchPage as FoundPage, Snippet};
use crate::urls;
use askama::Template;

/// The search as typed, shown back in the form whatever became of it.
#[derive(Debug, Clone, Default)]
pub struct SearchForm {
    /// The words exactly as typed (never trimmed or cut: the reader corrects their own text).
    pub q: String,
    pub section: Option<Section>,
    pub order: SearchOrder,
}

/// One story found.
pub struct HitView {
    pub url: String,
    pub headline: String,
    pub section_name: &'static str,
    pub section_url: String,
    pub published: Timestamp,
    /// Plain text parts; the template escapes each and marks the highlighted ones.
    pub snippet: Snippet,
}

#[derive(Template)]
#[template(path = "reader/search.html")]
pub struct SearchPage {
    pub ctx: PageContext,
    pub form: SearchForm,
    pub sections: Vec<Section>,
    pub orders: [(&'static str, &'static str); 2],
    /// What is wrong with the search, said so that the reader can put it right.
    pub error: Option<String>,
    /// `None` until there are words to search for.
    pub found: Option<Found>,
    pub pager: Option<Pager>,
}

pub struct Found {
    pub hits: Vec<HitView>,
    /// "3 stories found", "More than 1,000 stories found".
    pub count: String,
}

impl SearchPage {
    /// The page with the form alone: no words yet, or words refused (`error`).
    pub fn new(site: &SiteContext, form: SearchForm, error: Option<String>) -> Self {
        let q = form.q.trim();
        let title = if q.is_empty() || error.is_some() {
            format!("Search | {}", site.name)
        } else {
            format!("Search: {q} | {}", site.name)
        };
        let mut ctx = PageContext::new(site, title);
        ctx.description = format!("Search the stories published by {}.", site.name);
        ctx.search = form.q.clone();
        Self {
            ctx,
            form,
            sections: Section::all().collect(),
            orders: [
                (SearchOrder::Relevance.key(), "Most relevant first"),
                (SearchOrder::Newest.key(), "Newest first"),
            ],
            error,
            found: None,
            pager: None,
        }
    }

    /// The page with `page`'s hits.
    pub fn with_results(mut self, page: &FoundPage) -> Self {
        let hits: Vec<HitView> = page
            .hits
            .iter()
            .filter_map(|hit| {
                let story = &hit.story;
                let published_at = story.published_at?;
                Some(HitView {
                    url: urls::article(published_at, &story.slug, 1),
                    headline: story.headline.to_string(),
                    section_name: story.section.name(),
                    section_url: urls::section(story.section, 1),
                    published: Timestamp::new(published_at, &self.ctx.zone),
                    snippet: hit.snippet.clone(),
                })
            })
            .collect();
        let count = match (page.total_items, page.total_capped) {
            (_, true) => format!("More than {} stories found", thousands(MAX_COUNTED)),
            (0, false) => "No stories found. Try other words, or fewer of them.".to_owned(),
            (1, false) => "1 story found".to_owned(),
            (n, false) => format!("{} stories found", thousands(n)),
        };
        if page.paging.current > 1 {
            self.ctx.title = format!("Page {} | {}", page.paging.current, self.ctx.title);
        }
        let form = self.form.clone();
        self.pager = Pager::new("Result pages", page.paging, |n| {
            urls::search(form.q.trim(), form.section, form.order.key(), n)
        });
        self.found = Some(Found { hits, count });
        self
    }

    pub fn is_section(&self, section: &Section) -> bool {
        self.form.section == Some(*section)
    }

    pub fn is_order(&self, key: &str) -> bool {
        self.form.order.key() == key
    }
}

/// `1234` as `1,234`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::search::SnippetPart;

    #[test]
    fn counts_are_written_with_thousands_separated() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn every_part_of_a_snippet_is_escaped_and_only_highlights_are_marked() {
        let site = SiteContext::new("The Example", "https://news.example/");
        let form = SearchForm {
            q: "<b>talks</b>".into(),
            ..SearchForm::default()
        };
        let mut page = SearchPage::new(&site, form, None);
        page.found = Some(Found {
            hits: vec![HitView {
                url: "/2017/07/15/talks".into(),
                headline: "Talks & <i>more</i>".into(),
                section_name: "World",
                section_url: "/section/world".into(),
                published: Timestamp::new(
                    time::macros::datetime!(2017-07-15 07:11 UTC),
                    &crate::domain::SiteZone::utc(),
                ),
                snippet: Snippet(vec![
                    SnippetPart {
                        text: "before <script>".into(),
                        highlighted: false,
                    },
                    SnippetPart {
                        text: "talks<img>".into(),
                        highlighted: true,
                    },
                ]),
            }],
            count: "1 story found".into(),
        });
        let html = page.render().unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img>"), "{html}");
        assert!(!html.contains("<b>talks"), "{html}");
        assert!(!html.contains("<i>more"), "{html}");
        assert!(html.contains("<mark>talks&#60;img&#62;</mark>"), "{html}");
        assert!(html.contains(r#"<meta name="robots" content="noindex">"#));
    }
}
