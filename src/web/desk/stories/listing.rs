//! The desk's list of stories, filtered by status (or waiting for review) and section: who has
//! each story, and when a scheduled one goes out. With words to find or a range of days (of the
//! last save), the rows come from the desk's search, which finds every story whatever its status
//! by its text, its pending changes, its slug and its id.

use super::html;
use crate::domain::site_zone;
use crate::domain::{
    PageNumber, Paging, SearchTerms, Section, SiteZone, Status, StoryId, StorySummary, UserId,
};
use crate::storage::search::{Audience, SearchOrder, SearchPosition, Snippet, StorySearch};
use crate::storage::{Listing, StatusFilter, StoreError};
use crate::urls;
use crate::views::desk::{DeskContext, DeskSearchInput, StoryListPage, StoryRow};
use crate::views::{Pager, Timestamp};
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;
use std::collections::HashMap;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

const PER_PAGE: usize = 30;

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    section: Option<String>,
    page: Option<String>,
    q: Option<String>,
    from: Option<String>,
    to: Option<String>,
    order: Option<String>,
}

/// What is wrong with the search fields, by field name (`q`, `from`, `to`).
type FieldErrors = Vec<(&'static str, String)>;

/// What the list shows: the filters, and the words or dates to search by.
struct Wanted {
    status: Option<StatusFilter>,
    section: Option<Section>,
    page: PageNumber,
    terms: Option<SearchTerms>,
    from: Option<Date>,
    to: Option<Date>,
    order: Option<SearchOrder>,
}

impl Wanted {
    /// With words or a date range the rows come from a search; otherwise from the listing.
    fn searches(&self) -> bool {
        self.terms.is_some() || self.from.is_some() || self.to.is_some()
    }
}

impl ListQuery {
    /// The filters and page asked for; one that names nothing is no page at all. What a person
    /// types (the words and dates) is refused field by field instead, for the form to show.
    fn parse(&self) -> Result<(Wanted, FieldErrors), AppError> {
        let status = self
            .status
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| StatusFilter::parse(s).ok_or(AppError::NotFound))
            .transpose()?;
        let section = self
            .section
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| Section::parse(s).map_err(|_| AppError::NotFound))
            .transpose()?;
        let order = self
            .order
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| SearchOrder::parse(s).ok_or(AppError::NotFound))
            .transpose()?;
        let page: PageNumber = match self.page.as_deref() {
            None | Some("") => PageNumber::FIRST,
            Some(raw) => raw.parse().map_err(|()| AppError::NotFound)?,
        };
        let mut errors = Vec::new();
        let terms = crate::web::search::terms(self.q.as_deref().unwrap_or_default())
            .unwrap_or_else(|e| {
                errors.push(("q", e));
                None
            });
        let mut date = |field: &'static str, raw: Option<&str>| match parse_date(raw) {
            Ok(date) => date,
            Err(e) => {
                errors.push((field, e));
                None
            }
        };
        let from = date("from", self.from.as_deref());
        let to = date("to", self.to.as_deref());
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            errors.push((
                "to",
                format!("The end date, {to}, is before the start date, {from}."),
            ));
        }
        let wanted = Wanted {
            status,
            section,
            page,
            terms,
            from,
            to,
            order,
        };
        Ok((wanted, errors))
    }

    fn input(&self) -> DeskSearchInput {
        let typed = |field: &Option<String>| field.clone().unwrap_or_default();
        DeskSearchInput {
            q: typed(&self.q),
            from: typed(&self.from),
            to: typed(&self.to),
            order: typed(&self.order),
        }
    }
}

/// A day as a date field sends it (`2026-12-07`); nothing typed is no date. Years outside
/// 1900–9999 are typing mistakes the search could only answer with nothing.
fn parse_date(raw: Option<&str>) -> Result<Option<Date>, String> {
    let raw = raw.map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Ok(None);
    }
    let date = Date::parse(raw, format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("{raw:?} is not a date: write it as YYYY-MM-DD, 2026-12-07 say."))?;
    if !site_zone::year_in_range(date.year()) {
        return Err(format!(
            "{raw:?} is not a date from the year {} to {}: check the year.",
            site_zone::EARLIEST_YEAR,
            site_zone::LATEST_YEAR
        ));
    }
    Ok(Some(date))
}

