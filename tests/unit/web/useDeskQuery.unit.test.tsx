// @vitest-environment happy-dom
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDeskQueryClient } from '../../../web/src/lib/queryClient';
import { useDeskQuery, type DeskQuery } from '../../../web/src/lib/useDeskQuery';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/**
 * A desk whose read model lags behind its commands, as the real one may: a plain read answers
 * what the projection shows now; a read with `waitFor` answers only once the projection has
 * reached that position. Every read is recorded with its signal.
 */
function laggingDesk(initial: string) {
  let projected = { position: 1, subject: initial };
  const waiting: { position: number; resolve: () => void }[] = [];
  const reads: { waitFor: string | null; signal: AbortSignal }[] = [];
  let pending: { answer: () => void }[] = [];
  return {
    reads,
    read(signal: AbortSignal, waitFor: string | null): Promise<string> {
      reads.push({ waitFor, signal });
      return new Promise<string>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        const answer = () => resolve(projected.subject);
        if (waitFor && Number(waitFor) > projected.position) {
          waiting.push({ position: Number(waitFor), resolve: answer });
        } else {
          // a plain read answers on the next `answerPlainReads`, with what is projected then
          pending.push({ answer });
        }
      });
    },
    answerPlainReads() {
      const now = pending;
      pending = [];
      for (const p of now) p.answer();
    },
    /** The projection reaches `position`: reads waiting for it are answered. */
    project(position: number, subject: string) {
      projected = { position, subject };
      for (const w of waiting.splice(0)) {
        if (w.position <= position) w.resolve();
        else waiting.push(w);
      }
    },
  };
}

type Desk = ReturnType<typeof laggingDesk>;

