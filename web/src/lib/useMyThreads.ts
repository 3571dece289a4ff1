import { api } from './api';
import { useLive } from './live';
import type { Page, PartnerThreadSummary } from './types';
import { queryKeys } from './queryKeys';
import { useDeskQuery } from './useDeskQuery';

/** The partner's queries (of one assignment, or all), re-read on every thread push and resync. */
export function useMyThreads(assignmentId?: string) {
  const threads = useDeskQuery({
    queryKey: queryKeys.myThreads(assignmentId),
    read: (signal, waitFor) =>
      api.get<Page<PartnerThreadSummary>>('/api/support/my/threads', {
        signal,
        waitFor,
        query: { assignmentId, limit: 50 },
      }),
  });
  useLive((event) => {
    if (event.type === 'thread' || event.type === 'resync') void threads.reload();
  });
  return threads;
}
