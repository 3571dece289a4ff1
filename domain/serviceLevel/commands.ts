import type { Command } from '../shared.js';
import type { CalendarInput, PolicyInput } from './vocabulary.js';

/** Parsed at the edge with `calendarInput` / `policyInput`: the decider trusts them. */
export type SaveSlaCalendar = Command<'SaveSlaCalendar', { calendarId: string; calendar: CalendarInput }>;
export type RemoveSlaCalendar = Command<'RemoveSlaCalendar', { calendarId: string }>;
export type SaveSlaPolicy = Command<'SaveSlaPolicy', { policyId: string; policy: PolicyInput }>;
export type RemoveSlaPolicy = Command<'RemoveSlaPolicy', { policyId: string }>;

export type ServiceLevelCommand = SaveSlaCalendar | RemoveSlaCalendar | SaveSlaPolicy | RemoveSlaPolicy;
