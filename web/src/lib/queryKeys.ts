/**
 * Every query key of the app, in one place: a screen's inputs (filters, page size, ids) are part
 * of its key, so a change of inputs is a new query. Staff and public views of one thread have
 * keys of their own: they are different answers.
 */
export const queryKeys = {
  inbox: (query: {
    priority: string;
    queryType: string;
    assigneeId: string;
    q: string;
    status: string;
    /** `due`: the breaching-soon view (threads with a running clock, soonest deadline first) */
    sla: string;
    limit: number;
  }) => ['inbox', 'list', query] as const,
  inboxCounts: (filters: { priority: string; queryType: string; assigneeId: string; q: string }) =>
    ['inbox', 'counts', filters] as const,
  auditSearch: (q: string) => ['inbox', 'audit-search', { q }] as const,
  reports: (query: Record<string, string>) => ['reports', query] as const,
  heldMail: () => ['held-mail', 'list'] as const,
  heldMailDetail: (id: string) => ['held-mail', 'detail', id] as const,
  deadInbound: () => ['ops', 'inbound-dead'] as const,
  opsAttachments: () => ['ops', 'attachments'] as const,
  staffThread: (threadId: string) => ['threads', threadId, 'staff'] as const,
  publicThread: (threadId: string) => ['threads', threadId, 'public'] as const,
  /** A thread's satisfaction surveys, as of a revision of it (a new answer is a new revision). */
  threadSatisfaction: (threadId: string, revision: number) =>
    ['threads', threadId, 'satisfaction', { revision }] as const,
  satisfactionSurvey: (token: string) => ['satisfaction', token] as const,
  threadHistory: (threadId: string) => ['audit', threadId, 'history'] as const,
  threadStateAsOf: (threadId: string, asOf: number | null) => ['audit', threadId, 'state-as-of', { asOf }] as const,
  myThreads: (assignmentId: string | undefined) => ['my-threads', { assignmentId: assignmentId ?? null }] as const,
  assignments: () => ['assignments'] as const,
  assignment: (assignmentId: string) => ['assignments', assignmentId] as const,
  staff: (q: string) => ['staff', { q }] as const,
  systemConfig: () => ['config', 'system'] as const,
  slaConfig: () => ['config', 'sla'] as const,
  publicConfig: () => ['config', 'public'] as const,
  guestIdentity: (token: string) => ['guest', 'identity', token] as const,
  projections: () => ['ops', 'projections'] as const,
  emailQueue: () => ['ops', 'email-queue'] as const,
  threadEmails: (threadId: string) => ['ops', 'email-queue', { threadId }] as const,
  mailbox: () => ['ops', 'mailbox'] as const,
};
