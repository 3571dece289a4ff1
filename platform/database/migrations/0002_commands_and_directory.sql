-- Answers of commands sent with an Idempotency-Key, so a retried request gets the first
-- answer even when the state has moved on since. Keyed by a hash of (caller, key).
CREATE TABLE command_requests (
  key_hash      text PRIMARY KEY,
  fingerprint   text NOT NULL,
  status        integer NOT NULL,
  body          jsonb NOT NULL,
  headers       jsonb NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX command_requests_created_at ON command_requests (created_at);

-- The host platform's assignments (work orders), kept up to date by its upsert API. This is
-- reference data owned by the host, not part of the desk's event log.
CREATE TABLE assignment_directory (
  assignment_id   text PRIMARY KEY,
  reference       text NOT NULL,
  title           text NOT NULL,
  partner_org_id  text NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assignment_directory_partner ON assignment_directory (partner_org_id, reference);
