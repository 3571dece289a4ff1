-- Identity: staff and partner accounts, browser sessions, and shared rate-limit counters.

-- Emails are compared case-insensitively (a unique index on lower(email), like citext, without
-- the extension). A partner account always names its partner organisation; no other role does.
-- password_hash is NULL for an account that cannot sign in with a password.
CREATE TABLE accounts (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email          text NOT NULL,
  name           text NOT NULL,
  role           text NOT NULL,
  partner_org_id text NULL,
  password_hash  text NULL,
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT accounts_email_check CHECK (email = btrim(email) AND length(email) BETWEEN 3 AND 320 AND position('@' IN email) > 1),
  CONSTRAINT accounts_name_check CHECK (length(btrim(name)) > 0),
  CONSTRAINT accounts_role_check CHECK (role IN ('admin', 'agent', 'auditor', 'ops', 'partner')),
  CONSTRAINT accounts_partner_org_check CHECK (
    (role = 'partner' AND partner_org_id IS NOT NULL AND length(btrim(partner_org_id)) > 0)
    OR (role <> 'partner' AND partner_org_id IS NULL)
  ),
  CONSTRAINT accounts_password_hash_check CHECK (password_hash IS NULL OR password_hash LIKE 'scrypt$%')
);

CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));

-- Only SHA-256 hashes (hex) of the session and CSRF tokens are stored: a copy of this table
-- does not let anyone sign in.
CREATE TABLE sessions (
  token_hash      text PRIMARY KEY,
  account_id      uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  csrf_token_hash text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  last_seen_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT sessions_token_hash_check CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT sessions_csrf_token_hash_check CHECK (csrf_token_hash ~ '^[0-9a-f]{64}$')
);

CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_account_id ON sessions (account_id);

-- Fixed-window counters shared by every API process. Keys never hold raw secrets.
CREATE TABLE rate_limit_counters (
  key          text NOT NULL,
  window_start timestamptz NOT NULL,
  count        integer NOT NULL,
  PRIMARY KEY (key, window_start)
);

CREATE INDEX rate_limit_counters_window_start ON rate_limit_counters (window_start);
