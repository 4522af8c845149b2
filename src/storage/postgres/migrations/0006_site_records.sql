-- Site records (see src/storage/records.rs): the front page's arrangement, sections, tags,
-- author profiles, incoming copy, redirects and presence, each the codec's encoding of one
-- value under a kind and a key, with a revision for compare-and-swap.
CREATE TABLE site_records (
    kind text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    revision bigint NOT NULL CHECK (revision >= 1),
    record bytea NOT NULL,
    PRIMARY KEY (kind, key)
);
