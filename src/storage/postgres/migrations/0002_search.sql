-- Full-text search (storage/postgres/search.rs). Only adds (an extension, a configuration,
-- nullable columns, indexes), so releases on schema 1 keep using the database: their writes
-- leave the new columns NULL or stale, and every server fills such rows (see 0003).

-- unaccent is a trusted extension (PostgreSQL 13 and later): the database's owner may create
-- it without being a superuser.
CREATE EXTENSION IF NOT EXISTS unaccent;

-- English, with accents folded before stemming, so "Geneve" finds "Genève" and "talks" finds
-- "talk". ASCII words have no accents to fold and keep english's own mapping.
CREATE TEXT SEARCH CONFIGURATION newsroom (COPY = english);
ALTER TEXT SEARCH CONFIGURATION newsroom
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;

-- What readers find a story by (NULL while it is not public), weighted A (headline),
-- B (standfirst), C (the rest); what the desk finds it by, pending changes, slug and id
-- included; the public standfirst and body, which readers' snippets are cut from. All three
-- are computed from the record by the engine and written with it, in the same statement.
ALTER TABLE stories
    ADD COLUMN reader_search tsvector,
    ADD COLUMN desk_search tsvector,
    ADD COLUMN reader_text text;
CREATE INDEX stories_reader_search ON stories USING gin (reader_search)
    WHERE reader_search IS NOT NULL;
CREATE INDEX stories_desk_search ON stories USING gin (desk_search);
-- Rows written before this schema, or by a release that does not know it: filled on open.
CREATE INDEX stories_search_missing ON stories (id) WHERE desk_search IS NULL;

-- A photo by its caption (A), alt text (B), credit (C) and id.
ALTER TABLE photos ADD COLUMN search tsvector;
CREATE INDEX photos_search ON photos USING gin (search);
CREATE INDEX photos_search_missing ON photos (id) WHERE search IS NULL;
