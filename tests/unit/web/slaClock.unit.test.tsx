// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SlaChip, SlaChipAt } from '../../../web/src/components/sla/SlaChip';
import {
  formatClockDuration,
  formatMinutes,
  parseMinutes,
  slaClockLook,
  type SlaHeadline,
  type SlaTarget,
} from '../../../web/src/lib/sla';
import { TICK_MS } from '../../../web/src/lib/sharedClock';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** Tuesday 1 December 2026, 12:00 UTC: the moment every case is looked at. */
const NOW = Date.parse('2026-12-01T12:00:00Z');
const at = (offsetSeconds: number) => new Date(NOW + offsetSeconds * 1000).toISOString();

function clock(overrides: Partial<SlaHeadline> = {}): SlaHeadline {
  return {
    metric: 'firstResponse',
    cycle: 1,
    state: 'running',
    dueAt: at(80 * 60),
    warnAt: null,
    remainingSeconds: 80 * 60,
    targetSeconds: 4 * 3600,
    ...overrides,
  };
}

describe('the clock chip’s words', () => {
  const words = (c: SlaHeadline, now = NOW) => slaClockLook(c, now, { locale: 'en-GB', timeZone: 'UTC' }).text;

  it('when a first reply is due within hours, then it counts down in hours and minutes', () => {
    expect(words(clock())).toBe('first reply due in 1 h 20 m');
  });

  it('when a next reply is due in minutes, then it says so, with its own name', () => {
    expect(words(clock({ metric: 'nextResponse', cycle: 2, dueAt: at(300), remainingSeconds: 300 }))).toBe(
      'next reply due in 5 m',
    );
  });

  it('when a deadline is far off, then it names the day and the time', () => {
    const tuesdayNextWeek = Date.parse('2026-12-08T14:00:00Z') - 7 * 86_400_000 + 5 * 86_400_000;
    const far = clock({
      metric: 'resolution',
      dueAt: new Date(tuesdayNextWeek).toISOString(),
      remainingSeconds: 40 * 3600,
      targetSeconds: 60 * 3600,
    });
    expect(words(far)).toBe('resolve by Sun 14:00');
    const tuesday = clock({
      metric: 'resolution',
      dueAt: '2026-12-08T14:00:00Z',
      remainingSeconds: 1,
      targetSeconds: 1,
    });
    expect(words(tuesday, Date.parse('2026-12-03T09:00:00Z'))).toBe('resolve by Tue 14:00');
  });

  it('when the thread waits for the partner, then the clock says paused', () => {
    expect(words(clock({ state: 'paused', dueAt: null }))).toBe('first reply paused');
  });

  it('when the deadline has passed, then it says breached and how long ago', () => {
    expect(words(clock({ state: 'breached', dueAt: at(-15 * 60), remainingSeconds: -900 }))).toBe(
      'first reply breached 15 m ago',
    );
    expect(words(clock({ state: 'breached', dueAt: at(-20), remainingSeconds: -20 }))).toBe(
      'first reply breached just now',
    );
  });

  it('when a clock is done, then it says met or missed', () => {
    expect(words(clock({ state: 'met', dueAt: null }))).toBe('first reply met');
    expect(words(clock({ state: 'missed', dueAt: null }))).toBe('first reply missed');
  });

  it('durations read as days, hours and minutes, never seconds', () => {
    expect(formatClockDuration(59)).toBe('under 1 m');
    expect(formatClockDuration(60)).toBe('1 m');
    expect(formatClockDuration(3600)).toBe('1 h');
    expect(formatClockDuration(4 * 86_400 + 3 * 3600 + 59)).toBe('4 d 3 h');
  });
});

describe('the clock chip’s colour', () => {
  const tone = (c: SlaHeadline | SlaTarget) => slaClockLook(c, NOW).tone;

  it('when more than a quarter of the target is left, then it is neutral', () => {
    expect(tone(clock({ dueAt: at(3601), remainingSeconds: 3601, targetSeconds: 4 * 3600 }))).toBe('neutral');
  });

  it('when a quarter or less is left, then it is amber', () => {
    expect(tone(clock({ dueAt: at(3599), remainingSeconds: 3599, targetSeconds: 4 * 3600 }))).toBe('warning');
  });

  it('when inside the policy’s warn window (from warnAt), or warned by the desk, then it is amber', () => {
    const plenty = clock({ dueAt: at(1800), warnAt: at(1), remainingSeconds: 1800, targetSeconds: 3600 });
    expect(tone(plenty)).toBe('neutral');
    expect(tone({ ...plenty, warnAt: at(0) })).toBe('warning');
    const target: SlaTarget = {
      ...plenty,
      elapsedSeconds: 1800,
      startedAt: at(-1800),
      completedAt: null,
      warned: true,
      breachedAt: null,
    };
    expect(tone(target)).toBe('warning');
  });

  it('when the deadline passes, then it is red though the desk last said running', () => {
    expect(tone(clock({ dueAt: at(0), remainingSeconds: 60 }))).toBe('breached');
    expect(tone(clock({ dueAt: at(-1), remainingSeconds: 60 }))).toBe('breached');
  });

  it('business time left is never more than the wall time to the deadline, nor than the desk said', () => {
    // the desk said 50 minutes when it answered; 40 minutes of wall time are left now
    const look = slaClockLook(clock({ dueAt: at(2400), remainingSeconds: 3000, targetSeconds: 3600 }), NOW);
    expect(look.remainingSeconds).toBe(2400);
    // overnight: the deadline is 16 h away on the wall, but only 10 business minutes are left
    const overnight = slaClockLook(clock({ dueAt: at(16 * 3600), remainingSeconds: 600, targetSeconds: 3600 }), NOW);
    expect(overnight.remainingSeconds).toBe(600);
    expect(overnight.tone).toBe('warning');
  });

  it('the chip carries its tone as a class and in words, with an icon', () => {
    const markup = renderToStaticMarkup(
      <SlaChipAt clock={clock({ state: 'breached', dueAt: at(-900), remainingSeconds: -900 })} now={NOW} />,
    );
    expect(markup).toContain('class="sla-chip sla-breached"');
    expect(markup).toContain('data-tone="breached"');
    expect(markup).toContain('first reply breached 15 m ago');
  });
});

