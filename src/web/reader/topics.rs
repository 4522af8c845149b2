//! Tag pages (`/tag/KEY`) and author pages (`/author/SLUG`): their stories, newest first,
//! paginated like a section, with RSS, Atom and JSON feeds. A tag renamed or merged away
//! answers with a permanent redirect to where it went, on every page and feed.

use super::feeds::{self, Format};
use super::listing::redirect;
use super::page_number;
use crate::domain::{PageNumber, Slug};
use crate::storage::{Listing, StoreError};
use crate::urls::topics;
use crate::views::topics::{FeedTopic, Topic};
use crate::web::{AppError, State};
use actix_web::{HttpResponse, route, web};
use askama::Template;

/// What a request under `/tag/KEY` or `/author/SLUG` asks for.
#[derive(Clone, Copy)]
enum View {
    Page(PageNumber),
    Feed(Format),
}

impl View {
    /// The same view under `base` (a topic's first page).
    fn path(self, base: &str) -> String {
        match self {
            View::Page(page) if page == PageNumber::FIRST => base.to_owned(),
            View::Page(page) => format!("{base}/page/{}", page.get()),
            View::Feed(Format::Rss) => topics::rss(base),
            View::Feed(Format::Atom) => topics::atom(base),
            View::Feed(Format::Json) => topics::json_feed(base),
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Tag,
    Author,
}

/// Where the topic is: its page, or elsewhere now.
enum Found {
    Here(Topic),
    Moved(String),
}

async fn find(state: &State, kind: Kind, raw: &str) -> Result<Found, AppError> {
    let key = Slug::parse(raw).map_err(|_| AppError::NotFound)?;
    let found = state
        .blocking(move |store| -> Result<Option<Found>, StoreError> {
            Ok(match kind {
                Kind::Tag => {
                    if let Some(new) = crate::tags::moved_to(store, &key)? {
                        return Ok(Some(Found::Moved(topics::tag(&new, 1))));
                    }
                    match crate::tags::record(store, &key)? {
                        Some(r) => Some(Found::Here(Topic::Tag {
                            tag: r.tag,
                            description: r.description,
                        })),
                        // A story stored without the desk (a restore of an older backup, an
                        // import of stories) may carry a tag no record names yet: its name
                        // is the newest story's.
                        None => crate::tags::named_by_stories(store, &key)?.map(|tag| {
                            Found::Here(Topic::Tag {
                                tag,
                                description: None,
                            })
                        }),
                    }
                }
                Kind::Author => crate::authors::get(store, &key)?
                    .map(|(profile, _)| Found::Here(Topic::Author(profile))),
            })
        })
        .await?;
    found.ok_or(AppError::NotFound)
}

async fn answer(state: State, kind: Kind, raw: &str, view: View) -> Result<HttpResponse, AppError> {
    let topic = match find(&state, kind, raw).await? {
        Found::Moved(to) => return Ok(redirect(&view.path(&to))),
        Found::Here(topic) => topic,
    };
    let listing = match &topic {
        Topic::Tag { tag, .. } => Listing::Tag(tag.key().clone()),
        Topic::Author(profile) => Listing::Author(profile.slug.clone()),
    };
    match view {
        View::Feed(format) => {
            let feed_topic = FeedTopic::of(&topic, &state.site.name, &state.site.base_url);
            feeds::render(state, listing, None, Some(feed_topic), format).await
        }
        View::Page(page) => {
            let per_page = state.settings.per_page;
            let photo_id = match &topic {
                Topic::Author(profile) => profile.photo,
                Topic::Tag { .. } => None,
            };
            let (listed, photos, photo) = state
                .blocking(move |store| {
                    let listed = store.listing(listing, page, per_page)?;
                    let stories: Vec<_> = listed.items.iter().map(|s| s.id).collect();
                    let photos = crate::photos::lead_photos(store, &stories)?;
                    let photo = photo_id.map(|id| store.photo(id)).transpose()?.flatten();
                    Ok::<_, StoreError>((listed, photos, photo))
                })
                .await?;
            let html = crate::views::reader::ListingPage::topic(
                &state.site,
                &topic,
                &listed,
                photo.as_ref(),
            )
            .with_photos(&photos)
            .render()?;
            Ok(HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(html))
        }
    }
}

/// `/tag/KEY/page/1` is `/tag/KEY`.
async fn numbered(
    state: State,
    kind: Kind,
    raw: &str,
    page: &str,
) -> Result<HttpResponse, AppError> {
    let page = page_number(page)?;
    if page == PageNumber::FIRST {
        let base = match kind {
            Kind::Tag => "/tag",
            Kind::Author => "/author",
        };
        return Ok(redirect(&format!("{base}/{raw}")));
    }
    answer(state, kind, raw, View::Page(page)).await
}

#[route("/tag/{key}", method = "GET", method = "HEAD")]
pub(super) async fn tag_first(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(state, Kind::Tag, &path, View::Page(PageNumber::FIRST)).await
}

#[route("/tag/{key}/page/{page}", method = "GET", method = "HEAD")]
pub(super) async fn tag_page(
    state: State,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (key, page) = path.into_inner();
    numbered(state, Kind::Tag, &key, &page).await
}

#[route("/tag/{key}/rss.xml", method = "GET", method = "HEAD")]
pub(super) async fn tag_rss(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(state, Kind::Tag, &path, View::Feed(Format::Rss)).await
}

#[route("/tag/{key}/atom.xml", method = "GET", method = "HEAD")]
pub(super) async fn tag_atom(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(state, Kind::Tag, &path, View::Feed(Format::Atom)).await
}

#[route("/tag/{key}/feed.json", method = "GET", method = "HEAD")]
pub(super) async fn tag_json(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(state, Kind::Tag, &path, View::Feed(Format::Json)).await
}

#[route("/author/{slug}", method = "GET", method = "HEAD")]
pub(super) async fn author_first(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(state, Kind::Author, &path, View::Page(PageNumber::FIRST)).await
}

#[route("/author/{slug}/page/{page}", method = "GET", method = "HEAD")]
pub(super) async fn author_page(
    state: State,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (slug, page) = path.into_inner();
    numbered(state, Kind::Author, &slug, &page).await
}

#[route("/author/{slug}/rss.xml", method = "GET", method = "HEAD")]
pub(super) async fn author_rss(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(state, Kind::Author, &path, View::Feed(Format::Rss)).await
}

#[route("/author/{slug}/atom.xml", method = "GET", method = "HEAD")]
pub(super) async fn author_atom(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(state, Kind::Author, &path, View::Feed(Format::Atom)).await
}

#[route("/author/{slug}/feed.json", method = "GET", method = "HEAD")]
pub(super) async fn author_json(
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(state, Kind::Author, &path, View::Feed(Format::Json)).await
}
