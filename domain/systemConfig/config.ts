import { z } from 'zod';
import {
  DEFAULT_SATISFACTION_LINK_DAYS,
  SATISFACTION_LINK_DAYS_MAX,
  SATISFACTION_LINK_DAYS_MIN,
  satisfactionScaleSchema,
} from '../thread/satisfaction.js';

const whatsappNumberMessage = 'must be 8 to 15 digits, no spaces or +';

/**
 * The settings an admin edits, as a person types them. The HTTP layer validates requests with
 * this schema; its output is the normalised config (empty number is null, URL without trailing slash).
 */
export const systemConfigInput = z.object({
  /** International number for wa.me, digits only (country code first). `null` or `''` clears it. */
  whatsappNumber: z
    .string({ error: `must be a string of digits or null: ${whatsappNumberMessage}` })
    .nullable()
    .refine((n) => n === null || n === '' || /^\d{8,15}$/.test(n), { error: whatsappNumberMessage })
    .transform((n) => (n === '' ? null : n)),
  supportEmail: z
    .string({ error: 'must be an email address' })
    .trim()
    .pipe(z.email({ error: 'must be an email address' })),
  portalBaseUrl: z
    .string({ error: 'must be an http(s) URL' })
    .trim()
    .transform((text, ctx) => {
      const normalised = normalisePortalBaseUrl(text);
      if (typeof normalised === 'string') return normalised;
      ctx.addIssue({ code: 'custom', message: normalised.error, input: text });
      return z.NEVER;
    }),
  whatsappBubbleEnabled: z.boolean({ error: 'must be true or false' }),
  /**
   * Whether partners and guests see which agent is typing ("Alex Agent is typing…") rather than
   * "Support is typing…". Never their account ids. Omitted: stays as it is (clients that predate it).
   */
  showStaffNamesInPresence: z.boolean({ error: 'must be true or false' }).optional(),
  /**
   * Whether the support address is emailed when a partner or guest writes in a thread nobody is
   * assigned (an assigned thread's agent is emailed instead). Omitted: stays as it is.
   */
  notifyTeamOfUnassigned: z.boolean({ error: 'must be true or false' }).optional(),
  /** Whether a resolution asks the partner or guest who raised the thread how it went. Omitted: stays. */
  satisfactionSurveyEnabled: z.boolean({ error: 'must be true or false' }).optional(),
  /** Good / okay / bad (`three`) or 1 to 5 (`five`). Omitted: stays. */
  satisfactionScale: satisfactionScaleSchema.optional(),
  /** How many days a survey's link takes answers. Omitted: stays. */
  satisfactionLinkDays: z
    .number({ error: 'must be a whole number of days' })
    .int({ error: 'must be a whole number of days' })
    .min(SATISFACTION_LINK_DAYS_MIN, { error: `must be at least ${SATISFACTION_LINK_DAYS_MIN} day` })
    .max(SATISFACTION_LINK_DAYS_MAX, { error: `must be at most ${SATISFACTION_LINK_DAYS_MAX} days` })
    .optional(),
});

export type SystemConfigInput = z.output<typeof systemConfigInput>;
/** The settings an update may omit (it then keeps what is set). */
type KeptWhenOmitted =
  | 'showStaffNamesInPresence'
  | 'notifyTeamOfUnassigned'
  | 'satisfactionSurveyEnabled'
  | 'satisfactionScale'
  | 'satisfactionLinkDays';

/** The desk's settings: every field set (an update that omits a switch keeps it). */
export type SystemConfig = Omit<SystemConfigInput, KeptWhenOmitted> & {
  [K in KeptWhenOmitted]-?: Exclude<SystemConfigInput[K], undefined>;
};

export const defaultSystemConfig: SystemConfig = Object.freeze({
  whatsappNumber: null,
  supportEmail: 'support@example.com',
  portalBaseUrl: 'http://127.0.0.1:3000',
  whatsappBubbleEnabled: false,
  showStaffNamesInPresence: false,
  notifyTeamOfUnassigned: true,
  satisfactionSurveyEnabled: true,
  satisfactionScale: 'three',
  satisfactionLinkDays: DEFAULT_SATISFACTION_LINK_DAYS,
});

/** `https://Desk.Example.com/portal/` → `https://desk.example.com/portal`: links are built by appending `/path`. */
function normalisePortalBaseUrl(text: string): string | { error: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: 'must be an http(s) URL, e.g. https://desk.example.com' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: 'must start with http:// or https://' };
  if (url.username || url.password) return { error: 'must not hold a user name or password' };
  if (url.search || url.hash) return { error: 'must not hold a query (?) or fragment (#)' };
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