describe('targets as people type them', () => {
  it('takes minutes, hours and minutes, and clock notation', () => {
    expect(parseMinutes('90')).toBe(90);
    expect(parseMinutes('1h 30m')).toBe(90);
    expect(parseMinutes('1 h 30')).toBe(90);
    expect(parseMinutes('2h')).toBe(120);
    expect(parseMinutes('45m')).toBe(45);
    expect(parseMinutes('1:05')).toBe(65);
    expect(parseMinutes('1d 2h')).toBe(1560);
    expect(parseMinutes('')).toBeNull();
    expect(parseMinutes('soon')).toBeUndefined();
    expect(parseMinutes('1.5h')).toBeUndefined();
  });

  it('shows minutes back as hours and minutes', () => {
    expect(formatMinutes(90)).toBe('1h 30m');
    expect(formatMinutes(120)).toBe('2h');
    expect(formatMinutes(1)).toBe('1m');
    expect(formatMinutes(null)).toBe('');
  });
});

describe('the countdown', () => {
  let container: HTMLDivElement;
  let root: Root;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(NOW);
    container = document.createElement('div');
    document.body.append(container);
    root = createRoot(container);
  });
  afterEach(() => {
    act(() => root.unmount());
    container.remove();
    vi.useRealTimers();
  });

  const chips = () => [...container.querySelectorAll('[data-testid="sla-chip"]')];
  const text = (i = 0) => chips()[i]?.textContent;
  const toneOf = (i = 0) => chips()[i]?.getAttribute('data-tone');

  it('when time passes, then the chip counts down every 30 s and turns red at the deadline, without a push', () => {
    // a 4-minute target with 2 minutes 10 s left
    const c = clock({ dueAt: at(130), remainingSeconds: 130, targetSeconds: 240 });
    act(() => root.render(<SlaChip clock={c} />));
    expect(text()).toBe('first reply due in 2 m');
    expect(toneOf()).toBe('neutral');

    act(() => vi.advanceTimersByTime(TICK_MS));
    expect(text()).toBe('first reply due in 1 m');
    expect(toneOf()).toBe('neutral');

    // a quarter of 4 minutes is left 60 s before the deadline: amber at that moment, not at the next tick
    act(() => vi.advanceTimersByTime(40_000));
    expect(text()).toBe('first reply due in 1 m');
    expect(toneOf()).toBe('warning');

    // red at the deadline itself (10 s before the next 30 s tick would come)
    act(() => vi.advanceTimersByTime(59_999));
    expect(toneOf()).toBe('warning');
    act(() => vi.advanceTimersByTime(1));
    expect(toneOf()).toBe('breached');
    expect(text()).toBe('first reply breached just now');

    // afterwards the 30 s tick moves it on: within one tick of 15 minutes over, it says so
    act(() => vi.advanceTimersByTime(15 * 60_000 + TICK_MS));
    expect(text()).toBe('first reply breached 15 m ago');
  });

  it('when the warn window opens, then the chip turns amber at that moment', () => {
    const c = clock({ dueAt: at(3600), warnAt: at(600), remainingSeconds: 3600, targetSeconds: 7200 });
    act(() => root.render(<SlaChip clock={c} />));
    expect(toneOf()).toBe('neutral');
    act(() => vi.advanceTimersByTime(599_999));
    expect(toneOf()).toBe('neutral');
    act(() => vi.advanceTimersByTime(1));
    expect(toneOf()).toBe('warning');
    expect(text()).toBe('first reply due in 50 m');
  });

  it('when a push brings the clock stopped, then the chip says so at once', () => {
    const c = clock({ dueAt: at(600), remainingSeconds: 600, targetSeconds: 3600 });
    act(() => root.render(<SlaChip clock={c} />));
    expect(toneOf()).toBe('warning');
    act(() => root.render(<SlaChip clock={{ ...c, state: 'met', dueAt: null }} />));
    expect(text()).toBe('first reply met');
    expect(toneOf()).toBe('met');
  });

  it('a whole list shares one ticking interval, and nothing ticks once the chips are gone', () => {
    const list = Array.from({ length: 20 }, (_, i) =>
      clock({ dueAt: at(3600 + i * 600), remainingSeconds: 3600 + i * 600, targetSeconds: 8 * 3600 }),
    );
    act(() =>
      root.render(
        <>
          {list.map((c, i) => (
            <SlaChip key={i} clock={c} />
          ))}
        </>,
      ),
    );
    expect(chips()).toHaveLength(20);
    // one interval for all of them, and one timeout at the soonest colour change
    expect(vi.getTimerCount()).toBe(2);
    act(() => vi.advanceTimersByTime(TICK_MS * 2));
    expect(text(0)).toBe('first reply due in 59 m');
    expect(text(19)).toBe('first reply due in 4 h 9 m');
    act(() => root.render(<></>));
    expect(vi.getTimerCount()).toBe(0);
  });
});
