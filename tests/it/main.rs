//! Integration tests: the real server on a random local port, a real sled directory in a temp
//! dir, spoken to over HTTP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test reports a failure by panicking"
)]

mod accounts;
mod article;
mod authors;
mod body_copy;
mod browser;
mod caching;
mod chromium;
mod conformance;
mod corrections;
mod crash;
mod desk_buttons;
mod desk_buttons_browser;
mod desk_details;
mod desk_guard;
mod desk_list_widths;
mod desk_login;
mod desk_phone;
mod desk_stories;
mod distribution;
mod embargo;
mod escaping;
mod feeds;
mod front_page;
mod hardening;
mod headers;
mod helpers;
mod history;
mod incoming;
mod incoming_browser;
mod language;
mod layers;
mod listing;
mod load;
mod login_throttle;
mod merging;
mod multi_server;
mod ninjs;
mod operations;
mod own_account;
mod page_cache;
mod photo_crops;
mod photo_library;
mod photos;
mod presence;
mod properties;
mod proxies;
mod reader;
mod reader_formats;
mod redirects;
mod review_browser;
mod review_desk;
mod rolling_restart;
mod search;
mod search_browser;
mod search_desk;
mod search_index;
mod search_leaks;
mod sections;
mod sitemaps;
mod staged_edits;
mod story_form_limits;
mod story_posts;
mod structured_data;
mod tags;
mod tags_browser;
mod time_zone;
mod two_factor;
mod while_serving;
mod wire_import;
