//! One's own account, for every role: change the password, set up or turn off the second
//! factor, see where one is logged in and end any of it. Changes go through
//! [`crate::accounts`], which records them in the audit log.

use crate::accounts::{self, Actor};
use crate::auth::password::{self, Verified};
use crate::auth::second_factor;
use crate::auth::throttle::Browser;
use crate::domain::{Password, UserId};
use crate::urls::{DESK_ACCOUNT, TWO_FACTOR_SETUP};
use crate::views::Timestamp;
use crate::views::desk::DeskContext;
use crate::views::desk_account::{AccountPage, RecoveryCodesPage, SessionRow, TwoFactorSetupPage};
use crate::web::auth::{Enrolling, SignedIn, begin_session, note_client, session_tag};
use crate::web::{AppError, State, session_store};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show)
        .service(change_password)
        .service(setup)
        .service(qr_code)
        .service(confirm)
        .service(turn_off)
        .service(end_session)
        .service(everywhere);
}

/// The session key of the message shown once on the next account page.
const NOTICE_KEY: &str = "account_notice";
/// The session key of the secret being set up, until a code from it is confirmed.
const PENDING_SECRET_KEY: &str = "two_factor_pending";

type FieldErrors = Vec<(String, String)>;

/// Checks the password typed to confirm a change to one's own account, through the login
/// throttle as a login would be: whoever holds a session left open may not guess the password
/// here at argon2's pace. `Ok(None)`: it is right; `Ok(Some(message))`: why not, for the field.
async fn reverify_password(
    req: &HttpRequest,
    state: &State,
    signed_in: &SignedIn,
    typed: &str,
) -> Result<Option<String>, AppError> {
    let client = super::client_address(req, state);
    let username = signed_in.user.username.to_string();
    let attempt = match super::login::reserve(state, &username, &client, Browser::Unknown).await? {
        Ok(attempt) => attempt,
        Err(wait) => {
            let minutes = wait.as_secs().div_ceil(60).max(1);
            return Ok(Some(format!(
                "Too many wrong passwords: try again in {minutes} minute{}.",
                if minutes == 1 { "" } else { "s" }
            )));
        }
    };
    let verified = match Password::typed(typed) {
        Ok(typed) => password::verify(typed, Some(signed_in.user.password_hash.clone())).await,
        Err(_) => Verified::No,
    };
    if verified == Verified::No {
        drop(attempt);
        return Ok(Some("That is not your current password.".into()));
    }
    web::block(move || attempt.succeeded()).await?;
    Ok(None)
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, to.to_owned()))
        .finish()
}

/// Back to the account page, with `notice` shown there once.
fn done(signed_in: &SignedIn, notice: &str) -> Result<HttpResponse, AppError> {
    signed_in
        .session
        .insert(NOTICE_KEY, notice)
        .map_err(|e| AppError::internal("keeping a notice in the session", e))?;
    Ok(see_other(DESK_ACCOUNT))
}

async fn render(
    state: &State,
    signed_in: &SignedIn,
    status: StatusCode,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let notice = signed_in
        .session
        .remove_as::<String>(NOTICE_KEY)
        .and_then(Result::ok);
    let (id, now) = (signed_in.user.id, state.settings.clock.now());
    let sessions = state
        .blocking(move |store| store.sessions_of(id, now))
        .await?;
    let current = session_tag(&signed_in.session);
    let mut sessions: Vec<SessionRow> = sessions
        .into_iter()
        .map(|(key, record)| SessionRow {
            id: hex::encode(key),
            is_current: current.is_some()
                && record
                    .state
                    .iter()
                    .any(|(k, v)| k == session_store::TAG_KEY && Some(v) == current.as_ref()),
            browser: record.browser,
            address: record.address,
            last_seen: record
                .last_seen
                .map(|at| Timestamp::named(at, &signed_in.zone)),
        })
        .collect();
    sessions.sort_by_key(|s| std::cmp::Reverse(s.is_current));
    // This session's first desk request noted its browser and address, which its record
    // only gets when that request ends.
    if let Some(this) = sessions.iter_mut().find(|s| s.is_current) {
        let live = |key| signed_in.session.get::<String>(key).ok().flatten();
        if this.browser.is_empty() {
            this.browser = live(session_store::BROWSER_KEY).unwrap_or_default();
        }
        if this.address.is_empty() {
            this.address = live(session_store::ADDRESS_KEY).unwrap_or_default();
        }
    }
    let two_factor = signed_in.user.two_factor.as_ref();
    let page = AccountPage {
        ctx: DeskContext::new(signed_in, "Your account"),
        notice,
        errors,
        has_two_factor: two_factor.is_some(),
        recovery_left: two_factor.map_or(0, |tf| tf.recovery.len()),
        sessions,
    };
    Ok(html(status, page.render()?))
}

