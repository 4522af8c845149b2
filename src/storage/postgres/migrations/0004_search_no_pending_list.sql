-- GIN indexes without a pending list. By default PostgreSQL queues new entries in a list that
-- every search reads in full until a vacuum merges it (up to 4 MB: milliseconds added to every
-- search after an import or a reindex, measured at 5 ms on 100,000 stories). A story save
-- updates the index itself instead. Changes only storage parameters.

ALTER INDEX stories_reader_search SET (fastupdate = off);
ALTER INDEX stories_desk_search SET (fastupdate = off);
ALTER INDEX photos_search SET (fastupdate = off);
-- What is queued already is merged now.
SELECT gin_clean_pending_list('stories_reader_search'::regclass);
SELECT gin_clean_pending_list('stories_desk_search'::regclass);
SELECT gin_clean_pending_list('photos_search'::regclass);
