import type pg from 'pg';

/** What GET /api/support/public/config answers: the part of the system config anyone may read. */
export interface PublicConfigView {
  whatsappNumber: string | null;
  whatsappBubbleEnabled: boolean;
  supportEmail: string;
  portalBaseUrl: string;
}

/** How long an answer is kept in memory at most, when no change notice comes (a lost one, no live hub). */
export const PUBLIC_CONFIG_CACHE_MS = 1000;

interface Entry {
  view: PublicConfigView;
  origin: string;
  readAt: number;
}

/**
 * The public config, answered from memory: every page load asks for it (the WhatsApp bubble,
 * the portal URL warning), anonymously, so it must stay cheap under load, and yet a change must
 * show at once. The live hub calls `invalidate()` when it follows a systemConfig change from the
 * change log, before it pushes the `config` frame, so a page that refetches on that frame reads
 * the new config from this process. Without such a call (a lost notice, a process without a live
 * hub) an answer is kept at most `ttlMs`. Cost: at most one one-row query per process per `ttlMs`
 * and per change, however many requests; concurrent misses share one query.
 */
export class PublicConfigCache {
  private entry: Entry | undefined;
  /** Bumped by every invalidation: a read that started before one is not kept. */
  private generation = 0;
  private loading: { generation: number; origin: string; promise: Promise<PublicConfigView> } | undefined;

  constructor(
    private readonly pool: Pick<pg.Pool, 'query'>,
    /** Where this desk serves: the portal base URL until an admin sets one. */
    private readonly servedOrigin: () => string,
    private readonly ttlMs = PUBLIC_CONFIG_CACHE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The system config changed: the next request reads it again. */
  invalidate(): void {
    this.generation++;
    this.entry = undefined;
  }

  async get(): Promise<PublicConfigView> {
    const origin = this.servedOrigin();
    const entry = this.entry;
    if (entry && entry.origin === origin && this.now() - entry.readAt < this.ttlMs) return entry.view;
    const loading = this.loading;
    if (loading && loading.generation === this.generation && loading.origin === origin) return loading.promise;
    const generation = this.generation;
    const readAt = this.now();
    const promise = this.read(origin).then((view) => {
      if (generation === this.generation && this.ttlMs > 0) this.entry = { view, origin, readAt };
      return view;
    });
    const mine = { generation, origin, promise };
    this.loading = mine;
    const clear = () => {
      if (this.loading === mine) this.loading = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }

  private async read(origin: string): Promise<PublicConfigView> {
    const { rows } = await this.pool.query<{
      whatsapp_number: string | null;
      whatsapp_bubble_enabled: boolean;
      support_email: string;
      portal_base_url: string;
    }>('SELECT whatsapp_number, whatsapp_bubble_enabled, support_email, portal_base_url FROM support_system_config');
    const c = rows[0];
    return {
      whatsappNumber: c?.whatsapp_number ?? null,
      whatsappBubbleEnabled: Boolean(c?.whatsapp_bubble_enabled && c.whatsapp_number),
      supportEmail: c?.support_email ?? 'support@example.com',
      portalBaseUrl: c?.portal_base_url ?? origin,
    };
  }
}
