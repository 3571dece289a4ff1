import type { ThreadStatus } from '../../../domain/index.js';
import {
  headerOf,
  messageIdList,
  recipientsOf,
  senderOf,
  type MailAddress,
  type ReceivedEmail,
} from './inboundMessageHeaders.js';
import { mailNoiseOf, type NoiseContext, type NoiseReason } from './mailNoise.js';
import { subjectTagsOf, subjectTopicOf } from './matchThreadSubject.js';

/**
 * Which thread a received email belongs to, and whether its sender may write there. Pure:
 * the facts come through `InboundLookup` and the signature check through
 * `ReplyAddressVerifier`, both passed in. The order, strongest first:
 *   (a) a signed reply address in To/Cc: `reply+<threadId>.<signature>@<inbound domain>`;
 *   (b) any Message-ID of `In-Reply-To` or `References` (all of them, nearest ancestor first)
 *       that we sent or received for a thread;
 *   (c) an `[A-1001]` tag in the subject, only from a partner of that assignment's organisation,
 *       with the topic of one of its threads.
 * A forged reply address is not a weaker match to skip past: it holds the mail unless the
 * mail's own References (which only a reader of that thread's mail has) lead to the same thread.
 *
 * A staff member's mail (From an enabled admin's or agent's own address) is their reply to the
 * notification they got, and only with that notification's reply address, signed for their own
 * address: never through References alone, nor the subject tag.
 */

/**
 * Checks the signature of a reply address (written in workers/email/replyAddress.ts, beside
 * `signReplyAddress(threadId, recipient)`): `localPart` is `reply+<threadId>.<signature>` as it
 * arrived (case kept), `sender` the From address, lowercase. True only when the signature is the
 * desk's own for that thread and that address.
 */
export type ReplyAddressVerifier = (localPart: string, sender: string) => boolean;

type Awaitable<T> = T | Promise<T>;

export interface InboundThread {
  threadId: string;
  status: ThreadStatus;
  assignmentId: string;
  assignmentReference: string;
  partnerOrgId: string;
  subject: string;
}

export interface InboundAssignment {
  assignmentId: string;
  reference: string;
  partnerOrgId: string;
}

/** A partner's account found by its email address (enabled accounts only). */
export interface PartnerAccount {
  accountId: string;
  partnerOrgId: string;
  name: string;
}

/** A staff account (an enabled admin or agent) found by its email address. */
export interface StaffAccount {
  accountId: string;
  name: string;
}

/** A partner or guest of the matched thread. */
export type ParticipantAuthor =
  | { kind: 'partner'; accountId: string; partnerOrgId: string; name: string }
  | { kind: 'guest'; linkId: string; name: string };

/** Who wrote, as the desk knows them in the matched thread: a participant, or staff answering by email. */
export type InboundAuthor = ParticipantAuthor | { kind: 'staff'; accountId: string; name: string };

/** The facts the rules need; the worker reads them from its own tables, the tests from memory. */
export interface InboundLookup {
  /** The threads of the given Message-IDs (canonical `<left@right>`), among those we sent or received. */
  threadsOfMessageIds(messageIds: readonly string[]): Awaitable<ReadonlyMap<string, string>>;
  thread(threadId: string): Awaitable<InboundThread | null>;
  assignmentByReference(reference: string): Awaitable<InboundAssignment | null>;
  /** The assignment's threads, latest first. */
  threadsOfAssignment(assignmentId: string): Awaitable<readonly InboundThread[]>;
  partnerAccountByAddress(address: string): Awaitable<PartnerAccount | null>;
  /** The enabled admin or agent account with this address, if any. */
  staffAccountByAddress(address: string): Awaitable<StaffAccount | null>;
  /** A guest link of the thread (or of its assignment) emailed to `address` and working `at`. */
  guestLinkFor(threadId: string, address: string, at: string): Awaitable<{ linkId: string; name: string } | null>;
}

export interface MatchContext extends NoiseContext {
  /** The domain of our reply addresses, lowercase. */
  inboundDomain: string;
  verifyReplyAddress: ReplyAddressVerifier;
  lookup: InboundLookup;
  /** When the email arrived (Resend's `created_at`): guest links are judged then. */
  receivedAt: string;
}

export type MatchedBy = 'reply_address' | 'references' | 'subject_tag';

