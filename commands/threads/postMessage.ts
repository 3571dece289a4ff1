import { randomUUID } from 'node:crypto';
import { postMessageInput } from '../../domain/index.js';
import { plainWords } from '../../platform/http/plainWords.js';
import { problems } from '../../platform/http/problem.js';
import { implement, routeContract } from '../../platform/http/route.js';
import { authorOf, commandHeaders, type CommandDependencies } from '../commandContext.js';
import { deterministicUuid } from '../commandHandler.js';
import { threadCommandAnswer, threadIdParams } from './threadAnswer.js';
import { runThreadCommand } from './threadCommand.js';

export const postMessage = routeContract({
  method: 'post',
  path: '/api/support/threads/:threadId/messages',
  operationId: 'postMessage',
  summary: 'Post a message: a staff reply or internal note, or a partner or guest message',
  description:
    'A staff reply (visibility external) makes the thread PENDING; a partner or guest message makes it OPEN, also from RESOLVED. ' +
    'Internal notes (staff only) change no status and are never shown to partners or guests. A CLOSED thread takes no messages.',
  tags: ['Threads'],
  access: ['admin', 'agent', 'partner', 'guest'],
  params: threadIdParams,
  body: postMessageInput,
  headers: commandHeaders,
  response: { status: 201, description: 'The message was posted', schema: threadCommandAnswer },
  errors: [404, 409, 412, 422],
});

export const postMessageRoute = (deps: CommandDependencies) =>
  implement(postMessage, {
    async handle(ctx) {
      const visibility = ctx.body.visibility ?? 'external';
      if (visibility === 'internal' && ctx.identity.kind !== 'staff') {
        throw problems.forbidden(plainWords('internal_note_by_non_staff'));
      }
      const result = await runThreadCommand(deps, ctx, 'postMessage', (keyHash) => ({
        type: 'PostMessage',
        data: {
          threadId: ctx.params.threadId,
          messageId: keyHash ? deterministicUuid(`${keyHash}:message`) : randomUUID(),
          body: ctx.body.body,
          visibility,
        },
        metadata: { now: deps.clock(), author: authorOf(ctx.identity) },
      }));
      return { ...result, status: result.status === 200 ? 201 : result.status };
    },
  });
