-- HMAC seals of hash-chain heads. The key is never in the database: whoever rewrites a whole
-- chain here cannot produce seals that verify.
CREATE TABLE chain_seals (
  stream_name text NOT NULL,
  revision    bigint NOT NULL,
  hash        text NOT NULL,
  hmac        text NOT NULL,
  sealed_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_name, revision)
);

CREATE TABLE chain_sealer_checkpoint (
  id       boolean PRIMARY KEY DEFAULT true CHECK (id),
  position text NOT NULL
);
