//! The second step of logging in, for an account with a second factor: after the right
//! password the session holds only who is half-way in (no desk page opens for it), until a
//! code from the app or a recovery code completes the login. Wrong codes count in the login
//! throttle, under keys of their own (`LoginThrottle::reserve_second_factor`).

use super::client_address;
use super::login::{record_login, signed_in_now};
use crate::accounts::{self, SecondFactor};
use crate::auth::throttle::Refused;
use crate::domain::{AuditAction, AuditEvent, PasswordHash, User, UserId};
use crate::urls::LOGIN_CODE;
use crate::urls::assets::css_url;
use crate::views::desk_account::LoginCodePage;
use crate::web::auth::{LocalPath, pre_session};
use crate::web::{AppError, State};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show).service(submit);
}

const PENDING_USER_KEY: &str = "pending_user";
const PENDING_AT_KEY: &str = "pending_at";
const PENDING_NEXT_KEY: &str = "pending_next";
const PENDING_STASH_KEY: &str = "pending_stash";
/// What the account's credentials were when its password was taken (see [`credentials`]).
const PENDING_CREDENTIALS_KEY: &str = "pending_credentials";
/// How long the code may take after the password.
const PENDING_FOR_SECONDS: i64 = 5 * 60;

/// After the right password of an account with a second factor: keeps who is half-way in
/// (under a fresh session id) and asks for the code.
pub(super) async fn ask_for_code(
    state: &State,
    session: &Session,
    user: &User,
    rehashed: Option<PasswordHash>,
    next: LocalPath,
    stash: String,
) -> Result<HttpResponse, AppError> {
    let id = user.id;
    let stored_hash = rehashed
        .clone()
        .unwrap_or_else(|| user.password_hash.clone());
    let device_key = state
        .blocking(move |store| {
            if let Some(hash) = rehashed {
                accounts::upgrade_password_hash(store, id, hash)?;
            }
            store.device_key(id)
        })
        .await?;
    session.renew();
    session.clear();
    session
        .insert(PENDING_USER_KEY, user.id.to_string())
        .and_then(|()| session.insert(PENDING_AT_KEY, state.settings.clock.now().unix_timestamp()))
        .and_then(|()| session.insert(PENDING_NEXT_KEY, next.into_string()))
        .and_then(|()| session.insert(PENDING_STASH_KEY, stash))
        .and_then(|()| {
            session.insert(
                PENDING_CREDENTIALS_KEY,
                credentials(&stored_hash, &device_key),
            )
        })
        .map_err(|e| AppError::internal("keeping a login in the session", e))?;
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, LOGIN_CODE))
        .finish())
}

/// Who is half-way in, if anyone is and not for too long.
fn pending(state: &State, session: &Session) -> Option<UserId> {
    let at: i64 = session.get(PENDING_AT_KEY).ok()??;
    if state.settings.clock.now().unix_timestamp() - at > PENDING_FOR_SECONDS {
        session.purge();
        return None;
    }
    session.get::<String>(PENDING_USER_KEY).ok()??.parse().ok()
}

/// A digest of the account's password hash and device key: both change when its password does
/// or its owner signs out everywhere, and a login half-way through (password taken, code not
/// yet) must then start again rather than finish with the old password.
fn credentials(password_hash: &PasswordHash, device_key: &[u8; 32]) -> String {
    hex::encode(crate::auth::token::digest(&format!(
        "{}\n{}",
        password_hash.0,
        hex::encode(device_key)
    )))
}

fn start_again() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, "/login"))
        .finish()
}

fn page(
    status: StatusCode,
    form_token: String,
    cookie: Option<actix_web::cookie::Cookie<'static>>,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let page = LoginCodePage {
        css_url: css_url(),
        form_token,
        error,
    };
    Ok(pre_session::page(status, cookie, page.render()?))
}

#[get("/desk/login/code")]
async fn show(req: HttpRequest, state: State, session: Session) -> Result<HttpResponse, AppError> {
    if pending(&state, &session).is_none() {
        return Ok(start_again());
    }
    let (form_token, cookie) = pre_session::token(&req);
    page(StatusCode::OK, form_token, cookie, None)
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    code: String,
}

#[post("/desk/login/code")]
async fn submit(
    req: HttpRequest,
    state: State,
    session: Session,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    pre_session::check(&req, &form.form_token)?;
    let Some(id) = pending(&state, &session) else {
        return Ok(start_again());
    };
    let (user, device_key) = state
        .blocking(move |store| {
            Ok::<_, crate::storage::StoreError>((store.user(id)?, store.device_key(id)?))
        })
        .await?;
    let taken: Option<String> = session.get(PENDING_CREDENTIALS_KEY).ok().flatten();
    let Some(user) = user.filter(|u| {
        !u.disabled
            && u.two_factor.is_some()
            && taken.as_deref() == Some(credentials(&u.password_hash, &device_key).as_str())
    }) else {
        session.purge();
        return Ok(start_again());
    };
    let client = client_address(&req, &state);
    let client_for_throttle = client.clone();
    // Wrong codes are counted apart from wrong passwords (a right password clears those, and
    // must not clear these, or whoever knows it could guess codes without end), under keys of
    // the account's id, and never as a known browser.
    let counting = state.clone();
    let reserved = web::block(move || {
        counting
            .login_throttle
            .reserve_second_factor(id, &client_for_throttle)
    })
    .await?;
    let attempt = match reserved {
        Ok(attempt) => attempt,
        Err(Refused::Wait(wait)) => {
            return Err(AppError::TooManyAttempts {
                minutes: wait.as_secs().div_ceil(60).max(1),
            });
        }
        Err(Refused::Store(e)) => return Err(e.into()),
    };
    let (code, now) = (form.code.clone(), state.settings.clock.now());
    let outcome = state
        .blocking(move |store| accounts::check_second_factor(store, id, &code, now))
        .await?;
    let event = |action, detail: String| AuditEvent {
        at: now,
        actor: Some(user.id),
        actor_name: user.username.to_string(),
        action,
        detail,
    };
    let how = match outcome {
        SecondFactor::Refused => {
            drop(attempt);
            let failed = event(
                AuditAction::LoginFailed,
                format!("from {client}: wrong second-factor code"),
            );
            state
                .blocking(move |store| store.record_audit(&failed))
                .await?;
            return page(
                StatusCode::UNAUTHORIZED,
                form.form_token.clone(),
                None,
                Some("That code is not right, or was used already. Type the code your app shows now.".into()),
            );
        }
        SecondFactor::Code => "with a code".to_owned(),
        SecondFactor::RecoveryCode { left } => format!("with a recovery code ({left} left)"),
    };
    web::block(move || attempt.succeeded()).await?;
    record_login(
        &state,
        user.id,
        None,
        event(AuditAction::Login, format!("from {client}, {how}")),
    )
    .await?;
    let next = session
        .get::<String>(PENDING_NEXT_KEY)
        .ok()
        .flatten()
        .map_or_else(LocalPath::desk, |n| LocalPath::or_desk(&n));
    let stash = session
        .get::<String>(PENDING_STASH_KEY)
        .ok()
        .flatten()
        .unwrap_or_default();
    signed_in_now(&req, &state, session, user, next, &stash).await
}
