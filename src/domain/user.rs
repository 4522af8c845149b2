//! Accounts on the desk and what each role may do.

use super::{DomainError, Initials, Story, UserId};
use std::fmt;
use time::OffsetDateTime;

/// A login name: 3 to 32 characters, lower-case letters, digits, `.`, `_` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(DomainError::Empty { field: "Username" });
        }
        let valid = (3..=32).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if !valid {
            return Err(DomainError::invalid(
                "Username",
                "use 3 to 32 letters, digits, dots, dashes or underscores",
            ));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed, before hashing. Never printed: its `Debug` is redacted.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_BYTES: usize = 1024;

    /// A new password must be at least 12 characters long.
    pub fn new(raw: &str) -> Result<Self, DomainError> {
        if raw.chars().count() < Self::MIN_CHARS {
            return Err(DomainError::invalid(
                "Password",
                format!("must be at least {} characters long", Self::MIN_CHARS),
            ));
        }
        Self::typed(raw)
    }

    /// A password typed at login: any length up to the cap, checked against the stored hash.
    pub fn typed(raw: &str) -> Result<Self, DomainError> {
        if raw.len() > Self::MAX_BYTES {
            return Err(DomainError::TooLong {
                field: "Password",
                len: raw.len(),
                max: Self::MAX_BYTES,
            });
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// What an account may do. Each role can do everything the one before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Writes stories, edits their own drafts, submits them for review.
    Writer,
    /// Edits every story; publishes, unpublishes and schedules.
    Editor,
    /// Everything, and manages accounts.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Writer, Role::Editor, Role::Admin];

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw.trim().to_lowercase().as_str() {
            "writer" => Ok(Role::Writer),
            "editor" => Ok(Role::Editor),
            "admin" => Ok(Role::Admin),
            _ => Err(DomainError::invalid(
                "Role",
                "choose writer, editor or admin",
            )),
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Role::Writer => "writer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn can_publish(self) -> bool {
        self >= Role::Editor
    }

    pub fn can_manage_users(self) -> bool {
        self == Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A password hash as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    /// Shown in the reader's meta line when this user publishes a story.
    pub initials: Initials,
    pub role: Role,
    pub password_hash: PasswordHash,
    pub disabled: bool,
    pub created_at: OffsetDateTime,
    /// The second factor asked for after the password, once one is set up.
    pub two_factor: Option<super::TwoFactor>,
}

impl User {
    /// Writers edit their own stories while they are drafts (or back with them after review),
    /// and propose changes to them once published (staged, for an editor to put live);
    /// editors and admins edit every story.
    pub fn can_edit(&self, story: &Story) -> bool {
        self.role.can_publish()
            || (story.author == Some(self.id)
                && matches!(
                    story.status,
                    super::Status::Draft | super::Status::Unpublished | super::Status::Published
                ))
    }

    /// The initials derived from a username: `zhang.dan` gives `ZD`, `editor` gives `E`.
    pub fn initials_for(username: &Username) -> Initials {
        let letters: String = username
            .as_str()
            .split(['.', '_', '-'])
            .filter_map(|part| part.chars().find(|c| c.is_ascii_alphabetic()))
            .take(5)
            .collect();
        Initials::parse(&letters)
            .unwrap_or_else(|_| Initials::parse("X").unwrap_or_else(|_| unreachable!()))
    }

    /// Whether the site may require this account to have a second factor: admins and editors,
    /// whose accounts can publish or manage others.
    pub fn is_staff(&self) -> bool {
        self.role.can_publish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_case_and_bounded() {
        assert_eq!(
            Username::parse(" Zhang.Dan ").unwrap().as_str(),
            "zhang.dan"
        );
        for bad in ["", "ab", "has space", "a/b", &"x".repeat(33)] {
            assert!(Username::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_short_password_is_refused() {
        assert!(Password::new("elevenchars").is_err());
        assert!(Password::new("twelve chars").is_ok());
        assert_eq!(
            format!("{:?}", Password::new("secret secret").unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Editor.can_publish());
        assert!(!Role::Writer.can_publish());
        assert!(Role::Admin.can_manage_users());
        assert!(!Role::Editor.can_manage_users());
    }

    #[test]
    fn a_writer_edits_her_own_story_while_it_is_a_draft_unpublished_or_published() {
        let mut story = Story::draft(
            super::super::Headline::parse("Talks end").unwrap(),
            super::super::Section::parse("world").unwrap(),
            super::super::Bylines::parse("Ann Lee").unwrap(),
            super::super::Body::parse("Words.").unwrap(),
            OffsetDateTime::UNIX_EPOCH,
        );
        let ann = User {
            id: UserId::new(),
            username: Username::parse("ann.lee").unwrap(),
            initials: Initials::parse("AL").unwrap(),
            role: Role::Writer,
            password_hash: PasswordHash(String::new()),
            disabled: false,
            created_at: OffsetDateTime::UNIX_EPOCH,
            two_factor: None,
        };
        let ben = User {
            id: UserId::new(),
            ..ann.clone()
        };
        story.author = Some(ann.id);
        for status in [
            super::super::Status::Draft,
            super::super::Status::Unpublished,
            super::super::Status::Published,
        ] {
            story.status = status;
            assert!(ann.can_edit(&story), "{status:?}");
            assert!(!ben.can_edit(&story), "someone else's, {status:?}");
        }
        story.status = super::super::Status::Scheduled(OffsetDateTime::UNIX_EPOCH);
        assert!(!ann.can_edit(&story), "scheduled: an editor's now");
    }

    #[test]
    fn initials_come_from_the_username() {
        assert_eq!(
            User::initials_for(&Username::parse("zhang.dan").unwrap()).as_str(),
            "ZD"
        );
        assert_eq!(
            User::initials_for(&Username::parse("123").unwrap()).as_str(),
            "X"
        );
    }
}
