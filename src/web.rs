//! HTTP: routes, middleware and the mapping of errors to pages.

mod api;
pub mod assets;
pub mod auth;
pub mod desk;
mod error;
mod media;
pub mod public;
mod reader;
mod session_store;
mod vary;

use crate::auth::throttle::LoginThrottle;
use crate::settings::Settings;
use crate::storage::{SharedStore, Store};
use crate::views::{SiteContext, Viewer};
use actix_session::SessionMiddleware;
use actix_session::config::{PersistentSession, TtlExtensionPolicy};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::guard::{self, Guard};
use actix_web::middleware::{Compress, DefaultHeaders, NormalizePath, TrailingSlash};
use actix_web::{App, HttpServer, web};
use session_store::DbSessionStore;
use std::net::TcpListener;
use std::sync::Arc;
use tracing_actix_web::TracingLogger;

pub use error::{AppError, form_config};

/// What every handler can reach.
pub struct AppState {
    pub store: SharedStore,
    pub settings: Settings,
    pub login_throttle: LoginThrottle,
    /// Bounds how many uploads are decoded and resized at once.
    pub photo_jobs: tokio::sync::Semaphore,
    pub public_cache: public::PublicCache,
    /// What every page may show of the site, made once from the settings.
    pub site: SiteContext,
}

pub type State = web::Data<AppState>;

impl AppState {
    /// Runs `work` against the store on the blocking pool. Store calls block (sled flushes to
    /// disk), and the async workers that serve every other request must never wait on them.
    pub async fn blocking<T, E>(
        &self,
        work: impl FnOnce(&dyn Store) -> Result<T, E> + Send + 'static,
    ) -> Result<T, AppError>
    where
        T: Send + 'static,
        E: Send + 'static,
        AppError: From<E>,
    {
        let store = self.store.clone();
        Ok(web::block(move || work(&*store)).await??)
    }
}

/// A desk page shows the signed-in account and carries its session's CSRF token.
impl From<&auth::SignedIn> for Viewer {
    fn from(signed_in: &auth::SignedIn) -> Self {
        Viewer {
            username: signed_in.user.username.clone(),
            role: signed_in.user.role,
            csrf: signed_in.csrf.clone(),
        }
    }
}

/// Headers that every response carries. No inline script or style is allowed anywhere. A site
/// served over HTTPS also tells browsers to use nothing else for a year (HSTS), so a link or a
/// typed address with `http://` cannot be intercepted before the redirect.
fn security_headers(settings: &Settings) -> DefaultHeaders {
    let headers = if settings.is_https() {
        DefaultHeaders::new().add(("Strict-Transport-Security", "max-age=31536000"))
    } else {
        DefaultHeaders::new()
    };
    headers
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; \
             form-action 'self'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        // Only answers that set their own (public pages, static files, photos) are cacheable.
        // `no-store` alone: it keeps an answer out of every cache, and `private` beside it is
        // a directive it overrides (a lint notes it).
        .add(("Cache-Control", "no-store"))
}

/// Desk sessions, on the desk's routes only: a cookie scoped to `/desk` (readers' pages never
/// see it), HttpOnly, SameSite=Lax, Secure on an HTTPS site; idle expiry renewed on every desk
/// request.
fn sessions(state: &web::Data<AppState>, key: &Key) -> SessionMiddleware<DbSessionStore> {
    let idle =
        actix_web::cookie::time::Duration::seconds(state.settings.session_idle.as_secs() as i64);
    let lifecycle = PersistentSession::default()
        .session_ttl(idle)
        .session_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest);
    SessionMiddleware::builder(
        DbSessionStore::new(state.store.clone(), state.settings.clock.clone()),
        key.clone(),
    )
    .cookie_name("newsroom_session".into())
    .cookie_path("/desk".into())
    .cookie_http_only(true)
    .cookie_same_site(SameSite::Lax)
    .cookie_secure(state.settings.is_https())
    .session_lifecycle(lifecycle)
    .build()
}

pub fn server(
    listener: TcpListener,
    settings: Settings,
    store: SharedStore,
) -> std::io::Result<Server> {
    let key = store
        .secret("session-cookie-key", 64)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let key = Key::from(&key);
    let state = web::Data::from(Arc::new(AppState {
        store,
        public_cache: public::PublicCache::new(&settings),
        site: SiteContext::new(&settings.site_name, &settings.base_url)
            .with_logo(settings.logo.clone()),
        settings,
        login_throttle: LoginThrottle::new(),
        photo_jobs: tokio::sync::Semaphore::new(crate::photos::CONCURRENT_JOBS),
    }));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            // Small limits everywhere; the forms that carry a story raise theirs.
            .app_data(error::form_config(16 << 10))
            .app_data(error::query_config())
            .wrap(Compress::default())
            .wrap(actix_web::middleware::from_fn(vary::middleware))
            .wrap(security_headers(&state.settings))
            .wrap(NormalizePath::new(TrailingSlash::Trim))
            .wrap(TracingLogger::default())
            .service(
                under(&["/static/", crate::urls::assets::FAVICON_PATH])
                    .service(assets::serve)
                    .service(assets::favicon),
            )
            .service(
                under(&["/media/"])
                    .service(media::public)
                    .service(media::public_rendition),
            )
            .service(
                under(DESK_PATHS)
                    .wrap(sessions(&state, &key))
                    .configure(desk::routes)
                    .service(media::desk)
                    .service(media::desk_file),
            )
            .service(public_routes())
            .default_service(web::to(error::not_found))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// Where the desk lives: the only paths that carry a session. A desk route outside these is
/// never reached (it gets the 404 page), which the desk's tests would show at once.
const DESK_PATHS: &[&str] = &["/desk", "/desk/", "/login", "/setup/"];

/// A scope for the routes below some path prefixes (a prefix ending in `/` matches the paths
/// under it, one without matches exactly). The routes keep their full paths. A request for a
/// reader's page is turned away by comparing strings, without trying the patterns of every
/// desk, photo and asset route: those are regular expressions, and with the page cache they
/// were most of what a page cost.
fn under(prefixes: &'static [&'static str]) -> actix_web::Scope {
    web::scope("").guard(PathPrefix(prefixes))
}

struct PathPrefix(&'static [&'static str]);

/// Compares the path as sent, before percent-decoding: `/%64esk` is not taken for `/desk`, and
/// falls through to the reader's routes and their 404 page, never to a desk handler.
impl Guard for PathPrefix {
    fn check(&self, ctx: &guard::GuardContext<'_>) -> bool {
        let path = ctx.head().uri.path();
        self.0.iter().any(|prefix| {
            if prefix.ends_with('/') {
                path.starts_with(prefix)
            } else {
                path == *prefix
            }
        })
    }
}

/// The reader's site and everything machines read: cached and revalidated as one (see
/// [`public`]). The empty prefix matches every path, so this scope comes last.
fn public_routes() -> actix_web::Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<actix_web::body::BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    web::scope("")
        .wrap(actix_web::middleware::from_fn(public::middleware))
        .configure(api::routes)
        .configure(reader::routes)
}
