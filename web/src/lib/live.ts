import { useEffect, useRef, useState } from 'react';
import { getGuestToken } from './api';
import type { GuestLink, Message, SlaHeadline, ThreadSla } from './types';

/**
 * Live updates: the one module that knows how changes reach the browser.
 *
 * The desk's websocket (/api/support/live, docs/live.md) pushes each change with the thread as
 * this person may see it and the messages it added; pages patch what they show in place. The
 * socket remembers the last position it received and reconnects with `?after=<position>`, so
 * nothing is missed across a dropped connection. Presence (who else is viewing or typing in a
 * thread) travels on it too.
 *
 * Until the socket says hello (no live hub on this desk, a proxy that drops websockets, a
 * network that refuses them) the module polls: every few seconds, while the tab is visible, a
 * `resync` tells every page to re-read over HTTP. Pages handle both the same way.
 */

export type LiveEvent =
  /** A thread changed. `thread` and `messages` (those this change added) come with a push; a page may patch with them. */
  | { type: 'thread'; threadId: string; thread?: unknown; messages?: Message[]; truncated?: boolean }
  | { type: 'guestLinks'; threadId: string; guestLinks: GuestLink[] }
  /** Staff only: a thread's service-level clocks changed (started, stopped, warned, breached, re-applied). */
  | { type: 'sla'; threadId: string; headline: SlaHeadline | null; sla: ThreadSla | null }
  | { type: 'config' }
  /** Something may have changed (a poll tick, a reconnect, a reload order): re-read what you show. */
  | { type: 'resync' };

export interface PresencePeer {
  kind: string;
  id: string;
  name: string;
  typing: boolean;
}

type Listener = (event: LiveEvent) => void;
export type LiveTransport = 'polling' | 'socket';

const POLL_MS = 3000;
const VIEWING_REFRESH_MS = 10_000;
const TYPING_REFRESH_MS = 2500;
const MAX_BACKOFF_MS = 30_000;
const PROTOCOL = 'support-live.v1';

const listeners = new Set<Listener>();
const presenceListeners = new Set<() => void>();
const presence = new Map<string, PresencePeer[]>();
/** Threads this browser has open (count of views) and whether someone types in them (an internal note?). */
const viewing = new Map<string, { views: number; typing: boolean; internal: boolean }>();

let transport: LiveTransport = 'polling';
let pollTimer: ReturnType<typeof setInterval> | null = null;
let socket: WebSocket | null = null;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let presenceTimer: ReturnType<typeof setInterval> | null = null;
let idleTimer: ReturnType<typeof setTimeout> | null = null;
let failures = 0;
/** The live position of the last frame received: the resume point of the next connection. */
let lastPosition: string | null = null;

function setTransport(next: LiveTransport): void {
  transport = next;
  document.documentElement.dataset.live = next;
}

function emit(event: LiveEvent): void {
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch (error) {
      // one page's failure must not keep the others from updating; report it as uncaught
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

/* ------------------------------------------------------------------ polling (fallback) */

function onVisible(): void {
  if (document.visibilityState === 'visible') emit({ type: 'resync' });
}

function startPolling(): void {
  if (pollTimer) return;
  setTransport('polling');
  pollTimer = setInterval(() => {
    if (document.visibilityState === 'visible') emit({ type: 'resync' });
  }, POLL_MS);
  document.addEventListener('visibilitychange', onVisible);
}

function stopPolling(): void {
  if (pollTimer) clearInterval(pollTimer);
  pollTimer = null;
  document.removeEventListener('visibilitychange', onVisible);
}

/* ------------------------------------------------------------------ the socket */

interface ServerFrame {
  type: string;
  position?: string;
  resumed?: boolean;
  threads?: {
    thread?: { threadId?: string };
    threadId?: string;
    messages?: Message[];
    truncated?: boolean;
    guestLinks?: GuestLink[];
    headline?: SlaHeadline | null;
    sla?: ThreadSla | null;
  }[];
  threadId?: string;
  viewers?: PresencePeer[];
}

function send(message: Record<string, unknown>): void {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

/** `typing` (with `internal` for a note: partners and guests are not told of it) or `viewing` (not typing). */
function presenceMessage(threadId: string, state: { typing: boolean; internal: boolean }): Record<string, unknown> {
  if (!state.typing) return { type: 'viewing', threadId };
  return state.internal ? { type: 'typing', threadId, internal: true } : { type: 'typing', threadId };
}

function announceAll(): void {
  for (const [threadId, state] of viewing) send(presenceMessage(threadId, state));
}

function onFrame(frame: ServerFrame): void {
  if (frame.position) lastPosition = frame.position;
  switch (frame.type) {
    case 'hello':
      failures = 0;
      stopPolling();
      setTransport('socket');
      announceAll();
      // a first connection may have missed changes made between the page's reads and now
      if (!frame.resumed) emit({ type: 'resync' });
      return;
    case 'threads':
      for (const update of frame.threads ?? []) {
        const threadId = update.thread?.threadId;
        if (!threadId) continue;
        emit({
          type: 'thread',
          threadId,
          thread: update.thread,
          messages: update.messages ?? [],
          ...(update.truncated ? { truncated: true } : {}),
        });
      }
      return;
    case 'guestLinks':
      for (const update of frame.threads ?? []) {
        if (update.threadId)
          emit({ type: 'guestLinks', threadId: update.threadId, guestLinks: update.guestLinks ?? [] });
      }
      return;
    case 'sla':
      for (const update of frame.threads ?? []) {
        if (update.threadId)
          emit({ type: 'sla', threadId: update.threadId, headline: update.headline ?? null, sla: update.sla ?? null });
      }
      return;
    case 'config':
      emit({ type: 'config' });
      return;
    case 'presence':
      if (frame.threadId) {
        presence.set(frame.threadId, frame.viewers ?? []);
        for (const l of [...presenceListeners]) l();
      }
      return;
    case 'reload':
      // too far behind to replay: start afresh (the server closes with 4009 next)
      lastPosition = null;
      emit({ type: 'resync' });
      return;
    default:
      return; // sync, pong, error: nothing to show
  }
}

function scheduleReconnect(delayMs: number): void {
  if (retryTimer || listeners.size === 0) return;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    connect();
  }, delayMs);
}

function connect(): void {
  if (socket || listeners.size === 0 || typeof WebSocket === 'undefined') return;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const after = lastPosition ? `?after=${encodeURIComponent(lastPosition)}` : '';
  const token = getGuestToken();
  let ws: WebSocket;
  try {
    ws = new WebSocket(
      `${scheme}://${location.host}/api/support/live${after}`,
      token ? [PROTOCOL, `guest-token.${token}`] : [PROTOCOL],
    );
  } catch {
    failures++;
    scheduleReconnect(backoff());
    return;
  }
  socket = ws;
  let greeted = false;
  ws.onmessage = (event) => {
    if (typeof event.data !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(event.data) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'hello') greeted = true;
    onFrame(frame);
  };
  ws.onclose = (event) => {
    if (socket === ws) socket = null;
    presence.clear();
    for (const l of [...presenceListeners]) l();
    if (listeners.size === 0) return;
    startPolling();
    if (greeted) emit({ type: 'resync' });
    else failures++;
    if (event.code === 4009) lastPosition = null;
    // 4001: the identity went away (signed out, link revoked): pages find out over HTTP
    scheduleReconnect(event.code === 4009 ? 0 : event.code === 4001 ? MAX_BACKOFF_MS : backoff());
  };
}

function backoff(): number {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(failures, 5));
  return base / 2 + Math.random() * (base / 2);
}

