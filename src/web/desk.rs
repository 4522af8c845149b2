//! The desk: login, stories, photos and accounts. Every page needs a signed-in account (see
//! [`SignedIn`](super::auth::SignedIn)); every form carries a CSRF token.

mod account;
mod audit;
mod autosave;
mod editable;
mod front;
mod history;
mod incoming;
mod login;
mod login_code;
mod photo_library;
mod photo_picker;
mod photos;
mod presence;
mod restore;
mod sections;
mod setup;
mod stories;
pub mod story_form;
mod story_photo;
pub(crate) mod topics;
mod users;

use crate::domain::StoryId;
use crate::views::desk::DeskContext;
use crate::views::desk_refusal::RefusalPage;
use crate::web::AppError;
use crate::web::auth::SignedIn;
use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // The login form may carry a logged-out writer's whole story back to them.
    let login_form = crate::web::form_config(2 << 20);
    cfg.service(
        web::resource("/login")
            .app_data(login_form)
            .route(web::get().to(login::show))
            .route(web::post().to(login::submit)),
    )
    .service(
        web::resource("/desk/autosave")
            .app_data(crate::web::form_config(autosave::FORM_LIMIT))
            .route(web::post().to(autosave::receive)),
    )
    .service(login::logout)
    .service(setup::show)
    .service(setup::submit)
    .service(stories::list)
    .service(stories::new_story)
    .service(stories::create)
    .service(stories::preview_pending)
    .service(stories::edit)
    .service(stories::update)
    .service(stories::add_note)
    .service(stories::withdraw)
    .service(stories::reinstate)
    .service(stories::take)
    .service(stories::send_back)
    .service(photos::library)
    .service(photo_picker::show)
    .service(photos::set_focal_point)
    .service(presence::ping);
    // Accounts and audit log (admins), story history.
    cfg.configure(photo_library::routes)
        .configure(users::routes)
        .configure(topics::routes)
        .configure(account::routes)
        .configure(login_code::routes)
        .configure(audit::routes)
        .configure(sections::routes)
        .configure(front::routes)
        .configure(history::routes)
        .configure(incoming::routes);
}

/// The client's address, for throttling: behind a reverse proxy named with `--trusted-proxy`,
/// the address that proxy forwarded for (see [`super::client`]).
pub(super) fn client_address(req: &actix_web::HttpRequest, state: &super::AppState) -> String {
    super::client::Client::of(req, &state.settings.trusted_proxies).address_text()
}

/// The desk's page for something the account may not do: why (as the rule words it) and what
/// to do instead, with a way back to story `back` where there is one.
fn not_allowed(signed_in: &SignedIn, reason: &str, back: Option<StoryId>) -> AppError {
    AppError::NotAllowed(Box::new(RefusalPage::new(
        DeskContext::new(signed_in, "Not allowed"),
        reason,
        back.map(|id| format!("/desk/stories/{id}")),
    )))
}
