import { z } from 'zod';
import { guestLinkView, messageView, partnerThreadSummary, staffThreadSummary } from '../threadViews.js';
import { slaHeadlineView, threadSlaView } from '../serviceLevels/slaViews.js';

/**
 * The wire protocol of the live push (`/api/support/live`): JSON text frames, one message
 * per frame. Documented in docs/live.md; the schemas here are the reference.
 */

export const LIVE_PATH = '/api/support/live';
/** The subprotocol a browser offers (and the server selects) when it sends a guest token as a subprotocol. */
export const LIVE_SUBPROTOCOL = 'support-live.v1';
/** `Sec-WebSocket-Protocol: support-live.v1, guest-token.<raw token>`: how a browser sends a guest token. */
export const GUEST_TOKEN_SUBPROTOCOL_PREFIX = 'guest-token.';
export const PROTOCOL_VERSION = 1;

/** Close codes the server uses besides the standard ones (1001 going away, 1009 frame too big). */
export const CloseCodes = {
  /** The identity is no longer valid (signed out, account disabled, guest link revoked or expired). */
  identityRevoked: 4001,
  /** The client did not read its frames fast enough; reconnect with `?after=<last position>`. */
  slowConsumer: 4008,
  /** Sent after a `reload` frame: refetch over HTTP, then reconnect without `after`. */
  reload: 4009,
  /** The client sent too many messages. */
  tooManyMessages: 4029,
} as const;

/** The largest change log id: the log's ids are Postgres bigints. */
export const MAX_LIVE_POSITION = 2n ** 63n - 1n;

/**
 * A position a client sends back (`?after=`): a change log id, decimal, at most
 * MAX_LIVE_POSITION; undefined for anything else. A number past 64 bits is no position the
 * server ever sent, and the database would refuse it in every query of the resume.
 */
export function parseLivePosition(text: string): bigint | undefined {
  if (!/^\d{1,19}$/.test(text)) return undefined;
  const value = BigInt(text);
  return value <= MAX_LIVE_POSITION ? value : undefined;
}

/** A change log id: decimal digits. Compare as integers (BigInt), not as strings. */
export const livePosition = z
  .string()
  .regex(/^\d{1,19}$/)
  .refine((text) => parseLivePosition(text) !== undefined, 'is larger than any change log id (a 64-bit integer)')
  .meta({ description: 'A change log id (decimal). The last one received is what a reconnecting client sends back.' });

/* ------------------------------------------------------------ client → server */

const threadId = z.uuid();