#[get("/desk")]
pub(in crate::web::desk) async fn list(
    state: State,
    signed_in: SignedIn,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (wanted, errors) = query.parse()?;
    let zone = signed_in.zone.clone();
    let now = state.settings.clock.now();
    let input = query.input();
    let (status, section, page) = (wanted.status, wanted.section, wanted.page);
    let refused = !errors.is_empty();
    let search = (!refused && wanted.searches()).then(|| StorySearch {
        order: wanted.order.unwrap_or(match wanted.terms {
            Some(_) => SearchOrder::Relevance,
            None => SearchOrder::Newest,
        }),
        terms: wanted.terms.clone(),
        audience: Audience::Desk,
        section,
        status,
        // The newsroom's days, on its own clocks.
        from: wanted.from.map(|day| zone.start_of_day(day)),
        // Inclusive of the last day: before the first instant of the next.
        until: wanted
            .to
            .and_then(|to| to.next_day())
            .map(|day| zone.start_of_day(day)),
        position: SearchPosition::Page(page),
        per_page: PER_PAGE,
    });
    let (rows, paging, total, for_review, names, embargoes) = state
        .blocking(move |store| -> Result<_, StoreError> {
            // A refused search lists nothing: the page is about what to correct.
            let (rows, paging, total): (Vec<(StorySummary, Snippet)>, _, _) = if refused {
                (
                    Vec::new(),
                    Paging {
                        current: 1,
                        total: 1,
                    },
                    0,
                )
            } else if let Some(search) = &search {
                let found = store.search_stories(search)?;
                let rows = found
                    .hits
                    .into_iter()
                    .map(|hit| (hit.story, hit.snippet))
                    .collect();
                (rows, found.paging, found.total_items)
            } else {
                let listed = store.listing(Listing::Desk { status, section }, page, PER_PAGE)?;
                let rows = listed
                    .items
                    .into_iter()
                    .map(|s| (s, Snippet::default()))
                    .collect();
                (rows, listed.paging, listed.total_items)
            };
            // What the "For review" filter would list here: the same section, any status.
            let review = Listing::Desk {
                status: Some(StatusFilter::ForReview),
                section,
            };
            let for_review = match (status, &search) {
                (Some(StatusFilter::ForReview), None) if !refused => total,
                _ => store.listing(review, PageNumber::FIRST, 1)?.total_items,
            };
            // Summaries carry no embargo: the few rows not yet public are looked up.
            let mut embargoes = HashMap::new();
            for (s, _) in &rows {
                if !matches!(s.status, Status::Published | Status::Withdrawn(_))
                    && let Some(until) = store
                        .story(s.id)?
                        .and_then(|story| story.content.embargo)
                        .filter(|until| *until > now)
                {
                    embargoes.insert(s.id, until);
                }
            }
            let names: HashMap<UserId, String> = store
                .users()?
                .into_iter()
                .map(|u| (u.id, u.username.to_string()))
                .collect();
            Ok((rows, paging, total, for_review, names, embargoes))
        })
        .await?;
    let rows = rows
        .into_iter()
        .map(|(s, snippet)| StoryRow {
            snippet,
            ..row(&s, &names, &embargoes, &zone)
        })
        .collect();
    let status_key = status.map_or("", StatusFilter::key);
    let section_key = section.map_or("", Section::key);
    let pager = Pager::new("Pages", paging, |n| {
        desk_url(status_key, section_key, &input, n)
    });
    let page = StoryListPage {
        ctx: DeskContext::new(&signed_in, "Stories"),
        rows,
        pager,
        status_filter: status_key.to_owned(),
        section_filter: section_key.to_owned(),
        statuses: StatusFilter::ALL
            .iter()
            .map(|s| (s.key(), label(*s)))
            .collect(),
        sections: Section::every().collect(),
        total,
        for_review,
        for_review_url: format!(
            "/desk?status={}&section={section_key}",
            StatusFilter::ForReview.key()
        ),
        search: input,
        search_errors: errors,
    };
    let code = if refused {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    html(code, page.render()?)
}

/// The list with these filters and search, at page `n`; the fields left empty are left out.
fn desk_url(status: &str, section: &str, input: &DeskSearchInput, n: u32) -> String {
    let page = n.to_string();
    let query: Vec<(&str, &str)> = [
        ("q", input.q.as_str()),
        ("status", status),
        ("section", section),
        ("from", input.from.as_str()),
        ("to", input.to.as_str()),
        ("order", input.order.as_str()),
        ("page", page.as_str()),
    ]
    .into_iter()
    .filter(|(_, value)| !value.trim().is_empty())
    .collect();
    match serde_urlencoded::to_string(&query) {
        Ok(query) => format!("/desk?{query}"),
        Err(_) => "/desk".into(),
    }
}

/// A story's row: who has it, who edited it last, and where readers see it.
fn row(
    s: &StorySummary,
    names: &HashMap<UserId, String>,
    embargoes: &HashMap<StoryId, OffsetDateTime>,
    zone: &SiteZone,
) -> StoryRow {
    let name = |id: Option<UserId>| {
        id.and_then(|id| names.get(&id).cloned())
            .unwrap_or_else(|| "—".into())
    };
    StoryRow {
        edit_url: format!("/desk/stories/{}", s.id),
        headline: s.headline.to_string(),
        status_key: s.status.key(),
        status_label: s.status_label(),
        submitted: s.submitted,
        sent_back: s.sent_back,
        scheduled_for: match s.status {
            Status::Scheduled(at) => Some(Timestamp::new(at, zone)),
            _ => None,
        },
        embargoed_until: embargoes.get(&s.id).map(|at| Timestamp::new(*at, zone)),
        section: s.section.name(),
        holder: name(s.assignee.or(s.author)),
        taken: s.assignee.is_some(),
        edited_by: name(s.last_edited_by),
        updated: Timestamp::new(s.updated_at, zone),
        public_url: s
            .published_at
            .filter(|_| s.status == Status::Published)
            .map(|at| urls::article(at, &s.slug, 1)),
        snippet: Snippet::default(),
    }
}

fn label(status: StatusFilter) -> &'static str {
    match status {
        StatusFilter::Draft => "Draft",
        StatusFilter::Scheduled => "Scheduled",
        StatusFilter::Published => "Published",
        StatusFilter::Unpublished => "Unpublished",
        StatusFilter::Withdrawn => "Withdrawn",
        StatusFilter::ForReview => "For review",
    }
}
