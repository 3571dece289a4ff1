/** The shapes the desk's API answers (see docs/api.md and /api/openapi.json). */

export const statuses = ['OPEN', 'PENDING', 'RESOLVED', 'CLOSED'] as const;
export type Status = (typeof statuses)[number];
export const priorities = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
export type Priority = (typeof priorities)[number];
export const queryTypes = ['DOCUMENTS', 'PAYMENT', 'SCHEDULING', 'TECHNICAL', 'ACCESS', 'OTHER'] as const;
export type QueryType = (typeof queryTypes)[number];

export type StaffRole = 'admin' | 'agent' | 'auditor' | 'ops';

export interface Account {
  id: string;
  email: string;
  name: string;
  role: StaffRole | 'partner';
  partnerOrgId: string | null;
}

export type GuestScope =
  { kind: 'thread'; threadId: string } | { kind: 'assignment'; assignmentId: string; partnerOrgId: string };

export type Identity =
  | { kind: 'staff'; role: StaffRole; accountId: string; name: string; email: string }
  | { kind: 'partner'; role: 'partner'; accountId: string; partnerOrgId: string; name: string; email: string }
  | { kind: 'guest'; role: 'guest'; linkId: string; scope: GuestScope; recipientEmail?: string; expiresAt: string };

export interface Author {
  kind: string;
  id: string;
  name: string;
}

export interface StaffThreadSummary {
  threadId: string;
  revision: number;
  status: Status;
  priority: Priority;
  queryType: QueryType;
  subject: string;
  partnerOrgId: string;
  assignmentId: string;
  assignmentReference: string;
  assigneeId: string | null;
  assigneeName: string | null;
  raisedBy: Author;
  raisedAt: string;
  lastMessagePreview: string | null;
  lastMessageAt: string | null;
  lastMessageByKind: string | null;
  /** 'internal': the preview is an internal note. */
  lastMessageVisibility: 'external' | 'internal' | null;
  messageCount: number;
  awaiting: 'staff' | 'partner' | null;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  lastActivityAt: string;
  firstResponseSeconds: number | null;
  resolutionSeconds: number | null;
}

export interface PartnerThreadSummary {
  threadId: string;
  status: Status;
  priority: Priority;
  queryType: QueryType;
  subject: string;
  assignmentId: string;
  assignmentReference: string;
  raisedAt: string;
  lastMessagePreview: string | null;
  lastMessageAt: string | null;
  lastMessageByKind: string | null;
  messageCount: number;
  awaitingYou: boolean;
  lastActivityAt: string;
}

/** One email about a message, as far as the thread view (or the ops queue) tells. */
export interface EmailDelivery {
  id: string;
  recipient: string;
  status: string;
  template?: string;
  attempts?: number;
  lastError?: string | null;
  at?: string | null;
}

export interface Message {
  messageId: string;
  revision: number;
  author: Author;
  visibility: 'external' | 'internal';
  body: string;
  createdAt: string;
  /** Staff only: the outcome of each email this message caused (delivered, failed, dead_lettered). */
  emails?: {
    recipient: string;
    template: string;
    status: string;
    attempts: number;
    lastError: string | null;
    at: string;
  }[];
}

export interface GuestLink {
  linkId: string;
  scope: 'thread' | 'assignment';
  threadId: string | null;
  assignmentId: string | null;
  recipientEmail: string | null;
  issuedAt: string;
  expiresAt: string;
  issuedBy: string;
  revokedAt: string | null;
  state: 'active' | 'expired' | 'revoked';
}

export interface ThreadView<T = StaffThreadSummary | PartnerThreadSummary> {
  thread: T;
  messages: Message[];
  guestLinks?: GuestLink[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A teammate who may be assigned a thread (GET /api/support/staff). */
export interface StaffMember {
  id: string;
  name: string;
}

export type Counts = Record<'ALL' | Status, number>;

export interface Assignment {
  assignmentId: string;
  reference: string;
  title: string;
  partnerOrgId: string;
  updatedAt: string;
}

export interface CommandAnswer {
  threadId?: string;
  status?: string;
  revision: number;
  position: string | null;
}

export interface SystemConfig {
  whatsappNumber: string | null;
  supportEmail: string;
  portalBaseUrl: string;
  whatsappBubbleEnabled: boolean;
  /** Partners and guests see which agent is typing (by name); off: "Support is typing…". */
  showStaffNamesInPresence: boolean;
  revision: number;
  position: string | null;
}

export interface PublicConfig {
  /** Where links in emails and guest links start. */
  portalBaseUrl: string;
  whatsappNumber: string | null;
  whatsappBubbleEnabled: boolean;
  supportEmail: string;
}

export interface IssuedGuestLink {
  linkId: string;
  token: string;
  url: string;
  expiresAt: string;
  revision: number;
  position: string | null;
  /** Who it is being emailed to (what the form sent; not in the API's answer). */
  recipientEmail?: string | null;
}

export interface Generation {
  generation: number;
  codeVersion: number;
  status: string;
  position: string;
  eventsProcessed: number;
  /** A rebuild's total (events up to the head it started from); null when not counted. */
  eventsTotal: number | null;
  /** Over the last minute; 0 when idle. */
  eventsPerSecond: number;
  progress: number;
  etaSeconds: number | null;
  lastError: string | null;
  startedAt: string;
  liveAt: string | null;
  updatedAt: string;
}

export interface ProjectionStatus {
  name: string;
  codeVersion: number;
  live: Generation | null;
  building: Generation | null;
  lagEvents: number | null;
  lagCapped: boolean;
}

export interface EmailQueueEntry {
  id: string;
  /** null: the email handing out an assignment's guest link. */
  threadId: string | null;
  guestLinkId: string | null;
  messageId: string | null;
  template: string;
  recipient: string;
  subject: string;
  status: 'pending' | 'retrying' | 'sending' | 'sent' | 'failed' | 'dead';
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastErrorName: string | null;
  providerId: string | null;
  claimedBy: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

export interface EmailQueue {
  delivery: 'resend' | 'dev_mailbox';
  stats: { pending: number; retrying: number; sent: number; failed: number; deadLettered: number };
  emails: EmailQueueEntry[];
}

export interface MailboxEmail {
  id: string;
  emailId: string;
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  deliveredAt: string;
}

export interface HistoryEvent {
  /** thread: an event of the thread; email: an outcome of an email about it (its own stream). */
  source: 'thread' | 'email';
  stream: string;
  /** The revision in the event's own stream. */
  revision: number;
  /** The thread revision the event belongs to (for an email outcome: the one before it, -1 when none). */
  threadRevision: number;
  position: string;
  type: string;
  occurredAt: string;
  actor: { type: string; id: string } | null;
  data: Record<string, unknown>;
}

export interface ThreadHistory {
  threadId: string;
  events: HistoryEvent[];
  stateAsOf: { revision: number; state: Record<string, unknown> };
  verification: {
    ok: boolean;
    checked: number;
    firstBrokenStream: string | null;
    firstBrokenRevision: number | null;
    reason: string | null;
    streams: StreamVerification[];
  };
}

export interface StreamVerification {
  streamName: string;
  ok: boolean;
  checked: number;
  sealsChecked: number;
  firstBrokenRevision: number | null;
  reason: string | null;
}
