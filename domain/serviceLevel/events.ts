import { z } from 'zod';
import { authorSchema, isoTimestamp } from '../shared.js';
import { priorities, queryTypeSchema, type Priority } from '../thread/vocabulary.js';
import { weekdays, type Weekday } from './vocabulary.js';

/*
 * Event data as stored (plain JSON; parsed leniently so that history always loads). Calendars and
 * policies live in one stream, `serviceLevels-global`; every save of one is a new version of it.
 */

const interval = z.object({ start: z.string(), end: z.string() });
const week = z.object(
  Object.fromEntries(weekdays.map((d) => [d, z.array(interval)])) as Record<Weekday, z.ZodArray<typeof interval>>,
);
const minutes = z.number().int().min(1).nullable();
const targets = z.object({ firstResponseMinutes: minutes, nextResponseMinutes: minutes, resolutionMinutes: minutes });
const targetsByPriority = z.object(
  Object.fromEntries(priorities.map((p) => [p, targets])) as Record<Priority, typeof targets>,
);

export const storedCalendarSchema = z.object({
  calendarId: z.guid(),
  version: z.number().int().min(1),
  name: z.string().min(1),
  timeZone: z.string().min(1),
  alwaysOpen: z.boolean(),
  week,
  holidays: z.array(z.object({ date: z.string(), name: z.string() })),
});
export type StoredCalendar = z.infer<typeof storedCalendarSchema>;

export const storedPolicySchema = z.object({
  policyId: z.guid(),
  version: z.number().int().min(1),
  name: z.string().min(1),
  calendarId: z.guid(),
  position: z.number().int(),
  match: z.object({ queryTypes: z.array(queryTypeSchema), partnerOrgIds: z.array(z.string()) }),
  targets: targetsByPriority,
  warnBeforeMinutes: z.number().int().min(0),
});
export type StoredPolicy = z.infer<typeof storedPolicySchema>;

export const slaCalendarSavedData = z.object({
  calendar: storedCalendarSchema,
  by: authorSchema,
  occurredAt: isoTimestamp,
});
export const slaCalendarRemovedData = z.object({ calendarId: z.guid(), by: authorSchema, occurredAt: isoTimestamp });
export const slaPolicySavedData = z.object({ policy: storedPolicySchema, by: authorSchema, occurredAt: isoTimestamp });
export const slaPolicyRemovedData = z.object({ policyId: z.guid(), by: authorSchema, occurredAt: isoTimestamp });

export const slaCalendarSavedEvent = z.object({ type: z.literal('SlaCalendarSaved'), data: slaCalendarSavedData });
export const slaCalendarRemovedEvent = z.object({
  type: z.literal('SlaCalendarRemoved'),
  data: slaCalendarRemovedData,
});
export const slaPolicySavedEvent = z.object({ type: z.literal('SlaPolicySaved'), data: slaPolicySavedData });
export const slaPolicyRemovedEvent = z.object({ type: z.literal('SlaPolicyRemoved'), data: slaPolicyRemovedData });

export type SlaCalendarSaved = z.infer<typeof slaCalendarSavedEvent>;
export type SlaCalendarRemoved = z.infer<typeof slaCalendarRemovedEvent>;
export type SlaPolicySaved = z.infer<typeof slaPolicySavedEvent>;
export type SlaPolicyRemoved = z.infer<typeof slaPolicyRemovedEvent>;

export type ServiceLevelEvent = SlaCalendarSaved | SlaCalendarRemoved | SlaPolicySaved | SlaPolicyRemoved;

export const serviceLevelEventTypes = [
  'SlaCalendarSaved',
  'SlaCalendarRemoved',
  'SlaPolicySaved',
  'SlaPolicyRemoved',
] as const satisfies readonly ServiceLevelEvent['type'][];

/**
 * What a thread keeps of the policy it got: the policy's targets and its calendar, as they were.
 * A later change of either does not move the thread's clocks until an admin re-applies.
 */
export const slaSnapshotSchema = z.object({
  policy: storedPolicySchema.pick({
    policyId: true,
    version: true,
    name: true,
    targets: true,
    warnBeforeMinutes: true,
  }),
  calendar: storedCalendarSchema,
});
export type SlaSnapshot = z.infer<typeof slaSnapshotSchema>;

/** The key a snapshot is stored under by read models: policy and calendar versions never change. */
export function slaSnapshotKey(snapshot: SlaSnapshot): string {
  const { policy, calendar } = snapshot;
  return `${policy.policyId}@${policy.version}/${calendar.calendarId}@${calendar.version}`;
}
