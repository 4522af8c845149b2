//! `/desk/sections`: admins add, rename, reorder and hide the site's sections.

use crate::accounts::Actor;
use crate::domain::{PageNumber, Section, SectionList, SectionSpec, Slug};
use crate::sections::{self, SaveError};
use crate::storage::{Listing, Store, StoreError};
use crate::views::desk::DeskContext;
use crate::views::desk_sections::{SectionRow, SectionsPage};
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show).service(save);
}

#[derive(Deserialize)]
struct ShowQuery {
    saved: Option<String>,
}

/// How many stories are filed under `section`, drafts included.
fn stories_in(store: &dyn Store, section: Section) -> Result<u64, StoreError> {
    let desk = Listing::Desk {
        status: None,
        section: Some(section),
    };
    Ok(store.listing(desk, PageNumber::FIRST, 1)?.total_items)
}

fn rows_of(store: &dyn Store, list: &SectionList) -> Result<Vec<SectionRow>, StoreError> {
    list.specs()
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let stories = match Section::parse(spec.key.as_str()) {
                Ok(section) => stories_in(store, section)?,
                Err(_) => 0,
            };
            Ok(SectionRow {
                key: spec.key.to_string(),
                name: spec.name.clone(),
                position: (i + 1).to_string(),
                hidden: spec.hidden,
                stories,
            })
        })
        .collect()
}

fn page(ctx: DeskContext) -> SectionsPage {
    SectionsPage {
        ctx,
        rows: Vec::new(),
        revision: String::new(),
        new_key: String::new(),
        new_name: String::new(),
        errors: Vec::new(),
        stored_meanwhile: Vec::new(),
        saved: false,
    }
}

fn html(page: SectionsPage, status: actix_web::http::StatusCode) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

#[get("/desk/sections")]
async fn show(
    state: State,
    signed_in: SignedIn,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    signed_in.require_admin()?;
    let (rows, revision) = state
        .blocking(|store| -> Result<_, StoreError> {
            let (list, revision) = sections::load(store)?;
            Ok((rows_of(store, &list)?, revision))
        })
        .await?;
    let mut page = page(DeskContext::new(&signed_in, "Sections"));
    page.rows = rows;
    page.revision = revision.map(|r| r.to_string()).unwrap_or_default();
    page.saved = query.saved.is_some();
    html(page, actix_web::http::StatusCode::OK)
}

/// The form as typed: `name:KEY`, `position:KEY`, `hidden:KEY` for each section, a new one's
/// `new_key` and `new_name`.
struct Typed {
    revision: String,
    rows: Vec<SectionRow>,
    new_key: String,
    new_name: String,
}

fn typed(pairs: &[(String, String)]) -> Typed {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut rows: Vec<SectionRow> = Vec::new();
    for (name, raw) in pairs {
        if let Some(key) = name.strip_prefix("name:") {
            if rows.iter().any(|r| r.key == key) || rows.len() >= SectionList::MAX {
                continue;
            }
            rows.push(SectionRow {
                key: key.to_owned(),
                name: raw.clone(),
                position: value(&format!("position:{key}")),
                hidden: !value(&format!("hidden:{key}")).is_empty(),
                stories: 0,
            });
        }
    }
    Typed {
        revision: value("revision"),
        rows,
        new_key: value("new_key"),
        new_name: value("new_name"),
    }
}

