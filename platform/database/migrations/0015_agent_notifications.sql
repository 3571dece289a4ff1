-- Agents are told when a partner or guest writes: the email worker learns each thread's assignee
-- from ThreadAssigned, the team switch from SystemConfigUpdated (v3), and each agent's own choice
-- from account_preferences.

-- The staff account a thread is assigned to (ThreadAssigned's assigneeId); NULL: nobody.
ALTER TABLE email_threads ADD COLUMN assignee_id text;

-- Threads assigned before the worker learnt assignees: their latest ThreadAssigned in the log
-- (the embedded and Postgres event store; KurrentDB deployments learn them from new assignments).
UPDATE email_threads t SET assignee_id = a.assignee_id
  FROM (SELECT DISTINCT ON (data->>'threadId') data->>'threadId' AS thread_id, data->>'assigneeId' AS assignee_id
          FROM es_events WHERE event_type = 'ThreadAssigned'
         ORDER BY data->>'threadId', global_position DESC) a
 WHERE t.thread_id::text = a.thread_id;

-- The system config's notifyTeamOfUnassigned as of the worker's position (v2 events upcast to true).
ALTER TABLE email_settings ADD COLUMN notify_team_of_unassigned boolean NOT NULL DEFAULT true;

-- An email to an agent (the assignee told that a partner or guest wrote).
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_audience_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_audience_check
  CHECK (audience IN ('support', 'staff', 'partner', 'guest'));

-- What each staff member chose for themselves. No row: the defaults (notified).
CREATE TABLE account_preferences (
  account_id                 uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  -- emailed when a partner or guest writes in a thread assigned to them
  notify_on_partner_messages boolean NOT NULL DEFAULT true,
  updated_at                 timestamptz NOT NULL DEFAULT now()
);
