//! Accounts, for admins: list them, add one, change a role, reset a password, disable or enable.
//! Every change goes through [`crate::accounts`], which also records it in the audit log.

use crate::accounts::{self, AccountError, Actor, NewAccount};
use crate::auth::password;
use crate::domain::{Initials, Password, Role, User, UserId, Username};
use crate::views::desk::DeskContext;
use crate::views::desk_admin::{NewAccountValues, UsersPage};
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(change_role)
        .service(reset_password)
        .service(disable)
        .service(enable)
        .service(reset_two_factor)
        .service(require_two_factor);
}

/// The session key of the message shown once on the next accounts page.
const NOTICE_KEY: &str = "accounts_notice";

/// One error next to one field: `(field, message)`.
type FieldErrors = Vec<(String, String)>;

async fn render(
    state: &State,
    signed_in: &SignedIn,
    status: StatusCode,
    new: NewAccountValues,
    errors: FieldErrors,
    notice: Option<String>,
) -> Result<HttpResponse, AppError> {
    let (users, required) = state
        .blocking(|store| {
            Ok::<_, crate::storage::StoreError>((
                store.users()?,
                accounts::two_factor_required(store)?,
            ))
        })
        .await?;
    let mut page = UsersPage::new(
        DeskContext::new(signed_in, "Accounts"),
        &users,
        signed_in.user.id,
        new,
        errors,
        notice,
    );
    page.two_factor_required = required;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

/// Back to the accounts page, with `notice` shown there once.
fn done(signed_in: &SignedIn, notice: String) -> Result<HttpResponse, AppError> {
    signed_in
        .session
        .insert(NOTICE_KEY, notice)
        .map_err(|e| AppError::internal("keeping a notice in the session", e))?;
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, "/desk/users"))
        .finish())
}

fn user_id(raw: &str) -> Result<UserId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// Runs an account change on the blocking pool.
async fn change<T: Send + 'static>(
    state: &State,
    f: impl FnOnce(&dyn crate::storage::Store) -> Result<T, AccountError> + Send + 'static,
) -> Result<Result<T, AccountError>, AppError> {
    state
        .blocking(move |store| Ok::<_, AppError>(f(store)))
        .await
}

/// Errors the admin can act on are shown on the page next to `field`; the rest are faults.
fn refusal(e: AccountError, field: String) -> Result<FieldErrors, AppError> {
    let message = match e {
        AccountError::UsernameTaken(name) => {
            format!("Username: {name} is taken; choose another.")
        }
        AccountError::LastAdmin(name) => {
            format!("{name} is the only active admin; make another account an admin first.")
        }
        AccountError::OwnAccount(what) => {
            format!("You cannot {what} your own account; ask another admin.")
        }
        other => return Err(fault(other)),
    };
    Ok(vec![(field, message)])
}

fn fault(e: AccountError) -> AppError {
    match e {
        AccountError::UnknownUser(_) => AppError::NotFound,
        AccountError::Store(e) => e.into(),
        other => AppError::internal("changing an account", other),
    }
}

#[get("/desk/users")]
async fn list(state: State, signed_in: SignedIn) -> Result<HttpResponse, AppError> {
    signed_in.require_admin()?;
    let notice = signed_in
        .session
        .remove_as::<String>(NOTICE_KEY)
        .and_then(Result::ok);
    render(
        &state,
        &signed_in,
        StatusCode::OK,
        NewAccountValues::default(),
        Vec::new(),
        notice,
    )
    .await
}

/// Every field defaults to empty, so that a forged or truncated form reaches the CSRF check
/// and is refused there rather than as a malformed request.
#[derive(Deserialize)]
struct NewAccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    initials: String,
    #[serde(default)]
    password: String,
}

