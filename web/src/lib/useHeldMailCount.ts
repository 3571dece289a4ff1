import { api } from './api';
import { queryKeys } from './queryKeys';
import type { HeldMailList } from './types';
import { useDeskQuery } from './useDeskQuery';

/** How many held emails are open, for the staff navigation (the held mail page's own read); polls. */
export function useHeldMailCount(enabled: boolean): number | null {
  const held = useDeskQuery({
    queryKey: queryKeys.heldMail(),
    read: (signal) => api.get<HeldMailList>('/api/inbound/held', { signal }),
    refetchInterval: 15_000,
    enabled,
  });
  return held.data ? held.data.open : null;
}