describe('useDeskQuery: read-your-writes', () => {
  let container: HTMLDivElement;
  let root: Root;
  let client: QueryClient;
  let shown: DeskQuery<string>;
  let screens: string[];

  function Subject({ desk, subjectId, poll }: { desk: Desk; subjectId: string; poll?: number }) {
    shown = useDeskQuery({
      queryKey: ['subject', subjectId],
      read: (signal, waitFor) => desk.read(signal, waitFor),
      refetchInterval: poll,
    });
    const text = shown.loading ? 'loading' : (shown.data ?? 'nothing');
    screens.push(text);
    return <p>{text}</p>;
  }

  const screen = () => container.textContent;
  // TanStack batches its notifications on a zero timeout: let them (and the promises) run
  const settle = () => act(() => vi.advanceTimersByTimeAsync(0));

  async function show(desk: Desk, props: { subjectId?: string; poll?: number } = {}) {
    await act(async () => {
      root.render(
        <QueryClientProvider client={client}>
          <Subject desk={desk} subjectId={props.subjectId ?? 't1'} poll={props.poll} />
        </QueryClientProvider>,
      );
    });
    await settle();
  }

  beforeEach(() => {
    // timers only: React's act flushes its work on a real macrotask (setImmediate)
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
    client = createDeskQueryClient();
    screens = [];
  });

  afterEach(async () => {
    await act(async () => root.unmount());
    client.clear();
    container.remove();
    vi.useRealTimers();
  });

  /** The person renames the subject: the command answers position 2, the projection is still at 1. */
  async function renameWhileProjectionLags(desk: Desk): Promise<{ reloaded: Promise<void> }> {
    await show(desk, { poll: 1000 });
    expect(screen()).toBe('loading');
    desk.answerPlainReads();
    await settle();
    expect(screen()).toBe('Printer jam');
    let reloaded!: Promise<void>;
    await act(async () => {
      reloaded = shown.reload({ waitFor: '2' });
    });
    await settle();
    expect(desk.reads.at(-1)?.waitFor).toBe('2');
    return { reloaded };
  }

  it('when a poll tick comes while a waitFor read is on its way, then it does not cancel it and the screen ends on the change', async () => {
    const desk = laggingDesk('Printer jam');
    const { reloaded } = await renameWhileProjectionLags(desk);
    const waitForRead = desk.reads.at(-1)!;
    const readsBefore = desk.reads.length;

    // two poll ticks while the desk is still catching up
    await act(() => vi.advanceTimersByTimeAsync(2100));
    desk.answerPlainReads();
    await settle();
    expect(waitForRead.signal.aborted).toBe(false);
    expect(desk.reads.length).toBe(readsBefore);
    expect(screen()).toBe('Printer jam');

    desk.project(2, 'Printer jam on floor 3');
    await act(() => reloaded);
    await settle();
    expect(screen()).toBe('Printer jam on floor 3');
    expect(screens.at(-1)).toBe('Printer jam on floor 3');
  });

  it('when a plain reload (a push, a resync) comes while a waitFor read is on its way, then the waitFor read stands and one more read follows it', async () => {
    const desk = laggingDesk('Printer jam');
    const { reloaded } = await renameWhileProjectionLags(desk);
    const waitForRead = desk.reads.at(-1)!;
    const readsBefore = desk.reads.length;

    let resynced!: Promise<void>;
    await act(async () => {
      resynced = shown.reload();
      void shown.reload();
    });
    desk.answerPlainReads();
    await settle();
    expect(waitForRead.signal.aborted).toBe(false);
    expect(desk.reads.length).toBe(readsBefore);

    desk.project(2, 'Printer jam on floor 3');
    await act(() => reloaded);
    await settle();
    expect(screen()).toBe('Printer jam on floor 3');

    // the one read after it (both plain reloads share it): a change may have landed meanwhile
    expect(desk.reads.length).toBe(readsBefore + 1);
    desk.project(3, 'Printer jam on floor 3, fixed');
    desk.answerPlainReads();
    await act(() => resynced);
    await settle();
    expect(screen()).toBe('Printer jam on floor 3, fixed');
    // never, after the change, the screen from before it
    const afterChange = screens.slice(screens.indexOf('Printer jam on floor 3'));
    expect(afterChange).not.toContain('Printer jam');
  });

  it('when a waitFor reload comes during the first load, then it replaces that load, which may predate the change', async () => {
    const desk = laggingDesk('Printer jam');
    await show(desk);
    const firstLoad = desk.reads[0]!;
    let reloaded!: Promise<void>;
    await act(async () => {
      reloaded = shown.reload({ waitFor: '2' });
    });
    await settle();
    expect(firstLoad.signal.aborted).toBe(true);
    expect(screen()).toBe('loading');

    desk.answerPlainReads();
    desk.project(2, 'Printer jam on floor 3');
    await act(() => reloaded);
    await settle();
    expect(screen()).toBe('Printer jam on floor 3');
    expect(screens).not.toContain('Printer jam');
  });

  it('when the inputs change, then a new query starts with loading and the old answer, arriving late, is dropped', async () => {
    const desk = laggingDesk('Printer jam');
    await show(desk, { subjectId: 't1' });
    const oldRead = desk.reads[0]!;
    await show(desk, { subjectId: 't2' });
    expect(oldRead.signal.aborted).toBe(true);
    expect(screen()).toBe('loading');
    desk.project(1, 'Broken screen');
    desk.answerPlainReads();
    await settle();
    expect(screen()).toBe('Broken screen');
  });

  it('when data is shown, then a reload keeps showing it until the answer comes', async () => {
    const desk = laggingDesk('Printer jam');
    await show(desk);
    desk.answerPlainReads();
    await settle();
    let reloaded!: Promise<void>;
    await act(async () => {
      reloaded = shown.reload();
    });
    await settle();
    expect(screen()).toBe('Printer jam');
    desk.project(1, 'Printer jam, escalated');
    desk.answerPlainReads();
    await act(() => reloaded);
    await settle();
    expect(screen()).toBe('Printer jam, escalated');
    expect(screens.filter((s) => s === 'loading')).toHaveLength(1);
  });
});
