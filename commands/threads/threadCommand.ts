import {
  threadDecider,
  threadStreamName,
  type ThreadCommand,
  type ThreadState,
  type ThreadStatus,
} from '../../domain/index.js';
import type { RouteContext, RouteResult } from '../../platform/http/route.js';
import { actorOf, callerId, commandResult, parseIfMatch, type CommandDependencies } from '../commandContext.js';
import { handleCommand } from '../commandHandler.js';
import { authorizeThread } from './threadAccess.js';

export interface ThreadCommandAnswer {
  threadId: string;
  status: ThreadStatus;
  revision: number;
  position: string | null;
}

/**
 * The common path of every command on an existing thread: Idempotency-Key, If-Match,
 * rights on the loaded thread, decide and append, and the answer with ETag and position.
 */
export async function runThreadCommand(
  deps: CommandDependencies,
  ctx: RouteContext<{ threadId: string }, unknown, unknown>,
  operation: string,
  build: (keyHash: string | undefined) => ThreadCommand | Promise<ThreadCommand>,
): Promise<RouteResult<ThreadCommandAnswer>> {
  const threadId = ctx.params.threadId;
  return deps.idempotency.run(
    {
      key: ctx.header('idempotency-key'),
      callerId: callerId(ctx.identity),
      fingerprint: [operation, threadId, ctx.body],
    },
    async (keyHash) => {
      const command = await build(keyHash);
      const outcome = await handleCommand(deps.eventStore, threadDecider, threadStreamName(threadId), command, {
        ifMatch: parseIfMatch(ctx.header('if-match')),
        idempotencyKeyHash: keyHash,
        metadata: { actor: actorOf(ctx.identity), correlationId: ctx.requestId || undefined },
        authorize: authorizeThread(ctx.identity),
      });
      return commandResult(outcome, {
        threadId,
        status: statusAfterCommand(outcome.state),
        revision: outcome.revision,
        position: outcome.position,
      });
    },
  );
}

/** A thread a command succeeded on has been raised: its status is one of the four. */
export function statusAfterCommand(state: ThreadState): ThreadStatus {
  if (state.status === 'EMPTY') throw new Error('a thread command succeeded on a thread never raised');
  return state.status;
}
