import { z } from 'zod';

/** How a refusal maps to HTTP elsewhere: 404, 409, 422, 403, and 412 for a revision the caller pinned that moved on. */
export type DomainErrorKind = 'not_found' | 'conflict' | 'rule' | 'forbidden' | 'stale';

export interface DomainIssue {
  path: string;
  message: string;
}

/** Extra, machine-readable facts about a refusal (the fields that failed, the transition refused). */
export interface DomainErrorDetails {
  issues?: DomainIssue[];
  from?: string;
  to?: string;
  /** The stream's revision now, when the caller's expected one was stale. */
  currentRevision?: number;
}

/**
 * Every refusal the domain can make, stable snake_case for clients. The edge writes each one in
 * plain words for people (platform/http/plainWords.ts), exhaustively: a new code does not compile
 * until it has its sentence.
 */
export const domainErrorCodes = [
  'invalid_command',
  'author_not_allowed',
  'thread_exists',
  'thread_not_found',
  'internal_note_by_non_staff',
  'thread_closed',
  'invalid_transition',
  'guest_link_exists',
  'guest_link_not_found',
  'whatsapp_number_required',
  'stale_revision',
  'concurrent_changes',
  'attachment_not_found',
  'attachment_already_posted',
  'sla_calendar_not_found',
  'sla_calendar_in_use',
  'sla_policy_not_found',
  'survey_not_found',
  'survey_expired',
] as const;
export type DomainErrorCode = (typeof domainErrorCodes)[number];

/** The one way a decider refuses a command. Its message is for developers and logs. */
export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: DomainErrorCode,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export interface Decider<Command, Event, State> {
  /** Throws DomainError on refusal; `[]` when the command changes nothing. */
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState: State;
}

export const authorKinds = ['staff', 'partner', 'guest', 'system'] as const;
export type AuthorKind = (typeof authorKinds)[number];

export const authorSchema = z.object({
  kind: z.enum(authorKinds),
  id: z.string(),
  name: z.string(),
});
/** Who did it. `system` is the desk itself (workers), never a person. */
export type Author = z.infer<typeof authorSchema>;

export interface CommandMetadata {
  /** The decider's only clock. */
  now: Date;
  author: Author;
}

export interface Command<Type extends string, Data> {
  type: Type;
  data: Data;
  metadata: CommandMetadata;
}

/** Times in events and states are ISO-8601 UTC strings, so both stay plain JSON. */
export const isoTimestamp = z.iso.datetime({ error: 'must be an ISO-8601 UTC timestamp' });

/**
 * Parse a command's data with its schema, or refuse with every failing field named: for an edge
 * that builds a command from data no route schema has parsed. Deciders never parse: they trust it.
 */
export function parseCommandData<Schema extends z.ZodType>(
  commandType: string,
  schema: Schema,
  data: unknown,
): z.output<Schema> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = toIssues(result.error.issues);
  throw new DomainError(
    'rule',
    'invalid_command',
    `${commandType}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
    { issues },
  );
}

export function toIssues(issues: readonly z.core.$ZodIssue[]): DomainIssue[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** Refuse a command whose author may not do it. */
export function requireAuthor(author: Author, allowed: readonly AuthorKind[], what: string): void {
  if (!allowed.includes(author.kind)) {
    throw new DomainError('forbidden', 'author_not_allowed', `a ${author.kind} may not ${what}`);
  }
}

/** Compile-time exhaustiveness check for `switch` statements. */
export function unreachable(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
