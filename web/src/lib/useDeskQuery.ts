import { useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useCallback, useRef } from 'react';

export interface DeskQuery<T> {
  data: T | undefined;
  error: unknown;
  /** True only for the first load of these inputs (no data yet): later reloads keep showing the data. */
  loading: boolean;
  /**
   * Reads again. With `waitFor` (the position a command answered), the desk answers only once
   * its read model has caught up: the screen then shows the change the person just made.
   */
  reload: (options?: { waitFor?: string | null }) => Promise<void>;
  /** Patches what is shown (a live push) in the query cache, without a read. */
  setData: (update: (current: T | undefined) => T | undefined) => void;
}

export interface DeskQueryOptions<T> {
  /** From `queryKeys`: the inputs of the read are part of it, so new inputs start a new query. */
  queryKey: QueryKey;
  /** The read; it must pass `signal` on (a read that is no longer wanted is aborted). */
  read: (signal: AbortSignal, waitFor: string | null) => Promise<T>;
  /** A poll: re-reads every so many milliseconds while the tab is visible (or as the data says). */
  refetchInterval?: number | false | ((data: T | undefined) => number | false);
  /** False: no read at all (the screen does not need one). */
  enabled?: boolean;
}

/**
 * A TanStack query with the desk's read-your-writes rule:
 *
 * - A read-your-writes reload (`waitFor`) replaces whatever read is on its way: that one may have
 *   started before the change and would show the screen from before it.
 * - A plain refresh (a poll tick, a live push, a `resync`) never cancels a read on its way,
 *   above all not a read-your-writes one. TanStack's own `refetch()` and `invalidateQueries()`
 *   cancel an in-flight fetch by default (`cancelRefetch: true`), so plain refreshes go through
 *   `refetch({ cancelRefetch: false })`, which joins the read on its way; and once that read is
 *   done, it reads once more (a change may have landed after it started). `refetchInterval` ticks
 *   join a read on its way too (they never cancel) and leave the next change to the next tick.
 * - An answer to a cancelled read never reaches the screen (TanStack drops it; the read is aborted
 *   through the `signal` it was given).
 * - No `placeholderData: keepPreviousData`: new inputs (a filter, a page, another thread) show
 *   "loading", as before, not the rows of the old inputs under the new heading.
 */
export function useDeskQuery<T>({ queryKey, read, refetchInterval, enabled }: DeskQueryOptions<T>): DeskQuery<T> {
  const queryClient = useQueryClient();
  const readRef = useRef(read);
  readRef.current = read;
  // the position the next read waits for: the query function only gets the key and the signal
  const waitForRef = useRef<string | null>(null);
  const query = useQuery({
    queryKey,
    queryFn: ({ signal }) => {
      const waitFor = waitForRef.current;
      waitForRef.current = null;
      return readRef.current(signal, waitFor);
    },
    refetchInterval:
      typeof refetchInterval === 'function' ? (query) => refetchInterval(query.state.data) : refetchInterval,
    enabled,
  });

  const keyRef = useRef(queryKey);
  keyRef.current = queryKey;
  const refetchRef = useRef(query.refetch);
  refetchRef.current = query.refetch;
  // plain refreshes asked for while a read is on its way: one more read after it, shared by all
  const againRef = useRef<Promise<void> | null>(null);

  const reload = useCallback(
    async (options?: { waitFor?: string | null }) => {
      const waitFor = options?.waitFor ?? null;
      if (waitFor) {
        waitForRef.current = waitFor;
        // cancelled in place (no revert: a live patch made meanwhile stays on screen); the
        // refetch below then starts a new read, even on a first load that has no data yet
        void queryClient.cancelQueries({ queryKey: keyRef.current, exact: true }, { silent: true, revert: false });
        await refetchRef.current({ cancelRefetch: true });
        return;
      }
      if (queryClient.getQueryState(keyRef.current)?.fetchStatus !== 'fetching') {
        await refetchRef.current({ cancelRefetch: false });
        return;
      }
      againRef.current ??= (async () => {
        await refetchRef.current({ cancelRefetch: false });
        againRef.current = null;
        await refetchRef.current({ cancelRefetch: false });
      })();
      await againRef.current;
    },
    [queryClient],
  );

  const setData = useCallback(
    (update: (current: T | undefined) => T | undefined) => {
      queryClient.setQueryData<T>(keyRef.current, update);
    },
    [queryClient],
  );

  return {
    data: query.data,
    error: query.error ?? undefined,
    loading: query.isPending && enabled !== false,
    reload,
    setData,
  };
}
