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
pub mod import;
pub mod metrics;
pub mod ninjs;
pub mod photos;
pub mod scheduler;
pub mod settings;
pub mod startup;
pub mod storage;
pub mod tags;
pub mod telemetry;
pub mod urls;
pub mod views;
pub mod web;
