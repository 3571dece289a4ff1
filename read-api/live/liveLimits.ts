/**
 * The live push's bounds (connections, buffers, replays, presence, message rate) and their
 * defaults; every part of the hub reads its own from here.
 */

export interface LiveLimits {
  /** Largest client frame accepted; bigger ones close the socket with 1009. */
  maxPayloadBytes: number;
  /** A client whose unsent bytes grow past this is closed with 4008 (slow consumer). */
  maxBufferedBytes: number;
  /** Open sockets per process (upgrades past it: 429). */
  maxConnections: number;
  /** Open sockets per account or guest link (upgrades past it: 429). */
  maxConnectionsPerIdentity: number;
  /** Ping interval; a socket that has not answered the previous ping is terminated. */
  heartbeatMs: number;
  /** A client further behind than this many changes is told to reload. */
  maxReplayChanges: number;
  /** Change log rows older than this are trimmed (keeping the last `keepChanges` ids). */
  retentionMs: number;
  keepChanges: number;
  trimIntervalMs: number;
  /** Safety-net poll of the change log, in case a notification is lost. */
  pollMs: number;
  /** How often a client that received nothing is told the position it has reached. */
  syncIntervalMs: number;
  viewingTtlMs: number;
  typingTtlMs: number;
  presenceSweepMs: number;
  maxPresenceThreadsPerClient: number;
  /** Client messages allowed per `messageWindowMs` (token bucket); past twice as many dropped, the socket is closed. */
  messagesPerWindow: number;
  messageWindowMs: number;
  /** How often a connection's identity is resolved again (session signed out, link revoked…). */
  revalidateMs: number;
  /** Built changes kept in memory for replays to reconnecting clients. */
  frameCacheBytes: number;
  maxMessagesPerThread: number;
  maxMessageBytesPerThread: number;
  maxStreamPages: number;
  /** After a close frame, how long a socket may take to close before it is destroyed. */
  closeGraceMs: number;
  /** How long a replaying client may take to drain its buffer before it is cut off as slow. */
  replayDrainTimeoutMs: number;
}

export const defaultLiveLimits: LiveLimits = {
  maxPayloadBytes: 4096,
  maxBufferedBytes: 1024 * 1024,
  maxConnections: 10_000,
  maxConnectionsPerIdentity: 64,
  heartbeatMs: 30_000,
  maxReplayChanges: 5000,
  retentionMs: 60 * 60 * 1000,
  keepChanges: 5000,
  trimIntervalMs: 60_000,
  pollMs: 2000,
  syncIntervalMs: 5000,
  viewingTtlMs: 30_000,
  typingTtlMs: 6000,
  presenceSweepMs: 1000,
  maxPresenceThreadsPerClient: 20,
  messagesPerWindow: 30,
  messageWindowMs: 10_000,
  revalidateMs: 5 * 60 * 1000,
  frameCacheBytes: 16 * 1024 * 1024,
  maxMessagesPerThread: 100,
  maxMessageBytesPerThread: 256 * 1024,
  maxStreamPages: 16,
  closeGraceMs: 1000,
  replayDrainTimeoutMs: 30_000,
};

/** Changes read from the change log (and built) at a time, live or replaying. */
export const CHANGE_BATCH = 200;
