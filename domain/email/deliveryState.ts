import type { DeliveryReportState, EmailAddressEvent, SuppressionReason } from './events.js';

/*
 * Which of Resend's reports about an email is the one to show. Reports arrive in any order (a
 * `delivered` before its `sent`, a `delayed` after the `delivered`); the state shown is the
 * strongest so far: sent < delayed < delivered, and bounced and complained are final (the
 * first final report stays). The events keep every report for the audit.
 */

const rank: Readonly<Record<DeliveryReportState, number>> = {
  sent: 1,
  delayed: 2,
  delivered: 3,
  bounced: 4,
  complained: 4,
};

/** The rank of a state: higher is stronger; 4 is final. */
export function deliveryStateRank(state: DeliveryReportState): number {
  return rank[state];
}

export function isFinalDeliveryState(state: DeliveryReportState): boolean {
  return rank[state] === 4;
}

/** The state to show after `next` arrives, when `current` was shown (null: nothing reported yet). */
export function strongerDeliveryState(
  current: DeliveryReportState | null,
  next: DeliveryReportState,
): DeliveryReportState {
  if (current === null) return next;
  return rank[next] > rank[current] ? next : current;
}

/** The state shown after these reports, in the order they arrived. */
export function shownDeliveryState(reports: readonly DeliveryReportState[]): DeliveryReportState | null {
  return reports.reduce<DeliveryReportState | null>(strongerDeliveryState, null);
}

/** Whether an address may be emailed, from its stream's events. */
export type AddressSuppression =
  | { suppressed: false; clearedAt: string | null }
  | { suppressed: true; reason: SuppressionReason; emailId: string; since: string; clearedAt: string | null };

export const notSuppressed: AddressSuppression = Object.freeze({ suppressed: false, clearedAt: null });

/**
 * Folds one event of an address's stream. A complaint outranks a bounce (a bounce after a
 * complaint leaves it "complained"). A bounce or complaint that happened before the last clear
 * (a late or replayed report) does not suppress the address again: the admin had seen it.
 */
export function evolveSuppression(state: AddressSuppression, event: EmailAddressEvent): AddressSuppression {
  if (event.type === 'EmailAddressSuppressionCleared') {
    return { suppressed: false, clearedAt: event.data.occurredAt };
  }
  const { reason, emailId, occurredAt } = event.data;
  if (state.clearedAt !== null && Date.parse(occurredAt) <= Date.parse(state.clearedAt)) return state;
  if (state.suppressed && (state.reason === 'complained' || reason === state.reason)) return state;
  return { suppressed: true, reason, emailId, since: occurredAt, clearedAt: state.clearedAt };
}

export function suppressionOf(events: readonly EmailAddressEvent[]): AddressSuppression {
  return events.reduce(evolveSuppression, notSuppressed);
}
