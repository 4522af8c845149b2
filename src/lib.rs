//! Newsroom: a CMS with which a news organisation writes, edits, publishes and distributes its
//! journalism.

pub mod accounts;
pub mod auth;
pub mod authors;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod control;
pub mod domain;
pub mod editorial;
pub mod front_page;
pub mod import;
pub mod ingest;
pub mod metrics;
pub mod ninjs;
pub mod photo_library;
pub mod photos;
pub mod related;
pub mod scheduler;
pub mod sections;
pub mod settings;
pub mod startup;
pub mod storage;
pub mod tags;
pub mod telemetry;
pub mod urls;
pub mod views;
pub mod web;
