import { z } from 'zod';
import type { DeliveryReportState, SuppressionReason } from '../../../domain/index.js';

/**
 * What one of Resend's delivery webhooks says, read from the recorded body (pure): which email
 * (`data.email_id`, Resend's id, our outbox's provider_id), which state, when (`created_at`),
 * and for a bounce its type and message. Only a permanent bounce and a complaint suppress the
 * address; a transient or undetermined bounce is reported and nothing more.
 */

export const deliveryEventTypes = {
  'email.sent': 'sent',
  'email.delivered': 'delivered',
  'email.delivery_delayed': 'delayed',
  'email.bounced': 'bounced',
  'email.complained': 'complained',
} as const satisfies Record<string, DeliveryReportState>;

export type DeliveryEventType = keyof typeof deliveryEventTypes;
export const deliveryEventTypeNames = Object.keys(deliveryEventTypes) as DeliveryEventType[];

const reportedEvent = z.object({
  type: z.enum(deliveryEventTypeNames as [DeliveryEventType, ...DeliveryEventType[]]),
  created_at: z.iso.datetime({ offset: true }),
  data: z.looseObject({
    email_id: z.string().min(1).max(200),
    bounce: z
      .looseObject({
        type: z.string().max(100).optional(),
        subType: z.string().max(100).optional(),
        message: z.string().max(2000).optional(),
      })
      .optional(),
  }),
});

export type DeliveryReport =
  | {
      kind: 'report';
      providerId: string;
      state: DeliveryReportState;
      bounceType: string | null;
      reason: string | null;
      occurredAt: string;
      /** Why the address is to be suppressed, if it is. */
      suppress: SuppressionReason | null;
    }
  | { kind: 'skip'; reason: string };

const REASON_MAX = 1000;

export function deliveryReportOf(payload: unknown): DeliveryReport {
  const parsed = reportedEvent.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: 'skip',
      reason: `unreadable_event: ${issue ? `${issue.path.join('.')} ${issue.message}` : ''}`.trim(),
    };
  }
  const { type, created_at, data } = parsed.data;
  const state = deliveryEventTypes[type];
  const bounce = state === 'bounced' ? data.bounce : undefined;
  const bounceType = bounce?.type ?? (state === 'bounced' ? 'Undetermined' : null);
  const reason = bounce
    ? [bounce.subType, bounce.message]
        .filter((part) => part && part.trim())
        .join(': ')
        .slice(0, REASON_MAX) || null
    : null;
  const suppress: SuppressionReason | null =
    state === 'complained' ? 'complained' : state === 'bounced' && bounceType === 'Permanent' ? 'bounced' : null;
  return {
    kind: 'report',
    providerId: data.email_id,
    state,
    bounceType,
    reason,
    occurredAt: new Date(created_at).toISOString(),
    suppress,
  };
}
