//! Tags and authors' profiles on the desk, for editors and admins: `/desk/tags` lists every tag
//! with its story counts, renames one or merges it into another; `/desk/authors` creates and
//! edits profiles. Every change goes through [`crate::tags`] or [`crate::authors`], which record
//! it in the audit log.

use crate::accounts::Actor;
use crate::authors::{self, AuthorError};
use crate::domain::{AuthorProfile, Bio, Byline, PhotoId, ProfileLink, Slug, Tag};
use crate::storage::StoreError;
use crate::tags::{self, TagError};
use crate::views::desk::DeskContext;
use crate::views::desk_topics::{AuthorInput, AuthorsPage, TagRow, TagsPage};
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(tag_list)
        .service(rename)
        .service(merge)
        .service(author_list)
        .service(author_create)
        .service(author_edit)
        .service(author_update);
}

const NOTICE_KEY: &str = "topics_notice";

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

fn done(signed_in: &SignedIn, to: &str, notice: String) -> Result<HttpResponse, AppError> {
    signed_in
        .session
        .insert(NOTICE_KEY, notice)
        .map_err(|e| AppError::internal("keeping a notice in the session", e))?;
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, to.to_owned()))
        .finish())
}

fn notice(signed_in: &SignedIn) -> Option<String> {
    signed_in
        .session
        .remove_as::<String>(NOTICE_KEY)
        .and_then(Result::ok)
}

async fn tags_page(state: &State, signed_in: &SignedIn) -> Result<TagsPage, AppError> {
    let uses = state.blocking(tags::uses).await?;
    let rows = uses
        .iter()
        .map(|u| TagRow {
            key: u.tag.key().to_string(),
            name: u.tag.name().to_owned(),
            published: u.published,
            stories: u.stories,
            url: crate::urls::topics::tag(u.tag.key(), 1),
        })
        .collect();
    Ok(TagsPage::new(DeskContext::new(signed_in, "Tags"), rows))
}

#[get("/desk/tags")]
async fn tag_list(state: State, signed_in: SignedIn) -> Result<HttpResponse, AppError> {
    signed_in.require_editor()?;
    let mut page = tags_page(&state, &signed_in).await?;
    page.notice = notice(&signed_in);
    Ok(html(StatusCode::OK, page.render()?))
}

#[derive(Deserialize)]
struct RenameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct MergeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    into: String,
}

/// A refused tag change, shown beside the tag with what was typed.
async fn tag_refused(
    state: &State,
    signed_in: &SignedIn,
    key: &str,
    typed: String,
    message: String,
) -> Result<HttpResponse, AppError> {
    let mut page = tags_page(state, signed_in).await?;
    page.error = Some((key.to_owned(), message));
    page.typed = typed;
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
}

