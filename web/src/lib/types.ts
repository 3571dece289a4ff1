import type { components, operations } from './api-types';

/**
 * The shapes the desk's API answers, named for the web app. Each is the OpenAPI document's own
 * (`api-types.ts`, generated from /api/openapi.json by `npm run docs:api`): when the server
 * changes a shape, the web app stops compiling where it no longer fits.
 */

type Schemas = components['schemas'];
/** The JSON a successful answer of an operation carries. */
type Answer<
  Op extends keyof operations,
  Code extends keyof operations[Op]['responses'] = 200 & keyof operations[Op]['responses'],
> = operations[Op]['responses'][Code] extends { content: { 'application/json': infer Body } } ? Body : never;

/** The values the web app offers in filters and forms (the API answers them as strings). */
export const statuses = ['OPEN', 'PENDING', 'RESOLVED', 'CLOSED'] as const;
export type Status = (typeof statuses)[number];
export const priorities = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
export type Priority = (typeof priorities)[number];
export const queryTypes = ['DOCUMENTS', 'PAYMENT', 'SCHEDULING', 'TECHNICAL', 'ACCESS', 'OTHER'] as const;
export type QueryType = (typeof queryTypes)[number];

export type Account = Schemas['Account'];
export type Identity = Schemas['Identity'];
export type StaffRole = Extract<Identity, { kind: 'staff' }>['role'];
export type GuestScope = Extract<Identity, { kind: 'guest' }>['scope'];

export type StaffThreadSummary = Schemas['StaffThreadSummary'];
export type PartnerThreadSummary = Schemas['PartnerThreadSummary'];
export type Author = StaffThreadSummary['raisedBy'];

type GetThread = Answer<'getThread'>;
export type Message = GetThread['messages'][number];
/** A file as the readers of its message see it (the download route checks who asks). */
export type Attachment = Schemas['Attachment'];
/** A file just uploaded, staged for its uploader's next message. */
export type UploadedAttachment = Schemas['UploadedAttachment'];
export type AttachmentFigures = Answer<'getAttachmentFigures'>;
/** The reports page's datasets (GET /api/support/reports). */
export type Report = Answer<'getReports'>;
export type GuestLink = Schemas['GuestLink'];
export interface ThreadView<T = StaffThreadSummary | PartnerThreadSummary> extends Omit<GetThread, 'thread'> {
  thread: T;
}

/** Every list answer: a page of items and the cursor of the next one. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A teammate who may be assigned a thread (GET /api/support/staff). */
export type StaffMember = Schemas['AssignableStaff'];
export type Counts = Answer<'countInbox'>;
export type Assignment = Schemas['Assignment'];
export type CommandAnswer = Schemas['ThreadCommandAnswer'];
export type SystemConfig = Schemas['SystemConfig'];
export type AccountPreferences = Schemas['AccountPreferences'];
export type PublicConfig = Schemas['PublicConfig'];

export type IssuedGuestLink = Schemas['GuestLinkIssued'] & {
  /** Who it is being emailed to (what the form sent; not in the API's answer). */
  recipientEmail?: string | null;
};

export type ProjectionStatus = Schemas['ProjectionStatus'];
export type Generation = NonNullable<ProjectionStatus['live']>;
export type EmailQueue = Schemas['EmailQueue'];
export type EmailQueueEntry = EmailQueue['emails'][number];
export type MailboxEmail = Schemas['DevMailbox']['emails'][number];

export type HeldMail = Schemas['HeldMail'];
export type HeldMailDetail = Schemas['HeldMailDetail'];
export type HeldMailList = Answer<'listHeldMail'>;
export type HeldMailResolved = Schemas['HeldMailResolved'];
export type DeadInboundList = Answer<'listDeadInbound'>;
export type LinkedThread = Schemas['LinkedThread'];

/** Service levels (issue 19): calendars, policies, and the clocks a thread runs against them. */
type Body<Op extends keyof operations> = operations[Op] extends {
  requestBody: { content: { 'application/json': infer B } };
}
  ? B
  : never;
export type SlaConfig = Schemas['SlaConfig'];
export type SlaCalendar = Schemas['SlaCalendar'];
export type SlaCalendarInput = Body<'saveSlaCalendar'>;
export type SlaPolicy = Schemas['SlaPolicy'];
export type SlaPolicyInput = Body<'saveSlaPolicy'>;
export type SlaTarget = Schemas['SlaTarget'];
/** The clock an inbox row shows: the running one due first, else a paused one. */
export type SlaHeadline = NonNullable<StaffThreadSummary['sla']>;
export type ThreadSla = NonNullable<GetThread['sla']>;
export type SlaReapplied = Answer<'reapplySlaToPeriod'>;

export type ThreadHistory = Schemas['ThreadHistory'];
export type HistoryEvent = ThreadHistory['events'][number];
export type StreamVerification = ThreadHistory['verification']['streams'][number];

/** One email about a message, as the thread view (or the ops queue) tells: the web app's own view of both. */
export interface EmailDelivery {
  id: string;
  recipient: string;
  status: string;
  template?: string;
  attempts?: number;
  lastError?: string | null;
  at?: string | null;
}

export type ThreadSatisfaction = Schemas['ThreadSatisfaction'];
export type SatisfactionSurvey = Schemas['SatisfactionSurvey'];
export type PublicSurvey = Schemas['SatisfactionSurveyPublic'];
export type SatisfactionRatedAnswer = Schemas['SatisfactionRatedAnswer'];
export type SatisfactionRating = PublicSurvey['ratings'][number];
