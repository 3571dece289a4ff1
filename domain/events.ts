import type { z } from 'zod';
import type { DomainIssue } from './shared.js';
import { toIssues } from './shared.js';
import {
  emailAddressSuppressedEvent,
  emailAddressSuppressionClearedEvent,
  emailDeliveredEvent,
  emailDeliveryFailedEvent,
  emailDeliveryReportedEvent,
  type EmailAddressEvent,
  type EmailDeliveryReported,
  type EmailEvent,
} from './email/events.js';
import {
  slaCalendarRemovedEvent,
  slaCalendarSavedEvent,
  slaPolicyRemovedEvent,
  slaPolicySavedEvent,
  type ServiceLevelEvent,
} from './serviceLevel/events.js';
import { guestLinkIssuedEvent, guestLinkRevokedEvent, type GuestLinkEvent } from './guestLink/events.js';
import {
  systemConfigUpdatedEvent,
  upcastSystemConfigUpdatedV1,
  upcastSystemConfigUpdatedV2,
  upcastSystemConfigUpdatedV3,
  type SystemConfigEvent,
} from './systemConfig/events.js';
import {
  messagePostedEvent,
  priorityChangedEvent,
  queryRaisedEvent,
  threadAssignedEvent,
  threadClosedEvent,
  threadReopenedEvent,
  threadResolvedEvent,
  upcastQueryRaisedV1,
  upcastWithoutAttachments,
  attachmentErasedEvent,
  slaPolicyAppliedEvent,
  slaWarningEvent,
  slaBreachedEvent,
  type ThreadEvent,
} from './thread/events.js';
import { satisfactionRatedEvent, satisfactionSurveyOfferedEvent } from './thread/satisfaction.js';

export type DomainEvent =
  | ThreadEvent
  | GuestLinkEvent
  | SystemConfigEvent
  | EmailEvent
  | EmailDeliveryReported
  | EmailAddressEvent
  | ServiceLevelEvent;
export type DomainEventType = DomainEvent['type'];

/** Turns the data of version n of an event into version n + 1. Pure; gets and returns plain JSON. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

export interface EventDefinition<Event> {
  /** The version written today. Bump it when the data's shape changes, and add the upcaster from the old one. */
  version: number;
  /** The whole event, `{ type, data }`, as it is today. */
  schema: z.ZodType<Event>;
  /** `upcasters[n]` upcasts version n to n + 1. */
  upcasters: Readonly<Record<number, Upcaster>>;
}

export type EventDefinitions<Event extends { type: string }> = {
  readonly [Type in Event['type']]: EventDefinition<Extract<Event, { type: Type }>>;
};

/**
 * Every event of every aggregate: version 1, but SystemConfigUpdated at 4 (v2 added the presence
 * names switch, v3 the team notification switch, v4 the satisfaction survey settings), QueryRaised at 3 (v2 added `followUpOf`, the
 * closed thread a follow-up continues; v3 `attachments`) and MessagePosted at 2 (`attachments`).
 */
export const domainEventDefinitions: EventDefinitions<DomainEvent> = {
  QueryRaised: {
    version: 3,
    schema: queryRaisedEvent,
    upcasters: { 1: upcastQueryRaisedV1, 2: upcastWithoutAttachments },
  },
  MessagePosted: { version: 2, schema: messagePostedEvent, upcasters: { 1: upcastWithoutAttachments } },
  ThreadAssigned: { version: 1, schema: threadAssignedEvent, upcasters: {} },
  PriorityChanged: { version: 1, schema: priorityChangedEvent, upcasters: {} },
  ThreadResolved: { version: 1, schema: threadResolvedEvent, upcasters: {} },
  ThreadClosed: { version: 1, schema: threadClosedEvent, upcasters: {} },
  ThreadReopened: { version: 1, schema: threadReopenedEvent, upcasters: {} },
  AttachmentErased: { version: 1, schema: attachmentErasedEvent, upcasters: {} },
  SlaPolicyApplied: { version: 1, schema: slaPolicyAppliedEvent, upcasters: {} },
  SlaWarning: { version: 1, schema: slaWarningEvent, upcasters: {} },
  SlaBreached: { version: 1, schema: slaBreachedEvent, upcasters: {} },
  SlaCalendarSaved: { version: 1, schema: slaCalendarSavedEvent, upcasters: {} },
  SlaCalendarRemoved: { version: 1, schema: slaCalendarRemovedEvent, upcasters: {} },
  SlaPolicySaved: { version: 1, schema: slaPolicySavedEvent, upcasters: {} },
  SlaPolicyRemoved: { version: 1, schema: slaPolicyRemovedEvent, upcasters: {} },
  SatisfactionSurveyOffered: { version: 1, schema: satisfactionSurveyOfferedEvent, upcasters: {} },
  SatisfactionRated: { version: 1, schema: satisfactionRatedEvent, upcasters: {} },
  GuestLinkIssued: { version: 1, schema: guestLinkIssuedEvent, upcasters: {} },
  GuestLinkRevoked: { version: 1, schema: guestLinkRevokedEvent, upcasters: {} },
  SystemConfigUpdated: {
    version: 4,
    schema: systemConfigUpdatedEvent,
    upcasters: { 1: upcastSystemConfigUpdatedV1, 2: upcastSystemConfigUpdatedV2, 3: upcastSystemConfigUpdatedV3 },
  },
  EmailDelivered: { version: 1, schema: emailDeliveredEvent, upcasters: {} },
  EmailDeliveryFailed: { version: 1, schema: emailDeliveryFailedEvent, upcasters: {} },
  EmailDeliveryReported: { version: 1, schema: emailDeliveryReportedEvent, upcasters: {} },
  EmailAddressSuppressed: { version: 1, schema: emailAddressSuppressedEvent, upcasters: {} },
  EmailAddressSuppressionCleared: { version: 1, schema: emailAddressSuppressionClearedEvent, upcasters: {} },
};