export const holdReasons = [
  /** No From address to read. */
  'no_sender',
  /** A reply address whose signature is not ours for this sender, and no References to the same thread. */
  'forged_reply_address',
  /** Reply addresses (or a forged one and the References) that name different threads. */
  'conflicting_threads',
  /** A validly signed reply address of a thread that does not exist (any more). */
  'unknown_thread',
  /** A thread was matched, but the sender is not one of its partners or guests. */
  'not_a_participant',
  /** The subject tags an assignment of another organisation than the sender's. */
  'tag_of_another_organisation',
  /** The subject tags more than one assignment. */
  'ambiguous_subject_tag',
  /** A known partner wrote about nothing we can name: no thread matched, no assignment tagged. */
  'no_assignment',
  /** Nothing matched and the sender is nobody the desk knows. */
  'unknown_sender',
  /** A staff member's mail without a reply address signed for their own address (References or a subject tag do not carry it in). */
  'staff_reply_unsigned',
] as const;
export type HoldReason = (typeof holdReasons)[number];

export type InboundOutcome =
  /** Post the message in this thread (a resolved thread reopens, as for a web message). */
  | { kind: 'post'; threadId: string; author: InboundAuthor; matchedBy: MatchedBy }
  /** Raise a new query on this assignment. */
  | { kind: 'raise'; assignment: InboundAssignment; author: Extract<InboundAuthor, { kind: 'partner' }> }
  /** The thread is closed ("a closed thread takes no messages"): a new thread linked to it, and the sender told. */
  | {
      kind: 'followUp';
      closedThreadId: string;
      assignment: InboundAssignment;
      author: ParticipantAuthor;
      matchedBy: MatchedBy;
    }
  /** Held for staff, with why; `threadId` is the thread it named, if any. */
  | { kind: 'hold'; reason: HoldReason; threadId: string | null }
  /** Recorded, never a message, never answered. */
  | { kind: 'ignore'; reason: NoiseReason };

/** At most this many Message-IDs are looked up: In-Reply-To, the first of References and its latest ones. */
export const REFERENCES_LOOKED_UP = 100;

const hold = (reason: HoldReason, threadId: string | null = null): InboundOutcome => ({
  kind: 'hold',
  reason,
  threadId,
});

export async function matchThread(email: ReceivedEmail, context: MatchContext): Promise<InboundOutcome> {
  const noise = mailNoiseOf(email, context);
  if (noise) return { kind: 'ignore', reason: noise };
  const sender = senderOf(email);
  if (!sender) return hold('no_sender');

  const replyAddress = replyAddressMatch(email, sender, context);
  if (replyAddress.kind === 'conflict') return hold('conflicting_threads');
  const staff = await context.lookup.staffAccountByAddress(sender.normalized);
  if (staff) return staffReply(email, staff, replyAddress, context);
  if (replyAddress.kind === 'valid') {
    const thread = await context.lookup.thread(replyAddress.threadId);
    if (!thread) return hold('unknown_thread', replyAddress.threadId);
    return admit(thread, sender, 'reply_address', context);
  }

  const referenced = await referencedThreadOf(email, context.lookup);
  const claimed = replyAddress.kind === 'forged' ? replyAddress.threadId : null;
  if (claimed !== null && referenced !== null && claimed !== referenced) return hold('conflicting_threads', claimed);
  const thread = referenced === null ? null : await context.lookup.thread(referenced);
  if (thread) return admit(thread, sender, 'references', context);
  // A forged-looking reply address gets in only with the References of a reader of that
  // thread's mail (a colleague the partner forwarded our email to answers an address signed
  // for the partner). The subject tag, which anyone can type, never carries it in.
  if (replyAddress.kind === 'forged') return hold('forged_reply_address', replyAddress.threadId);

  const partner = await context.lookup.partnerAccountByAddress(sender.normalized);
  const tags = subjectTagsOf(email.subject);
  if (tags.length > 1) return hold(partner ? 'ambiguous_subject_tag' : 'unknown_sender');
  const assignment = tags[0] ? await context.lookup.assignmentByReference(tags[0]) : null;
  if (!partner) return hold('unknown_sender');
  if (!assignment) return hold('no_assignment');
  if (assignment.partnerOrgId !== partner.partnerOrgId) return hold('tag_of_another_organisation');

  const topic = subjectTopicOf(email.subject);
  const threads = await context.lookup.threadsOfAssignment(assignment.assignmentId);
  const sameTopic = threads.filter((thread) => topic !== '' && subjectTopicOf(thread.subject) === topic);
  const tagged = sameTopic.find((t) => t.status !== 'CLOSED') ?? sameTopic[0];
  if (tagged) return admit(tagged, sender, 'subject_tag', context);
  return { kind: 'raise', assignment, author: { kind: 'partner', ...partner } };
}

/**
 * A staff member's reply by email: posted as theirs only through a reply address signed for
 * their own address (the one their notification carried); a closed thread refuses it when posted.
 */
