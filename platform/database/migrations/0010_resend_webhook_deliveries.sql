-- What Resend's webhooks delivered, one row per delivery: its svix-id, which Resend keeps for
-- every retry and every replay of that delivery. POST /api/webhooks/resend inserts a row only
-- after the signature over the raw body was checked, with ON CONFLICT DO NOTHING, and does
-- nothing else; a worker does the work later (processed_at, attempts, next_attempt_at,
-- last_error are its). No signature, header or secret is kept: only what Resend sent as the body.
CREATE TABLE resend_webhook_deliveries (
  svix_id text PRIMARY KEY CHECK (length(svix_id) BETWEEN 1 AND 256),
  event_type text NOT NULL,
  received_at timestamptz NOT NULL,
  payload jsonb NOT NULL,
  processed_at timestamptz,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL,
  last_error text
);
-- the worker's queue, and the ops count of deliveries not yet processed
CREATE INDEX resend_webhook_deliveries_pending
  ON resend_webhook_deliveries (next_attempt_at) WHERE processed_at IS NULL;
