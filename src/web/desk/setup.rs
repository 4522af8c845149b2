//! First run: while no account exists, `serve` prints a one-time link that creates the first
//! admin account in the browser.

use crate::auth::{password, token};
use crate::domain::{AuditAction, AuditEvent, Password, Role, User, UserId, Username};
use crate::storage::{self, StoreError};
use crate::urls::assets::css_url;
use crate::views::desk::SetupPage;
use crate::web::auth::{begin_session, pre_session};
use crate::web::{AppError, State};
use actix_session::Session;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

/// The setup link works only while no account exists, whatever token it carries.
async fn setup_is_open(state: &State, setup_token: &str) -> Result<bool, AppError> {
    let setup_token = setup_token.to_owned();
    state
        .blocking(move |store| token::setup_is_open(store, &setup_token))
        .await
}

#[get("/setup/{token}")]
pub(super) async fn show(
    req: HttpRequest,
    state: State,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let setup_token = path.into_inner();
    if !setup_is_open(&state, &setup_token).await? {
        return Err(AppError::NotFound);
    }
    let (form_token, cookie) = pre_session::token(&req);
    let page = SetupPage {
        css_url: css_url(),
        form_token,
        setup_token,
        username: String::new(),
        initials: String::new(),
        errors: Vec::new(),
    };
    Ok(pre_session::page(
        actix_web::http::StatusCode::OK,
        cookie,
        page.render()?,
    ))
}

#[derive(Deserialize)]
pub struct SetupForm {
    username: String,
    initials: String,
    password: String,
    confirm: String,
    form_token: String,
}

#[post("/setup/{token}")]
pub(super) async fn submit(
    req: HttpRequest,
    state: State,
    session: Session,
    path: web::Path<String>,
    form: web::Form<SetupForm>,
) -> Result<HttpResponse, AppError> {
    let setup_token = path.into_inner();
    let form = form.into_inner();
    pre_session::check(&req, &form.form_token)?;
    if !setup_is_open(&state, &setup_token).await? {
        return Err(AppError::NotFound);
    }
    let mut errors = Vec::new();
    let username = Username::parse(&form.username)
        .map_err(|e| errors.push(("username", e.to_string())))
        .ok();
    let initials = if form.initials.trim().is_empty() {
        username.as_ref().map(User::initials_for)
    } else {
        crate::domain::Initials::parse(&form.initials)
            .map_err(|e| errors.push(("initials", e.to_string())))
            .ok()
    };
    let password = Password::new(&form.password)
        .map_err(|e| errors.push(("password", e.to_string())))
        .ok();
    if form.password != form.confirm {
        errors.push(("confirm", "The two passwords differ.".into()));
    }
    let (Some(username), Some(initials), Some(password), true) =
        (username, initials, password, errors.is_empty())
    else {
        let page = SetupPage {
            css_url: css_url(),
            form_token: form.form_token,
            setup_token,
            username: form.username,
            initials: form.initials,
            errors,
        };
        return Ok(HttpResponse::UnprocessableEntity()
            .content_type("text/html; charset=utf-8")
            .body(page.render()?));
    };

    let password_hash = password::hash(password)
        .await
        .map_err(|e| AppError::internal("hashing a password", e))?;
    let now = state.settings.clock.now();
    let user = User {
        id: UserId::new(),
        username,
        initials,
        role: Role::Admin,
        password_hash,
        disabled: false,
        created_at: now,
    };
    let digest = token::digest(&setup_token);
    let created = user.clone();
    let taken = state
        .blocking(move |store| -> Result<bool, StoreError> {
            let event = AuditEvent {
                at: now,
                actor: Some(created.id),
                actor_name: created.username.to_string(),
                action: AuditAction::UserCreated,
                detail: "first admin account, created with the setup link".into(),
            };
            // Only the request that consumes the token creates the account, and only while there
            // is none: an account made another way since the page was shown closes setup. The
            // token, the account and its audit entry go together or not at all, so a failure
            // leaves the link working rather than a site nobody can enter.
            storage::transaction(store, |tx| {
                if !tx.users()?.is_empty() || !tx.take_setup_token(&digest)? {
                    return Ok(false);
                }
                tx.create_user(&created)?;
                tx.record_audit(&event)?;
                Ok(true)
            })
        })
        .await?;
    if !taken {
        return Err(AppError::NotFound);
    }
    begin_session(&session, &user, now)?;
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, "/desk"))
        .finish())
}
