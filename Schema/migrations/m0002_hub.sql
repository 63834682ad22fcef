-- 0002_hub: what an HTTP hub keeps besides the replica tables, and HTTP remotes.
-- Shipped migrations are never edited; add a new file instead.

-- Access tokens; only a SHA-256 hash of each secret is stored.
CREATE TABLE hub_token (
    id          INTEGER PRIMARY KEY,
    role        TEXT NOT NULL CHECK (role IN ('township', 'county', 'admin')),
    township    TEXT,
    hash        BLOB NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

-- The township each replica belongs to: the township of the token that first pushed it.
CREATE TABLE hub_replica (
    replica         INTEGER PRIMARY KEY REFERENCES replica(num),
    township        TEXT NOT NULL,
    registered_at   INTEGER NOT NULL
);

-- An HTTP remote may name the environment variable holding its token.
ALTER TABLE remote ADD COLUMN token_env TEXT;
