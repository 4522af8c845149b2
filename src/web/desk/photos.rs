//! The photo library: every stored photo, newest first, searchable by caption, credit or alt
//! text (best match first), from which a story's lead photo is chosen instead of uploading it
//! again.

use crate::domain::{Aspect, FocalPoint, PageNumber, Paging, Photo, PhotoId, StoryId, User};
use crate::photos::{self, RecutError};
use crate::storage::PhotoPage;
use crate::urls;
use crate::views::Pager;
use crate::views::desk::DeskContext;
use crate::views::desk_photos::{FocalForm, PhotoLibraryPage, PhotoTile};
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
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
    // Words that cannot be searched for (too many, say) find nothing rather than failing the
    // page: the box keeps them for the editor to shorten.
    let (terms, search_error) = match crate::web::search::terms(&search) {
        Ok(terms) => (terms, None),
        Err(e) => (None, Some(e)),
    };
    let refused = search_error.is_some();
    let found = state
        .blocking(move |store| match terms {
            Some(terms) => store.search_photos(&terms, page, PER_PAGE),
            None if refused => Ok(PhotoPage {
                items: Vec::new(),
                paging: Paging {
                    current: 1,
                    total: 1,
                },
                total_items: 0,
            }),
            None => store.photos(page, PER_PAGE),
        })
        .await?;
    let here = urls::photo_library(&search, page.get(), for_story.as_deref());
    let tiles = found
        .items
        .iter()
        .filter_map(|record| tile(record, for_story.as_deref(), &signed_in.user, &here))
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
        search_error,
        for_story,
        back_url,
        tiles,
        total: found.total_items,
        pager,
        focal_js_url: urls::assets::focal_point_js_url(),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

fn tile(record: &Photo, for_story: Option<&str>, viewer: &User, here: &str) -> Option<PhotoTile> {
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
        page_url: urls::desk_photo_page(id),
        use_url: for_story.map(|story| urls::story_with_photo(story, id)),
        focal: record.may_be_reframed_by(viewer).then(|| FocalForm {
            action: urls::desk_photo_focal_point(id),
            x: record.focal.x(),
            y: record.focal.y(),
            preview_url: match record.crop(Aspect::Square) {
                Some(_) => urls::desk_photo_crop(id, Aspect::Square, record.focal),
                None => urls::desk_photo_widest(id),
            },
            back: here.to_owned(),
        }),
    })
}

/// Every field defaults to empty, so that a forged or truncated form reaches the CSRF check
/// and is refused there rather than as a malformed request.
#[derive(Deserialize)]
pub struct FocalPointForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    x: String,
    #[serde(default)]
    y: String,
    /// The library page to return to.
    #[serde(default)]
    back: String,
}

/// Moves a photo's focal point and cuts its crops again around it (editors, or the uploader).
/// Pages showing the photo link the new crops from then on; see [`photos::set_focal_point`].
#[post("/desk/photos/{id}/focal-point")]
pub(super) async fn set_focal_point(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<FocalPointForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    signed_in.check_csrf(&req, &form.csrf)?;
    let id: PhotoId = path.parse().map_err(|_| AppError::NotFound)?;
    let percent = |s: &str| s.trim().parse::<i64>().unwrap_or(-1);
    let focal = FocalPoint::parse(percent(&form.x), percent(&form.y))
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let record = state
        .blocking(move |store| store.photo(id))
        .await?
        .ok_or(AppError::NotFound)?;
    if !record.may_be_reframed_by(&signed_in.user) {
        return Err(AppError::Forbidden);
    }
    if record.focal != focal || record.crops.is_empty() {
        // Cutting again decodes the whole original: one of the few photo jobs at a time.
        let _permit = state
            .photo_jobs
            .acquire()
            .await
            .map_err(|e| AppError::internal("waiting for a photo worker", e))?;
        state
            .blocking(move |store| photos::set_focal_point(store, id, focal))
            .await?;
    }
    // Only back into the library: never an address from elsewhere.
    let back = if form.back.starts_with("/desk/photos") && !form.back.contains("//") {
        form.back
    } else {
        urls::photo_library("", 1, None)
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, back))
        .finish())
}

impl From<RecutError> for AppError {
    fn from(e: RecutError) -> Self {
        match e {
            RecutError::NotFound => AppError::NotFound,
            RecutError::Store(e) => e.into(),
            e @ RecutError::Photo(_) => AppError::internal("cutting a photo's crops again", e),
        }
    }
}
