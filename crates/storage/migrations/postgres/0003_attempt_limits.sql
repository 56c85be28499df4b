-- Counters that decide, before any password is checked, whether an attempt
-- may go ahead: one row per (scope, subject), e.g. sign-ins for one account
-- from one address. A single upsert counts the attempt and decides, so
-- concurrent requests (even on several servers) cannot all slip past.
CREATE TABLE attempt_limits (
    scope TEXT NOT NULL CHECK (scope IN ('sign_in', 'sign_in_client', 'password_change', 'register')),
    subject TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    blocked_until TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, subject)
);
CREATE INDEX attempt_limits_updated ON attempt_limits(updated_at);
