-- Attachments (issue 18). The bytes live in a blob store (platform/blobs), keyed by their SHA-256;
-- the events of the message that carries a file record its id, hash, size, sniffed media type and
-- name. These tables hold what is not the thread's history: the uploads (staged until a message
-- references them, then kept as the facts the message's event copied), and what is known about
-- each blob's bytes (the virus scan, the thumbnail).

CREATE TABLE attachments (
  attachment_id uuid PRIMARY KEY,
  -- who uploaded it: 'staff', 'partner', 'guest' or 'system' (a received email), and their id
  -- (account id, guest link id, or the received email's id); only they may use or read it staged
  uploader_kind text NOT NULL CHECK (uploader_kind IN ('staff', 'partner', 'guest', 'system')),
  uploader_id   text NOT NULL,
  sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  -- sniffed from the bytes, never the client's word
  media_type text NOT NULL,
  -- cleaned: no path, no control characters, at most 200 characters
  file_name  text NOT NULL,
  -- an inline image of a received email (its Content-ID, without <>), else null
  content_id text,
  uploaded_at timestamptz NOT NULL,
  -- set when a message command last referenced it: cleanup leaves a file a command is using alone
  used_at    timestamptz,
  -- the message whose event carries it, once posted
  thread_id  uuid,
  message_id uuid,
  -- an admin erased it (AttachmentErased): its bytes go once no other record names them
  erased_at  timestamptz
);
-- the cleanup of staged files never posted (a day after their upload)
CREATE INDEX attachments_staged ON attachments (uploaded_at) WHERE message_id IS NULL;
CREATE INDEX attachments_by_sha256 ON attachments (sha256);

-- What is known of a blob's bytes. One row per SHA-256: the same bytes are scanned once.
CREATE TABLE blob_scans (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  -- pending: not scanned yet (served to its uploader only); clean; infected (quarantined: never
  -- served); not_scanned (no scanner configured: served, and the app says so); unscannable (the
  -- scanner refused it, e.g. past its size limit, or failed every attempt: not served)
  status text NOT NULL CHECK (status IN ('pending', 'clean', 'infected', 'not_scanned', 'unscannable')),
  -- what the scanner found (infected) or why it could not scan (unscannable)
  detail text,
  -- the scanner's own version line (clamd's VERSION), for the record
  scanner text,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  created_at timestamptz NOT NULL,
  scanned_at timestamptz,
  -- a scaled-down copy (WebP) of an image once it is clean, itself a blob; null otherwise
  thumbnail_sha256 text CHECK (thumbnail_sha256 ~ '^[0-9a-f]{64}$'),
  thumbnail_width integer,
  thumbnail_height integer
);
CREATE INDEX blob_scans_pending ON blob_scans (next_attempt_at NULLS FIRST) WHERE status = 'pending';
