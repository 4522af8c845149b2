//! Integration tests: the real server on a random local port, a real sled directory in a temp
//! dir, spoken to over HTTP.

mod accounts;
mod article;
mod caching;
mod desk_login;
mod desk_stories;
mod distribution;
mod escaping;
mod feeds;
mod headers;
mod helpers;
mod history;
mod listing;
mod ninjs;
mod photos;
mod reader;
mod sitemaps;
mod structured_data;
mod wire_import;
mod browser;
mod chromium;
mod crash;
mod load;
mod story_posts;
mod properties;
