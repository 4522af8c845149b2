//! Builds the running application from settings: opens the store, binds the listener, starts
//! the background scheduler. Used by `newsroom serve` and by the integration tests.

use crate::settings::Settings;
use crate::storage::{self, SharedStore};
use crate::{scheduler, web};
use actix_web::dev::Server;
use std::net::TcpListener;

pub struct Application {
    server: Server,
    port: u16,
    store: SharedStore,
    setup_token: Option<String>,
    control: Option<crate::control::Channel>,
    clock: crate::clock::Clock,
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
        let setup_token = crate::auth::token::issue_setup_token(&*store)?;
        // Before the first page: a new build or new settings date every page anew.
        store.adopt_page_look(&web::public::page_look(&settings))?;
        // Commands reach a server on sled through its control socket; on PostgreSQL they open
        // the database themselves.
        let control = match settings.storage.sled_dir() {
            Some(dir) => Some(crate::control::Channel::open(dir)?),
            None => None,
        };
        let clock = settings.clock.clone();
        let server = web::server(listener, settings, store.clone())?;
        Ok(Self {
            server,
            port,
            store,
            setup_token,
            control,
            clock,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The one-time token that creates the first account, when there is no account yet.
    pub fn setup_token(&self) -> Option<&str> {
        self.setup_token.as_deref()
    }

    /// Serves until SIGINT/SIGTERM, then finishes in-flight requests and flushes the database.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let scheduler =
            actix_web::rt::spawn(scheduler::run(self.store.clone(), self.clock.clone()));
        let store = self.store.clone();
        let control = actix_web::rt::spawn(async move {
            if let Some(control) = self.control {
                control.serve(store).await;
            }
        });
        let result = self.server.await;
        scheduler.abort();
        control.abort();
        result?;
        Ok(())
    }
}
