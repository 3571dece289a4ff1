import { describe, expect, it } from 'vitest';
import { addToWindow, emptyWindow, eventsPerSecond, secondOf } from '../../../projections/throughput.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);

describe('events per second over the last minute', () => {
  it('when events were processed within the minute, then they count, averaged over the minute', () => {
    let w = emptyWindow();
    for (let s = 0; s < 120; s++) w = addToWindow(w, at(s), 10);
    expect(eventsPerSecond(w, at(119))).toBe(10);
    // the ring holds the last minute only: each slot was started afresh by its newer second
    expect(Math.min(...w.seconds)).toBe(secondOf(at(60)));
    expect(w.counts.every((n) => n === 10)).toBe(true);
  });

  it('when the window began less than a minute ago, then it averages over the time since', () => {
    let w = addToWindow(emptyWindow(), at(0), 30);
    w = addToWindow(w, at(2), 30);
    expect(eventsPerSecond(w, at(2))).toBe(20);
    expect(eventsPerSecond(w, at(0.5))).toBe(30);
  });

  it('when nothing was processed for a minute, then it reads 0', () => {
    let w = emptyWindow();
    for (let s = 0; s < 10; s++) w = addToWindow(w, at(s), 300);
    expect(eventsPerSecond(w, at(30))).toBeGreaterThan(0);
    expect(eventsPerSecond(w, at(69))).toBe(0);
    expect(eventsPerSecond(emptyWindow(), at(0))).toBe(0);
  });

  it('when a slot is reused a minute later, then it holds only the newer second', () => {
    let w = addToWindow(emptyWindow(), at(5), 1000);
    w = addToWindow(w, at(65), 6);
    expect(eventsPerSecond(w, at(65))).toBe(0.1);
  });
});
