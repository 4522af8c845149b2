//! Logging in and out.

use super::client_address;
use super::story_form::{StoryInput, form_page};
use crate::auth::device;
use crate::auth::password::{self, Verified};
use crate::auth::throttle::{Attempt, Browser, Refused};
use crate::domain::{AuditAction, AuditEvent, Password, PasswordHash, StoryId, UserId, Username};
use crate::urls::assets::css_url;
use crate::views::desk::LoginPage;
use crate::web::auth::{Enrolling, LocalPath, SignedIn, begin_session, note_client, pre_session};
use crate::web::{AppError, State};
use actix_session::Session;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    logged_out: Option<String>,
}

pub(super) async fn show(
    req: HttpRequest,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let (form_token, cookie) = pre_session::token(&req);
    let page = LoginPage {
        css_url: css_url(),
        form_token,
        next: query
            .next
            .as_deref()
            .map_or_else(LocalPath::desk, LocalPath::or_desk)
            .into_string(),
        username: String::new(),
        error: None,
        notice: query
            .logged_out
            .as_ref()
            .map(|_| "You have logged out.".to_owned()),
        stash: None,
    };
    Ok(pre_session::page(
        actix_web::http::StatusCode::OK,
        cookie,
        page.render()?,
    ))
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    form_token: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    stash: String,
}

/// What a logged-out writer had typed, carried through the login form (never stored).
#[derive(serde::Serialize, Deserialize)]
struct Stash {
    story: Option<String>,
    input: StoryInput,
}

/// The login page for someone whose session ended while they were writing, with everything
/// they typed kept in the form, to be put back in front of them after they log in.
pub(super) fn relogin_with(
    req: &HttpRequest,
    story: Option<StoryId>,
    input: &StoryInput,
) -> Result<HttpResponse, AppError> {
    let stash = Stash {
        story: story.map(|id| id.to_string()),
        input: input.clone(),
    };
    let (form_token, cookie) = pre_session::token(req);
    let page = LoginPage {
        css_url: css_url(),
        form_token,
        next: story.map_or_else(|| "/desk/stories/new".to_owned(), |id| format!("/desk/stories/{id}")),
        username: String::new(),
        error: Some(
            "Your session has ended, so the story was not saved. Log in again: what you typed is kept \
             and comes back to you (attach a new photo again)."
                .into(),
        ),
        notice: None,
        stash: serde_json::to_string(&stash).ok(),
    };
    Ok(pre_session::page(
        actix_web::http::StatusCode::UNAUTHORIZED,
        cookie,
        page.render()?,
    ))
}

pub(super) async fn submit(
    req: HttpRequest,
    state: State,
    session: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    pre_session::check(&req, &form.form_token)?;
    let client = client_address(&req, &state);
    let next = LocalPath::or_desk(&form.next);
    let browser = browser_of(&req, &state, &form.username).await?;
    // Counted before the password is checked, so guesses sent at once share one allowance.
    let attempt = match reserve(&state, &form.username, &client, browser).await? {
        Ok(attempt) => attempt,
        Err(wait) => return throttled(&form, next, wait),
    };

    let user = match Username::parse(&form.username) {
        Ok(name) => {
            state
                .blocking(move |store| store.user_by_name(&name))
                .await?
        }
        Err(_) => None,
    };
    let user = user.filter(|u| !u.disabled);
    let verified = match Password::typed(&form.password) {
        Ok(typed) => password::verify(typed, user.as_ref().map(|u| u.password_hash.clone())).await,
        Err(_) => Verified::No,
    };
    let audit = |action, actor: Option<&crate::domain::User>| AuditEvent {
        at: state.settings.clock.now(),
        actor: actor.map(|u| u.id),
        actor_name: actor.map_or_else(
            || form.username.trim().chars().take(64).collect(),
            |u| u.username.to_string(),
        ),
        action,
        detail: format!("from {client}"),
    };

    let (Some(user), true) = (user, verified != Verified::No) else {
        drop(attempt);
        let event = audit(AuditAction::LoginFailed, None);
        state
            .blocking(move |store| store.record_audit(&event))
            .await?;
        return refused(&form, next);
    };

    web::block(move || attempt.succeeded()).await?;
    let rehashed = match verified {
        Verified::YesRehashed(hash) => Some(hash),
        _ => None,
    };
    if user.two_factor.is_some() {
        return super::login_code::ask_for_code(
            &state, &session, &user, rehashed, next, form.stash,
        )
        .await;
    }
    let event = audit(AuditAction::Login, Some(&user));
    record_login(&state, user.id, rehashed, event).await?;
    signed_in_now(&req, &state, session, user, next, &form.stash).await
}

/// Starts the session of an account that has just proved who it is (its password, and its
/// second factor when it has one), makes this browser known to it, and sends it on: to the
/// story it was writing when its last session ended (`stash`), or to `next`. Only here is the
/// known-browser cookie given, so a password alone never earns it.
pub(super) async fn signed_in_now(
    req: &HttpRequest,
    state: &State,
    session: Session,
    user: crate::domain::User,
    next: LocalPath,
    stash: &str,
) -> Result<HttpResponse, AppError> {
    let known_browser = remember_browser(state, user.id).await?;
    let csrf = begin_session(&session, &user, state.settings.clock.now())?;
    note_client(&session, req, state);
    let mut response = if let Ok(stash) = serde_json::from_str::<Stash>(stash) {
        let signed_in = SignedIn {
            user,
            csrf,
            session,
            zone: state.settings.time_zone.clone(),
        };
        welcome_back(state, &signed_in, stash).await?
    } else {
        HttpResponse::SeeOther()
            .insert_header((LOCATION, next.into_string()))
            .finish()
    };
    response
        .add_cookie(&known_browser)
        .map_err(|e| AppError::internal("setting the known-browser cookie", e))?;
    Ok(response)
}

