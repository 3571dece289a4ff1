-- The inbound worker raises queries and follow-up threads itself now: a delivery's outcome may be
-- `raised` (a query raised from a known partner's mail, or a follow-up of a closed thread).
ALTER TABLE resend_webhook_deliveries DROP CONSTRAINT IF EXISTS resend_webhook_deliveries_outcome_check;
ALTER TABLE resend_webhook_deliveries ADD CONSTRAINT resend_webhook_deliveries_outcome_check
  CHECK (outcome IN ('posted', 'raised', 'held', 'ignored', 'duplicate', 'skipped', 'recorded'));
-- ops list what was dead-lettered, latest first
CREATE INDEX resend_webhook_deliveries_dead ON resend_webhook_deliveries (dead_at DESC)
  WHERE dead_at IS NOT NULL AND processed_at IS NULL;

-- Held mail for staff. `id` names a row in URLs (a Message-ID has <, > and @ in it): the SHA-256 of
-- its Message-ID (UTF-8), so it is the same wherever it is computed and needs no sequence. Set by a
-- trigger (convert_to is not immutable, so it cannot be a generated column).
ALTER TABLE held_inbound_emails ADD COLUMN id text;
CREATE FUNCTION held_inbound_email_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.id := encode(sha256(convert_to(NEW.message_id, 'UTF8')), 'hex');
  RETURN NEW;
END $$;
CREATE TRIGGER held_inbound_emails_id BEFORE INSERT OR UPDATE OF message_id ON held_inbound_emails
  FOR EACH ROW EXECUTE FUNCTION held_inbound_email_id();
UPDATE held_inbound_emails SET id = encode(sha256(convert_to(message_id, 'UTF8')), 'hex');
ALTER TABLE held_inbound_emails ALTER COLUMN id SET NOT NULL;
CREATE UNIQUE INDEX held_inbound_emails_id ON held_inbound_emails (id);
-- What staff made of it (resolved_at, resolved_by, resolution are 0012's): the thread it went to and
-- as what (`participant_message`, `internal_note`, `query_raised`), or why it was discarded.
-- resolved_by is the staff account's id; resolved_by_name the name it had then.
ALTER TABLE held_inbound_emails ADD COLUMN resolved_by_name text;
ALTER TABLE held_inbound_emails ADD COLUMN resolved_thread_id uuid;
ALTER TABLE held_inbound_emails ADD COLUMN resolved_as text
  CHECK (resolved_as IN ('participant_message', 'internal_note', 'query_raised'));
ALTER TABLE held_inbound_emails ADD COLUMN discard_reason text CHECK (length(discard_reason) <= 500);
-- the staff list: open ones, newest first
CREATE INDEX held_inbound_emails_open_newest ON held_inbound_emails (received_at DESC, message_id)
  WHERE resolved_at IS NULL;
