//! The desk's list of stories, filtered by status (or waiting for review) and section: who has
//! each story, and when a scheduled one goes out.

use super::html;
use crate::domain::{PageNumber, Section, Status, StorySummary, UserId};
use crate::storage::{Listing, StatusFilter, StoreError};
use crate::urls;
use crate::views::desk::{DeskContext, StoryListPage, StoryRow};
use crate::views::{Pager, Timestamp};
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;
use std::collections::HashMap;

const PER_PAGE: usize = 30;

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    section: Option<String>,
    page: Option<String>,
}

impl ListQuery {
    /// The filters and page asked for; one that names nothing is no page at all.
    fn parse(&self) -> Result<(Option<StatusFilter>, Option<Section>, PageNumber), AppError> {
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
        let page: PageNumber = match self.page.as_deref() {
            None | Some("") => PageNumber::FIRST,
            Some(raw) => raw.parse().map_err(|()| AppError::NotFound)?,
        };
        Ok((status, section, page))
    }
}

#[get("/desk")]
pub(in crate::web::desk) async fn list(
    state: State,
    signed_in: SignedIn,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (status, section, page) = query.parse()?;
    let (listed, for_review, names) = state
        .blocking(move |store| -> Result<_, StoreError> {
            let listed = store.listing(Listing::Desk { status, section }, page, PER_PAGE)?;
            // What the "For review" filter would list here: the same section, any status.
            let review = Listing::Desk {
                status: Some(StatusFilter::ForReview),
                section,
            };
            let for_review = match status {
                Some(StatusFilter::ForReview) => listed.total_items,
                _ => store.listing(review, PageNumber::FIRST, 1)?.total_items,
            };
            let names: HashMap<UserId, String> = store
                .users()?
                .into_iter()
                .map(|u| (u.id, u.username.to_string()))
                .collect();
            Ok((listed, for_review, names))
        })
        .await?;
    let rows = listed.items.iter().map(|s| row(s, &names)).collect();
    let status_key = status.map_or("", StatusFilter::key);
    let section_key = section.map_or("", Section::key);
    let pager = Pager::new("Pages", listed.paging, |n| {
        format!("/desk?status={status_key}&section={section_key}&page={n}")
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
        sections: Section::all().collect(),
        total: listed.total_items,
        for_review,
        for_review_url: format!(
            "/desk?status={}&section={section_key}",
            StatusFilter::ForReview.key()
        ),
    };
    html(StatusCode::OK, page.render()?)
}

/// A story's row: who has it, who edited it last, and where readers see it.
fn row(s: &StorySummary, names: &HashMap<UserId, String>) -> StoryRow {
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
            Status::Scheduled(at) => Some(Timestamp::new(at)),
            _ => None,
        },
        section: s.section.name(),
        holder: name(s.assignee.or(s.author)),
        taken: s.assignee.is_some(),
        edited_by: name(s.last_edited_by),
        updated: Timestamp::new(s.updated_at),
        public_url: s
            .published_at
            .filter(|_| s.status == Status::Published)
            .map(|at| urls::article(at, &s.slug, 1)),
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
