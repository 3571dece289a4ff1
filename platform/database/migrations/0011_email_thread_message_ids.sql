-- The Message-IDs of a thread's emails: each one we send (written with its outbox row, in the
-- same transaction) and, later, each one we receive. An outgoing email replies to the latest
-- inbound one (else the thread's first), and lists the first and latest in References; an
-- inbound email is matched to its thread by any entry of its References or In-Reply-To.
-- seq orders the ids recorded at the same instant (the emails of one event) as they were written.
CREATE TABLE email_thread_message_ids (
  thread_id  uuid NOT NULL,
  -- as in the header, angle brackets included (an inbound one may be oddly shaped: kept as it came)
  message_id text NOT NULL CHECK (message_id ~ '^<[^<>]+>$' AND length(message_id) <= 998),
  direction  text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
  at         timestamptz NOT NULL,
  -- the outbox row that sent it (outbound only)
  email_id   text,
  seq        bigserial NOT NULL,
  PRIMARY KEY (thread_id, message_id)
);
CREATE INDEX email_thread_message_ids_order ON email_thread_message_ids (thread_id, at, seq);
-- inbound matching looks a reply's References up by Message-ID
CREATE INDEX email_thread_message_ids_message ON email_thread_message_ids (message_id);

-- The emails sent before: their thread's root (`<thread-<id>@support-desk>`, which every one of
-- them replied to and referenced) first, then each Message-ID, so that replies to them still match
-- and later emails still thread with them.
INSERT INTO email_thread_message_ids (thread_id, message_id, direction, at)
SELECT thread_id, headers->>'References', 'outbound', min(created_at)
  FROM email_outbox
 WHERE thread_id IS NOT NULL AND headers->>'References' ~ '^<[^<>\s]+>$'
 GROUP BY thread_id, headers->>'References'
 ORDER BY min(created_at)
ON CONFLICT DO NOTHING;
INSERT INTO email_thread_message_ids (thread_id, message_id, direction, at, email_id)
SELECT thread_id, headers->>'Message-ID', 'outbound', created_at, id
  FROM email_outbox
 WHERE thread_id IS NOT NULL AND headers->>'Message-ID' ~ '^<[^<>\s]+>$'
 ORDER BY created_at, id
ON CONFLICT DO NOTHING;
