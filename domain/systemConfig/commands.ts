import type { z } from 'zod';
import type { Command } from '../shared.js';
import type { systemConfigInput } from './config.js';

export type UpdateSystemConfig = Command<'UpdateSystemConfig', z.input<typeof systemConfigInput>>;
export type SystemConfigCommand = UpdateSystemConfig;