impl NewAccountForm {
    /// The account asked for, with its password, or what is wrong with each field.
    fn parse(&self) -> Result<(NewAccount, Password), FieldErrors> {
        let mut errors: FieldErrors = Vec::new();
        let mut field = |name: &str, e: crate::domain::DomainError| {
            errors.push((name.to_owned(), e.to_string()));
        };
        let username = Username::parse(&self.username)
            .map_err(|e| field("username", e))
            .ok();
        let role = Role::parse(&self.role).map_err(|e| field("role", e)).ok();
        let initials = if self.initials.trim().is_empty() {
            Some(None)
        } else {
            Initials::parse(&self.initials)
                .map(Some)
                .map_err(|e| field("initials", e))
                .ok()
        };
        let password = Password::new(&self.password)
            .map_err(|e| field("password", e))
            .ok();
        match (username, role, initials, password) {
            (Some(username), Some(role), Some(initials), Some(password)) => Ok((
                NewAccount {
                    username,
                    role,
                    initials,
                },
                password,
            )),
            _ => Err(errors),
        }
    }
}

/// Adds the account, its password hashed on the bounded pool.
async fn add(
    state: &State,
    signed_in: &SignedIn,
    (new, password): (NewAccount, Password),
) -> Result<Result<User, AccountError>, AppError> {
    // Checked before hashing too, so a taken name costs no argon2 run.
    let name = new.username.clone();
    let taken = state
        .blocking(move |store| store.user_by_name(&name))
        .await?
        .is_some();
    if taken {
        return Ok(Err(AccountError::UsernameTaken(new.username.to_string())));
    }
    let hash = password::hash(password)
        .await
        .map_err(|e| AppError::internal("hashing a password", e))?;
    let actor = Actor::user(&signed_in.user, state.settings.clock.now());
    change(state, move |store| {
        accounts::create(store, &actor, new, hash)
    })
    .await
}

#[post("/desk/users")]
async fn create(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    form: web::Form<NewAccountForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.require_admin()?;
    let form = form.into_inner();
    signed_in.check_csrf(&req, &form.csrf)?;
    let parsed = form.parse();
    let values = NewAccountValues {
        username: form.username,
        role: form.role,
        initials: form.initials,
    };
    let errors = match parsed {
        Ok(new) => match add(&state, &signed_in, new).await? {
            Ok(user) => {
                let notice = format!(
                    "Account {} created: {}, initials {}.",
                    user.username, user.role, user.initials
                );
                return done(&signed_in, notice);
            }
            Err(e) => refusal(e, "username".into())?,
        },
        Err(errors) => errors,
    };
    render(
        &state,
        &signed_in,
        StatusCode::UNPROCESSABLE_ENTITY,
        values,
        errors,
        None,
    )
    .await
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
}

#[post("/desk/users/{id}/role")]
async fn change_role(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let id = admin_action(&req, &signed_in, &path, &form.csrf)?;
    let field = format!("role-{id}");
    let role = match Role::parse(&form.role) {
        Ok(role) => role,
        Err(e) => return refused(&state, &signed_in, vec![(field, e.to_string())]).await,
    };
    let actor = Actor::user(&signed_in.user, state.settings.clock.now());
    match change(&state, move |store| {
        accounts::set_role(store, &actor, id, role)
    })
    .await?
    {
        Ok(user) => done(
            &signed_in,
            format!("{} is now {}.", user.username, with_article(user.role)),
        ),
        Err(e) => refused(&state, &signed_in, refusal(e, field)?).await,
    }
}

/// The account a change is made to, once it is sure an admin asked for it from this site.
fn admin_action(
    req: &HttpRequest,
    signed_in: &SignedIn,
    path: &str,
    csrf: &str,
) -> Result<UserId, AppError> {
    signed_in.require_admin()?;
    signed_in.check_csrf(req, csrf)?;
    user_id(path)
}

fn with_article(role: Role) -> String {
    match role {
        Role::Admin => "an admin".into(),
        Role::Editor => "an editor".into(),
        Role::Writer => "a writer".into(),
    }
}

