import type pg from 'pg';
import { z } from 'zod';
import { problems } from '../http/problem.js';
import { implement, routeContract, type AnyRoute } from '../http/route.js';
import type { Identity } from './identity.js';

/** Only admins and agents answer threads (and are told of partners' messages): auditors and ops have no such settings. */
const supportRoles = ['admin', 'agent'] as const;
import { CSRF_COOKIE, CSRF_HEADER } from './middleware.js';

/**
 * What each staff member chose for themselves (account_preferences; no row: the defaults). For
 * now one choice: whether they are emailed when a partner or guest writes in a thread assigned
 * to them. The email worker reads it when it decides those emails.
 */

export interface AccountPreferences {
  notifyOnPartnerMessages: boolean;
}

export const defaultAccountPreferences: AccountPreferences = Object.freeze({ notifyOnPartnerMessages: true });

const preferencesSchema = z
  .object({
    notifyOnPartnerMessages: z.boolean({ error: 'must be true or false' }).meta({
      description:
        'Emailed when a partner or guest writes in a thread assigned to me (reply to that email to answer them)',
    }),
  })
  .strict()
  .meta({ id: 'AccountPreferences' });

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AccountPreferenceStore {
  constructor(private readonly pool: pg.Pool) {}

  /** The account's preferences; the defaults without a row. */
  async get(accountId: string): Promise<AccountPreferences> {
    if (!uuid.test(accountId)) return defaultAccountPreferences;
    const { rows } = await this.pool.query<{ notify_on_partner_messages: boolean }>(
      'SELECT notify_on_partner_messages FROM account_preferences WHERE account_id = $1',
      [accountId],
    );
    return rows[0] ? { notifyOnPartnerMessages: rows[0].notify_on_partner_messages } : defaultAccountPreferences;
  }

  /** Saves them; undefined when there is no such account (a host-platform identity has none). */
  async set(accountId: string, preferences: AccountPreferences): Promise<AccountPreferences | undefined> {
    if (!uuid.test(accountId)) return undefined;
    const { rows } = await this.pool.query<{ notify_on_partner_messages: boolean }>(
      `INSERT INTO account_preferences (account_id, notify_on_partner_messages, updated_at)
       SELECT id, $2, now() FROM accounts WHERE id = $1
       ON CONFLICT (account_id) DO UPDATE
         SET notify_on_partner_messages = EXCLUDED.notify_on_partner_messages, updated_at = now()
       RETURNING notify_on_partner_messages`,
      [accountId, preferences.notifyOnPartnerMessages],
    );
    return rows[0] ? { notifyOnPartnerMessages: rows[0].notify_on_partner_messages } : undefined;
  }
}

export const getMyPreferences = routeContract({
  method: 'get',
  path: '/api/me/preferences',
  operationId: 'getMyPreferences',
  summary: 'My settings (admins and agents): whether I am emailed when a partner or guest writes in my threads',
  tags: ['auth'],
  access: supportRoles,
  response: { status: 200, description: 'My preferences (the defaults until I save any)', schema: preferencesSchema },
});

export const updateMyPreferences = routeContract({
  method: 'put',
  path: '/api/me/preferences',
  operationId: 'updateMyPreferences',
  summary: 'Change my settings (admins and agents)',
  description: 'Takes effect for the emails decided from now on; the team address keeps the system config’s switch.',
  tags: ['auth'],
  access: supportRoles,
  body: preferencesSchema,
  headers: [{ name: CSRF_HEADER, description: `The value of the ${CSRF_COOKIE} cookie (browser sessions)` }],
  response: { status: 200, description: 'My preferences as saved', schema: preferencesSchema },
  errors: [404],
});

function accountIdOf(identity: Identity): string {
  if (identity.kind !== 'staff') throw problems.forbidden();
  return identity.accountId;
}

export function accountPreferenceRoutes(deps: { preferences: AccountPreferenceStore }): AnyRoute[] {
  const get = implement(getMyPreferences, {
    async handle(ctx) {
      return { body: await deps.preferences.get(accountIdOf(ctx.identity)) };
    },
  });
  const update = implement(updateMyPreferences, {
    async handle(ctx) {
      const saved = await deps.preferences.set(accountIdOf(ctx.identity), ctx.body);
      if (!saved) throw problems.notFound('Your identity has no account here to keep settings for.');
      return { body: saved };
    },
  });
  return [get, update];
}
