import type { LiveEvent } from './live';
import type { Message, ThreadView } from './types';

type ThreadPush = Extract<LiveEvent, { type: 'thread' }>;

interface Versioned {
  revision?: number;
  lastActivityAt?: string;
}

/** True when summary `a` is older than `b` (a late push must not undo a fresher read). */
function isOlder(a: Versioned, b: Versioned): boolean {
  if (typeof a.revision === 'number' && typeof b.revision === 'number') return a.revision < b.revision;
  if (a.lastActivityAt && b.lastActivityAt) return a.lastActivityAt < b.lastActivityAt;
  return false;
}

/**
 * A thread view with a push applied in place: the pushed summary replaces the old one (unless
 * the screen already shows a later state: pushes and re-reads may cross), the pushed messages
 * join the list (once each, in revision order); a message pushed again (a file of it erased)
 * takes the pushed fields over the ones shown, keeping those only a read carries (its emails).
 * Null when the push cannot be applied (no payload, truncated): re-read over HTTP instead.
 */
export function applyThreadPush<V extends ThreadView>(current: V | undefined, push: ThreadPush): V | null {
  if (!current || !push.thread || !push.messages || push.truncated) return null;
  const pushedById = new Map(push.messages.map((m) => [m.messageId, m]));
  const known = new Set(current.messages.map((m) => m.messageId));
  const updated = current.messages.map((m) => {
    const again = pushedById.get(m.messageId);
    return again ? { ...m, ...again } : m;
  });
  const added = push.messages.filter((m) => !known.has(m.messageId));
  const messages: Message[] = [...updated, ...added].sort((a, b) => a.revision - b.revision);
  const pushed = push.thread as V['thread'];
  const thread = isOlder(pushed as Versioned, current.thread as Versioned) ? current.thread : pushed;
  return { ...current, thread, messages };
}
