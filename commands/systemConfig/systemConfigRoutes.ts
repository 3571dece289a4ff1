import { z } from 'zod';
import {
  SATISFACTION_LINK_DAYS_MAX,
  SATISFACTION_LINK_DAYS_MIN,
  satisfactionScaleSchema,
  defaultSystemConfig,
  systemConfigDecider,
  systemConfigInput,
  systemConfigStreamName,
  type SystemConfigState,
} from '../../domain/index.js';
import type { EventStore } from '../../eventstore/port.js';
import { implement, routeContract, type AnyRoute } from '../../platform/http/route.js';
import {
  actorOf,
  authorOf,
  callerId,
  commandHeaders,
  commandResult,
  parseIfMatch,
  type CommandDependencies,
} from '../commandContext.js';
import { handleCommand, loadStream } from '../commandHandler.js';

const configAnswer = z
  .object({
    whatsappNumber: z.string().nullable(),
    supportEmail: z.string(),
    portalBaseUrl: z.string(),
    whatsappBubbleEnabled: z.boolean(),
    showStaffNamesInPresence: z.boolean().meta({
      description:
        'Partners and guests see which agent is typing (their name, never an account id); false: "Support is typing…"',
    }),
    notifyTeamOfUnassigned: z.boolean().meta({
      description:
        'When a partner or guest writes in a thread nobody is assigned, the support address is emailed (an assigned thread emails its agent)',
    }),
    satisfactionSurveyEnabled: z.boolean().meta({
      description:
        'A resolution emails the partner or guest who raised the thread a satisfaction survey (a link, like a guest link)',
    }),
    satisfactionScale: satisfactionScaleSchema.meta({
      description: "The survey's answers: 'three' (good, okay, bad) or 'five' (1 to 5)",
    }),
    satisfactionLinkDays: z
      .number()
      .int()
      .min(SATISFACTION_LINK_DAYS_MIN)
      .max(SATISFACTION_LINK_DAYS_MAX)
      .meta({ description: 'How many days a survey link takes answers (and changes to them)' }),
    revision: z.number().int(),
    position: z.string().nullable(),
  })
  .meta({ id: 'SystemConfig' });

export type SystemConfigValues = Omit<z.infer<typeof configAnswer>, 'revision' | 'position'>;

/**
 * The config as the desk uses it. Until an admin saves one, the portal base URL is where this
 * desk serves (`servedOrigin`), not the domain's fixed default, so that the first links work.
 */
function valuesOf(state: SystemConfigState, servedOrigin: string): SystemConfigValues {
  const configured = state.lastUpdate !== null;
  const c = configured ? state.config : defaultSystemConfig;
  return {
    whatsappNumber: c.whatsappNumber,
    supportEmail: c.supportEmail,
    portalBaseUrl: configured ? c.portalBaseUrl : servedOrigin,
    whatsappBubbleEnabled: c.whatsappBubbleEnabled,
    showStaffNamesInPresence: c.showStaffNamesInPresence,
    notifyTeamOfUnassigned: c.notifyTeamOfUnassigned,
    satisfactionSurveyEnabled: c.satisfactionSurveyEnabled,
    satisfactionScale: c.satisfactionScale,
    satisfactionLinkDays: c.satisfactionLinkDays,
  };
}

/** The current config, read from its stream (tiny; always exact). */
export async function readSystemConfig(
  eventStore: EventStore,
  servedOrigin: string,
): Promise<SystemConfigValues & { revision: number }> {
  const { state, revision } = await loadStream(eventStore, systemConfigDecider, systemConfigStreamName);
  return { ...valuesOf(state, servedOrigin), revision };
}

export const getSystemConfig = routeContract({
  method: 'get',
  path: '/api/support/config',
  operationId: 'getSystemConfig',
  summary: 'The system config, with its revision as ETag',
  tags: ['System config'],
  access: ['admin'],
  response: { status: 200, description: 'The current config', schema: configAnswer },
});

export const updateSystemConfig = routeContract({
  method: 'put',
  path: '/api/support/config',
  operationId: 'updateSystemConfig',
  summary:
    'Update the system config (WhatsApp number, support email, portal base URL, bubble, staff names in presence, team notifications, satisfaction survey)',
  tags: ['System config'],
  access: ['admin'],
  body: systemConfigInput,
  headers: commandHeaders,
  response: { status: 200, description: 'The config after the update', schema: configAnswer },
  errors: [409, 412, 422],
});

export function systemConfigRoutes(deps: CommandDependencies): AnyRoute[] {
  const get = implement(getSystemConfig, {
    async handle() {
      const config = await readSystemConfig(deps.eventStore, deps.servedOrigin());
      return { body: { ...config, position: null }, headers: { ETag: `"${config.revision}"` } };
    },
  });

  const update = implement(updateSystemConfig, {
    async handle(ctx) {
      return deps.idempotency.run(
        { key: ctx.header('idempotency-key'), callerId: callerId(ctx.identity), fingerprint: ['config', ctx.body] },
        async (keyHash) => {
          const outcome = await handleCommand(
            deps.eventStore,
            systemConfigDecider,
            systemConfigStreamName,
            {
              type: 'UpdateSystemConfig',
              data: ctx.body,
              metadata: { now: deps.clock(), author: authorOf(ctx.identity) },
            },
            {
              ifMatch: parseIfMatch(ctx.header('if-match')),
              idempotencyKeyHash: keyHash,
              metadata: { actor: actorOf(ctx.identity), correlationId: ctx.requestId || undefined },
            },
          );
          return commandResult(outcome, {
            ...valuesOf(outcome.state, deps.servedOrigin()),
            revision: outcome.revision,
            position: outcome.position,
          });
        },
      );
    },
  });
  return [get, update];
}
