//! A story form as the browser last autosaved it.

use time::OffsetDateTime;

/// The form's fields by name, exactly as typed (not yet parsed, so a half-written story keeps
/// what would not pass as a story yet), and when they were saved.
#[derive(Debug, Clone, PartialEq)]
pub struct Autosave {
    /// Kept to the second.
    pub saved_at: OffsetDateTime,
    pub fields: Vec<(String, String)>,
}
