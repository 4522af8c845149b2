//! The photo library: every stored photo, newest first, searchable by caption or credit, from
//! which a story's lead photo is chosen instead of uploading it again.

use crate::domain::{PageNumber, Photo, StoryId};
use crate::urls;
use crate::views::Pager;
use crate::views::desk::DeskContext;
use crate::views::desk_photos::{PhotoLibraryPage, PhotoTile};
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

const PER_PAGE: usize = 24;
/// Longer searches are cut to this; nobody types a caption longer to find a photo.
const MAX_SEARCH_CHARS: usize = 200;

#[derive(Deserialize)]
pub struct LibraryQuery {
    q: Option<String>,
    page: Option<String>,
    /// The story a photo is being chosen for: its id, or `new`.
    #[serde(rename = "for")]
    for_story: Option<String>,
}

#[get("/desk/photos")]
pub(super) async fn library(
    state: State,
    signed_in: SignedIn,
    query: web::Query<LibraryQuery>,
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
    // Only a real story id (or a new story) may be carried into links.
    let for_story = query
        .for_story
        .filter(|s| s == "new" || s.parse::<StoryId>().is_ok());
    let wanted = search.clone();
    let found = state
        .blocking(move |store| {
            store.photos(
                Some(wanted.as_str()).filter(|s| !s.is_empty()),
                page,
                PER_PAGE,
            )
        })
        .await?;
    let tiles = found
        .items
        .iter()
        .filter_map(|record| tile(record, for_story.as_deref()))
        .collect();
    let pager = Pager::new("Library pages", found.paging, |n| {
        urls::photo_library(&search, n, for_story.as_deref())
    });
    let back_url = for_story.as_deref().map(|story| match story {
        "new" => "/desk/stories/new".to_owned(),
        id => format!("/desk/stories/{id}"),
    });
    let page = PhotoLibraryPage {
        ctx: DeskContext::new(&signed_in, "Photos"),
        search,
        for_story,
        back_url,
        tiles,
        total: found.total_items,
        pager,
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

fn tile(record: &Photo, for_story: Option<&str>) -> Option<PhotoTile> {
    let id = record.id;
    let thumb = record.renditions.first()?;
    Some(PhotoTile {
        thumb_url: urls::desk_photo(id, thumb.width),
        thumb_width: thumb.width,
        thumb_height: thumb.height,
        caption: record.caption.clone(),
        credit: record.credit.clone(),
        alt: record.alt.clone(),
        dimensions: format!("{}×{}", record.width, record.height),
        original_url: urls::desk_photo_original(id),
        use_url: for_story.map(|story| urls::story_with_photo(story, id)),
    })
}
