//! Authors' profiles, kept as site records of kind `Author` under their slug: created and
//! changed on the desk (`/desk/authors`) by editors and admins, each change in the audit log.
//! A profile's slug is its address and never changes, so no author page ever needs a
//! redirect; its name may change, and stories already linked keep their link (see
//! [`crate::domain::author`]).

use crate::accounts::Actor;
use crate::domain::{AuditAction, AuditEvent, AuthorProfile, Slug, UserId};
use crate::storage::codec;
use crate::storage::prelude::*;
use crate::storage::records::{Expect, RecordKind};
use crate::storage::{self, StoreError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AuthorError {
    #[error("the address {0:?} is taken by another profile")]
    SlugTaken(String),
    #[error("another profile is named {0:?}")]
    NameTaken(String),
    #[error("no such profile")]
    NotFound,
    #[error("the profile was changed by someone else since it was opened")]
    Conflict,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AuthorError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::RecordConflict { .. } => AuthorError::Conflict,
            other => AuthorError::Store(other),
        }
    }
}

/// How many profiles are read a step at a time.
const STEP: usize = 500;

/// Every profile, by slug. A newsroom has hundreds of authors, not millions: every save reads
/// them to link its bylines.
pub fn all(store: &dyn Store) -> Result<Vec<AuthorProfile>, StoreError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let records = store.site_records(RecordKind::Author, "", after.as_deref(), STEP)?;
        let done = records.len() < STEP;
        after = records.last().map(|r| r.key.clone());
        for record in records {
            out.push(codec::decode_author(&record.bytes)?);
        }
        if done {
            return Ok(out);
        }
    }
}

/// The profile at `slug` and its revision.
pub fn get(store: &dyn Store, slug: &Slug) -> Result<Option<(AuthorProfile, u64)>, StoreError> {
    store
        .site_record(RecordKind::Author, slug.as_str())?
        .map(|r| Ok((codec::decode_author(&r.bytes)?, r.revision)))
        .transpose()
}

/// The profile linked to desk account `user`: the byline its new stories carry.
pub fn of_account(store: &dyn Store, user: UserId) -> Result<Option<AuthorProfile>, StoreError> {
    Ok(all(store)?.into_iter().find(|p| p.account == Some(user)))
}

/// Creates `profile` (`revision: None`) or replaces the one read at `revision`, recording it in
/// the audit log. Two profiles may not share a name, or a byline could not tell them apart.
pub fn save(
    store: &dyn Store,
    actor: &Actor,
    profile: &AuthorProfile,
    revision: Option<u64>,
) -> Result<(), AuthorError> {
    let clash = all(store)?
        .into_iter()
        .find(|p| p.slug != profile.slug && p.name_matches(profile));
    if let Some(other) = clash {
        return Err(AuthorError::NameTaken(other.name.to_string()));
    }
    let bytes = codec::encode_author(profile).map_err(StoreError::from)?;
    let event = AuditEvent {
        at: actor.at,
        actor: actor.id,
        actor_name: actor.name.clone(),
        action: AuditAction::AuthorChanged,
        detail: format!(
            "{} /author/{}: {}",
            if revision.is_some() {
                "changed"
            } else {
                "created"
            },
            profile.slug,
            profile.name
        ),
    };
    let expect = revision.map_or(Expect::Absent, Expect::Revision);
    let slug = profile.slug.to_string();
    let result = storage::transaction(store, |tx| {
        tx.put_site_record(RecordKind::Author, &slug, bytes.clone(), expect, true)?;
        tx.record_audit(&event)?;
        Ok::<_, StoreError>(())
    });
    match result {
        Err(StoreError::RecordConflict { current, .. })
            if revision.is_none() && current.is_some() =>
        {
            Err(AuthorError::SlugTaken(slug))
        }
        other => Ok(other?),
    }
}

impl AuthorProfile {
    fn name_matches(&self, other: &AuthorProfile) -> bool {
        self.is_named_by(&other.name)
    }
}

/// Whether a profile shows photo `id` to readers.
pub fn shows_photo(store: &dyn Store, id: crate::domain::PhotoId) -> Result<bool, StoreError> {
    Ok(all(store)?.iter().any(|p| p.photo == Some(id)))
}

#[cfg(test)]
mod tests {
    use crate::domain::{AuthorProfile, Bio, Byline, PhotoId, ProfileLink, Slug, Tag, UserId};
    use crate::storage::codec::{self, TagRecord};

    #[test]
    fn profiles_tags_and_redirects_read_back_as_written_and_refuse_damage() {
        let profile = AuthorProfile {
            slug: Slug::parse("ann-lee").unwrap(),
            name: Byline::parse("Ann Lee").unwrap(),
            bio: Some(Bio::parse("Covers Geneva.").unwrap()),
            photo: Some(PhotoId::new()),
            links: vec![ProfileLink::parse("https://social.example/@ann").unwrap()],
            account: Some(UserId::new()),
            organization: false,
        };
        let bytes = codec::encode_author(&profile).unwrap();
        assert_eq!(codec::decode_author(&bytes).unwrap(), profile);
        assert!(codec::decode_author(&bytes[..bytes.len() / 2]).is_err());
        assert!(codec::decode_author(&[99]).is_err());

        let record = TagRecord {
            tag: Tag::with_key("Peace process", Slug::parse("peace-talks").unwrap()).unwrap(),
            description: Some("Talks on Syria".into()),
        };
        let bytes = codec::encode_tag(&record).unwrap();
        assert_eq!(codec::decode_tag("peace-talks", &bytes).unwrap(), record);
        assert!(codec::decode_tag("", &bytes).is_err());

        let to = Slug::parse("peace-process").unwrap();
        let bytes = codec::encode_key_redirect(&to).unwrap();
        assert_eq!(codec::decode_key_redirect(&bytes).unwrap(), to);
    }
}
