import type { ThreadState } from '../../domain/index.js';
import { publicReaderMayRead, type Identity } from '../../platform/identity/identity.js';
import { plainWords } from '../../platform/http/plainWords.js';
import { problems } from '../../platform/http/problem.js';

const notFound = () => problems.notFound(plainWords('thread_not_found'));

/**
 * Who may touch an existing thread: staff any; a partner only their organisation's; a guest
 * only the thread of their link, or a thread of its assignment in the organisation the link
 * was issued for. Others get the same 404 as a missing thread, so nobody learns that someone
 * else's thread exists.
 */
export function authorizeThread(identity: Identity) {
  return (state: ThreadState): void => {
    if (state.status === 'EMPTY') throw notFound();
    switch (identity.kind) {
      case 'staff':
      case 'host':
        return;
      case 'partner':
      case 'guest':
        // the same rule as every read: a guest link only covers threads of the organisation it was issued for
        if (
          !publicReaderMayRead(identity, {
            threadId: state.threadId,
            partnerOrgId: state.partnerOrgId,
            assignmentId: state.assignmentId,
          })
        )
          throw notFound();
        return;
      case 'anonymous':
        throw problems.unauthorized();
    }
  };
}
