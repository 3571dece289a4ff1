import type { ThreadState } from '../../domain/index.js';
import type { Identity } from '../../platform/identity/identity.js';
import { problems } from '../../platform/http/problem.js';

const notFound = () => problems.notFound('no such thread');

/**
 * Who may touch an existing thread: staff any; a partner only their organisation's; a guest
 * only the thread (or the assignment) of their link. Others get the same 404 as a missing
 * thread, so nobody learns that someone else's thread exists.
 */
export function authorizeThread(identity: Identity) {
  return (state: ThreadState): void => {
    if (state.status === 'EMPTY') throw notFound();
    switch (identity.kind) {
      case 'staff':
      case 'host':
        return;
      case 'partner':
        if (state.partnerOrgId !== identity.partnerOrgId) throw notFound();
        return;
      case 'guest':
        if (identity.scope.kind === 'thread' && identity.scope.threadId !== state.threadId) throw notFound();
        if (identity.scope.kind === 'assignment' && identity.scope.assignmentId !== state.assignmentId)
          throw notFound();
        return;
      case 'anonymous':
        throw problems.unauthorized();
    }
  };
}
