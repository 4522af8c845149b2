//! A second factor: the TOTP secret an account shares with its authenticator app (RFC 6238),
//! the last time step a code was accepted at (so each code works once), and the digests of the
//! recovery codes not used yet.

use std::fmt;
use time::OffsetDateTime;

/// The 160-bit secret RFC 4226 recommends. Never printed: its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(pub [u8; 20]);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(***)")
    }
}

/// The SHA-256 of a recovery code. The codes are random (50 bits each, see
/// `auth::second_factor`) and tried through the login throttle, so a fast hash suffices: a
/// slow one only helps against guessable secrets such as passwords.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryDigest(pub [u8; 32]);

impl fmt::Debug for RecoveryDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryDigest(***)")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TwoFactor {
    pub secret: TotpSecret,
    /// The time step (Unix seconds / 30) of the last code accepted, 0 before the first: a code
    /// of this step or an earlier one is refused, so an overheard code cannot be used again.
    pub last_step: u64,
    /// Recovery codes not used yet; each goes when it is used.
    pub recovery: Vec<RecoveryDigest>,
    pub enrolled_at: OffsetDateTime,
}
