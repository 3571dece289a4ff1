import { randomUUID } from 'node:crypto';
import { raiseQueryInput, threadDecider, threadStreamName } from '../../domain/index.js';
import { ASSIGNMENT_NOT_FOUND } from '../../platform/http/plainWords.js';
import { problems } from '../../platform/http/problem.js';
import { implement, routeContract } from '../../platform/http/route.js';
import { guestScopeCoversAssignment, type Identity } from '../../platform/identity/identity.js';
import {
  actorOf,
  authorOf,
  callerId,
  commandHeaders,
  commandResult,
  type CommandDependencies,
} from '../commandContext.js';
import { deterministicUuid, handleCommand } from '../commandHandler.js';
import { claimAttachments } from '../attachments/messageAttachments.js';
import { threadCommandAnswer } from './threadAnswer.js';
import { statusAfterCommand } from './threadCommand.js';

function mayRaiseOn(identity: Identity, assignment: { assignmentId: string; partnerOrgId: string }): boolean {
  switch (identity.kind) {
    case 'staff':
      return true;
    case 'partner':
      return identity.partnerOrgId === assignment.partnerOrgId;
    case 'guest':
      // the assignment still in the organisation the link was issued for: a query lands where the link reads
      return guestScopeCoversAssignment(identity.scope, assignment);
    default:
      return false;
  }
}

export const raiseQuery = routeContract({
  method: 'post',
  path: '/api/support/threads',
  operationId: 'raiseQuery',
  summary: 'Raise a query about an assignment (opens a thread)',
  description:
    'A partner raises queries on their organisation’s assignments, a guest with an assignment link on that assignment, staff on any.',
  tags: ['Threads'],
  access: ['partner', 'guest', 'admin', 'agent'],
  body: raiseQueryInput,
  headers: commandHeaders,
  response: { status: 201, description: 'The thread was opened', schema: threadCommandAnswer },
  errors: [404, 409, 422],
});

export const raiseQueryRoute = (deps: CommandDependencies) =>
  implement(raiseQuery, {
    async handle(ctx) {
      const assignment = await deps.directory.find(ctx.body.assignmentId);
      // someone else's assignment looks exactly like a missing one
      if (!assignment || !mayRaiseOn(ctx.identity, assignment)) throw problems.notFound(ASSIGNMENT_NOT_FOUND);
      return deps.idempotency.run(
        { key: ctx.header('idempotency-key'), callerId: callerId(ctx.identity), fingerprint: ['raiseQuery', ctx.body] },
        async (keyHash) => {
          const threadId = keyHash ? deterministicUuid(`${keyHash}:thread`) : randomUUID();
          const messageId = keyHash ? deterministicUuid(`${keyHash}:message`) : randomUUID();
          // the files are claimed for the query's first message, and given back if it is refused
          const files = await claimAttachments(deps.attachments, ctx.identity, ctx.body.attachmentIds, {
            threadId,
            messageId,
          });
          const slaSnapshot = await deps.serviceLevels.match({
            queryType: ctx.body.queryType,
            partnerOrgId: assignment.partnerOrgId,
          });
          const outcome = await handleCommand(
            deps.eventStore,
            threadDecider,
            threadStreamName(threadId),
            {
              type: 'RaiseQuery',
              data: {
                threadId,
                messageId,
                assignmentId: assignment.assignmentId,
                assignmentReference: assignment.reference,
                partnerOrgId: assignment.partnerOrgId,
                queryType: ctx.body.queryType,
                priority: ctx.body.priority,
                subject: ctx.body.subject,
                body: ctx.body.body,
                attachments: files.refs,
                slaSnapshot,
              },
              metadata: { now: deps.clock(), author: authorOf(ctx.identity) },
            },
            {
              idempotencyKeyHash: keyHash,
              metadata: { actor: actorOf(ctx.identity), correlationId: ctx.requestId || undefined },
            },
          ).catch(async (error: unknown) => {
            await files.release();
            throw error;
          });
          return commandResult(
            outcome,
            {
              threadId,
              status: statusAfterCommand(outcome.state),
              revision: outcome.revision,
              position: outcome.position,
            },
            201,
          );
        },
      );
    },
  });