/// Whether this browser signed in to the account named `username` before, by its device
/// cookie (see `auth::device`).
async fn browser_of(req: &HttpRequest, state: &State, username: &str) -> Result<Browser, AppError> {
    let Some(cookie) = req.cookie(device::COOKIE) else {
        return Ok(Browser::Unknown);
    };
    let value = cookie.value().to_owned();
    let (Some(id), Ok(name)) = (device::account_of(&value), Username::parse(username)) else {
        return Ok(Browser::Unknown);
    };
    let site_key = state.site_key.clone();
    state
        .blocking(move |store| -> Result<_, crate::storage::StoreError> {
            let named = store.user(id)?.is_some_and(|u| u.username == name);
            let known = named && device::recognises(&site_key, &value, id, &store.device_key(id)?);
            Ok(match device::id_of(&value) {
                Some(device) if known => Browser::Known(device),
                _ => Browser::Unknown,
            })
        })
        .await
}

/// Lets the attempt through the throttle (counted as failed until it succeeds), or gives the
/// wait.
pub(super) async fn reserve(
    state: &State,
    username: &str,
    client: &str,
    browser: Browser,
) -> Result<Result<Attempt, std::time::Duration>, AppError> {
    let (state, username, client) = (state.clone(), username.to_owned(), client.to_owned());
    let reserved =
        web::block(move || state.login_throttle.reserve(&username, &client, browser)).await?;
    match reserved {
        Ok(attempt) => Ok(Ok(attempt)),
        Err(Refused::Wait(wait)) => Ok(Err(wait)),
        Err(Refused::Store(e)) => Err(e.into()),
    }
}

/// The cookie that makes this browser known to the account from now on: HttpOnly, Secure as
/// the session's, sent only to the login page, for a year.
async fn remember_browser(state: &State, user: UserId) -> Result<Cookie<'static>, AppError> {
    let device_key = state.blocking(move |store| store.device_key(user)).await?;
    let value = device::issue(&state.site_key, user, &device_key);
    Ok(Cookie::build(device::COOKIE, value)
        .path("/login")
        .http_only(true)
        .secure(state.settings.is_https())
        .same_site(SameSite::Strict)
        .max_age(device::LIFETIME)
        .finish())
}

/// The login form again, saying how long to wait, with the name that was typed kept: 429.
fn throttled(
    form: &LoginForm,
    next: LocalPath,
    wait: std::time::Duration,
) -> Result<HttpResponse, AppError> {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    let page = LoginPage {
        css_url: css_url(),
        form_token: form.form_token.clone(),
        next: next.into_string(),
        username: form.username.clone(),
        error: Some(format!(
            "Too many attempts: try again in {minutes} minute{}.",
            if minutes == 1 { "" } else { "s" }
        )),
        notice: None,
        stash: Some(form.stash.clone()).filter(|s| !s.is_empty()),
    };
    Ok(HttpResponse::TooManyRequests()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

/// Keeps a login in the audit log, and the password's new hash when its parameters changed.
pub(super) async fn record_login(
    state: &State,
    user: UserId,
    rehashed: Option<PasswordHash>,
    event: AuditEvent,
) -> Result<(), AppError> {
    state
        .blocking(move |store| {
            if let Some(hash) = rehashed {
                crate::accounts::upgrade_password_hash(store, user, hash)?;
            }
            store.record_audit(&event)
        })
        .await
}

/// The login form again, keeping what was typed and any story carried through it.
fn refused(form: &LoginForm, next: LocalPath) -> Result<HttpResponse, AppError> {
    let page = LoginPage {
        css_url: css_url(),
        form_token: form.form_token.clone(),
        next: next.into_string(),
        username: form.username.clone(),
        error: Some("Wrong username or password.".into()),
        notice: None,
        stash: Some(form.stash.clone()).filter(|s| !s.is_empty()),
    };
    Ok(HttpResponse::Unauthorized()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

/// The story form with what a writer logged out while writing had typed, not saved yet.
async fn welcome_back(
    state: &State,
    signed_in: &SignedIn,
    stash: Stash,
) -> Result<HttpResponse, AppError> {
    let story = match stash.story.and_then(|id| id.parse::<StoryId>().ok()) {
        Some(id) => state.blocking(move |store| store.story(id)).await?,
        None => None,
    };
    // The stash is a form field anyone can write: a story this person may not edit is not
    // shown (not even its headline); what they typed comes back as a new story's form.
    let story = story.filter(|story| signed_in.user.can_edit(story));
    let notice =
        "Welcome back. This is what you had typed; it is not saved yet: review it and save.";
    let page = form_page(
        signed_in,
        story.as_ref(),
        stash.input,
        Vec::new(),
        Some(notice.into()),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

#[derive(Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

#[actix_web::post("/desk/logout")]
pub(super) async fn logout(
    req: HttpRequest,
    state: State,
    Enrolling(signed_in): Enrolling,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.check_csrf(&req, &form.csrf)?;
    // Purging deletes the session on the server, so a copied cookie is worthless afterwards.
    signed_in.session.purge();
    let event = AuditEvent {
        at: state.settings.clock.now(),
        actor: Some(signed_in.user.id),
        actor_name: signed_in.user.username.to_string(),
        action: AuditAction::Logout,
        detail: String::new(),
    };
    state
        .blocking(move |store| store.record_audit(&event))
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, "/login?logged_out=1"))
        .finish())
}
