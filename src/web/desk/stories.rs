//! Writing, editing and publishing stories.

use super::autosave;
use super::story_form::{self, Action, FieldErrors, StoryInput};
use super::story_photo;
use crate::domain::{
    AuditAction, AuditEvent, Body, Bylines, Headline, PageNumber, PhotoId, Section, Status, Story,
    StoryId, User, UserId,
};
use crate::storage::{Listing, StatusFilter, StoreError};
use crate::urls;
use crate::views::desk::{
    AutosaveNote, ConflictPage, DeskContext, StoryFormPage, StoryListPage, StoryRow,
};
use crate::views::reader::ArticlePage;
use crate::views::{Pager, Timestamp};
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;
use std::collections::HashMap;
use time::OffsetDateTime;

const PER_PAGE: usize = 30;

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    section: Option<String>,
    page: Option<String>,
}

#[get("/desk")]
pub(super) async fn list(
    state: State,
    signed_in: SignedIn,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let status = query
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| StatusFilter::parse(s).ok_or(AppError::NotFound))
        .transpose()?;
    let section = query
        .section
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| Section::parse(s).map_err(|_| AppError::NotFound))
        .transpose()?;
    let page: PageNumber = match query.page.as_deref() {
        None | Some("") => PageNumber::FIRST,
        Some(raw) => raw.parse().map_err(|()| AppError::NotFound)?,
    };
    let store = state.store.clone();
    let (listed, names) = web::block(move || -> Result<_, StoreError> {
        let listed = store.listing(Listing::Desk { status, section }, page, PER_PAGE)?;
        let names: HashMap<UserId, String> = store
            .users()?
            .into_iter()
            .map(|u| (u.id, u.username.to_string()))
            .collect();
        Ok((listed, names))
    })
    .await??;
    let name = |id: Option<UserId>| {
        id.and_then(|id| names.get(&id).cloned())
            .unwrap_or_else(|| "—".into())
    };
    let rows = listed
        .items
        .iter()
        .map(|s| StoryRow {
            edit_url: format!("/desk/stories/{}", s.id),
            headline: s.headline.to_string(),
            status_key: s.status.key(),
            status_label: s.status.label(),
            submitted: s.submitted,
            section: s.section.name(),
            author: name(s.author),
            edited_by: name(s.last_edited_by),
            updated: Timestamp::new(s.updated_at),
            public_url: s
                .published_at
                .filter(|_| s.status == Status::Published)
                .map(|at| urls::article(at, &s.slug, 1)),
        })
        .collect();
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
    };
    html(StatusCode::OK, page.render()?)
}

fn label(status: StatusFilter) -> &'static str {
    match status {
        StatusFilter::Draft => "Draft",
        StatusFilter::Scheduled => "Scheduled",
        StatusFilter::Published => "Published",
        StatusFilter::Unpublished => "Unpublished",
    }
}

#[get("/desk/stories/new")]
pub(super) async fn new_story(
    state: State,
    signed_in: SignedIn,
    query: web::Query<EditQuery>,
) -> Result<HttpResponse, AppError> {
    let restore = query.restore.as_deref() == Some("autosave");
    let mut page = form_with_autosave(&state, &signed_in, None, restore, None).await?;
    choose_photo(&state, query.photo.as_deref(), &mut page).await?;
    html(StatusCode::OK, page.render()?)
}

/// Puts the photo chosen in the library into the form (not yet saved).
async fn choose_photo(
    state: &State,
    photo: Option<&str>,
    page: &mut StoryFormPage,
) -> Result<(), AppError> {
    let Some(raw) = photo else {
        return Ok(());
    };
    let chosen = StoryInput {
        photo_id: raw.to_owned(),
        ..StoryInput::default()
    };
    page.notice = Some(match story_photo::chosen(state, &chosen).await? {
        Some(record) => {
            story_photo::choose(&mut page.input, &record);
            page.photo_url = photo_url(&page.input);
            "Photo chosen from the library: save the story to keep it.".into()
        }
        None => "The chosen photo no longer exists.".into(),
    });
    Ok(())
}

fn photo_url(input: &StoryInput) -> Option<String> {
    input
        .photo_id
        .trim()
        .parse::<PhotoId>()
        .ok()
        .map(urls::desk_photo_widest)
}

