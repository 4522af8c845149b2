//! Who is asking: the signed-in account as an extractor, and the checks that keep forged
//! requests out (a per-session CSRF token in every form, plus an Origin/Referer check).

use super::session_store::{ADDRESS_KEY, BROWSER_KEY, TAG_KEY, USER_KEY};
use super::{AppError, State};
use crate::auth::token;
use crate::domain::{User, UserId};
use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use time::OffsetDateTime;

const LOGIN_AT_KEY: &str = "login_at";
const CSRF_KEY: &str = "csrf";

/// A signed-in, enabled account, with its session's CSRF token. Taking it as a handler
/// argument makes the page require login: anonymous requests are sent to `/login` and
/// brought back afterwards.
pub struct SignedIn {
    pub user: User,
    pub csrf: String,
    pub session: Session,
    /// The newsroom's time zone, which every desk page's dates are in.
    pub zone: crate::domain::SiteZone,
}

impl SignedIn {
    /// Checks a submitted form's token and the request's origin.
    pub fn check_csrf(&self, req: &HttpRequest, submitted: &str) -> Result<(), AppError> {
        check_origin(req)?;
        if token::same(&self.csrf, submitted) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn require_editor(&self) -> Result<(), AppError> {
        if self.user.role.can_publish() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.user.role.can_manage_users() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl FromRequest for SignedIn {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<SignedIn, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match signed_in(&req).await {
                Some((signed_in, false)) => Ok(signed_in),
                // An admin or editor the site requires a second factor of, without one yet,
                // may do nothing but set one up (see [`Enrolling`]).
                Some((_, true)) => Err(AppError::SecondFactorSetupRequired),
                None => Err(AppError::LoginRequired {
                    next: return_path(&req),
                }),
            }
        })
    }
}

/// A signed-in account, whether or not it still has to set up a second factor the site
/// requires: for the pages that set one up, and for logging out.
pub struct Enrolling(pub SignedIn);

impl FromRequest for Enrolling {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Enrolling, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match signed_in(&req).await {
                Some((signed_in, _)) => Ok(Enrolling(signed_in)),
                None => Err(AppError::LoginRequired {
                    next: return_path(&req),
                }),
            }
        })
    }
}

/// The path (and query) to come back to after logging in; only for pages fetched with GET.
fn return_path(req: &HttpRequest) -> String {
    let here = req.uri().path_and_query().map(|pq| pq.as_str());
    match here {
        Some(here) if req.method() == actix_web::http::Method::GET => LocalPath::or_desk(here),
        _ => LocalPath::desk(),
    }
    .into_string()
}

/// A path on this site, the only place a login may send the browser on to. It is `/` followed by
/// neither `/` nor `\` (browsers read `//host` and `/\host` as another site), with no whitespace
/// or control character anywhere: browsers drop a tab or newline inside a URL, so `/\t/evil.example`
/// would become `//evil.example`, and a newline cannot go into a `Location` header at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPath(String);

impl LocalPath {
    pub fn parse(candidate: &str) -> Option<LocalPath> {
        let rest = candidate.strip_prefix('/')?;
        let opens_another_host = rest.starts_with(['/', '\\']);
        let unsafe_char = candidate
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
        (!opens_another_host && !unsafe_char).then(|| LocalPath(candidate.to_owned()))
    }

    /// The desk's front page, where a login goes when it was given nowhere (safe) to go.
    pub fn desk() -> LocalPath {
        LocalPath("/desk".to_owned())
    }

