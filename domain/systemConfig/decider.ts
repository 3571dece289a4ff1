import type { Decider } from '../shared.js';
import type { SystemConfigCommand } from './commands.js';
import { decideSystemConfig } from './decide.js';
import type { SystemConfigEvent } from './events.js';
import { evolveSystemConfig, initialSystemConfigState, type SystemConfigState } from './state.js';

export const systemConfigDecider: Decider<SystemConfigCommand, SystemConfigEvent, SystemConfigState> = {
  decide: decideSystemConfig,
  evolve: evolveSystemConfig,
  initialState: initialSystemConfigState,
};
