-- The first schema. Every table keeps the codec's encoding of its record (`record`, see
-- storage/codec.rs) as the one full copy of it; the other columns are what is looked up,
-- filtered or sorted on, written from the record by the same statement.
-- Text that is compared or ordered uses the "C" collation: bytes order, as sled's keys do,
-- whatever the database's locale.

CREATE TABLE stories (
    id uuid PRIMARY KEY,
    revision bigint NOT NULL CHECK (revision >= 1),
    slug text COLLATE "C" NOT NULL,
    section text COLLATE "C" NOT NULL,
    status text COLLATE "C" NOT NULL,
    scheduled_at timestamptz,
    headline text NOT NULL,
    bylines text[] NOT NULL,
    submitted boolean NOT NULL,
    sent_back boolean NOT NULL,
    pending boolean NOT NULL,
    assignee uuid,
    author uuid,
    published_at timestamptz,
    updated_at timestamptz NOT NULL,
    -- Whether readers can see the story (published, with a publication time).
    public boolean NOT NULL,
    record bytea NOT NULL,
    -- The codec's encoding of the story's summary, which listing pages show.
    summary bytea NOT NULL,
    CONSTRAINT stories_slug_key UNIQUE (slug)
);
CREATE INDEX stories_assignee ON stories (assignee) WHERE assignee IS NOT NULL;
CREATE INDEX stories_author ON stories (author) WHERE author IS NOT NULL;

-- Every saved revision of every story, as saved.
CREATE TABLE story_revisions (
    story uuid NOT NULL,
    revision bigint NOT NULL,
    record bytea NOT NULL,
    PRIMARY KEY (story, revision)
);

-- Listing memberships (storage/listings.rs): a row per story and listing it is in, and per
-- public note in the corrections listing. Pages read the primary key backwards from a
-- position found in listing_counts.
CREATE TABLE listing_entries (
    listing text COLLATE "C" NOT NULL,
    -- Seconds since 1970 (the sort time, clamped to 32 bits).
    ts bigint NOT NULL,
    -- Breaks ties within a second: the story id, or a note's own id.
    entry uuid NOT NULL,
    story uuid NOT NULL,
    -- The note's place among the story's notes, in the corrections listing.
    place integer,
    PRIMARY KEY (listing, ts, entry)
);
CREATE INDEX listing_entries_story ON listing_entries (story);

-- How many entries each listing has: level 0 is the whole listing (bucket 0), level 1 runs of
-- 2^20 seconds (about 12 days) and level 2 runs of 2^12 seconds (about 68 minutes). Written in
-- the same transaction as the entries.
CREATE TABLE listing_counts (
    listing text COLLATE "C" NOT NULL,
    level smallint NOT NULL,
    bucket bigint NOT NULL,
    -- No CHECK (count >= 0): PostgreSQL checks the row an upsert proposes, a negative delta,
    -- before it finds the row the delta is added to.
    count bigint NOT NULL,
    PRIMARY KEY (listing, level, bucket)
);

-- Photos a published story shows, so the photo's bytes may be served to readers.
CREATE TABLE photo_uses (
    photo uuid NOT NULL,
    story uuid NOT NULL,
    PRIMARY KEY (photo, story)
);

CREATE TABLE users (
    id uuid PRIMARY KEY,
    username text COLLATE "C" NOT NULL,
    role text NOT NULL,
    disabled boolean NOT NULL,
    record bytea NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username)
);

-- Login sessions, keyed by the SHA-256 of the session id.
CREATE TABLE sessions (
    key bytea PRIMARY KEY,
    user_id uuid,
    expires_at timestamptz NOT NULL,
    record bytea NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- One autosaved form per account and story; the nil uuid stands for a story not saved yet.
CREATE TABLE autosaves (
    user_id uuid NOT NULL,
    story uuid NOT NULL,
    record bytea NOT NULL,
    PRIMARY KEY (user_id, story)
);

-- The audit log, newest first by the event's time in nanoseconds (timestamptz keeps only
-- microseconds, and paging by "older than this event" needs the event's own time).
CREATE TABLE audit (
    seq bigserial PRIMARY KEY,
    at_ns bigint NOT NULL,
    actor uuid,
    action text NOT NULL,
    record bytea NOT NULL
);
CREATE INDEX audit_at ON audit (at_ns, seq);

CREATE TABLE photos (
    id uuid PRIMARY KEY,
    -- SHA-256 of the original; photos stored before renditions existed have none.
    hash bytea,
    caption text NOT NULL,
    credit text NOT NULL,
    -- Caption and credit folded to lower case the way the library search folds what is typed.
    caption_folded text NOT NULL,
    credit_folded text NOT NULL,
    uploaded_at timestamptz NOT NULL,
    -- The second of the id's own time (a UUIDv7 begins with its milliseconds), so that
    -- (listed_ts, id) is the id's order, the library's, and the library pages from counts in
    -- listing_counts (under 'photos') as the story listings do.
    listed_ts bigint NOT NULL,
    record bytea NOT NULL,
    CONSTRAINT photos_hash_key UNIQUE (hash)
);
CREATE INDEX photos_listed ON photos (listed_ts, id);

-- A photo's bytes, in the database so that app servers share no disk: `blob` is 'original',
-- 'w<width>' for a rendition, 'crop:<aspect>:<x>:<y>' for a crop around that focal point.
CREATE TABLE photo_blobs (
    photo uuid NOT NULL REFERENCES photos (id),
    blob text COLLATE "C" NOT NULL,
    bytes bytea NOT NULL,
    PRIMARY KEY (photo, blob)
);

CREATE TABLE secrets (
    name text COLLATE "C" PRIMARY KEY,
    value bytea NOT NULL
);

-- The digest of the one-time token that creates the first account, while it waits.
CREATE TABLE setup_token (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    digest bytea NOT NULL
);

-- The change feed: every story write, crop change and new look of the pages, numbered
-- without gaps in commit order by `feed_state.last_seq`, which each change updates in its own
-- transaction. A change of the whole site's look has no subject id.
CREATE TABLE changes (
    seq bigint PRIMARY KEY,
    at_ns bigint NOT NULL,
    subject_kind text NOT NULL CHECK (subject_kind IN ('story', 'photo', 'site')),
    subject uuid CHECK ((subject IS NULL) = (subject_kind = 'site')),
    public boolean NOT NULL
);

-- One row: the last change's number, the public version (the number of the last change
-- readers could see, and when it was made, never going back) and the look pages are made with
-- (a build and the settings that shape pages).
CREATE TABLE feed_state (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_seq bigint NOT NULL,
    public_generation bigint NOT NULL,
    public_changed_at_ns bigint,
    page_look text
);
INSERT INTO feed_state (last_seq, public_generation, public_changed_at_ns) VALUES (0, 0, NULL);
