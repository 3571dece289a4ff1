-- The inbound worker's side of Resend's webhook deliveries (0010). It claims a due delivery with
-- a lease (claimed_until), as the email sender claims outbox rows, so several workers may run and
-- a worker that dies leaves the row due again. When done: processed_at and what became of it
-- (outcome: posted, held, ignored, duplicate, skipped; reason: the hold or noise reason). After the
-- last attempt the row is dead-lettered (dead_at), left unprocessed for ops to see and retry.
ALTER TABLE resend_webhook_deliveries ADD COLUMN claimed_until timestamptz;
ALTER TABLE resend_webhook_deliveries ADD COLUMN dead_at timestamptz;
ALTER TABLE resend_webhook_deliveries ADD COLUMN outcome text
  CHECK (outcome IN ('posted', 'held', 'ignored', 'duplicate', 'skipped'));
ALTER TABLE resend_webhook_deliveries ADD COLUMN outcome_reason text;
ALTER TABLE resend_webhook_deliveries ADD COLUMN thread_id uuid;

-- Received emails that became no message: held for staff, with why (workers/email/inbound/matchThread.ts's
-- hold reasons, and `raise` / `follow_up` until the worker raises queries and follow-up threads itself).
-- One row per inbound Message-ID: a retried, duplicated or replayed delivery holds it once.
-- Staff will list them, assign them to a thread or an assignment, or discard them (resolved_*).
CREATE TABLE held_inbound_emails (
  message_id      text PRIMARY KEY CHECK (message_id ~ '^<[^<>]+>$' AND length(message_id) <= 998),
  resend_email_id text NOT NULL,
  svix_id         text NOT NULL,
  reason          text NOT NULL,
  -- the thread it named or matched, if any
  thread_id       uuid,
  -- the assignment a `raise` would go to
  assignment_id   text,
  sender          text NOT NULL,
  subject         text NOT NULL,
  received_at     timestamptz NOT NULL,
  held_at         timestamptz NOT NULL,
  -- the SHA-256 of what arrived (inboundMessageDigest)
  sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  -- the email as received (Resend's record without its expiring download link)
  email           jsonb NOT NULL,
  resolved_at     timestamptz,
  resolved_by     text,
  resolution      text CHECK (resolution IN ('assigned', 'discarded'))
);
CREATE INDEX held_inbound_emails_open ON held_inbound_emails (held_at) WHERE resolved_at IS NULL;
