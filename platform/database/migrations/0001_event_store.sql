-- The event log. Global order is (transaction_id, global_position): readers only read
-- below the oldest running transaction (pg_snapshot_xmin), so a slow writer's events can
-- never be skipped by a subscriber that already moved past their sequence numbers.
CREATE TABLE es_streams (
  stream_name text PRIMARY KEY,
  revision    bigint NOT NULL
);

CREATE TABLE es_events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_id        uuid NOT NULL,
  stream_name     text NOT NULL,
  stream_revision bigint NOT NULL,
  event_type      text NOT NULL,
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT es_events_event_id_key UNIQUE (event_id),
  CONSTRAINT es_events_stream_revision_key UNIQUE (stream_name, stream_revision)
);

CREATE INDEX es_events_global_order ON es_events (transaction_id, global_position);

-- One round trip, one commit per append: the expected-revision check, the stream row and
-- the events. No NOTIFY here: Postgres serialises the commits of notifying transactions on
-- one global lock, which would undo group commit; the adapter announces appends separately.
-- Error codes:
--   ES001 wrong expected version (DETAIL holds the actual revision or 'no_stream')
--   ES002 idempotency conflict (some ids reused by another append)
CREATE FUNCTION es_append(
  p_stream text,
  p_expected text,
  p_expected_revision bigint,
  p_ids uuid[],
  p_types text[],
  p_data jsonb[],
  p_metadata jsonb[]
) RETURNS TABLE (next_revision bigint, commit_position text, prepare_position bigint, duplicate boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
  n         bigint := cardinality(p_ids);
  v_next    bigint;
  v_current bigint;
  v_last    bigint;
BEGIN
  -- A re-append of ids already in the log answers the original result.
  RETURN QUERY SELECT * FROM es_previous_append(p_stream, p_ids);
  IF FOUND THEN RETURN; END IF;

  IF p_expected = 'no_stream' THEN
    INSERT INTO es_streams AS s (stream_name, revision) VALUES (p_stream, n - 1)
      ON CONFLICT (stream_name) DO NOTHING
      RETURNING s.revision INTO v_next;
  ELSIF p_expected = 'any' THEN
    INSERT INTO es_streams AS s (stream_name, revision) VALUES (p_stream, n - 1)
      ON CONFLICT (stream_name) DO UPDATE SET revision = s.revision + n
      RETURNING s.revision INTO v_next;
  ELSIF p_expected = 'exists' THEN
    UPDATE es_streams s SET revision = s.revision + n WHERE s.stream_name = p_stream
      RETURNING s.revision INTO v_next;
  ELSE
    UPDATE es_streams s SET revision = s.revision + n
      WHERE s.stream_name = p_stream AND s.revision = p_expected_revision
      RETURNING s.revision INTO v_next;
  END IF;

  IF v_next IS NULL THEN
    -- A concurrent append of the same ids may have won the race: answer it as a re-append.
    RETURN QUERY SELECT * FROM es_previous_append(p_stream, p_ids);
    IF FOUND THEN RETURN; END IF;
    SELECT s.revision INTO v_current FROM es_streams s WHERE s.stream_name = p_stream;
    RAISE EXCEPTION USING ERRCODE = 'ES001', MESSAGE = 'wrong expected version',
      DETAIL = coalesce(v_current::text, 'no_stream');
  END IF;

  INSERT INTO es_events (event_id, stream_name, stream_revision, event_type, data, metadata)
  SELECT e.id, p_stream, v_next - n + e.ord, e.type, e.data, e.metadata
    FROM unnest(p_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS e(id, type, data, metadata, ord)
    ORDER BY e.ord;
  -- identity values are handed out in insert order, so the last one is the highest
  v_last := currval(pg_get_serial_sequence('es_events', 'global_position'));

  RETURN QUERY SELECT v_next, pg_current_xact_id()::text, v_last, false;
END
$fn$;

CREATE FUNCTION es_previous_append(p_stream text, p_ids uuid[])
RETURNS TABLE (next_revision bigint, commit_position text, prepare_position bigint, duplicate boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_found   bigint;
  v_streams bigint;
BEGIN
  SELECT count(*), count(*) FILTER (WHERE e.stream_name <> p_stream)
    INTO v_found, v_streams
    FROM es_events e WHERE e.event_id = ANY (p_ids);
  IF v_found = 0 THEN RETURN; END IF;
  IF v_found <> cardinality(p_ids) OR v_streams > 0 THEN
    RAISE EXCEPTION USING ERRCODE = 'ES002', MESSAGE = 'idempotency conflict';
  END IF;
  RETURN QUERY
    SELECT e.stream_revision, e.transaction_id::text, e.global_position, true
      FROM es_events e WHERE e.event_id = ANY (p_ids)
      ORDER BY e.stream_revision DESC LIMIT 1;
END
$fn$;
