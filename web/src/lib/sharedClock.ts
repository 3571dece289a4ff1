import { useEffect, useSyncExternalStore } from 'react';

/**
 * One ticking clock for the whole page: every service-level chip reads the same "now", moved on
 * by one interval (every 30 s) for all of them, plus one timeout at the soonest moment some chip
 * changes colour (a deadline, the amber threshold), so a chip goes red at its deadline, not up
 * to 30 s later. Nothing ticks while no chip is on the page.
 */

export const TICK_MS = 30_000;

let now = Date.now();
const listeners = new Set<() => void>();
/** Moments chips asked to be woken at (one entry per chip that asked). */
const wakeAts = new Map<symbol, number>();
let interval: ReturnType<typeof setInterval> | null = null;
let wakeTimer: ReturnType<typeof setTimeout> | null = null;
let wakeTimerAt: number | null = null;

function tick(): void {
  now = Date.now();
  for (const listener of [...listeners]) listener();
  scheduleWake();
}

function scheduleWake(): void {
  let soonest: number | null = null;
  for (const at of wakeAts.values()) if (at > now && (soonest === null || at < soonest)) soonest = at;
  if (soonest === wakeTimerAt) return;
  if (wakeTimer) clearTimeout(wakeTimer);
  wakeTimer = null;
  wakeTimerAt = soonest;
  // a chip that changes within one tick anyway is left to the interval only if it is later than it
  if (soonest !== null) {
    wakeTimer = setTimeout(
      () => {
        wakeTimer = null;
        wakeTimerAt = null;
        tick();
      },
      Math.max(0, soonest - Date.now()),
    );
  }
}

function subscribe(listener: () => void): () => void {
  if (listeners.size === 0) {
    now = Date.now();
    interval = setInterval(tick, TICK_MS);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      if (interval) clearInterval(interval);
      if (wakeTimer) clearTimeout(wakeTimer);
      interval = null;
      wakeTimer = null;
      wakeTimerAt = null;
    }
  };
}

const snapshot = () => now;

/**
 * The page's shared "now" (ms). `wakeAt`: a moment this caller's look changes by itself; the
 * shared clock ticks then too.
 */
export function useNow(wakeAt: number | null = null): number {
  const value = useSyncExternalStore(subscribe, snapshot, snapshot);
  useEffect(() => {
    if (wakeAt === null) return;
    const key = Symbol('wake');
    wakeAts.set(key, wakeAt);
    scheduleWake();
    return () => {
      wakeAts.delete(key);
      scheduleWake();
    };
  }, [wakeAt]);
  return value;
}

/** Moves the shared clock on now (a fresh answer arrived: show it against the present). */
export function refreshNow(): void {
  tick();
}
