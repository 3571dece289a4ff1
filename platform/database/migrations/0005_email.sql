-- Email: a process manager follows the log and writes an outbox; senders deliver the outbox.
-- Everything here belongs to workers/email; nothing else writes these tables.

-- The process manager's position in the log. The outbox rows and the facts below change in
-- the same transaction as this row, so a crash neither loses nor repeats an email.
-- emails_from: events at or before this position only teach facts and send nothing (set on the
-- first run of a worker told to skip the history of an existing log); NULL sends for every event.
CREATE TABLE email_checkpoints (
  name        text PRIMARY KEY,
  position    text NOT NULL DEFAULT '-1--1',
  emails_from text,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Per-thread facts the emails need, kept from the thread's events (never read from projections,
-- whose rebuilds must not change what is emailed).
CREATE TABLE email_threads (
  thread_id          uuid PRIMARY KEY,
  subject            text NOT NULL,
  reference          text NOT NULL,
  raised_by_kind     text NOT NULL,
  raised_by_id       text NOT NULL,
  raised_by_name     text NOT NULL,
  root_message_id    uuid NOT NULL,
  raised_at          timestamptz NOT NULL
);

-- Guest links as far as email cares: who they were sent to, what they open, whether they still work.
-- Only the SHA-256 of the token (the link id) is ever known here.
CREATE TABLE email_guest_links (
  link_id          text PRIMARY KEY,
  scope_kind       text NOT NULL,
  thread_id        uuid,
  recipient_email  text,
  expires_at       timestamptz NOT NULL,
  revoked_at       timestamptz
);
CREATE INDEX email_guest_links_thread ON email_guest_links (thread_id) WHERE thread_id IS NOT NULL;

-- The system config as of the process manager's position (one row; absent: the defaults).
CREATE TABLE email_settings (
  id               boolean PRIMARY KEY DEFAULT true CHECK (id),
  support_email    text NOT NULL,
  portal_base_url  text NOT NULL
);

-- One row per email to send. `id` is hex SHA-256(event id, template, recipient): the idempotency key
-- of the row and of the provider request. The payload is rendered once, when the row is written,
-- so every attempt sends the very same request (the provider answers a repeat with its first result).
-- status: pending (due at next_attempt_at) | sent | failed (refused for good) | dead (attempts exhausted).
-- A sender claims a due row by setting claim_token and claimed_until (a lease); when it dies, the
-- lease runs out and the row is due again. Outcomes are recorded only by the claim's holder.
-- attempts counts sends started; round counts manual retries (it keeps the ids of the events and
-- the thread note of each round distinct and deterministic).
CREATE TABLE email_outbox (
  id               text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  event_id         uuid NOT NULL,
  thread_id        uuid NOT NULL,
  message_id       uuid,
  template         text NOT NULL,
  audience         text NOT NULL CHECK (audience IN ('support', 'partner', 'guest')),
  recipient        text NOT NULL,
  sender           text NOT NULL,
  subject          text NOT NULL,
  html             text NOT NULL,
  text             text NOT NULL,
  headers          jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  round            integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  claim_token      uuid,
  claimed_by       text,
  claimed_until    timestamptz,
  provider_id      text,
  last_error       text,
  last_error_name  text,
  -- The row reached its outcome but the outcome's events (and the thread note) are not all
  -- appended yet; whoever holds the claim appends them (idempotently) and clears this.
  events_pending   boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX email_outbox_events_pending ON email_outbox (claimed_until) WHERE events_pending;
CREATE INDEX email_outbox_thread ON email_outbox (thread_id, created_at);
CREATE INDEX email_outbox_recent ON email_outbox (updated_at DESC);

-- The development mailbox: without RESEND_API_KEY, emails are "delivered" here and shown to admins.
CREATE TABLE dev_mailbox (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email_id     text NOT NULL UNIQUE,
  sender       text NOT NULL,
  recipient    text NOT NULL,
  subject      text NOT NULL,
  html         text NOT NULL,
  text         text NOT NULL,
  headers      jsonb NOT NULL,
  delivered_at timestamptz NOT NULL DEFAULT now()
);
