-- The development mailbox's receiving side (no RESEND_API_KEY): "Reply as the recipient" stores
-- the reply here, in the shape of Resend's received email (GET /emails/receiving/{id}), and
-- records an `email.received` delivery for it in resend_webhook_deliveries. The inbound worker
-- then fetches it from here instead of from Resend, and matches and posts it exactly as it would
-- a real reply: the same reply-address signature, the same References, the same noise rules.
CREATE TABLE dev_inbound_emails (
  id         uuid PRIMARY KEY,
  -- the email as Resend would answer it
  email      jsonb NOT NULL,
  -- the development mailbox email it answers
  reply_to_mailbox_id bigint NOT NULL REFERENCES dev_mailbox (id),
  created_at timestamptz NOT NULL
);
