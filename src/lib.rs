//! Newsroom: a CMS with which a news organisation writes, edits, publishes and distributes its
//! journalism.

pub mod domain;
pub mod storage;