function disconnect(): void {
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  const ws = socket;
  socket = null;
  if (ws) {
    ws.onclose = null;
    ws.close(1000, 'no more listeners');
  }
}

/* ------------------------------------------------------------------ presence refresh */

function ensurePresenceTimer(): void {
  if (presenceTimer || viewing.size === 0) return;
  let tick = 0;
  presenceTimer = setInterval(() => {
    tick += TYPING_REFRESH_MS;
    for (const [threadId, state] of viewing) {
      if (state.typing) send(presenceMessage(threadId, state));
      else if (tick % VIEWING_REFRESH_MS < TYPING_REFRESH_MS) send({ type: 'viewing', threadId });
    }
    if (viewing.size === 0 && presenceTimer) {
      clearInterval(presenceTimer);
      presenceTimer = null;
    }
  }, TYPING_REFRESH_MS);
}

/* ------------------------------------------------------------------ the module's face */

export const live = {
  get transport(): LiveTransport {
    return transport;
  },
  /** The live position of the last change received (the resume point). */
  get lastPosition(): string | null {
    return lastPosition;
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    if (!socket) startPolling();
    connect();
    return () => {
      listeners.delete(listener);
      if (listeners.size > 0 || idleTimer) return;
      // pages unsubscribe and subscribe again on every navigation: keep the socket a moment
      idleTimer = setTimeout(() => {
        idleTimer = null;
        if (listeners.size > 0) return;
        stopPolling();
        disconnect();
      }, 5000);
    };
  },
  /** This browser has a thread open (and maybe types in it); returns the "closed it" call. */
  view(threadId: string): () => void {
    const state = viewing.get(threadId) ?? { views: 0, typing: false, internal: false };
    state.views++;
    viewing.set(threadId, state);
    send({ type: 'viewing', threadId });
    ensurePresenceTimer();
    return () => {
      state.views--;
      if (state.views <= 0) {
        viewing.delete(threadId);
        send({ type: 'left', threadId });
      }
    };
  },
  /** Typing starts or stops (`viewing` ends it at once); `internal`: what is typed is an internal note. */
  typing(threadId: string, typing: boolean, internal = false): void {
    const state = viewing.get(threadId);
    if (!state || (state.typing === typing && (!typing || state.internal === internal))) return;
    state.typing = typing;
    state.internal = typing && internal;
    send(presenceMessage(threadId, state));
  },
};

/** Subscribes for the component's lifetime; the latest `onEvent` is always the one called. */
export function useLive(onEvent: Listener, enabled = true): void {
  const ref = useRef(onEvent);
  ref.current = onEvent;
  useEffect(() => {
    if (!enabled) return;
    return live.subscribe((event) => ref.current(event));
  }, [enabled]);
}

/**
 * Announces this browser in a thread; answers the others viewing or typing in it (never me).
 * Staff hear of everyone; partners and guests only of support typing a reply (an entry with no
 * id, and no name unless the desk shows names). `internal`: what I type is an internal note.
 */
export function usePresence(threadId: string | null, typing: boolean, myId: string, internal = false): PresencePeer[] {
  const [peers, setPeers] = useState<PresencePeer[]>([]);
  useEffect(() => {
    if (!threadId) return;
    const update = () => setPeers((presence.get(threadId) ?? []).filter((p) => p.id !== myId));
    update();
    presenceListeners.add(update);
    const leave = live.view(threadId);
    return () => {
      presenceListeners.delete(update);
      leave();
    };
  }, [threadId, myId]);
  useEffect(() => {
    if (threadId) live.typing(threadId, typing, internal);
  }, [threadId, typing, internal]);
  return peers;
}
