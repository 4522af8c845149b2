//! Integration tests: the real server on a random local port, a real sled directory in a temp
//! dir, spoken to over HTTP.

mod accounts;
mod article;
mod browser;
mod caching;
mod chromium;
mod crash;
mod desk_login;
mod desk_stories;
mod distribution;
mod escaping;
mod feeds;
mod headers;
mod helpers;
mod history;
mod listing;
mod load;
mod ninjs;
mod photos;
mod properties;
mod reader;
mod sitemaps;
mod story_form_limits;
mod story_posts;
mod structured_data;
mod wire_import;
