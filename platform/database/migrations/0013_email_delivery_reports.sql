-- What Resend reports about the emails it took (email.sent, email.delivered, email.delivery_delayed,
-- email.bounced, email.complained), worked on by workers/email/delivery from resend_webhook_deliveries.

-- A report is matched to its email by Resend's id, which the sender records as provider_id.
CREATE INDEX email_outbox_provider ON email_outbox (provider_id) WHERE provider_id IS NOT NULL;

-- The strongest state reported so far, for the ops queue (the events keep every report; the read
-- model email_delivery_reports is built from them). The delivery worker only raises it: a report
-- of lower rank (sent 1 < delayed 2 < delivered 3 < bounced, complained 4) arriving late changes nothing.
ALTER TABLE email_outbox ADD COLUMN delivery_state text
  CHECK (delivery_state IN ('sent', 'delayed', 'delivered', 'bounced', 'complained'));
ALTER TABLE email_outbox ADD COLUMN delivery_rank smallint NOT NULL DEFAULT 0;
ALTER TABLE email_outbox ADD COLUMN delivery_reason text;
ALTER TABLE email_outbox ADD COLUMN delivery_at timestamptz;

-- A delivery report is `recorded` once its events are appended (or `skipped`, with why: an email
-- the desk does not know, an event it cannot read).
ALTER TABLE resend_webhook_deliveries DROP CONSTRAINT resend_webhook_deliveries_outcome_check;
ALTER TABLE resend_webhook_deliveries ADD CONSTRAINT resend_webhook_deliveries_outcome_check
  CHECK (outcome IN ('posted', 'held', 'ignored', 'duplicate', 'skipped', 'recorded'));
-- the delivery worker's queue: reports not yet processed
CREATE INDEX resend_webhook_deliveries_reports_due ON resend_webhook_deliveries (next_attempt_at)
  WHERE processed_at IS NULL AND dead_at IS NULL AND event_type <> 'email.received';