    pub fn or_desk(candidate: &str) -> LocalPath {
        Self::parse(candidate).unwrap_or_else(Self::desk)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The signed-in account, and whether it must set up a second factor before anything else.
async fn signed_in(req: &HttpRequest) -> Option<(SignedIn, bool)> {
    let state = req.app_data::<State>()?;
    let session = req.get_session();
    let user_id: UserId = session.get::<String>(USER_KEY).ok()??.parse().ok()?;
    let login_at: i64 = session.get(LOGIN_AT_KEY).ok()??;
    let age = state.settings.clock.now().unix_timestamp() - login_at;
    if age > state.settings.session_absolute.as_secs() as i64 {
        session.purge();
        return None;
    }
    // Read again on every request, so a disabled account or a changed role takes effect at once.
    let (user, must_enrol) = state
        .blocking(move |store| {
            let Some(user) = store.user(user_id)? else {
                return Ok::<_, crate::storage::StoreError>(None);
            };
            let must_enrol = crate::accounts::must_enrol(store, &user)?;
            Ok(Some((user, must_enrol)))
        })
        .await
        .ok()??;
    if user.disabled {
        session.purge();
        return None;
    }
    let csrf = session.get::<String>(CSRF_KEY).ok()??;
    note_client(&session, req, state);
    Some((
        SignedIn {
            user,
            csrf,
            session,
            zone: state.settings.time_zone.clone(),
        },
        must_enrol,
    ))
}

/// Keeps the browser and address a session is used from, once, for its owner's list of
/// sessions (the session store copies them into the record). Called as a session begins, so
/// that noting them costs no write of its own; a session begun elsewhere (first-run setup, or
/// before this was kept) gets them on its first desk request.
pub fn note_client(session: &Session, req: &HttpRequest, state: &super::AppState) {
    if session.contains_key(BROWSER_KEY) {
        return;
    }
    let browser: String = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown browser")
        .chars()
        .take(200)
        .collect();
    let address = super::client::Client::of(req, &state.settings.trusted_proxies).address_text();
    // Losing them only leaves the list less telling; the session itself is unaffected.
    let _ = session
        .insert(BROWSER_KEY, browser)
        .and_then(|()| session.insert(ADDRESS_KEY, address));
}

/// The tag of this session as its record's state holds it (JSON-encoded, as actix-session
/// keeps every value), to find it among the account's sessions.
pub fn session_tag(session: &Session) -> Option<String> {
    let tag = session.get::<String>(TAG_KEY).ok()??;
    serde_json::to_string(&tag).ok()
}

/// Starts a fresh session for `user`: a new session id (so an id planted before login is
/// worthless), the login time for the absolute expiry, and a new CSRF token.
/// Returns the new CSRF token.
pub fn begin_session(
    session: &Session,
    user: &User,
    now: OffsetDateTime,
) -> Result<String, AppError> {
    session.renew();
    session.clear();
    let now = now.unix_timestamp();
    let csrf = token::random_token();
    session
        .insert(USER_KEY, user.id.to_string())
        .and_then(|()| session.insert(LOGIN_AT_KEY, now))
        .and_then(|()| session.insert(CSRF_KEY, csrf.clone()))
        .and_then(|()| session.insert(TAG_KEY, token::random_token()))
        .map_err(|e| AppError::internal("starting a session", e))?;
    Ok(csrf)
}

/// A cross-site form post carries the other site's Origin (or, from older browsers, Referer).
/// Requests with neither are judged by their CSRF token alone.
pub fn check_origin(req: &HttpRequest) -> Result<(), AppError> {
    // The Host header as sent (a proxy passes it on), not `X-Forwarded-Host`, which anyone
    // may send.
    let host = req
        .headers()
        .get(actix_web::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let claimed = req
        .headers()
        .get("origin")
        .or_else(|| req.headers().get("referer"))
        .and_then(|v| v.to_str().ok());
    match claimed {
        None => Ok(()),
        Some(url) => {
            let authority = url
                .split_once("://")
                .map(|(_, rest)| rest.split('/').next().unwrap_or(""));
            if authority == Some(host) {
                Ok(())
            } else {
                Err(AppError::Forbidden)
            }
        }
    }
}

/// Login and setup forms come before any session: they use a double-submit token, a value
/// both in a cookie and in the form, which another site can neither read nor set. The value is
/// signed with the site's key, so that a pair planted by someone who can set a cookie for the
/// site (from a neighbouring subdomain, say) but cannot sign is refused too.
pub mod pre_session {
    use super::*;
    use crate::domain::SiteKey;
    use actix_web::cookie::{Cookie, SameSite};
    use rand::RngCore;

    pub const COOKIE: &str = "newsroom_form";
    const PURPOSE: &str = "pre-session form";

    /// A new signed token: 16 random bytes and the first 16 of their HMAC, in hex.
    pub fn signed_token(key: &SiteKey) -> String {
        let mut random = [0u8; 16];
        rand::rng().fill_bytes(&mut random);
        let tag = key.sign(PURPOSE, &[&random]);
        format!("{}{}", hex::encode(random), hex::encode(&tag[..16]))
    }

    /// Whether `value` is a token [`signed_token`] made with this key.
    pub fn genuine(key: &SiteKey, value: &str) -> bool {
        if value.len() != 64 {
            return false;
        }
        match (hex::decode(&value[..32]), hex::decode(&value[32..])) {
            (Ok(random), Ok(tag)) => key.verify(PURPOSE, &[&random], &tag),
            _ => false,
        }
    }

    /// The token for a form: the one already in the cookie, or a new one to set.
    pub fn token(req: &HttpRequest) -> (String, Option<Cookie<'static>>) {
        let state = req.app_data::<State>();
        if let (Some(cookie), Some(state)) = (req.cookie(COOKIE), state)
            && genuine(&state.site_key, cookie.value())
        {
            return (cookie.value().to_owned(), None);
        }
        let value = match state {
            Some(state) => signed_token(&state.site_key),
            // Not reached: every request of the app carries its state.
            None => token::random_token(),
        };
        let secure = state.is_some_and(|s| s.settings.is_https());
        let cookie = Cookie::build(COOKIE, value.clone())
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
            .finish();
        (value, Some(cookie))
    }

    /// An HTML page for a pre-session form, setting the form cookie when it is new.
    pub fn page(
        status: actix_web::http::StatusCode,
        cookie: Option<Cookie<'static>>,
        body: String,
    ) -> actix_web::HttpResponse {
        let mut response = actix_web::HttpResponse::build(status);
        if let Some(cookie) = cookie {
            response.cookie(cookie);
        }
        response.content_type("text/html; charset=utf-8").body(body)
    }

    /// The submitted token is the cookie's, and the site signed it.
    pub fn check(req: &HttpRequest, submitted: &str) -> Result<(), AppError> {
        check_origin(req)?;
        let key = req
            .app_data::<State>()
            .map(|state| &state.site_key)
            .ok_or(AppError::Forbidden)?;
        match req.cookie(COOKIE) {
            Some(cookie) if token::same(cookie.value(), submitted) && genuine(key, submitted) => {
                Ok(())
            }
            _ => Err(AppError::Forbidden),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LocalPath;

    #[test]
    fn a_form_token_is_genuine_only_with_the_key_that_signed_it() {
        use super::pre_session::{genuine, signed_token};
        use crate::domain::SiteKey;
        let key = SiteKey::new(b"site");
        let token = signed_token(&key);
        assert!(genuine(&key, &token));
        assert!(!genuine(&SiteKey::new(b"other"), &token));
        assert!(!genuine(&key, &"ab".repeat(32)));
        assert!(!genuine(&key, &token[..63]));
    }

    #[test]
    fn a_local_path_is_kept() {
        for path in ["/desk", "/desk/stories?page=2", "/desk/stories/01?x=%2F%2F"] {
            assert_eq!(LocalPath::or_desk(path).as_str(), path);
        }
    }

    #[test]
    fn anything_a_browser_could_read_as_another_site_goes_to_the_desk() {
        for path in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/desk\r\nSet-Cookie: x=1",
            "/ /evil.example",
            "/desk\u{a0}x",
            "/desk\\..\\evil",
            "desk",
            "",
        ] {
            assert_eq!(LocalPath::or_desk(path), LocalPath::desk(), "{path:?}");
        }
    }
}
