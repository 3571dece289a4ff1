import type { Decider } from '../shared.js';
import type { ServiceLevelCommand } from './commands.js';
import { decideServiceLevels } from './decide.js';
import type { ServiceLevelEvent } from './events.js';
import { evolveServiceLevels, initialServiceLevelsState, type ServiceLevelsState } from './state.js';

export const serviceLevelsDecider: Decider<ServiceLevelCommand, ServiceLevelEvent, ServiceLevelsState> = {
  decide: decideServiceLevels,
  evolve: evolveServiceLevels,
  initialState: initialServiceLevelsState,
};
