import { DomainError, requireAuthor, unreachable } from '../shared.js';
import type { ServiceLevelCommand } from './commands.js';
import type { ServiceLevelEvent, StoredCalendar, StoredPolicy } from './events.js';
import type { ServiceLevelsState } from './state.js';

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function decideServiceLevels(command: ServiceLevelCommand, state: ServiceLevelsState): ServiceLevelEvent[] {
  const { author, now } = command.metadata;
  requireAuthor(author, ['staff', 'system'], 'change service levels');
  const occurredAt = now.toISOString();
  switch (command.type) {
    case 'SaveSlaCalendar': {
      const { calendarId, calendar } = command.data;
      const current = state.calendars[calendarId];
      if (state.policies[calendarId]) throw idTaken(calendarId);
      if (current) {
        const { calendarId: _i, version: _v, updatedAt: _a, updatedBy: _b, ...unchanged } = current;
        if (sameJson(unchanged, calendar)) return [];
      }
      const saved: StoredCalendar = { calendarId, version: (state.versions[calendarId] ?? 0) + 1, ...calendar };
      return [{ type: 'SlaCalendarSaved', data: { calendar: saved, by: author, occurredAt } }];
    }
    case 'RemoveSlaCalendar': {
      const { calendarId } = command.data;
      if (!state.calendars[calendarId]) {
        throw new DomainError('not_found', 'sla_calendar_not_found', `calendar ${calendarId} does not exist`);
      }
      const users = Object.values(state.policies).filter((p) => p.calendarId === calendarId);
      if (users.length > 0) {
        throw new DomainError(
          'conflict',
          'sla_calendar_in_use',
          `calendar ${calendarId} is used by ${users.length} policies`,
          {
            issues: users.map((p) => ({ path: 'calendarId', message: `used by the policy "${p.name}"` })),
          },
        );
      }
      return [{ type: 'SlaCalendarRemoved', data: { calendarId, by: author, occurredAt } }];
    }
    case 'SaveSlaPolicy': {
      const { policyId, policy } = command.data;
      if (state.calendars[policyId]) throw idTaken(policyId);
      if (!state.calendars[policy.calendarId]) {
        throw new DomainError('rule', 'sla_calendar_not_found', `calendar ${policy.calendarId} does not exist`, {
          issues: [{ path: 'calendarId', message: 'is no calendar of the desk' }],
        });
      }
      const current = state.policies[policyId];
      if (current) {
        const { policyId: _i, version: _v, updatedAt: _a, updatedBy: _b, ...unchanged } = current;
        if (sameJson(unchanged, policy)) return [];
      }
      const saved: StoredPolicy = { policyId, version: (state.versions[policyId] ?? 0) + 1, ...policy };
      return [{ type: 'SlaPolicySaved', data: { policy: saved, by: author, occurredAt } }];
    }
    case 'RemoveSlaPolicy': {
      const { policyId } = command.data;
      if (!state.policies[policyId]) {
        throw new DomainError('not_found', 'sla_policy_not_found', `policy ${policyId} does not exist`);
      }
      return [{ type: 'SlaPolicyRemoved', data: { policyId, by: author, occurredAt } }];
    }
    default:
      return unreachable(command);
  }
}

function idTaken(id: string): DomainError {
  return new DomainError('conflict', 'invalid_command', `${id} names another calendar or policy`, {
    issues: [{ path: 'id', message: 'is the id of another calendar or policy' }],
  });
}
