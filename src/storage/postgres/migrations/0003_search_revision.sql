-- Which revision of a story its search columns were computed from. A release from before
-- search leaves them stale when it changes a story (its upsert does not know them), not only
-- NULL when it adds one: every server recomputes the rows where the two differ, when it opens
-- and as it follows the change feed. Only adds, so releases on schema 1 and 2 keep working.

ALTER TABLE stories ADD COLUMN search_revision bigint;
DROP INDEX stories_search_missing;
CREATE INDEX stories_search_stale ON stories (id) WHERE search_revision IS DISTINCT FROM revision;
