//! Who is who: password hashing, login throttling, one-time setup tokens.

pub mod password;
pub mod throttle;
pub mod token;
