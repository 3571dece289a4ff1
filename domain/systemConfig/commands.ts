import type { Command } from '../shared.js';
import type { SystemConfigInput } from './config.js';

/** Parsed at the edge with `systemConfigInput` (normalised): the decider trusts it. */
export type UpdateSystemConfig = Command<'UpdateSystemConfig', SystemConfigInput>;
export type SystemConfigCommand = UpdateSystemConfig;
