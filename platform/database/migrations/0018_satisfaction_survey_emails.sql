-- The satisfaction survey's email (docs/satisfaction.md). Like a guest link's email, it carries a
-- token that is never stored: satisfaction_render names the survey (its thread, the token's seed
-- and hash) and what the email is rendered from, and the sender rebuilds the token as it sends;
-- html and text keep a preview with the token elided.
ALTER TABLE email_outbox ADD COLUMN satisfaction_render jsonb;
-- Which organisation a thread belongs to, learnt from QueryRaised: a partner who has moved to
-- another organisation (or whose account is disabled) cannot see the thread, and gets no survey.
-- Null for threads the email worker learnt before this column (their partner is then not checked).
ALTER TABLE email_threads ADD COLUMN partner_org_id text;
