//! Who is who: password hashing, login throttling, known browsers, one-time setup tokens, and
//! the site's key that signs what the site hands out.

pub mod device;
pub mod password;
pub mod site_key;
pub mod throttle;
pub mod token;
