//! The site's sections as admins manage them: one stored [`SectionList`] (a site record), which
//! every server installs as the sections it shows (see [`crate::domain::section`]): at start,
//! after its own changes, and while following the database other servers share.

use crate::accounts::Actor;
use crate::domain::{AuditAction, AuditEvent, SectionList, section};
use crate::storage::codec::{decode_sections, encode_sections};
use crate::storage::{self, Expect, RecordKind, Store, StoreError};

/// The one record the list is kept in.
const KEY: &str = "list";

/// The stored list, or the sections every site starts with, and the revision of the record
/// (`None`: never saved).
pub fn load(store: &dyn Store) -> Result<(SectionList, Option<u64>), StoreError> {
    match store.site_record(RecordKind::Section, KEY)? {
        Some(record) => Ok((decode_sections(&record.bytes)?, Some(record.revision))),
        None => Ok((SectionList::starting(), None)),
    }
}

/// Installs the stored list as the sections this process shows.
pub fn refresh(store: &dyn Store) -> Result<(), StoreError> {
    let (list, _) = load(store)?;
    section::install(&list);
    Ok(())
}

/// Saves `list` over the revision the admin's form was made from (`None`: the starting list,
/// never saved) and installs it. A list saved meanwhile by someone else is a
/// [`StoreError::RecordConflict`]. Keys of sections never leave: a section is hidden, not
/// removed, so a list that drops one is refused.
pub fn save(
    store: &dyn Store,
    actor: &Actor,
    list: &SectionList,
    expected: Option<u64>,
) -> Result<u64, SaveError> {
    let (current, _) = load(store)?;
    if let Some(gone) = current
        .specs()
        .iter()
        .find(|old| list.specs().iter().all(|new| new.key != old.key))
    {
        return Err(SaveError::Removed(gone.key.to_string()));
    }
    let bytes = encode_sections(list).map_err(StoreError::from)?;
    let detail = list
        .specs()
        .iter()
        .map(|s| {
            let hidden = if s.hidden { " (hidden)" } else { "" };
            format!("{} {:?}{hidden}", s.key, s.name)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let expect = expected.map_or(Expect::Absent, Expect::Revision);
    let revision = storage::transaction(store, |tx| {
        let revision = tx.put_site_record(RecordKind::Section, KEY, bytes.clone(), expect, true)?;
        tx.record_audit(&AuditEvent {
            at: actor.at,
            actor: actor.id,
            actor_name: actor.name.clone(),
            action: AuditAction::SectionsChanged,
            detail: detail.clone(),
        })?;
        Ok::<_, StoreError>(revision)
    })?;
    section::install(list);
    Ok(revision)
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("the section {0:?} cannot be removed, only hidden: stories may be filed under it")]
    Removed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}
