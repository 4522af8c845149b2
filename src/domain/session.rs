//! A login session's server-side state.

use super::UserId;
use time::OffsetDateTime;

/// What the server keeps of a signed-in browser: the session's values by name, when it ends,
/// and whose it is (so all of an account's sessions can be ended at once).
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub state: Vec<(String, String)>,
    /// Kept to the second.
    pub expires_at: OffsetDateTime,
    pub user: Option<UserId>,
    /// The browser as its User-Agent names it, shortened (empty when unknown).
    pub browser: String,
    /// The client's address when the session began (empty when unknown).
    pub address: String,
    /// When the session was last renewed: to within the renewal slack of the session store,
    /// so a few minutes. `None` for a session stored before it was kept.
    pub last_seen: Option<OffsetDateTime>,
}
