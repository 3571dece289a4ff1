import { api } from './api';
import { useLive } from './live';
import type { PublicConfig } from './types';
import { queryKeys } from './queryKeys';
import { useDeskQuery, type DeskQuery } from './useDeskQuery';

/**
 * The public config (WhatsApp bubble, portal base URL), kept current: read again as soon as the
 * desk pushes a `config` change (every open page at once, no reload), and on every `resync` (a
 * reconnect, or a poll tick when there is no live socket). The browser asks the desk each time
 * (the answer is `no-cache`; an unchanged config comes back as a bodiless 304).
 */
export function usePublicConfig(): DeskQuery<PublicConfig> {
  const config = useDeskQuery({
    queryKey: queryKeys.publicConfig(),
    read: (signal) => api.get<PublicConfig>('/api/support/public/config', { signal, cache: 'no-cache' }),
  });
  useLive((event) => {
    if (event.type === 'config' || event.type === 'resync') void config.reload();
  });
  return config;
}