#[derive(Deserialize)]
pub struct EditQuery {
    saved: Option<String>,
    restore: Option<String>,
    /// A photo chosen in the library.
    photo: Option<String>,
}

#[get("/desk/stories/{id}")]
pub(super) async fn edit(
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    query: web::Query<EditQuery>,
) -> Result<HttpResponse, AppError> {
    let story = load(&state, &path).await?;
    if !signed_in.user.can_edit(&story) && !signed_in.user.role.can_publish() {
        return Err(AppError::Forbidden);
    }
    let notice = query.saved.as_deref().map(|what| match what {
        "publish" => "Published.".to_owned(),
        "schedule" => "Scheduled.".to_owned(),
        "unpublish" => "Unpublished: readers no longer see this story.".to_owned(),
        "submit" => "Submitted for review.".to_owned(),
        _ => "Saved.".to_owned(),
    });
    let restore = query.restore.as_deref() == Some("autosave");
    let mut page = form_with_autosave(&state, &signed_in, Some(&story), restore, notice).await?;
    choose_photo(&state, query.photo.as_deref(), &mut page).await?;
    html(StatusCode::OK, page.render()?)
}

#[post("/desk/stories")]
pub(super) async fn create(
    req: HttpRequest,
    state: State,
    signed_in: Result<SignedIn, AppError>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    submit(req, state, signed_in, payload, None).await
}

#[post("/desk/stories/{id}")]
pub(super) async fn update(
    req: HttpRequest,
    state: State,
    signed_in: Result<SignedIn, AppError>,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id: StoryId = path.parse().map_err(|_| AppError::NotFound)?;
    submit(req, state, signed_in, payload, Some(id)).await
}

async fn submit(
    req: HttpRequest,
    state: State,
    signed_in: Result<SignedIn, AppError>,
    payload: Multipart,
    id: Option<StoryId>,
) -> Result<HttpResponse, AppError> {
    let mut submission = story_form::read(payload, state.settings.max_photo_bytes).await?;
    let signed_in = match signed_in {
        Ok(signed_in) => signed_in,
        // Logged out while writing: keep every word, and offer to log in again.
        Err(AppError::LoginRequired { .. }) => {
            return super::login::relogin_with(&req, id, &submission.input);
        }
        Err(e) => return Err(e),
    };
    signed_in.check_csrf(&req, &submission.csrf)?;
    let current = match id {
        Some(id) => Some(load_by_id(&state, id).await?),
        None => None,
    };
    if let Some(story) = &current
        && !signed_in.user.can_edit(story)
    {
        return Err(AppError::Forbidden);
    }
    if submission.action.needs_editor() {
        signed_in.require_editor()?;
    }

    let mut errors = std::mem::take(&mut submission.errors);
    if submission.remove_photo {
        submission.input.photo_id.clear();
    }
    if let Some(upload) = submission.upload.take() {
        story_photo::store_upload(
            &state,
            &signed_in.user,
            upload,
            &mut submission.input,
            &mut errors,
        )
        .await?;
    }
    let chosen_photo = story_photo::chosen(&state, &submission.input).await?;
    if let Some(photo) = &chosen_photo {
        story_photo::fill_defaults(&mut submission.input, photo);
    }
    let now = OffsetDateTime::now_utc();
    let mut story = current
        .clone()
        .unwrap_or_else(|| new_draft(&signed_in.user, now));
    if let Err(field_errors) = story_form::apply(&submission.input, &mut story, now) {
        errors.extend(field_errors);
    }
    let schedule = match submission.action {
        Action::Schedule => story_form::schedule_time(&submission.input, now)
            .map_err(|e| errors.extend(e))
            .ok(),
        _ => None,
    };
    if let Some(photo) = story.photo.as_ref().and_then(|p| p.image) {
        check_photo_exists(&state, photo, &mut errors).await?;
    }
    if errors.is_empty() {
        story_photo::check_publishable(&story, submission.action, &mut errors);
    }
    if !errors.is_empty() {
        let page = form_page(&signed_in, current.as_ref(), submission.input, errors, None);
        return html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?);
    }

    if submission.action == Action::Preview {
        let page = ArticlePage::preview(&state.site, &story).with_photo(chosen_photo.as_ref());
        return html(StatusCode::OK, page.render()?);
    }

    let was_public = current.as_ref().is_some_and(Story::is_public);
    apply_action(
        &mut story,
        submission.action,
        schedule,
        &signed_in.user,
        now,
    );
    story.updated_at = now;
    story.last_edited_by = Some(signed_in.user.id);
    if was_public
        && story.is_public()
        && current.as_ref().is_some_and(|c| content_changed(c, &story))
    {
        story.revised_at = Some(now);
    }

    let base = current
        .as_ref()
        .map(|_| submission.input.base_revision().unwrap_or(0));
    let store = state.store.clone();
    let to_save = story.clone();
    match web::block(move || store.save_story(&to_save, base)).await? {
        Ok(saved) => {
            audit_action(&state, &signed_in.user, submission.action, &saved).await?;
            autosave::discard(&state, &signed_in.user, id).await?;
            let what = match submission.action {
                Action::Publish => "publish",
                Action::Schedule => "schedule",
                Action::Unpublish => "unpublish",
                Action::Submit => "submit",
                _ => "save",
            };
            Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, format!("/desk/stories/{}?saved={what}", saved.id)))
                .finish())
        }
        Err(StoreError::Conflict { current }) => {
            conflict(&state, &signed_in, submission.input, &current).await
        }
        Err(StoreError::SlugTaken(slug)) => {
            let message =
                format!("The slug {slug:?} is already used by another story; choose another");
            let page = form_page(
                &signed_in,
                current.as_ref(),
                submission.input,
                vec![("slug", message)],
                None,
            );
            html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?)
        }
        Err(e) => Err(e.into()),
    }
}

