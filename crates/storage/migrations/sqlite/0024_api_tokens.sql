-- Personal access tokens for the JSON API (issue 9). A member makes a
-- token with a name and a set of scopes and is shown its secret once; only
-- the secret's SHA-256 (hex) is kept, so a copy of the database lets
-- nobody in. `scopes` is a space-separated list checked by the web crate.
-- Revoking deletes the row. `last_used_at` is written at most once a
-- minute per token, so busy clients do not make every read a write.
-- The PostgreSQL file of the same name defines the same.
CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id, created_at);
