//! Second factors: time-based one-time codes (RFC 6238: HMAC-SHA-1, six digits, 30-second
//! steps, one step of clock drift either way, as every authenticator app expects), the QR code
//! that hands an app its secret, and one-time recovery codes for a lost phone.

use crate::domain::{RecoveryDigest, TotpSecret};
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Seconds a code lasts.
pub const STEP_SECONDS: u64 = 30;
/// How many recovery codes an account is given.
pub const RECOVERY_CODES: usize = 10;
/// Letters of a recovery code: no 0/o, 1/l/i, so that one written down reads back.
const RECOVERY_ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz23456789#";
const RECOVERY_LEN: usize = 10;

pub fn new_secret() -> TotpSecret {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    TotpSecret(bytes)
}

fn totp(secret: &TotpSecret) -> Totp {
    // Six digits, SHA-1, 30 s and a 160-bit secret are what RFC 6238 and every app agree on,
    // so building can only be refused for a secret of another length, which the type rules out.
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(Secret::new_stack(secret.0))
        .build_noncompliant()
}

/// The secret as people and apps type it: base32 without padding.
pub fn secret_text(secret: &TotpSecret) -> String {
    Secret::new_stack(secret.0).to_base32()
}

/// The secret back from [`secret_text`]; `None` for anything else.
pub fn parse_secret(text: &str) -> Option<TotpSecret> {
    let secret = Secret::try_from_base32(text).ok()?;
    <[u8; 20]>::try_from(secret.as_bytes()).ok().map(TotpSecret)
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_uri(secret: &TotpSecret, issuer: &str, account: &str) -> String {
    // Issuer and account go through a narrow filter instead of a full percent-encoder: a
    // username is letters, digits and `._-` already.
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
            .collect()
    };
    let (issuer, account) = (clean(issuer), clean(account));
    format!(
        "otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
        secret_text(secret)
    )
}

/// The QR code of `text` as an SVG document, drawn here (no outside service sees the secret).
pub fn qr_svg(text: &str) -> Result<String, qrcode::types::QrError> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build())
}

/// The time step of a typed six-digit code valid at `unix_seconds` (within a step either
/// way), `None` when it is not one. The caller refuses a step already used.
pub fn matching_step(secret: &TotpSecret, typed: &str, unix_seconds: u64) -> Option<u64> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp(secret).check(&digits, unix_seconds)
}

/// The code an app shows at `unix_seconds`.
pub fn code_at(secret: &TotpSecret, unix_seconds: u64) -> String {
    totp(secret).generate(unix_seconds).to_string()
}

/// A recovery code as shown once: `abcde-fghjk`.
pub struct RecoveryCode(pub String);

/// Ten new recovery codes, and what is stored of them.
pub fn new_recovery_codes() -> (Vec<RecoveryCode>, Vec<RecoveryDigest>) {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; RECOVERY_LEN];
            rng.fill_bytes(&mut bytes);
            // '#' is never drawn: 31 symbols would bias the draw, so the alphabet's 32nd only pads.
            let letters: String = bytes
                .iter()
                .map(|b| RECOVERY_ALPHABET[usize::from(*b) % 31] as char)
                .collect();
            let shown = format!("{}-{}", &letters[..5], &letters[5..]);
            let digest = recovery_digest(&shown);
            (RecoveryCode(shown), digest)
        })
        .unzip()
}

/// What is stored of a recovery code (and compared with what is typed): the SHA-256 of its
/// letters, ignoring case, dashes and spaces.
pub fn recovery_digest(typed: &str) -> RecoveryDigest {
    let letters: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    RecoveryDigest(Sha256::digest(letters.as_bytes()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_6238_test_vector_gives_its_code() {
        // RFC 6238 appendix B, SHA-1, T = 59: 94287082, of which an app shows the last six.
        let secret = TotpSecret(*b"12345678901234567890");
        assert_eq!(code_at(&secret, 59), "287082");
        assert_eq!(matching_step(&secret, "287 082", 59), Some(1));
        assert_eq!(
            matching_step(&secret, "287082", 59 + 30),
            Some(1),
            "a step late"
        );
        assert_eq!(matching_step(&secret, "287082", 59 + 90), None);
        assert_eq!(matching_step(&secret, "28708", 59), None);
    }

    #[test]
    fn a_secret_reads_back_from_its_text_and_goes_into_the_app_address() {
        let secret = new_secret();
        assert_eq!(parse_secret(&secret_text(&secret)), Some(secret.clone()));
        let uri = otpauth_uri(&secret, "Newsroom", "ann.lee");
        assert!(uri.starts_with("otpauth://totp/Newsroom:ann.lee?secret="));
        assert!(qr_svg(&uri).unwrap().starts_with("<?xml"));
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_match_however_typed() {
        let (codes, digests) = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let mut unique: Vec<_> = codes.iter().map(|c| c.0.clone()).collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        let typed = codes[3].0.to_uppercase().replace('-', " ");
        assert_eq!(recovery_digest(&typed), digests[3]);
    }
}