async function staffReply(
  email: ReceivedEmail,
  staff: StaffAccount,
  replyAddress: ReplyAddressMatch,
  context: MatchContext,
): Promise<InboundOutcome> {
  if (replyAddress.kind === 'valid') {
    const thread = await context.lookup.thread(replyAddress.threadId);
    if (!thread) return hold('unknown_thread', replyAddress.threadId);
    const author: InboundAuthor = { kind: 'staff', ...staff };
    return { kind: 'post', threadId: thread.threadId, author, matchedBy: 'reply_address' };
  }
  // the thread it names, for whoever looks at it
  const named =
    replyAddress.kind === 'forged' ? replyAddress.threadId : await referencedThreadOf(email, context.lookup);
  return hold('staff_reply_unsigned', named);
}

type ReplyAddressMatch =
  | { kind: 'none' }
  | { kind: 'valid'; threadId: string }
  /** Addressed to our reply addresses, but no signature holds; `threadId` the one it claims, if readable. */
  | { kind: 'forged'; threadId: string | null }
  | { kind: 'conflict' };

/** The reply addresses among To and Cc: valid ones decide; several valid threads conflict. */
function replyAddressMatch(email: ReceivedEmail, sender: MailAddress, context: MatchContext): ReplyAddressMatch {
  const ours = recipientsOf(email).filter(
    (address) => address.domain === context.inboundDomain.toLowerCase() && /^reply\+/i.test(address.local),
  );
  if (ours.length === 0) return { kind: 'none' };
  const claimed = ours.map((address) => ({
    threadId: threadIdOfReplyAddress(address.local),
    valid: context.verifyReplyAddress(address.local, sender.normalized),
  }));
  const valid = new Set(claimed.flatMap((c) => (c.valid && c.threadId !== null ? [c.threadId] : [])));
  if (valid.size > 1) return { kind: 'conflict' };
  const [threadId] = valid;
  if (threadId) return { kind: 'valid', threadId };
  const named = new Set(claimed.flatMap((c) => (c.threadId === null ? [] : [c.threadId])));
  if (named.size > 1) return { kind: 'conflict' };
  const [claimedThread] = named;
  return { kind: 'forged', threadId: claimedThread ?? null };
}

/** The thread id of `reply+<threadId>.<signature>`: a thread id has no dot, the signature comes after the first. */
export function threadIdOfReplyAddress(localPart: string): string | null {
  const match = /^reply\+([0-9a-f-]{36})\.[^.]+$/i.exec(localPart);
  return match?.[1]?.toLowerCase() ?? null;
}

/**
 * The thread of the nearest ancestor we know: In-Reply-To first, then References from the
 * latest back to the root (RFC 5322 lists them oldest first). A client that drops In-Reply-To
 * or sets it to a mail we never saw still finds the thread through References.
 */
async function referencedThreadOf(email: ReceivedEmail, lookup: InboundLookup): Promise<string | null> {
  const inReplyTo = messageIdList(headerOf(email.headers, 'In-Reply-To'));
  const references = messageIdList(headerOf(email.headers, 'References'));
  const [root, ...later] = references;
  const ids = [...new Set([...inReplyTo, ...later.reverse()])].slice(0, REFERENCES_LOOKED_UP - 1);
  if (root && !ids.includes(root)) ids.push(root);
  if (ids.length === 0) return null;
  const threads = await lookup.threadsOfMessageIds(ids);
  for (const id of ids) {
    const threadId = threads.get(id);
    if (threadId) return threadId;
  }
  return null;
}

/** A matched thread lets in its own partners and guests only; a closed one sends them to a new thread. */
async function admit(
  thread: InboundThread,
  sender: MailAddress,
  matchedBy: MatchedBy,
  context: MatchContext,
): Promise<InboundOutcome> {
  const author = await participantOf(thread, sender, context);
  if (!author) return hold('not_a_participant', thread.threadId);
  if (thread.status === 'CLOSED') {
    const assignment = {
      assignmentId: thread.assignmentId,
      reference: thread.assignmentReference,
      partnerOrgId: thread.partnerOrgId,
    };
    return { kind: 'followUp', closedThreadId: thread.threadId, assignment, author, matchedBy };
  }
  return { kind: 'post', threadId: thread.threadId, author, matchedBy };
}

async function participantOf(
  thread: InboundThread,
  sender: MailAddress,
  context: MatchContext,
): Promise<ParticipantAuthor | null> {
  const partner = await context.lookup.partnerAccountByAddress(sender.normalized);
  if (partner && partner.partnerOrgId === thread.partnerOrgId) return { kind: 'partner', ...partner };
  const link = await context.lookup.guestLinkFor(thread.threadId, sender.normalized, context.receivedAt);
  return link ? { kind: 'guest', ...link } : null;
}