/// The list the form asks for, in the order of the positions typed, with the new section at
/// the end. A section moved to a taken position goes before the one there (ties otherwise keep
/// the page's order); a position left empty or unreadable goes last.
fn parse(form: &Typed) -> Result<SectionList, Vec<String>> {
    let mut errors = Vec::new();
    // (position, 0 if moved there else 1, place on the page, section)
    let mut specs: Vec<(u32, u8, usize, SectionSpec)> = Vec::new();
    for (i, row) in form.rows.iter().enumerate() {
        let key = match Slug::parse(&row.key) {
            Ok(key) => key,
            Err(_) => {
                errors.push(format!("{:?} is not a section's key", row.key));
                continue;
            }
        };
        let name = match SectionList::parse_name(&row.name) {
            Ok(name) => name,
            Err(e) => {
                errors.push(format!("{}: {e}", row.key));
                continue;
            }
        };
        let position = row.position.trim().parse::<u32>().unwrap_or(u32::MAX);
        let stayed = u8::from(usize::try_from(position).ok() == Some(i + 1));
        specs.push((
            position,
            stayed,
            i,
            SectionSpec {
                key,
                name,
                hidden: row.hidden,
            },
        ));
    }
    let (new_key, new_name) = (form.new_key.trim(), form.new_name.trim());
    if !new_key.is_empty() || !new_name.is_empty() {
        match SectionList::parse_name(new_name) {
            Err(e) => errors.push(format!("New section: {e}")),
            Ok(name) => {
                let key = if new_key.is_empty() {
                    Ok(Slug::from_headline(&name))
                } else {
                    Slug::parse(new_key)
                };
                match key {
                    Err(e) => errors.push(format!("New section: {e}")),
                    Ok(key) => specs.push((
                        u32::MAX,
                        1,
                        usize::MAX,
                        SectionSpec {
                            key,
                            name,
                            hidden: false,
                        },
                    )),
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    specs.sort_by_key(|(position, stayed, i, _)| (*position, *stayed, *i));
    SectionList::new(specs.into_iter().map(|(_, _, _, spec)| spec).collect())
        .map_err(|e| vec![e.to_string()])
}

#[post("/desk/sections")]
async fn save(
    state: State,
    req: HttpRequest,
    signed_in: SignedIn,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    signed_in.require_admin()?;
    let pairs = form.into_inner();
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    signed_in.check_csrf(&req, csrf)?;
    let typed = typed(&pairs);
    let expected = match typed.revision.trim() {
        "" => None,
        raw => Some(
            raw.parse::<u64>()
                .map_err(|_| AppError::BadRequest("the form's revision is not a number".into()))?,
        ),
    };
    let mut page = page(DeskContext::new(&signed_in, "Sections"));
    let list = match parse(&typed) {
        Ok(list) => list,
        Err(errors) => {
            page.errors = errors;
            return again(page, typed, None);
        }
    };
    let actor = Actor::user(&signed_in.user, state.settings.clock.now());
    let outcome = state
        .blocking(move |store| -> Result<_, StoreError> {
            match sections::save(store, &actor, &list, expected) {
                Ok(_) => Ok(Ok(())),
                Err(SaveError::Store(StoreError::RecordConflict { .. })) => {
                    let (stored, revision) = sections::load(store)?;
                    Ok(Err((None, Some((rows_of(store, &stored)?, revision)))))
                }
                Err(SaveError::Removed(key)) => Ok(Err((Some(SaveError::Removed(key)), None))),
                Err(SaveError::Store(e)) => Err(e),
            }
        })
        .await?;
    match outcome {
        Ok(()) => Ok(HttpResponse::SeeOther()
            .insert_header((actix_web::http::header::LOCATION, "/desk/sections?saved=1"))
            .finish()),
        Err((refused, meanwhile)) => {
            if let Some(refused) = refused {
                page.errors.push(refused.to_string());
            }
            again(page, typed, meanwhile)
        }
    }
}

/// The form again with what was typed, and what someone else stored meanwhile if that is why.
fn again(
    mut page: SectionsPage,
    typed: Typed,
    meanwhile: Option<(Vec<SectionRow>, Option<u64>)>,
) -> Result<HttpResponse, AppError> {
    page.revision = typed.revision;
    if let Some((stored, revision)) = meanwhile {
        page.errors
            .push("Someone else saved the sections since you opened this page.".into());
        page.stored_meanwhile = stored;
        page.revision = revision.map(|r| r.to_string()).unwrap_or_default();
    }
    page.rows = typed.rows;
    page.new_key = typed.new_key;
    page.new_name = typed.new_name;
    html(page, actix_web::http::StatusCode::UNPROCESSABLE_ENTITY)
}
