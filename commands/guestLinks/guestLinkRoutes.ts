import { z } from 'zod';
import {
  guestLinkDecider,
  guestLinkStreamName,
  issueGuestLinkInput,
  threadDecider,
  threadStreamName,
  type GuestLinkCommand,
} from '../../domain/index.js';
import { ASSIGNMENT_NOT_FOUND, plainWords } from '../../platform/http/plainWords.js';
import { problems } from '../../platform/http/problem.js';
import { implement, routeContract, type AnyRoute, type RouteContext } from '../../platform/http/route.js';
import { supportManagers } from '../../platform/identity/identity.js';
import {
  actorOf,
  authorOf,
  callerId,
  commandHeaders,
  commandResult,
  type CommandDependencies,
} from '../commandContext.js';
import { handleCommand, loadStream } from '../commandHandler.js';

/** What staff choose; the scope comes from the path. */
const issueBody = issueGuestLinkInput.omit({ scope: true });

const issuedAnswer = z
  .object({
    linkId: z.string().meta({ description: 'The SHA-256 of the token: how the link is listed and revoked' }),
    token: z.string().meta({
      description:
        'The raw token. Shown only in this answer; a link with a recipient is also emailed to them, once (never stored: the email worker rebuilds it from the link secret)',
    }),
    url: z.string().meta({ description: 'The guest page link: <portal>/t/<token>' }),
    expiresAt: z.string(),
    revision: z.number().int(),
    position: z.string().nullable(),
  })
  .meta({ id: 'GuestLinkIssued' });

const revokedAnswer = z
  .object({ linkId: z.string(), revoked: z.literal(true), revision: z.number().int(), position: z.string().nullable() })
  .meta({ id: 'GuestLinkRevoked' });

type Scope = { kind: 'thread'; threadId: string } | { kind: 'assignment'; assignmentId: string; partnerOrgId: string };

async function issue(
  deps: CommandDependencies,
  ctx: RouteContext<unknown, unknown, z.infer<typeof issueBody>>,
  scope: Scope,
) {
  // No Idempotency-Key replay here: the answer holds the raw token, which is never stored.
  // The token is derived from a random seed with the guest link secret: the event records the
  // seed (and the token's hash), so the email worker can rebuild it for the recipient's email.
  const { token, tokenHash, tokenSeed } = deps.guestTokens.mint();
  const command: GuestLinkCommand = {
    type: 'IssueGuestLink',
    data: {
      tokenHash,
      ...(tokenSeed ? { tokenSeed } : {}),
      scope,
      recipientEmail: ctx.body.recipientEmail,
      lifetimeSeconds: ctx.body.lifetimeSeconds,
    },
    metadata: { now: deps.clock(), author: authorOf(ctx.identity) },
  };
  const outcome = await handleCommand(deps.eventStore, guestLinkDecider, guestLinkStreamName(tokenHash), command, {
    metadata: { actor: actorOf(ctx.identity), correlationId: ctx.requestId || undefined },
  });
  const access = outcome.state;
  const expiresAt = 'expiresAt' in access && typeof access.expiresAt === 'string' ? access.expiresAt : '';
  return {
    ...commandResult(
      outcome,
      {
        linkId: tokenHash,
        token,
        url: `${await deps.portalBaseUrl()}/t/${token}`,
        expiresAt,
        revision: outcome.revision,
        position: outcome.position,
      },
      201,
    ),
    headers: { 'Cache-Control': 'no-store' },
  };
}

/** What issuing a link takes and answers, for a thread or an assignment alike. */
const issuing = {
  tags: ['Guest links'],
  access: supportManagers,
  body: issueBody,
  response: { status: 201, description: 'The link, with its token shown this once', schema: issuedAnswer },
  errors: [404, 422],
};

export const issueThreadGuestLink = routeContract({
  method: 'post',
  path: '/api/support/threads/:threadId/guest-links',
  operationId: 'issueThreadGuestLink',
  summary: 'Issue a guest link to one thread',
  description: 'The guest sees the thread’s external messages and may post to it until the link expires or is revoked.',
  params: z.object({ threadId: z.uuid() }),
  ...issuing,
});

export const issueAssignmentGuestLink = routeContract({
  method: 'post',
  path: '/api/support/assignments/:assignmentId/guest-links',
  operationId: 'issueAssignmentGuestLink',
  summary: 'Issue a guest link to one assignment: its threads, and new queries on it',
  params: z.object({ assignmentId: z.string().min(1).max(100) }),
  ...issuing,
});

export const revokeGuestLink = routeContract({
  method: 'delete',
  path: '/api/support/guest-links/:linkId',
  operationId: 'revokeGuestLink',
  summary: 'Revoke a guest link; it stops working at once',
  tags: ['Guest links'],
  access: supportManagers,
  params: z.object({ linkId: z.string().regex(/^[0-9a-f]{64}$/, 'must be a link id (64 hex characters)') }),
  headers: commandHeaders.filter((h) => h.name === 'Idempotency-Key'),
  response: { status: 200, description: 'Revoked (also when it already was)', schema: revokedAnswer },
  errors: [404],
});

export function guestLinkRoutes(deps: CommandDependencies): AnyRoute[] {
  const forThread = implement(issueThreadGuestLink, {
    async handle(ctx) {
      const { state } = await loadStream(deps.eventStore, threadDecider, threadStreamName(ctx.params.threadId));
      if (state.status === 'EMPTY') throw problems.notFound(plainWords('thread_not_found'));
      return issue(deps, ctx, { kind: 'thread', threadId: ctx.params.threadId });
    },
  });

  const forAssignment = implement(issueAssignmentGuestLink, {
    async handle(ctx) {
      const assignment = await deps.directory.find(ctx.params.assignmentId);
      if (!assignment) throw problems.notFound(ASSIGNMENT_NOT_FOUND);
      return issue(deps, ctx, {
        kind: 'assignment',
        assignmentId: assignment.assignmentId,
        partnerOrgId: assignment.partnerOrgId,
      });
    },
  });

  const revoke = implement(revokeGuestLink, {
    async handle(ctx) {
      return deps.idempotency.run(
        {
          key: ctx.header('idempotency-key'),
          callerId: callerId(ctx.identity),
          fingerprint: ['revoke', ctx.params.linkId],
        },
        async (keyHash) => {
          const outcome = await handleCommand(
            deps.eventStore,
            guestLinkDecider,
            guestLinkStreamName(ctx.params.linkId),
            { type: 'RevokeGuestLink', data: {}, metadata: { now: deps.clock(), author: authorOf(ctx.identity) } },
            {
              idempotencyKeyHash: keyHash,
              metadata: { actor: actorOf(ctx.identity), correlationId: ctx.requestId || undefined },
            },
          );
          return commandResult(outcome, {
            linkId: ctx.params.linkId,
            revoked: true as const,
            revision: outcome.revision,
            position: outcome.position,
          });
        },
      );
    },
  });
  return [forThread, forAssignment, revoke];
}
