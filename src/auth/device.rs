//! Known browsers: a browser that signed in to an account gets a long-lived cookie saying so,
//! and its attempts are counted under that browser alone, whatever the throttle has counted for
//! the account or the address (OWASP's "device cookies"), so guessing from elsewhere cannot lock
//! a writer out of their own laptop, and a stolen cookie gets no more guesses than anyone. Nothing is stored per browser: the cookie carries the
//! account id and a random id, signed with the site's key over the account's device key too.
//! Replacing that key (`accounts::forget_devices`, on a password change or "sign out
//! everywhere") makes every cookie of the account worthless at once.
//!
//! A known browser only changes how it is throttled: the password is always checked, and a second
//! factor, where an account has one, is asked for after it as from any browser.

use crate::domain::SiteKey;
use crate::domain::UserId;
use rand::RngCore;

pub const COOKIE: &str = "newsroom_device";
/// How long a browser stays known without signing in again.
pub const LIFETIME: time::Duration = time::Duration::days(365);
const PURPOSE: &str = "known browser";
/// Account id, random id, the first 16 bytes of the HMAC.
const LEN: usize = 16 + 16 + 16;

/// The cookie's value for a browser that just signed in to `user`, whose device key is
/// `device_key`.
pub fn issue(site: &SiteKey, user: UserId, device_key: &[u8]) -> String {
    let mut random = [0u8; 16];
    rand::rng().fill_bytes(&mut random);
    let user = user.to_bytes();
    let tag = site.sign(PURPOSE, &[&user, device_key, &random]);
    hex::encode([&user[..], &random, &tag[..16]].concat())
}

/// The account a cookie value names, if it is well formed (not yet whether it is genuine).
pub fn account_of(value: &str) -> Option<UserId> {
    let bytes = hex::decode(value).ok().filter(|b| b.len() == LEN)?;
    let user: [u8; 16] = bytes[..16].try_into().ok()?;
    Some(UserId::from_bytes(user))
}

/// The random id a cookie value carries: which browser it is, for the throttle to count that
/// browser's own failures under.
pub fn id_of(value: &str) -> Option<String> {
    let bytes = hex::decode(value).ok().filter(|b| b.len() == LEN)?;
    Some(hex::encode(&bytes[16..32]))
}

/// Whether `value` was issued for `user` while its device key was `device_key`.
pub fn recognises(site: &SiteKey, value: &str, user: UserId, device_key: &[u8]) -> bool {
    let Some(bytes) = hex::decode(value).ok().filter(|b| b.len() == LEN) else {
        return false;
    };
    let (named, rest) = bytes.split_at(16);
    let (random, tag) = rest.split_at(16);
    named == user.to_bytes() && site.verify(PURPOSE, &[named, device_key, random], tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_recognised_for_its_account_until_the_device_key_changes() {
        let site = SiteKey::new(b"site");
        let (ann, bob) = (UserId::new(), UserId::new());
        let cookie = issue(&site, ann, b"key one");
        assert_eq!(account_of(&cookie), Some(ann));
        assert!(recognises(&site, &cookie, ann, b"key one"));
        assert!(!recognises(&site, &cookie, bob, b"key one"));
        assert!(!recognises(&site, &cookie, ann, b"key two"));
        assert!(!recognises(
            &SiteKey::new(b"other"),
            &cookie,
            ann,
            b"key one"
        ));
        assert!(!recognises(
            &site,
            &cookie[..cookie.len() - 2],
            ann,
            b"key one"
        ));
    }
}
