//! The site's key, and what it signs: values the site hands out and later reads back (form
//! tokens, API cursors, known-browser cookies), so that one made up or altered is refused.
//! Each use signs under its own purpose, so a tag made for one can never pass as another's.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The secret the session cookies are signed with, kept in the database (and in backups, so a
/// restored site keeps its sessions' and cursors' meaning).
#[derive(Clone)]
pub struct SiteKey(HmacSha256);

impl std::fmt::Debug for SiteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SiteKey(…)")
    }
}

impl SiteKey {
    /// Made once at start-up.
    pub fn new(secret: &[u8]) -> Self {
        #[expect(clippy::expect_used, reason = "HMAC takes a key of any length")]
        Self(HmacSha256::new_from_slice(secret).expect("HMAC takes a key of any length"))
    }

    fn mac(&self, purpose: &str, parts: &[&[u8]]) -> HmacSha256 {
        let mut mac = self.0.clone();
        // Lengths go in before every part, so ("ab", "c") and ("a", "bc") sign differently.
        for part in std::iter::once(purpose.as_bytes()).chain(parts.iter().copied()) {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac
    }

    /// The HMAC-SHA-256 of `parts` for `purpose`.
    pub fn sign(&self, purpose: &str, parts: &[&[u8]]) -> [u8; 32] {
        self.mac(purpose, parts).finalize().into_bytes().into()
    }

    /// Whether `tag` (the whole HMAC, or its first bytes, at least 16) is the one `sign` gives,
    /// compared in constant time.
    pub fn verify(&self, purpose: &str, parts: &[&[u8]], tag: &[u8]) -> bool {
        tag.len() >= 16 && self.mac(purpose, parts).verify_truncated_left(tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_verifies_only_for_its_purpose_its_parts_and_its_key() {
        let key = SiteKey::new(b"one key");
        let tag = key.sign("form", &[b"abc"]);
        assert!(key.verify("form", &[b"abc"], &tag));
        assert!(key.verify("form", &[b"abc"], &tag[..16]));
        assert!(!key.verify("form", &[b"abc"], &tag[..8]));
        assert!(!key.verify("cursor", &[b"abc"], &tag));
        assert!(!key.verify("form", &[b"ab", b"c"], &tag));
        assert!(!SiteKey::new(b"another").verify("form", &[b"abc"], &tag));
    }
}
