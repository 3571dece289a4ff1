-- One row per generation of each projection: its tables are `<table>_g<generation>`, and the
-- view `<table>` points at the live generation's. The row is also the checkpoint: the rows
-- of a batch and the new position change in one transaction.
CREATE TABLE projection_generations (
  name              text NOT NULL,
  generation        integer NOT NULL,
  code_version      integer NOT NULL,
  status            text NOT NULL CHECK (status IN ('building', 'live', 'retired', 'failed')),
  position          text NOT NULL DEFAULT '-1--1',
  events_processed  bigint NOT NULL DEFAULT 0,
  events_per_second real NOT NULL DEFAULT 0,
  target_position   text,
  progress          real NOT NULL DEFAULT 0,
  eta_seconds       real,
  last_error        text,
  started_at        timestamptz NOT NULL DEFAULT now(),
  live_at           timestamptz,
  retired_at        timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, generation)
);
CREATE UNIQUE INDEX projection_generations_one_live ON projection_generations (name) WHERE status = 'live';

-- The web app's error intake, capped by the API (oldest rows are deleted).
CREATE TABLE client_logs (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  client_key  text NOT NULL,
  level       text NOT NULL,
  message     text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'
);

-- Every committed projection batch, in commit order: the live push replays it to clients that
-- reconnect with their last position. Writers take an advisory lock before inserting, so ids
-- commit in order and a reader following `id > last` never skips one. Trimmed by age.
CREATE TABLE projection_change_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  projection  text NOT NULL,
  generation  integer NOT NULL,
  position    text NOT NULL,
  thread_ids  uuid[],
  created_at  timestamptz NOT NULL DEFAULT now()
);
