import { QueryClient } from '@tanstack/react-query';

/**
 * The app's one query cache, with defaults that keep what the screens promised before it:
 * - `retry: false`: an error shows at once with its retry button; a retry loop would hide it.
 * - `gcTime: 0`: a query nobody shows is dropped, so a screen opened again (or a filter set back)
 *   starts with "loading" and a fresh read, never with an answer from minutes ago that may
 *   predate a change the person made since.
 * - no refetch on focus or reconnect: live pushes, `resync` and the pages' own polls re-read.
 * - `networkMode: 'always'`: the desk may be on this machine (`navigator.onLine` says nothing
 *   about it); a read that cannot reach it fails and says so instead of pausing unseen.
 */
export function createDeskQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: false,
        gcTime: 0,
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
        networkMode: 'always',
      },
    },
  });
}
