-- Events per second over the last minute, instead of the last batch's speed (which stayed at
-- whatever the last batch managed, also long after the desk went idle). A ring of 60
-- per-second slots: each batch adds its count to the slot of its second (second % 60),
-- starting it afresh when the slot last held an older second. Readers sum the slots whose
-- second is within the last minute by their own clock, so an idle projection reads 0.
-- `rate_since` is the second the generation first counted, so a generation younger than a
-- minute is not averaged over time it did not exist. (Arrays, not a jsonb window: a batch's
-- checkpoint write stays as cheap as before.)
ALTER TABLE projection_generations
  ADD COLUMN rate_seconds bigint[] NOT NULL DEFAULT array_fill(-1::bigint, ARRAY[60]),
  ADD COLUMN rate_counts bigint[] NOT NULL DEFAULT array_fill(0::bigint, ARRAY[60]),
  ADD COLUMN rate_since bigint,
  -- a rebuild's total: the events in the log up to the head it started from (null when the
  -- store cannot count them; the fraction then comes from log positions)
  ADD COLUMN events_total bigint,
  DROP COLUMN events_per_second;
