-- A durable job queue: work done after a request, retried with back-off,
-- surviving a restart. The SQLite file of the same name defines the same.
--
-- A job waits (`state = 'pending'`, no lease) until `run_at`; a worker claims
-- it by writing `locked_by` and a `lease_until` it keeps renewing. A job whose
-- lease ran out (its worker died) is claimed again. A finished job is deleted,
-- in the same transaction as its effect where it can be; a job that used up
-- its attempts stays, `state = 'failed'`, with the last error for the host.
CREATE TABLE jobs (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedup_key TEXT,
    priority BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ('pending', 'failed')),
    run_at TIMESTAMPTZ NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL CHECK (max_attempts >= 1),
    last_error TEXT,
    locked_by TEXT,
    lease_until TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
-- The same job is queued once while it waits; once a worker holds it, a new
-- copy may queue (the data may have changed since the run began).
CREATE UNIQUE INDEX jobs_dedup ON jobs(kind, dedup_key)
    WHERE state = 'pending' AND locked_by IS NULL;
CREATE INDEX jobs_ready ON jobs(state, priority, run_at);
