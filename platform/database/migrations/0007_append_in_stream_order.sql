-- Each stream's events must appear in the global order (transaction_id, global_position) in
-- revision order. An UPDATE of the stream row takes the transaction's id before it waits for
-- the row's lock; when the lock frees, a waiter with a lower transaction id than the next one
-- in line can take the row first, and its later revision then sorts before an earlier one.
-- So every append first waits for a per-stream advisory lock, which takes no transaction id,
-- and only then writes: whoever writes next gets a transaction id higher than every earlier
-- writer of that stream, whatever the expected-revision mode.
--
-- Key space: the two-int4 form of advisory locks, class 1163088978 ('ESTR'), the stream name's
-- hashtext. It does not overlap the one-bigint locks used elsewhere (migrations, projections);
-- two streams whose hashes collide only queue behind each other.
--
-- es_append must be the first write of its transaction: a transaction that already has an id
-- (an earlier write, an earlier append) could have taken it before a writer it now waits for.
-- ES003 says so instead of writing out of order.
CREATE OR REPLACE FUNCTION es_append(
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
  IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'ES003',
      MESSAGE = 'es_append must be the first write of its transaction (it keeps each stream in revision order)';
  END IF;
  PERFORM pg_advisory_xact_lock(1163088978, hashtext(p_stream));

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
