import type { EmailDelivered, EmailDeliveryFailed, EmailTemplate } from './events.js';

/** What every outcome says about the email it is about. */
export interface EmailFacts {
  emailId: string;
  /** null: the email handing out an assignment's guest link. */
  threadId: string | null;
  /** The guest link the email carried, if any. */
  guestLinkId?: string;
  template: EmailTemplate;
  recipient: string;
  /** The message that caused the email; null for a resolution. */
  messageId: string | null;
  attempts: number;
}

const REASON_MAX = 1000;

export function emailDelivered(facts: EmailFacts, providerId: string, at: Date): EmailDelivered {
  return { type: 'EmailDelivered', data: { ...facts, providerId, occurredAt: at.toISOString() } };
}

export interface EmailFailure {
  /** The provider's error name, if it answered one. */
  errorName: string | null;
  reason: string;
  /** true: refused for good; false: every attempt failed. */
  permanent: boolean;
  providerId?: string | null;
}

export function emailDeliveryFailed(facts: EmailFacts, failure: EmailFailure, at: Date): EmailDeliveryFailed {
  return {
    type: 'EmailDeliveryFailed',
    data: {
      ...facts,
      providerId: failure.providerId ?? null,
      errorName: failure.errorName,
      reason: (failure.reason.trim() || 'unknown').slice(0, REASON_MAX),
      permanent: failure.permanent,
      occurredAt: at.toISOString(),
    },
  };
}

/**
 * The internal note staff see in the thread when an email could not be delivered. Trimmed, as a
 * message body is: it goes to the decider as it is, without the HTTP edge's parse.
 */
export function deliveryFailureNote(recipient: string, failure: Pick<EmailFailure, 'errorName' | 'reason'>): string {
  // a reason that already names its error ("suppressed: bounced") is not prefixed twice
  const named = failure.errorName && !failure.reason.startsWith(`${failure.errorName}:`);
  const reason = `${named ? `${failure.errorName}: ` : ''}${failure.reason}`;
  return `could not email ${recipient}: ${reason.slice(0, 600)}`.trim();
}
