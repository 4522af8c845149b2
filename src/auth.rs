//! Who is who: password hashing, login throttling, one-time setup tokens.

pub mod password;
pub mod second_factor;
pub mod throttle;
pub mod token;
