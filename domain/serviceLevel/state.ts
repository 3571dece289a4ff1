import type { QueryType } from '../thread/vocabulary.js';
import type { ServiceLevelEvent, SlaSnapshot, StoredCalendar, StoredPolicy } from './events.js';

export interface Versioned {
  updatedAt: string;
  /** The name of who saved this version. */
  updatedBy: string;
}
export type CalendarVersion = StoredCalendar & Versioned;
export type PolicyVersion = StoredPolicy & Versioned;

export interface ServiceLevelsState {
  calendars: Readonly<Record<string, CalendarVersion>>;
  policies: Readonly<Record<string, PolicyVersion>>;
  /** The last version each id had, removed ones included: a calendar saved again after removal goes on counting. */
  versions: Readonly<Record<string, number>>;
}

export const initialServiceLevelsState: ServiceLevelsState = Object.freeze({
  calendars: {},
  policies: {},
  versions: {},
});

export function evolveServiceLevels(state: ServiceLevelsState, event: ServiceLevelEvent): ServiceLevelsState {
  switch (event.type) {
    case 'SlaCalendarSaved': {
      const { calendar, by, occurredAt } = event.data;
      return {
        ...state,
        calendars: {
          ...state.calendars,
          [calendar.calendarId]: { ...calendar, updatedAt: occurredAt, updatedBy: by.name },
        },
        versions: { ...state.versions, [calendar.calendarId]: calendar.version },
      };
    }
    case 'SlaCalendarRemoved': {
      const { [event.data.calendarId]: _removed, ...calendars } = state.calendars;
      return { ...state, calendars };
    }
    case 'SlaPolicySaved': {
      const { policy, by, occurredAt } = event.data;
      return {
        ...state,
        policies: { ...state.policies, [policy.policyId]: { ...policy, updatedAt: occurredAt, updatedBy: by.name } },
        versions: { ...state.versions, [policy.policyId]: policy.version },
      };
    }
    case 'SlaPolicyRemoved': {
      const { [event.data.policyId]: _removed, ...policies } = state.policies;
      return { ...state, policies };
    }
  }
}

/** Policies in the order they are tried: position, then name, then id (so the order is total). */
export function policiesInOrder(state: ServiceLevelsState): PolicyVersion[] {
  return Object.values(state.policies).sort(
    (a, b) => a.position - b.position || a.name.localeCompare(b.name) || a.policyId.localeCompare(b.policyId),
  );
}

/**
 * The policy a thread gets: the first in order whose match lists allow its query type and its
 * partner organisation (an empty list allows any), with its calendar as they are now; null when
 * none matches.
 */
export function matchSlaPolicy(
  state: ServiceLevelsState,
  thread: { queryType: QueryType; partnerOrgId: string },
): SlaSnapshot | null {
  for (const policy of policiesInOrder(state)) {
    const { queryTypes, partnerOrgIds } = policy.match;
    if (queryTypes.length > 0 && !queryTypes.includes(thread.queryType)) continue;
    if (partnerOrgIds.length > 0 && !partnerOrgIds.includes(thread.partnerOrgId)) continue;
    const calendar = state.calendars[policy.calendarId];
    if (!calendar) continue; // cannot happen: a calendar in use cannot be removed
    const { updatedAt: _a, updatedBy: _b, ...storedCalendar } = calendar;
    return {
      policy: {
        policyId: policy.policyId,
        version: policy.version,
        name: policy.name,
        targets: policy.targets,
        warnBeforeMinutes: policy.warnBeforeMinutes,
      },
      calendar: storedCalendar,
    };
  }
  return null;
}