#[get("/desk/account")]
async fn show(state: State, signed_in: SignedIn) -> Result<HttpResponse, AppError> {
    render(&state, &signed_in, StatusCode::OK, Vec::new()).await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
}

/// Changes one's own password, the current one checked first. The account's other sessions
/// end; this one goes on under a fresh session id.
#[post("/desk/account/password")]
async fn change_password(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.check_csrf(&req, &form.csrf)?;
    let mut errors: FieldErrors = Vec::new();
    if let Some(refused) = reverify_password(&req, &state, &signed_in, &form.current).await? {
        errors.push(("current".into(), refused));
    }
    let new = Password::new(&form.password)
        .map_err(|e| errors.push(("password".into(), e.to_string())))
        .ok();
    let (Some(new), true) = (new, errors.is_empty()) else {
        return render(&state, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, errors).await;
    };
    let hash = password::hash(new)
        .await
        .map_err(|e| AppError::internal("hashing a password", e))?;
    let actor = Actor::user(&signed_in.user, state.settings.clock.now());
    let id = signed_in.user.id;
    let (user, _) = state
        .blocking(move |store| accounts::set_password(store, &actor, id, hash))
        .await?;
    restart_session(&req, &state, &signed_in, &user)?;
    done(
        &signed_in,
        "Your password was changed; your other sessions were ended.",
    )
}

/// Every session of the account was ended (this one too): starts a fresh one for whoever just
/// proved they are signed in as it.
fn restart_session(
    req: &HttpRequest,
    state: &State,
    signed_in: &SignedIn,
    user: &crate::domain::User,
) -> Result<(), AppError> {
    begin_session(&signed_in.session, user, state.settings.clock.now())?;
    note_client(&signed_in.session, req, state);
    Ok(())
}

/// The secret being set up: the one kept in the session, so that reloading the page shows the
/// code already scanned, or a new one.
fn pending_secret(signed_in: &SignedIn) -> Result<crate::domain::TotpSecret, AppError> {
    let kept = signed_in
        .session
        .get::<String>(PENDING_SECRET_KEY)
        .ok()
        .flatten()
        .and_then(|text| second_factor::parse_secret(&text));
    if let Some(secret) = kept {
        return Ok(secret);
    }
    let secret = second_factor::new_secret();
    signed_in
        .session
        .insert(PENDING_SECRET_KEY, second_factor::secret_text(&secret))
        .map_err(|e| AppError::internal("keeping a secret in the session", e))?;
    Ok(secret)
}

fn setup_page(
    signed_in: &SignedIn,
    secret: &crate::domain::TotpSecret,
    required: bool,
    error: Option<String>,
) -> TwoFactorSetupPage {
    let text = second_factor::secret_text(secret);
    let grouped = text
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    TwoFactorSetupPage {
        ctx: DeskContext::new(signed_in, "Set up a second factor"),
        secret_text: grouped,
        qr_url: format!("{TWO_FACTOR_SETUP}/qr.svg"),
        required,
        error,
    }
}

#[get("/desk/account/two-factor")]
async fn setup(state: State, enrolling: Enrolling) -> Result<HttpResponse, AppError> {
    let signed_in = enrolling.0;
    if signed_in.user.two_factor.is_some() {
        return Ok(see_other(DESK_ACCOUNT));
    }
    let secret = pending_secret(&signed_in)?;
    let user = signed_in.user.clone();
    let required = state
        .blocking(move |store| accounts::must_enrol(store, &user))
        .await?;
    Ok(html(
        StatusCode::OK,
        setup_page(&signed_in, &secret, required, None).render()?,
    ))
}

