-- Emails that carry a guest link (docs/decisions/0005). The token is never stored here: the row
-- names the link, and the sender rebuilds the token from the link's seed and the guest link
-- secret when it sends, only while the link still works (else the email says it has ended).
-- guest_render: what the sender renders such an email from (the template's content, the portal
-- URL and support address as of the event); html and text keep a preview with the token elided.
ALTER TABLE email_outbox ADD COLUMN guest_link_id text CHECK (guest_link_id ~ '^[0-9a-f]{64}$');
ALTER TABLE email_outbox ADD COLUMN guest_render jsonb;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_guest_render
  CHECK ((guest_link_id IS NULL) = (guest_render IS NULL));
-- The email that hands out an assignment's guest link belongs to no thread.
ALTER TABLE email_outbox ALTER COLUMN thread_id DROP NOT NULL;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_thread_or_link
  CHECK (thread_id IS NOT NULL OR guest_link_id IS NOT NULL);
