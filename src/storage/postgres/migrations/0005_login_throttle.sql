-- Failed logins counted by key (an account name and an address together, an address, an
-- account name): shared by every app server, so several cannot each give a guesser a fresh
-- allowance. Transient: old rows are pruned, and the table is not in backups.
CREATE TABLE login_throttle (
    key text COLLATE "C" PRIMARY KEY,
    failures integer NOT NULL,
    -- Seconds since 1970 of the last counted failure.
    last_at bigint NOT NULL
);
CREATE INDEX login_throttle_last_at ON login_throttle (last_at);

-- The random key each account's known-browser cookies are signed over; deleting it forgets
-- every browser of the account. Not in backups: a restored site makes new ones.
CREATE TABLE device_keys (
    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    key bytea NOT NULL
);