/// The accounts page again, with `errors` next to the fields they concern.
async fn refused(
    state: &State,
    signed_in: &SignedIn,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    render(
        state,
        signed_in,
        StatusCode::UNPROCESSABLE_ENTITY,
        NewAccountValues::default(),
        errors,
        None,
    )
    .await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

#[post("/desk/users/{id}/password")]
async fn reset_password(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let id = admin_action(&req, &signed_in, &path, &form.csrf)?;
    if let Some(own) = own_account(&signed_in, id) {
        return Ok(own);
    }
    let password = match Password::new(&form.password) {
        Ok(password) => password,
        Err(e) => {
            return refused(
                &state,
                &signed_in,
                vec![(format!("password-{id}"), e.to_string())],
            )
            .await;
        }
    };
    if state.blocking(move |store| store.user(id)).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let hash = password::hash(password)
        .await
        .map_err(|e| AppError::internal("hashing a password", e))?;
    let actor = Actor::user(&signed_in.user, state.settings.clock.now());
    let (user, ended) = change(&state, move |store| {
        accounts::set_password(store, &actor, id, hash)
    })
    .await?
    .map_err(fault)?;
    done(
        &signed_in,
        format!(
            "Password of {} reset; {}.",
            user.username,
            accounts::sessions_ended(ended)
        ),
    )
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[post("/desk/users/{id}/disable")]
async fn disable(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    let id = admin_action(&req, &signed_in, &path, &form.csrf)?;
    let actor = Actor::user(&signed_in.user, state.settings.clock.now());
    match change(&state, move |store| accounts::disable(store, &actor, id)).await? {
        Ok((user, ended)) => done(
            &signed_in,
            format!(
                "{} disabled; {}.",
                user.username,
                accounts::sessions_ended(ended)
            ),
        ),
        Err(e) => refused(&state, &signed_in, refusal(e, format!("status-{id}"))?).await,
    }
}

#[post("/desk/users/{id}/enable")]
async fn enable(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    let id = admin_action(&req, &signed_in, &path, &form.csrf)?;
    let actor = Actor::user(&signed_in.user, state.settings.clock.now());
    let user: User = change(&state, move |store| accounts::enable(store, &actor, id))
        .await?
        .map_err(fault)?;
    done(&signed_in, format!("{} enabled.", user.username))
}

/// An admin's own password and second factor are changed on the account page, which asks for
/// the password first, as it does of everyone: a session left open is not enough. A reset of
/// one's own account from the users page is sent there.
fn own_account(signed_in: &SignedIn, id: UserId) -> Option<HttpResponse> {
    (id == signed_in.user.id).then(|| {
        HttpResponse::SeeOther()
            .insert_header((actix_web::http::header::LOCATION, crate::urls::DESK_ACCOUNT))
            .finish()
    })
}

/// Takes away an account's second factor (its owner lost the phone and the recovery codes)
/// and ends its sessions; they set up a new one from their account page.
#[post("/desk/users/{id}/two-factor/reset")]
async fn reset_two_factor(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    let id = admin_action(&req, &signed_in, &path, &form.csrf)?;
    if let Some(own) = own_account(&signed_in, id) {
        return Ok(own);
    }
    let actor = Actor::user(&signed_in.user, state.settings.clock.now());
    let (user, ended) = change(&state, move |store| {
        accounts::reset_two_factor(store, &actor, id)
    })
    .await?
    .map_err(fault)?;
    done(
        &signed_in,
        format!(
            "Second factor of {} reset; {}.",
            user.username,
            accounts::sessions_ended(ended)
        ),
    )
}

#[derive(Deserialize)]
struct RequiredForm {
    #[serde(default)]
    csrf: String,
    /// Present (as `yes`) only when the box is ticked.
    #[serde(default)]
    required: Option<String>,
}

#[post("/desk/users/two-factor-required")]
async fn require_two_factor(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    form: web::Form<RequiredForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.require_admin()?;
    signed_in.check_csrf(&req, &form.csrf)?;
    let required = form.required.is_some();
    let actor = Actor::user(&signed_in.user, state.settings.clock.now());
    change(&state, move |store| {
        accounts::set_two_factor_required(store, &actor, required)
    })
    .await?
    .map_err(fault)?;
    let notice = if required {
        "Admins and editors must now log in with a second factor."
    } else {
        "A second factor is no longer required."
    };
    done(&signed_in, notice.into())
}