fn new_draft(user: &User, now: OffsetDateTime) -> Story {
    // Placeholders, replaced by the form's values before anything is saved.
    let placeholder =
        |raw| Headline::parse(raw).unwrap_or_else(|_| unreachable!("a constant headline"));
    let mut story = Story::draft(
        placeholder("Untitled"),
        Section::all()
            .next()
            .unwrap_or_else(|| unreachable!("sections exist")),
        Bylines::one(
            crate::domain::Byline::parse("Staff")
                .unwrap_or_else(|_| unreachable!("a constant byline")),
        ),
        Body::parse("-").unwrap_or_else(|_| unreachable!("a constant body")),
        now,
    );
    story.author = Some(user.id);
    story
}

fn apply_action(
    story: &mut Story,
    action: Action,
    schedule: Option<OffsetDateTime>,
    user: &User,
    now: OffsetDateTime,
) {
    match action {
        Action::Publish => {
            // Publishing an unpublished story again keeps its original publication time.
            story.publish(now, Some(user.initials.clone()));
        }
        Action::Schedule => {
            if let Some(at) = schedule {
                story.status = Status::Scheduled(at);
                story.published_at = None;
                story.editor = Some(user.initials.clone());
            }
        }
        Action::Unpublish => story.status = Status::Unpublished,
        Action::Submit => story.submitted = true,
        Action::Save | Action::Preview => {}
    }
}

/// Whether readers would see a difference.
fn content_changed(old: &Story, edited: &Story) -> bool {
    old.headline != edited.headline
        || old.standfirst != edited.standfirst
        || old.body != edited.body
        || old.bylines != edited.bylines
        || old.dateline != edited.dateline
        || old.source != edited.source
        || old.photo != edited.photo
}

async fn check_photo_exists(
    state: &State,
    id: PhotoId,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    let store = state.store.clone();
    if web::block(move || store.photo(id)).await??.is_none() {
        errors.push((
            "photo",
            "The attached photo no longer exists; please attach it again.".into(),
        ));
    }
    Ok(())
}

async fn audit_action(
    state: &State,
    user: &User,
    action: Action,
    story: &Story,
) -> Result<(), AppError> {
    let action = match action {
        Action::Publish => AuditAction::Publish,
        Action::Unpublish => AuditAction::Unpublish,
        Action::Schedule => AuditAction::Schedule,
        _ => return Ok(()),
    };
    let event = AuditEvent {
        at: OffsetDateTime::now_utc(),
        actor: Some(user.id),
        actor_name: user.username.to_string(),
        action,
        detail: story.headline.to_string(),
    };
    let store = state.store.clone();
    web::block(move || store.record_audit(&event)).await??;
    Ok(())
}

