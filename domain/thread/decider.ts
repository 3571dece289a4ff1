import type { Decider } from '../shared.js';
import type { ThreadCommand } from './commands.js';
import { decideThread } from './decide.js';
import type { ThreadEvent } from './events.js';
import { evolveThread, initialThreadState, type ThreadState } from './state.js';

export const threadDecider: Decider<ThreadCommand, ThreadEvent, ThreadState> = {
  decide: decideThread,
  evolve: evolveThread,
  initialState: initialThreadState,
};
