//! Builds the running application from settings: opens the store, binds the listener, starts
//! the background scheduler. Used by `newsroom serve` and by the integration tests.

use crate::auth::token::Setup;
use crate::metrics::Metrics;
use crate::settings::Settings;
use crate::storage::{self, SharedStore};
use crate::web::health::Readiness;
use crate::{scheduler, web};
use actix_web::dev::Server;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

pub struct Application {
    server: Server,
    port: u16,
    store: SharedStore,
    setup: Setup,
    /// The site's public address, as links name it.
    base_url: String,
    control: Option<crate::control::Channel>,
    readiness: Arc<Readiness>,
    metrics: Option<Arc<Metrics>>,
    /// Serves `metrics` on its own address, when they are kept.
    metrics_server: Option<Server>,
    /// How long a stop waits, still serving but no longer ready, before it stops.
    drain: Duration,
    clock: crate::clock::Clock,
    zone: crate::domain::SiteZone,
    /// The drop folder of agency copy, when one is watched.
    ingest: Option<crate::ingest::DropFolder>,
}

impl Application {
    /// Opens the database named by `settings` and binds the listener.
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = storage::open(&settings.storage, settings.clock.clone())?;
        Self::build_with_store(settings, store)
    }

    pub fn build_with_store(mut settings: Settings, store: SharedStore) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
        let bound = listener.local_addr()?;
        // An address derived from `--bind 127.0.0.1:0` names the port actually taken.
        if settings.base_url == format!("http://{}", settings.bind) {
            settings.base_url = format!("http://{bound}");
        }
        let port = bound.port();
        let base_url = settings.base_url.clone();
        let setup = crate::auth::token::issue_setup_token(&*store)?;
        // The sections admins set up, before the first page shows them.
        crate::sections::refresh(&*store)?;
        // Before the first page: a new build or new settings date every page anew.
        store.adopt_page_look(&web::public::page_look(&settings))?;
        // Commands reach a server on sled through its control socket; on PostgreSQL they open
        // the database themselves.
        let control = crate::control::Channel::open(&settings.storage)?;
        let clock = settings.clock.clone();
        let zone = settings.time_zone.clone();
        let drain = settings.drain;
        let ingest = settings
            .ingest_dir
            .as_deref()
            .map(|dir| crate::ingest::DropFolder::open(dir, &settings.base_url, &settings.language))
            .transpose()?;
        let readiness = Arc::new(Readiness::default());
        let (metrics, metrics_server) = match &settings.metrics_bind {
            Some(addr) => {
                let listener = TcpListener::bind(addr)
                    .map_err(|e| anyhow::anyhow!("cannot serve metrics on {addr}: {e}"))?;
                let metrics = Arc::new(Metrics::new());
                let server = web::metrics::server(listener, metrics.clone(), store.clone())?;
                (Some(metrics), Some(server))
            }
            None => (None, None),
        };
        let server = web::server(
            listener,
            settings,
            store.clone(),
            readiness.clone(),
            metrics.clone(),
        )?;
        Ok(Self {
            server,
            metrics,
            metrics_server,
            port,
            store,
            setup,
            base_url,
            control,
            clock,
            zone,
            readiness,
            drain,
            ingest,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The site's public address (`--base-url`, or the address it listens on).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Where the first-run setup stands.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// The one-time token that creates the first account, when this start made it.
    pub fn setup_token(&self) -> Option<&str> {
        match &self.setup {
            Setup::Issued(token) => Some(token),
            Setup::Done | Setup::Waiting => None,
        }
    }

    /// Serves until SIGINT or SIGTERM, then drains: `/readyz` answers 503 for the drain time
    /// while every request is still served, so a balancer stops sending before the server
    /// stops; then it finishes the requests in flight and stops.
    pub async fn run_until_signalled(self) -> anyhow::Result<()> {
        let handle = self.server.handle();
        let readiness = self.readiness.clone();
        let drain = self.drain;
        actix_web::rt::spawn(async move {
            stop_signal().await;
            readiness.start_draining();
            tracing::info!(seconds = drain.as_secs_f64(), "draining before the stop");
            actix_web::rt::time::sleep(drain).await;
            handle.stop(true).await;
        });
        self.run_until_stopped().await
    }

    /// Serves until the server is stopped (the test harness drops it), then finishes the
    /// requests in flight.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let scheduler = actix_web::rt::spawn(scheduler::run(
            self.store.clone(),
            self.clock.clone(),
            self.zone.clone(),
            self.metrics.clone(),
        ));
        let following = actix_web::rt::spawn(follow_changes(self.store.clone()));
        let ingest = self.ingest.clone().map(|folder| {
            actix_web::rt::spawn(crate::ingest::run(
                folder,
                self.store.clone(),
                self.clock.clone(),
            ))
        });
        let metrics_server = self.metrics_server.map(|server| {
            let handle = server.handle();
            actix_web::rt::spawn(server);
            handle
        });
        let store = self.store.clone();
        let control = actix_web::rt::spawn(async move {
            if let Some(control) = self.control {
                control.serve(store).await;
            }
        });
        let result = self.server.await;
        scheduler.abort();
        control.abort();
        following.abort();
        if let Some(ingest) = ingest {
            ingest.abort();
        }
        if let Some(handle) = metrics_server {
            handle.stop(true).await;
        }
        result?;
        Ok(())
    }
}

/// SIGTERM, as a service manager sends, or SIGINT (Ctrl-C).
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        // Without a SIGTERM handler, Ctrl-C still stops the server.
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Takes in other servers' changes to a shared database, so that this one's pages follow them.
async fn follow_changes(store: SharedStore) {
    let mut interval = actix_web::rt::time::interval(storage::FOLLOW_EVERY);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let store = store.clone();
        // Sections first: a page made between the two shows the new list under the old public
        // version, which the second step then retires, never the old list under the new one.
        let follow = move || {
            crate::sections::refresh(&*store)?;
            store.follow_changes()
        };
        match actix_web::web::block(follow).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %crate::telemetry::chain(&e), "cannot follow changes")
            }
            Err(e) => tracing::warn!(error = %e, "cannot follow changes"),
        }
    }
}
