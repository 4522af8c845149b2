//! First run: while no account exists, `serve` prints a one-time link that creates the first
//! admin account in the browser.

use crate::accounts;
use crate::auth::{password, token};
use crate::domain::story_form::FieldErrors;
use crate::domain::{Initials, Password, Role, User, UserId, Username};
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

impl SetupForm {
    /// The first account's name, initials and password, or what is wrong with each field.
    fn parse(&self) -> Result<(Username, Initials, Password), FieldErrors> {
        let mut errors = Vec::new();
        let username = Username::parse(&self.username)
            .map_err(|e| errors.push(("username", e.to_string())))
            .ok();
        let initials = if self.initials.trim().is_empty() {
            username.as_ref().map(User::initials_for)
        } else {
            Initials::parse(&self.initials)
                .map_err(|e| errors.push(("initials", e.to_string())))
                .ok()
        };
        let password = Password::new(&self.password)
            .map_err(|e| errors.push(("password", e.to_string())))
            .ok();
        if self.password != self.confirm {
            errors.push(("confirm", "The two passwords differ.".into()));
        }
        match (username, initials, password) {
            (Some(username), Some(initials), Some(password)) if errors.is_empty() => {
                Ok((username, initials, password))
            }
            _ => Err(errors),
        }
    }
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
    let (username, initials, password) = match form.parse() {
        Ok(parsed) => parsed,
        Err(errors) => {
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
        }
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
        two_factor: None,
    };
    let digest = token::digest(&setup_token);
    let created = user.clone();
    let taken = state
        .blocking(move |store| accounts::create_first_admin(store, &digest, &created))
        .await?;
    if !taken {
        return Err(AppError::NotFound);
    }
    begin_session(&session, &user, now)?;
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, "/desk"))
        .finish())
}
