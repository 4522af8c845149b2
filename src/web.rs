//! HTTP: routes, middleware and the mapping of errors to pages.

mod api;
pub mod assets;
pub mod auth;
pub mod client;
pub mod desk;
mod error;
pub mod health;
mod media;
pub mod metrics;
pub mod public;
mod reader;
mod request_log;
mod search;
mod session_store;
mod vary;

use crate::auth::throttle::LoginThrottle;
use crate::domain::SiteKey;
use crate::settings::Settings;
use crate::storage::{SharedStore, Store};
use crate::views::{SiteContext, Viewer};
use actix_session::SessionMiddleware;
use actix_session::config::{PersistentSession, TtlExtensionPolicy};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::guard::{self, Guard};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{Compress, DefaultHeaders, NormalizePath, TrailingSlash};
use actix_web::{App, HttpServer, web};
use session_store::DbSessionStore;
use std::net::TcpListener;
use std::rc::Rc;
use std::sync::Arc;
use tracing_actix_web::TracingLogger;

pub use error::{AppError, form_config};

/// What every handler can reach.
pub struct AppState {
    pub store: SharedStore,
    pub settings: Settings,
    pub login_throttle: LoginThrottle,
    /// Signs what the site hands out and reads back: form tokens, API cursors, known browsers.
    pub site_key: SiteKey,
    /// Bounds how many uploads are decoded and resized at once.
    pub photo_jobs: tokio::sync::Semaphore,
    pub public_cache: public::PublicCache,
    /// What every page may show of the site, made once from the settings.
    pub site: SiteContext,
    /// Whether balancers should still send requests here.
    pub readiness: Arc<health::Readiness>,
    /// What the server counts, when `--metrics-bind` asks for it.
    pub metrics: Option<Arc<crate::metrics::Metrics>>,
    /// The heads of the listings related stories come from, for the current generation.
    pub related: crate::related::RelatedMemo,
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
            zone: signed_in.zone.clone(),
        }
    }
}

/// Headers that every response carries. No inline script or style is allowed anywhere. A site
/// served over HTTPS also tells browsers to use nothing else for a year (HSTS), so a link or a
/// typed address with `http://` cannot be intercepted before the redirect.
/// Each is added to an answer that does not set it itself.
fn security_headers(settings: &Settings) -> Vec<(HeaderName, HeaderValue)> {
    let hsts = settings.is_https().then(|| {
        (
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        )
    });
    hsts.into_iter()
        .chain([
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; img-src 'self' data:; object-src 'none'; \
                     base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
                ),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("strict-origin-when-cross-origin"),
            ),
            // Only answers that set their own (public pages, static files, photos) are
            // cacheable. `no-store` alone: it keeps an answer out of every cache, and `private`
            // beside it is a directive it overrides (a lint notes it).
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ])
        .collect()
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

/// The HTTP server on `listener`. It leaves signals to its owner, which drains it first (see
/// `startup`).
pub fn server(
    listener: TcpListener,
    settings: Settings,
    store: SharedStore,
    readiness: Arc<health::Readiness>,
    metrics: Option<Arc<crate::metrics::Metrics>>,
) -> std::io::Result<Server> {
    let key = store
        .secret("session-cookie-key", 64)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let site_key = SiteKey::new(&key);
    let key = Key::from(&key);
    let login_throttle = LoginThrottle::new(
        store.clone(),
        settings.clock.clone(),
        settings.login_limits.clone(),
    );
    let state = web::Data::from(Arc::new(AppState {
        store,
        public_cache: public::PublicCache::new(&settings),
        site: SiteContext::new(&settings.site_name, &settings.base_url)
            .with_logo(settings.logo.clone())
            .with_language(settings.language.clone())
            .with_zone(settings.time_zone.clone()),
        settings,
        login_throttle,
        site_key,
        photo_jobs: tokio::sync::Semaphore::new(crate::photos::CONCURRENT_JOBS),
        readiness,
        metrics,
        related: Default::default(),
    }));
    let server = HttpServer::new(move || {
        let headers = security_headers(&state.settings);
        let every_answer = headers
            .iter()
            .cloned()
            .fold(DefaultHeaders::new(), |all, header| all.add(header));
        let shortcut = Rc::new(public::Shortcut {
            state: state.clone(),
            headers,
        });
        App::new()
            .app_data(state.clone())
            // Small limits everywhere; the forms that carry a story raise theirs.
            .app_data(error::form_config(16 << 10))
            .app_data(error::query_config())
            .wrap(Compress::default())
            .wrap(actix_web::middleware::from_fn(vary::middleware))
            .wrap(every_answer)
            .wrap(NormalizePath::new(TrailingSlash::Trim))
            .wrap(TracingLogger::<request_log::RequestSpan>::new())
            // Outermost, so first to see a request: a page the cache holds is answered here
            // and skips the middleware wrapped above, which cost a cached page more than
            // finding it does (README "Performance" has the profile). `public::shortcut` says
            // what it does in their place.
            .wrap(actix_web::middleware::from_fn(move |req, next| {
                public::shortcut(req, next, Rc::clone(&shortcut))
            }))
            // Outside even the shortcut, so that every answer is counted; left out altogether
            // when no metrics are kept.
            .wrap(actix_web::middleware::Condition::new(
                state.metrics.is_some(),
                actix_web::middleware::from_fn({
                    let metrics = state.metrics.clone().unwrap_or_default();
                    move |req, next| metrics::track(req, next, metrics.clone())
                }),
            ))
            .service(
                under(&["/static/", crate::urls::assets::FAVICON_PATH])
                    .service(assets::serve)
                    .service(assets::favicon),
            )
            .service(
                under(&["/healthz", "/readyz"])
                    .service(health::healthz)
                    .service(health::readyz),
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
                    .service(media::desk_file),
            )
            .service(public_routes())
            .default_service(web::to(error::not_found))
    })
    .disable_signals()
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
