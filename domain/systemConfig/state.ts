import type { Author } from '../shared.js';
import { defaultSystemConfig, type SystemConfig } from './config.js';
import type { SystemConfigEvent } from './events.js';

/** One stream holds the desk's settings. */
export const systemConfigStreamName = 'systemConfig-global';

export interface SystemConfigState {
  config: SystemConfig;
  /** When and by whom the config was last saved; null while the defaults apply. */
  lastUpdate: { at: string; by: Author } | null;
}

export const initialSystemConfigState: SystemConfigState = Object.freeze({
  config: defaultSystemConfig,
  lastUpdate: null,
});

/** Each update carries the whole config: the latest one wins. */
export function evolveSystemConfig(_state: SystemConfigState, event: SystemConfigEvent): SystemConfigState {
  const { by, occurredAt, ...config } = event.data;
  return { config, lastUpdate: { at: occurredAt, by } };
}