async fn conflict(
    state: &State,
    signed_in: &SignedIn,
    mut mine: StoryInput,
    current: &Story,
) -> Result<HttpResponse, AppError> {
    let store = state.store.clone();
    let editor = current.last_edited_by;
    let theirs_by = match editor {
        Some(id) => web::block(move || store.user(id))
            .await??
            .map(|u| u.username.to_string()),
        None => None,
    };
    // Saving from the conflict page is a deliberate choice made after seeing both versions.
    mine.revision = current.revision.to_string();
    let page = ConflictPage {
        ctx: DeskContext::new(signed_in, "Edit conflict"),
        form_url: format!("/desk/stories/{}", current.id),
        edit_url: format!("/desk/stories/{}", current.id),
        mine,
        theirs: StoryInput::from_story(current),
        theirs_by: theirs_by.unwrap_or_else(|| "someone".into()),
        theirs_at: Timestamp::new(current.updated_at),
        theirs_revision: current.revision,
        sections: Section::all().collect(),
    };
    html(StatusCode::CONFLICT, page.render()?)
}

pub(super) fn form_page(
    signed_in: &SignedIn,
    story: Option<&Story>,
    input: StoryInput,
    errors: FieldErrors,
    notice: Option<String>,
) -> StoryFormPage {
    let heading = match story {
        Some(story) => format!("Edit: {}", story.headline),
        None => "New story".to_owned(),
    };
    let photo_url = photo_url(&input);
    let library_url = urls::photo_library(
        "",
        1,
        Some(&story.map_or_else(|| "new".to_owned(), |s| s.id.to_string())),
    );
    StoryFormPage {
        ctx: DeskContext::new(signed_in, heading.clone()),
        heading,
        form_url: story.map_or_else(
            || "/desk/stories".to_owned(),
            |s| format!("/desk/stories/{}", s.id),
        ),
        input,
        errors,
        notice,
        status_label: story.map(|s| s.status.label()),
        can_publish: signed_in.user.role.can_publish(),
        is_published: story.is_some_and(Story::is_public),
        history_url: story.map(|s| format!("/desk/stories/{}/history", s.id)),
        public_url: story
            .filter(|s| s.is_public())
            .and_then(|s| s.published_at.map(|at| urls::article(at, &s.slug, 1))),
        photo_url,
        library_url,
        sections: Section::all().collect(),
        story_id: story.map(|s| s.id.to_string()).unwrap_or_default(),
        autosaved: None,
    }
}

/// The story form as last saved, offering back an autosaved copy that differs from it, or, with
/// `?restore=autosave`, filled in from that copy.
async fn form_with_autosave(
    state: &State,
    signed_in: &SignedIn,
    story: Option<&Story>,
    restore: bool,
    notice: Option<String>,
) -> Result<StoryFormPage, AppError> {
    let saved = story.map_or_else(
        || StoryInput {
            section: "world".into(),
            ..StoryInput::default()
        },
        StoryInput::from_story,
    );
    let offer = autosave::offer(state, &signed_in.user, story.map(|s| s.id))
        .await?
        .filter(|offer| offer.input != saved);
    Ok(match offer {
        Some(offer) if restore => {
            let notice = format!(
                "Restored the copy autosaved at {}. It is not saved to the story yet: review it and save.",
                offer.saved_at.display
            );
            form_page(signed_in, story, offer.input, Vec::new(), Some(notice))
        }
        Some(offer) => {
            let mut page = form_page(signed_in, story, saved, Vec::new(), notice);
            page.autosaved = Some(AutosaveNote {
                restore_url: format!(
                    "{}?restore=autosave",
                    story.map_or_else(
                        || "/desk/stories/new".to_owned(),
                        |s| format!("/desk/stories/{}", s.id)
                    )
                ),
                saved_at: offer.saved_at,
            });
            page
        }
        None => form_page(signed_in, story, saved, Vec::new(), notice),
    })
}

async fn load(state: &State, raw_id: &str) -> Result<Story, AppError> {
    let id: StoryId = raw_id.parse().map_err(|_| AppError::NotFound)?;
    load_by_id(state, id).await
}

async fn load_by_id(state: &State, id: StoryId) -> Result<Story, AppError> {
    let store = state.store.clone();
    web::block(move || store.story(id))
        .await??
        .ok_or(AppError::NotFound)
}

fn html(status: StatusCode, body: String) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}
