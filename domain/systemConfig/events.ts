import { z } from 'zod';
import { authorSchema, isoTimestamp } from '../shared.js';
import {
  DEFAULT_SATISFACTION_LINK_DAYS,
  SATISFACTION_LINK_DAYS_MAX,
  SATISFACTION_LINK_DAYS_MIN,
  satisfactionScaleSchema,
} from '../thread/satisfaction.js';

export const systemConfigUpdatedData = z.object({
  whatsappNumber: z
    .string()
    .regex(/^\d{8,15}$/)
    .nullable(),
  supportEmail: z.email(),
  portalBaseUrl: z.url({ protocol: /^https?$/ }),
  whatsappBubbleEnabled: z.boolean(),
  /** Since v2 (v1 events are upcast with false). */
  showStaffNamesInPresence: z.boolean(),
  /** Since v3 (v2 events are upcast with true, the default): email the support address about unassigned threads. */
  notifyTeamOfUnassigned: z.boolean(),
  /** Since v4 (v3 events are upcast with the defaults: on, `three`, 14 days): the satisfaction survey. */
  satisfactionSurveyEnabled: z.boolean(),
  satisfactionScale: satisfactionScaleSchema,
  satisfactionLinkDays: z.number().int().min(SATISFACTION_LINK_DAYS_MIN).max(SATISFACTION_LINK_DAYS_MAX),
  by: authorSchema,
  occurredAt: isoTimestamp,
});

export const systemConfigUpdatedEvent = z.object({
  type: z.literal('SystemConfigUpdated'),
  data: systemConfigUpdatedData,
});

export type SystemConfigUpdated = z.infer<typeof systemConfigUpdatedEvent>;
export type SystemConfigEvent = SystemConfigUpdated;

export const systemConfigEventTypes = ['SystemConfigUpdated'] as const satisfies readonly SystemConfigEvent['type'][];

/** v1 → v2: v1 had no names switch; partners and guests saw "Support is typing…" (false). */
export function upcastSystemConfigUpdatedV1(data: Record<string, unknown>): Record<string, unknown> {
  return { ...data, showStaffNamesInPresence: false };
}

/**
 * v2 → v3: v2 had no team notification switch. An unassigned thread's partner message emails the
 * support address by default (true), as a desk that never saved the switch does.
 */
export function upcastSystemConfigUpdatedV2(data: Record<string, unknown>): Record<string, unknown> {
  return { ...data, notifyTeamOfUnassigned: true };
}

/**
 * v3 → v4: v3 had no satisfaction survey settings. A desk that never saved them asks with the
 * defaults (on, good / okay / bad, a link of 14 days), so an upcast event says the same.
 */
export function upcastSystemConfigUpdatedV3(data: Record<string, unknown>): Record<string, unknown> {
  return {
    ...data,
    satisfactionSurveyEnabled: true,
    satisfactionScale: 'three',
    satisfactionLinkDays: DEFAULT_SATISFACTION_LINK_DAYS,
  };
}
