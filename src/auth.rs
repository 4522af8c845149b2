//! Who is who: password hashing, login throttling, known browsers, one-time setup tokens.

pub mod device;
pub mod password;
pub mod second_factor;
pub mod throttle;
pub mod token;
