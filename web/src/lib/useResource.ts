import { useCallback, useEffect, useRef, useState } from 'react';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  /** True only for the first load (no data yet): later reloads keep showing the data. */
  loading: boolean;
  reload: (options?: { waitFor?: string | null }) => Promise<void>;
  setData: (update: (current: T | undefined) => T | undefined) => void;
}

/**
 * Loads data with a fetcher, keeps the last good data while reloading, drops answers that
 * arrive out of order, and aborts when the inputs change or the component goes away.
 */
export function useResource<T>(
  fetcher: (signal: AbortSignal, waitFor: string | null) => Promise<T>,
  deps: readonly unknown[],
): Resource<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const controller = useRef<AbortController | null>(null);
  const inFlight = useRef(false);
  const again = useRef(false);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;

  const run = useCallback(async (waitFor: string | null, reset: boolean) => {
    // a plain refresh (a poll tick) never cancels a read already on its way, above all not a
    // read-your-writes one: it would show the screen from before the change
    // (it runs once more when that read is done: a change may have landed after it started)
    if (!reset && !waitFor && inFlight.current) {
      again.current = true;
      return;
    }
    again.current = false;
    inFlight.current = true;
    const mine = ++generation.current;
    controller.current?.abort();
    const ctl = new AbortController();
    controller.current = ctl;
    if (reset) {
      setLoading(true);
      setDataState(undefined);
      setError(undefined);
    }
    try {
      const value = await fetcherRef.current(ctl.signal, waitFor);
      if (mine !== generation.current) return;
      setDataState(value);
      setError(undefined);
    } catch (e) {
      if (mine !== generation.current || (e instanceof DOMException && e.name === 'AbortError')) return;
      setError(e);
    } finally {
      if (mine === generation.current) {
        setLoading(false);
        inFlight.current = false;
        if (again.current) {
          again.current = false;
          void run(null, false);
        }
      }
    }
  }, []);

  useEffect(() => {
    void run(null, true);
    return () => {
      generation.current++;
      controller.current?.abort();
    };
  }, deps);

  const reload = useCallback((options?: { waitFor?: string | null }) => run(options?.waitFor ?? null, false), [run]);
  const setData = useCallback((update: (current: T | undefined) => T | undefined) => setDataState(update), []);
  return { data, error, loading, reload, setData };
}
