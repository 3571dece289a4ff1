import { z } from 'zod';
import { authorSchema, isoTimestamp } from '../shared.js';

export const systemConfigUpdatedData = z.object({
  whatsappNumber: z
    .string()
    .regex(/^\d{8,15}$/)
    .nullable(),
  supportEmail: z.email(),
  portalBaseUrl: z.url({ protocol: /^https?$/ }),
  whatsappBubbleEnabled: z.boolean(),
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