fn tag_fault(e: TagError) -> Result<String, AppError> {
    match e {
        TagError::Unknown(_) => Err(AppError::NotFound),
        TagError::Store(e) => Err(e.into()),
        other => Ok(format!("{}.", capitalised(&other.to_string()))),
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[post("/desk/tags/{key}/rename")]
async fn rename(
    state: State,
    signed_in: SignedIn,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<RenameForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.require_editor()?;
    signed_in.check_csrf(&req, &form.csrf)?;
    let key = Slug::parse(&path).map_err(|_| AppError::NotFound)?;
    let name = match Tag::parse(&form.name) {
        Ok(name) => name,
        Err(e) => {
            return tag_refused(
                &state,
                &signed_in,
                key.as_str(),
                form.name.clone(),
                e.to_string(),
            )
            .await;
        }
    };
    let actor = Actor::user(&signed_in.user, state.settings.clock.now());
    let k = key.clone();
    let result = state
        .blocking(move |store| Ok::<_, AppError>(tags::rename(store, &actor, &k, &name)))
        .await?;
    match result {
        Ok(tag) => done(
            &signed_in,
            "/desk/tags",
            format!("Renamed to {}.", tag.name()),
        ),
        Err(e) => {
            let message = tag_fault(e)?;
            tag_refused(&state, &signed_in, key.as_str(), form.name.clone(), message).await
        }
    }
}

#[post("/desk/tags/{key}/merge")]
async fn merge(
    state: State,
    signed_in: SignedIn,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<MergeForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.require_editor()?;
    signed_in.check_csrf(&req, &form.csrf)?;
    let key = Slug::parse(&path).map_err(|_| AppError::NotFound)?;
    let Ok(into) = Slug::parse(&form.into) else {
        return tag_refused(
            &state,
            &signed_in,
            key.as_str(),
            String::new(),
            "Choose a tag to merge into.".into(),
        )
        .await;
    };
    let actor = Actor::user(&signed_in.user, state.settings.clock.now());
    let k = key.clone();
    let result = state
        .blocking(move |store| Ok::<_, AppError>(tags::merge(store, &actor, &k, &into)))
        .await?;
    match result {
        Ok(tag) => done(
            &signed_in,
            "/desk/tags",
            format!("Merged into {}.", tag.name()),
        ),
        Err(e) => {
            let message = tag_fault(e)?;
            tag_refused(&state, &signed_in, key.as_str(), String::new(), message).await
        }
    }
}

/// The authors page: every profile, and the form (empty, or `editing` one).
async fn authors_page(state: &State, signed_in: &SignedIn) -> Result<AuthorsPage, AppError> {
    let (profiles, users) = state
        .blocking(|store| Ok::<_, StoreError>((authors::all(store)?, store.users()?)))
        .await?;
    let accounts = users.iter().map(|u| u.username.to_string()).collect();
    Ok(AuthorsPage::new(
        DeskContext::new(signed_in, "Authors"),
        &profiles,
        accounts,
    ))
}

#[get("/desk/authors")]
async fn author_list(state: State, signed_in: SignedIn) -> Result<HttpResponse, AppError> {
    signed_in.require_editor()?;
    let mut page = authors_page(&state, &signed_in).await?;
    page.notice = notice(&signed_in);
    Ok(html(StatusCode::OK, page.render()?))
}

#[get("/desk/authors/{slug}")]
async fn author_edit(
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    signed_in.require_editor()?;
    let slug = Slug::parse(&path).map_err(|_| AppError::NotFound)?;
    let s = slug.clone();
    let (found, users) = state
        .blocking(move |store| Ok::<_, StoreError>((authors::get(store, &s)?, store.users()?)))
        .await?;
    let (profile, revision) = found.ok_or(AppError::NotFound)?;
    let account = profile
        .account
        .and_then(|id| users.iter().find(|u| u.id == id))
        .map(|u| u.username.to_string());
    let mut page = authors_page(&state, &signed_in).await?;
    page.notice = notice(&signed_in);
    page.editing = Some(slug.to_string());
    page.form_url = crate::urls::topics::desk_author(&slug);
    page.input = AuthorInput::of(&profile, revision, account);
    Ok(html(StatusCode::OK, page.render()?))
}

/// The profile typed, or what is wrong with each field. `slug` is the edited profile's.
fn parse_profile(
    input: &AuthorInput,
    slug: Option<&Slug>,
    users: &[crate::domain::User],
) -> Result<AuthorProfile, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let name = Byline::parse(&input.name)
        .map_err(|e| errors.push(("name", e.to_string())))
        .ok();
    let slug = match (slug, input.slug.trim()) {
        (Some(slug), _) => Some(slug.clone()),
        (None, "") => name.as_ref().map(|n| Slug::from_headline(n.as_str())),
        (None, raw) => Slug::parse(raw)
            .map_err(|e| errors.push(("slug", e.to_string())))
            .ok(),
    };
    let bio = match input.bio.trim() {
        "" => None,
        raw => Bio::parse(raw)
            .map_err(|e| errors.push(("bio", e.to_string())))
            .ok(),
    };
    let photo = match input.photo.trim() {
        "" => None,
        raw => raw
            .parse::<PhotoId>()
            .map_err(|_| errors.push(("photo", "Photo: not a photo id from the library".into())))
            .ok(),
    };
    let links: Vec<ProfileLink> = input
        .links
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            ProfileLink::parse(l)
                .map_err(|e| errors.push(("links", e.to_string())))
                .ok()
        })
        .collect();
    if links.len() > AuthorProfile::MAX_LINKS {
        errors.push((
            "links",
            format!("Links: at most {}", AuthorProfile::MAX_LINKS),
        ));
    }
    let account = match input.account.trim() {
        "" => None,
        raw => users
            .iter()
            .find(|u| u.username.as_str() == raw)
            .map(|u| u.id)
            .or_else(|| {
                errors.push(("account", format!("Desk account: no account named {raw:?}")));
                None
            }),
    };
    match (name, slug) {
        (Some(name), Some(slug)) if errors.is_empty() => Ok(AuthorProfile {
            slug,
            name,
            bio,
            photo,
            links,
            account,
            organization: input.organization.is_some(),
        }),
        _ => Err(errors),
    }
}