export const clientMessage = z.discriminatedUnion('type', [
  z
    .strictObject({ type: z.literal('viewing'), threadId })
    .meta({ description: 'I have this thread open and am not typing (refresh every 10–15 s); ends my typing at once' }),
  z
    .strictObject({
      type: z.literal('typing'),
      threadId,
      /** What I type is an internal note: staff see me typing, partners and guests do not. */
      internal: z.boolean().optional(),
    })
    .meta({ description: 'I am typing a reply, or an internal note (send every 2–3 s while typing)' }),
  z.strictObject({ type: z.literal('left'), threadId }).meta({ description: 'I closed this thread' }),
  z
    .strictObject({ type: z.literal('ping'), id: z.string().max(64).optional() })
    .meta({ description: 'Answered with pong' }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

/* ------------------------------------------------------------ server → client */

export const liveIdentityView = z.object({
  kind: z.enum(['staff', 'partner', 'guest']),
  role: z.string(),
});

export const helloMessage = z.object({
  type: z.literal('hello'),
  protocol: z.literal(PROTOCOL_VERSION),
  /** The stream starts after this position: the `after` the client sent, or the server's current one. */
  position: livePosition,
  resumed: z.boolean(),
  identity: liveIdentityView,
  /** How often the server pings; presence entries expire when not refreshed. */
  heartbeatMs: z.number().int(),
  presence: z.object({ viewingTtlMs: z.number().int(), typingTtlMs: z.number().int() }),
});

export const threadUpdate = z.object({
  /** The thread as this client may see it (staff: StaffThreadSummary; partner and guest: PartnerThreadSummary). */
  thread: z.union([staffThreadSummary, partnerThreadSummary]),
  /** The messages this change added that this client may see, oldest first (staff: internal notes too). */
  messages: z.array(messageView),
  /** Some messages were left out (too many or too large): refetch the thread over HTTP. */
  truncated: z.literal(true).optional(),
});

export const threadsMessage = z.object({
  type: z.literal('threads'),
  position: livePosition,
  threads: z.array(threadUpdate).min(1),
});

export const guestLinksMessage = z.object({
  type: z.literal('guestLinks'),
  position: livePosition,
  threads: z.array(z.object({ threadId: z.string(), guestLinks: z.array(guestLinkView) })).min(1),
});

/**
 * Staff only: a thread's service-level clocks changed (a reply stopped one, a partner's message
 * started one, a warning or breach was recorded, a policy was re-applied). `headline` is the
 * inbox row's clock; `sla` the drawer's targets, as of the moment the frame was built.
 */
export const slaMessage = z.object({
  type: z.literal('sla'),
  position: livePosition,
  threads: z
    .array(z.object({ threadId: z.string(), headline: slaHeadlineView.nullable(), sla: threadSlaView.nullable() }))
    .min(1),
});

export const configMessage = z.object({ type: z.literal('config'), position: livePosition });

export const syncMessage = z.object({ type: z.literal('sync'), position: livePosition });

export const presenceViewer = z.object({
  kind: z.enum(['staff', 'partner', 'guest']),
  id: z.string(),
  name: z.string(),
  typing: z.boolean(),
});

export const presenceMessage = z.object({
  type: z.literal('presence'),
  threadId: z.string(),
  /**
   * Staff: everyone viewing the thread now (one entry per person, however many tabs); empty when
   * nobody is. Partners and guests (in a thread they announced): support typing a reply, as
   * `{kind: 'staff', id: '', name: '', typing: true}`, with the agent's name (never an id) only
   * when the system config's showStaffNamesInPresence is on; empty when nobody types.
   */
  viewers: z.array(presenceViewer),
});

export const reloadReasons = ['too_far_behind', 'unknown_position', 'missed_changes'] as const;

export const reloadMessage = z.object({
  type: z.literal('reload'),
  reason: z.enum(reloadReasons),
  detail: z.string(),
});

export const errorCodes = [
  'bad_json',
  'bad_message',
  'binary_not_accepted',
  'rate_limited',
  'not_found',
  'too_many_threads',
  'internal',
] as const;

export const errorMessage = z.object({
  type: z.literal('error'),
  error: z.object({
    code: z.enum(errorCodes),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export const pongMessage = z.object({ type: z.literal('pong'), id: z.string().optional() });

export const serverMessage = z.discriminatedUnion('type', [
  helloMessage,
  threadsMessage,
  guestLinksMessage,
  slaMessage,
  configMessage,
  syncMessage,
  presenceMessage,
  reloadMessage,
  errorMessage,
  pongMessage,
]);

export type ServerMessage = z.infer<typeof serverMessage>;
export type HelloMessage = z.infer<typeof helloMessage>;
export type ThreadsMessage = z.infer<typeof threadsMessage>;
export type ThreadUpdate = z.infer<typeof threadUpdate>;
export type PresenceMessage = z.infer<typeof presenceMessage>;
export type PresenceViewer = z.infer<typeof presenceViewer>;
export type ReloadReason = (typeof reloadReasons)[number];
export type LiveErrorCode = (typeof errorCodes)[number];

/** The resume point a message moves the client to, if any (hello, threads, guestLinks, config, sync). */
export function positionOf(message: ServerMessage): string | undefined {
  return 'position' in message ? message.position : undefined;
}