/// The QR code of the secret being set up, drawn here: no outside service sees it, and an
/// image from this site passes the desk's Content-Security-Policy.
#[get("/desk/account/two-factor/qr.svg")]
async fn qr_code(state: State, enrolling: Enrolling) -> Result<HttpResponse, AppError> {
    let signed_in = enrolling.0;
    let secret = pending_secret(&signed_in)?;
    let uri =
        second_factor::otpauth_uri(&secret, &state.site.name, signed_in.user.username.as_str());
    let svg =
        second_factor::qr_svg(&uri).map_err(|e| AppError::internal("drawing a QR code", e))?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("Cache-Control", "no-store"))
        .body(svg))
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// Turns the second factor on once a code from the app matches, and shows the recovery codes,
/// this once.
#[post("/desk/account/two-factor")]
async fn confirm(
    req: HttpRequest,
    state: State,
    enrolling: Enrolling,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let signed_in = enrolling.0;
    signed_in.check_csrf(&req, &form.csrf)?;
    if signed_in.user.two_factor.is_some() {
        return Ok(see_other(DESK_ACCOUNT));
    }
    let secret = pending_secret(&signed_in)?;
    let (codes, digests) = second_factor::new_recovery_codes();
    let actor = Actor::user(&signed_in.user, state.settings.clock.now());
    let (id, code, kept) = (signed_in.user.id, form.code.clone(), secret.clone());
    let enrolled = state
        .blocking(move |store| accounts::enrol_two_factor(store, &actor, id, &kept, &code, digests))
        .await?;
    if !enrolled {
        let user = signed_in.user.clone();
        let required = state
            .blocking(move |store| accounts::must_enrol(store, &user))
            .await?;
        let error = "That code does not match: check the app shows this site's key, and type the code it shows now.";
        let page = setup_page(&signed_in, &secret, required, Some(error.into()));
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?));
    }
    signed_in.session.remove(PENDING_SECRET_KEY);
    let page = RecoveryCodesPage {
        ctx: DeskContext::new(&signed_in, "Your recovery codes"),
        codes: codes.into_iter().map(|c| c.0).collect(),
    };
    // Shown once: no cache may keep a copy.
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(page.render()?))
}

#[derive(Deserialize)]
struct TurnOffForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

/// Turns one's own second factor off, once the password proves it is the account's owner and
/// not someone at a desk left unlocked; every session of the account ends (as an admin's
/// reset does), and this one starts afresh.
#[post("/desk/account/two-factor/reset")]
async fn turn_off(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    form: web::Form<TurnOffForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.check_csrf(&req, &form.csrf)?;
    if let Some(refused) = reverify_password(&req, &state, &signed_in, &form.password).await? {
        let errors = vec![(
            "turn-off-password".into(),
            format!("{refused} The second factor stays on."),
        )];
        return render(&state, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, errors).await;
    }
    let actor = Actor::user(&signed_in.user, state.settings.clock.now());
    let id = signed_in.user.id;
    let (user, _) = state
        .blocking(move |store| accounts::reset_two_factor(store, &actor, id))
        .await?;
    restart_session(&req, &state, &signed_in, &user)?;
    done(
        &signed_in,
        "Your second factor is off; your other sessions were ended.",
    )
}

/// Ends one of one's own sessions.
#[post("/desk/account/sessions/{key}/end")]
async fn end_session(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.check_csrf(&req, &form.csrf)?;
    let key: [u8; 32] = hex::decode(path.as_str())
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(AppError::NotFound)?;
    let (id, now): (UserId, _) = (signed_in.user.id, state.settings.clock.now());
    // Only a session of this account: the key comes from a form anyone could write.
    let ended = state
        .blocking(move |store| {
            let mine = store.sessions_of(id, now)?.iter().any(|(k, _)| *k == key);
            if mine {
                store.delete_session(&key)?;
            }
            Ok::<_, crate::storage::StoreError>(mine)
        })
        .await?;
    if !ended {
        return Err(AppError::NotFound);
    }
    done(&signed_in, "That session has ended.")
}

/// Ends every session of the account, this one too.
#[post("/desk/account/sign-out-everywhere")]
async fn everywhere(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    signed_in.check_csrf(&req, &form.csrf)?;
    let actor = Actor::user(&signed_in.user, state.settings.clock.now());
    let id = signed_in.user.id;
    state
        .blocking(move |store| accounts::sign_out_everywhere(store, &actor, id))
        .await?;
    signed_in.session.purge();
    Ok(see_other("/login?logged_out=1"))
}