export const allEventTypes: readonly DomainEventType[] = Object.freeze(
  Object.keys(domainEventDefinitions) as DomainEventType[],
);

export class UnknownEventTypeError extends Error {
  constructor(readonly type: string) {
    super(`unknown event type: ${JSON.stringify(type.slice(0, 128))}`);
    this.name = 'UnknownEventTypeError';
  }
}

export class MalformedEventError extends Error {
  constructor(
    readonly type: string,
    readonly issues: DomainIssue[],
  ) {
    super(`malformed ${type}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
    this.name = 'MalformedEventError';
  }
}

export interface EventCatalog<Event extends { type: string }> {
  readonly types: readonly Event['type'][];
  isKnown(type: string): type is Event['type'];
  /** The schema version events of this type are written with today. */
  versionOf(type: string): number;
  /** Upcasts stored data from `schemaVersion` to today's version, then validates it. */
  parse(type: string, data: unknown, schemaVersion: number): Event;
}

export function createEventCatalog<Event extends { type: string }>(
  definitions: EventDefinitions<Event>,
): EventCatalog<Event> {
  const byType = new Map<string, EventDefinition<Event>>(Object.entries<EventDefinition<Event>>(definitions));
  const types = Object.freeze([...byType.keys()] as Event['type'][]);

  function definitionOf(type: string): EventDefinition<Event> {
    const definition = byType.get(type);
    if (!definition) throw new UnknownEventTypeError(type);
    return definition;
  }

  return {
    types,
    isKnown: (type): type is Event['type'] => byType.has(type),
    versionOf: (type) => definitionOf(type).version,
    parse(type, data, schemaVersion) {
      const { version, schema, upcasters } = definitionOf(type);
      const malformed = (message: string) => new MalformedEventError(type, [{ path: '', message }]);
      if (!Number.isSafeInteger(schemaVersion) || schemaVersion < 0) {
        throw malformed(`schema version ${String(schemaVersion)} is not a whole number >= 0`);
      }
      if (schemaVersion > version) {
        throw malformed(`schema version ${schemaVersion} is newer than this code's ${version}`);
      }
      if (!isPlainObject(data)) throw malformed('data must be a JSON object');
      let current = data;
      for (let from = schemaVersion; from < version; from++) {
        const upcast = upcasters[from];
        if (!upcast) throw malformed(`no upcaster from schema version ${from} to ${from + 1}`);
        current = upcast(current);
      }
      const result = schema.safeParse({ type, data: current });
      if (!result.success) {
        // Paths are reported within the data, not within the `{ type, data }` wrapper.
        const issues = toIssues(result.error.issues).map((i) => ({ ...i, path: i.path.replace(/^data\.?/, '') }));
        throw new MalformedEventError(type, issues);
      }
      return result.data;
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const domainEventCatalog: EventCatalog<DomainEvent> = createEventCatalog(domainEventDefinitions);

/** The version to write into an event's metadata (`schemaVersion`) when appending it. */
export function eventSchemaVersion(type: string): number {
  return domainEventCatalog.versionOf(type);
}

export function isDomainEventType(type: string): type is DomainEventType {
  return domainEventCatalog.isKnown(type);
}

/** Stored event → domain event: upcast, then validate. Throws UnknownEventTypeError or MalformedEventError. */
export function parseDomainEvent(type: string, data: unknown, schemaVersion: number): DomainEvent {
  return domainEventCatalog.parse(type, data, schemaVersion);
}
