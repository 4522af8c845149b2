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
}
