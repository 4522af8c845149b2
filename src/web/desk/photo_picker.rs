//! Placing a library photo in a body: the library, newest first or searched, each photo with
//! the Markdown line that places it. The story form's photo button shows this page in a
//! dialog and puts the chosen line at the cursor; without scripts, the formatting help links
//! here and the line is copied by hand.

use crate::domain::{PageNumber, Photo};
use crate::urls;
use crate::views::Pager;
use crate::views::desk::DeskContext;
use crate::views::desk_photo_picker::{PhotoPickerPage, PickerItem};
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

const PER_PAGE: usize = 24;
const MAX_SEARCH_CHARS: usize = 200;

#[derive(Deserialize)]
pub struct PickerQuery {
    q: Option<String>,
    page: Option<String>,
}

#[get("/desk/photo-picker")]
pub(super) async fn show(
    state: State,
    signed_in: SignedIn,
    query: web::Query<PickerQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let search: String = query
        .q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(MAX_SEARCH_CHARS)
        .collect();
    let page: PageNumber = match query.page.as_deref() {
        None | Some("") => PageNumber::FIRST,
        Some(raw) => raw.parse().map_err(|()| AppError::NotFound)?,
    };
    // Words that cannot be searched for find nothing; the box keeps them.
    let terms = crate::web::search::terms(&search).ok().flatten();
    let found = state
        .blocking(move |store| match terms {
            Some(terms) => store.search_photos(&terms, page, PER_PAGE),
            None => store.photos(page, PER_PAGE),
        })
        .await?;
    let q = search.clone();
    let page = PhotoPickerPage {
        ctx: DeskContext::new(&signed_in, "Place a photo in the body".to_owned()),
        items: found.items.iter().filter_map(item).collect(),
        pager: Pager::new("Pages", found.paging, move |n| picker_url(&q, n)),
        search,
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

fn picker_url(search: &str, page: u32) -> String {
    let mut query = vec![];
    if !search.is_empty() {
        query.push(("q", search.to_owned()));
    }
    if page > 1 {
        query.push(("page", page.to_string()));
    }
    match serde_urlencoded::to_string(&query) {
        Ok(q) if !q.is_empty() => format!("/desk/photo-picker?{q}"),
        _ => "/desk/photo-picker".to_owned(),
    }
}

fn item(record: &Photo) -> Option<PickerItem> {
    let thumb = record.renditions.first()?;
    // The alt text goes into Markdown's brackets: brackets and backslashes in it are escaped.
    let mut alt = String::new();
    for c in record.alt.chars().filter(|c| !c.is_control()) {
        if matches!(c, '[' | ']' | '\\') {
            alt.push('\\');
        }
        alt.push(c);
    }
    Some(PickerItem {
        thumb_url: urls::desk_photo(record.id, thumb.width),
        thumb_width: thumb.width,
        thumb_height: thumb.height,
        caption: record.caption.clone(),
        credit: record.credit.clone(),
        line: format!("![{alt}](photo:{})", record.id),
    })
}
