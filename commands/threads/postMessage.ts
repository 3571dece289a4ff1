import { randomUUID } from 'node:crypto';
import { postMessageInput } from '../../domain/index.js';
import { plainWords } from '../../platform/http/plainWords.js';
import { problems } from '../../platform/http/problem.js';
import { implement, routeContract } from '../../platform/http/route.js';
import { authorOf, commandHeaders, type CommandDependencies } from '../commandContext.js';
import { deterministicUuid } from '../commandHandler.js';
import { claimAttachments } from '../attachments/messageAttachments.js';
import { threadCommandAnswer, threadIdParams } from './threadAnswer.js';
import { runThreadCommand } from './threadCommand.js';

export const postMessage = routeContract({
  method: 'post',
  path: '/api/support/threads/:threadId/messages',
  operationId: 'postMessage',
  summary: 'Post a message: a staff reply or internal note, or a partner or guest message',
  description:
    'A staff reply (visibility external) makes the thread PENDING; a partner or guest message makes it OPEN, also from RESOLVED. ' +
    'Internal notes (staff only) change no status and are never shown to partners or guests. A CLOSED thread takes no messages. ' +
    '`attachmentIds` names files uploaded first (POST /api/support/attachments) by the same caller; an internal note’s files are as hidden as the note.',
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
      // the files are claimed for this message before it is decided, and given back if it is refused
      let release: () => Promise<void> = async () => undefined;
      try {
        const result = await runThreadCommand(deps, ctx, 'postMessage', async (keyHash) => {
          const messageId = keyHash ? deterministicUuid(`${keyHash}:message`) : randomUUID();
          const files = await claimAttachments(deps.attachments, ctx.identity, ctx.body.attachmentIds, {
            threadId: ctx.params.threadId,
            messageId,
          });
          release = files.release;
          return {
            type: 'PostMessage',
            data: {
              threadId: ctx.params.threadId,
              messageId,
              body: ctx.body.body,
              visibility,
              attachments: files.refs,
            },
            metadata: { now: deps.clock(), author: authorOf(ctx.identity) },
          };
        });
        return { ...result, status: result.status === 200 ? 201 : result.status };
      } catch (error) {
        await release();
        throw error;
      }
    },
  });