async fn save_profile(
    state: State,
    signed_in: SignedIn,
    req: HttpRequest,
    form: AuthorInput,
    editing: Option<Slug>,
) -> Result<HttpResponse, AppError> {
    signed_in.require_editor()?;
    signed_in.check_csrf(&req, &form.csrf)?;
    let users = state.blocking(|store| store.users()).await?;
    let revision = match editing {
        Some(_) => Some(
            form.revision
                .trim()
                .parse::<u64>()
                .map_err(|_| AppError::NotFound)?,
        ),
        None => None,
    };
    let parsed = parse_profile(&form, editing.as_ref(), &users);
    let errors = match parsed {
        Ok(profile) => {
            let actor = Actor::user(&signed_in.user, state.settings.clock.now());
            let p = profile.clone();
            let result = state
                .blocking(move |store| {
                    Ok::<_, AppError>(authors::save(store, &actor, &p, revision))
                })
                .await?;
            match result {
                Ok(()) => {
                    return done(
                        &signed_in,
                        &crate::urls::topics::desk_author(&profile.slug),
                        format!("Saved the profile of {}.", profile.name),
                    );
                }
                Err(AuthorError::SlugTaken(slug)) => {
                    vec![(
                        "slug",
                        format!("Address: /author/{slug} is taken; choose another."),
                    )]
                }
                Err(AuthorError::NameTaken(name)) => {
                    vec![("name", format!("Name: another profile is named {name}."))]
                }
                Err(AuthorError::Conflict) => vec![(
                    "name",
                    "Someone else saved this profile meanwhile; open it again to see their \
                     changes."
                        .to_owned(),
                )],
                Err(AuthorError::NotFound) => return Err(AppError::NotFound),
                Err(AuthorError::Store(e)) => return Err(e.into()),
            }
        }
        Err(errors) => errors,
    };
    let mut page = authors_page(&state, &signed_in).await?;
    if let Some(slug) = &editing {
        page.editing = Some(slug.to_string());
        page.form_url = crate::urls::topics::desk_author(slug);
    }
    page.input = form;
    page.errors = errors;
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
}

#[post("/desk/authors")]
async fn author_create(
    state: State,
    signed_in: SignedIn,
    req: HttpRequest,
    form: web::Form<AuthorInput>,
) -> Result<HttpResponse, AppError> {
    save_profile(state, signed_in, req, form.into_inner(), None).await
}

#[post("/desk/authors/{slug}")]
async fn author_update(
    state: State,
    signed_in: SignedIn,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<AuthorInput>,
) -> Result<HttpResponse, AppError> {
    let slug = Slug::parse(&path).map_err(|_| AppError::NotFound)?;
    save_profile(state, signed_in, req, form.into_inner(), Some(slug)).await
}

/// Fills the story form's suggestions: every tag's name and every profile's name. `new`: a
/// blank new story, whose bylines default to the writer's own profile when she has one.
pub(crate) async fn suggest(
    state: &State,
    signed_in: &SignedIn,
    page: &mut crate::views::desk::StoryFormPage,
    new: bool,
) -> Result<(), AppError> {
    let (tags, profiles) = state
        .blocking(|store| Ok::<_, StoreError>((tags::all(store)?, authors::all(store)?)))
        .await?;
    if new
        && page.input.bylines.trim().is_empty()
        && let Some(own) = profiles
            .iter()
            .find(|p| p.account == Some(signed_in.user.id))
    {
        page.input.bylines = own.name.to_string();
    }
    page.suggestions.tags = tags.iter().map(|r| r.tag.name().to_owned()).collect();
    page.suggestions.authors = profiles.iter().map(|p| p.name.to_string()).collect();
    Ok(())
}
