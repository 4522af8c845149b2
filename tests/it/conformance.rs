//! What every storage engine must do alike, written once against the `Store` trait and run
//! once per engine: `conformance::sled::*` always, `conformance::postgres::*` on the cluster
//! `NEWSROOM_TEST_DATABASE_URL` names. Without one the PostgreSQL variants fail, saying to run
//! `scripts/test`: a check that did not run must not pass.
//!
//! The checks name engines themselves, so they run in the default pass only, not again in a
//! pass whose `NEWSROOM_TEST_ENGINE` is postgres.

mod accounts;
mod backup;
mod listings;
mod login_throttle;
mod photos;
mod search;
mod sessions;
mod stories;

use crate::helpers::{Engine, StoryBuilder, TestSite, runs_once};
use newsroom::domain::Story;
use time::OffsetDateTime;
use time::macros::datetime;

/// Runs `check` on a new site of `engine`, unless this pass runs such tests elsewhere.
fn run(engine: Engine, name: &str, check: fn(&TestSite)) {
    if runs_once(name) {
        check(&TestSite::on(engine));
    }
}

/// A module per engine, each holding one test per check, named as the check is.
macro_rules! on_every_engine {
    ($($module:ident::$check:ident),* $(,)?) => {
        mod sled {
            $(
                #[test]
                fn $check() {
                    super::run(crate::helpers::Engine::Sled, stringify!($check), super::$module::$check);
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $check() {
                    super::run(crate::helpers::Engine::Postgres, stringify!($check), super::$module::$check);
                }
            )*
        }
    };
}

on_every_engine![
    stories::a_stale_revision_is_a_conflict_and_changes_nothing,
    stories::a_second_story_with_a_taken_slug_is_refused_and_the_first_is_untouched,
    stories::changing_a_slug_frees_the_old_one,
    listings::the_front_and_a_section_list_published_stories_newest_first_with_exact_totals,
    listings::the_desk_lists_every_story_last_saved_first_and_filters_by_status_and_section,
    listings::a_page_past_the_end_is_not_found_but_the_first_page_of_an_empty_listing_is,
    listings::cursor_pages_neither_repeat_nor_skip_while_stories_are_published,
    listings::the_corrections_listing_shows_notes_newest_first,
    accounts::of_two_admins_demoting_each_other_at_once_exactly_one_succeeds,
    sessions::a_session_is_kept_until_it_expires_or_is_deleted,
    sessions::an_accounts_live_sessions_are_listed_with_browser_address_and_last_seen,
    sessions::a_setting_is_stored_in_a_transaction_and_read_back,
    sessions::ending_an_account_s_sessions_ends_only_its_own,
    sessions::an_autosave_is_kept_per_account_and_story_until_deleted,
    photos::a_photo_s_original_renditions_and_crops_are_stored_with_it,
    photos::new_crops_replace_the_old_ones_and_their_bytes,
    photos::a_photo_whose_bytes_are_stored_already_is_not_stored_again,
    photos::every_story_using_a_photo_is_listed_and_only_a_public_use_lets_readers_see_it,
    photos::a_restored_backup_keeps_every_use_of_a_photo,
    photos::a_photo_s_defaults_are_replaced_and_found_by_search,
    backup::a_backup_restored_into_an_empty_store_gives_the_same_records,
    search::words_are_found_by_their_stem_and_without_their_accents,
    search::a_quoted_phrase_and_an_excluded_word_narrow_the_hits,
    search::readers_find_only_public_stories_and_their_public_text,
    search::a_story_that_stops_being_public_is_no_longer_found_by_readers,
    search::the_desk_finds_a_story_by_its_slug_and_its_id,
    search::the_desk_filters_by_section_status_review_and_last_save,
    search::readers_filter_by_publication_date_and_see_the_newest_first,
    search::cursor_pages_of_a_search_neither_repeat_nor_skip,
    search::pages_of_hits_end_at_the_last_and_no_hits_is_an_empty_first_page,
    search::the_desk_and_readers_get_snippets_of_the_text_found,
    search::photos_are_found_by_caption_credit_and_alt_text,
    search::words_joined_by_slashes_are_found_one_by_one,
    login_throttle::failures_are_counted_until_the_key_locks_and_again_once_its_wait_is_over,
    login_throttle::pruning_forgets_old_keys_then_the_oldest_beyond_the_cap,
    login_throttle::beyond_the_cap_a_key_with_many_failures_outlasts_newer_single_ones,
    login_throttle::a_device_key_stays_until_forgotten_and_is_not_in_backups,
];

/// A fixed time to lay stories out from, to the second as stores keep it.
fn at(minutes: i64) -> OffsetDateTime {
    datetime!(2026-03-01 08:00 UTC) + time::Duration::minutes(minutes)
}

/// A draft last saved at `at(minutes)`.
fn draft(headline: &str, section: &str, minutes: i64) -> Story {
    StoryBuilder::new(headline)
        .section(section)
        .with(|s| {
            s.created_at = at(minutes);
            s.updated_at = at(minutes);
        })
        .into_story()
}

/// A story published (and last saved) at `at(minutes)`.
fn published(headline: &str, section: &str, minutes: i64) -> Story {
    let mut story = draft(headline, section, minutes);
    story.publish(at(minutes), None);
    story.published_at = Some(at(minutes));
    story
}
