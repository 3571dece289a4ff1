import type { Author } from '../shared.js';
import { defaultSystemConfig, type SystemConfig } from './config.js';
import type { SystemConfigEvent } from './events.js';

/** One stream holds the desk's settings. */
export const systemConfigStreamName = 'systemConfig-global';

export interface SystemConfigState {
  config: SystemConfig;
  /** null while the defaults apply. */
  updatedAt: string | null;
  updatedBy: Author | null;
}

export const initialSystemConfigState: SystemConfigState = Object.freeze({
  config: defaultSystemConfig,
  updatedAt: null,
  updatedBy: null,
});

/** Each update carries the whole config: the latest one wins. */
export function evolveSystemConfig(_state: SystemConfigState, event: SystemConfigEvent): SystemConfigState {
  const {
    whatsappNumber,
    supportEmail,
    portalBaseUrl,
    whatsappBubbleEnabled,
    showStaffNamesInPresence,
    by,
    occurredAt,
  } = event.data;
  return {
    config: { whatsappNumber, supportEmail, portalBaseUrl, whatsappBubbleEnabled, showStaffNamesInPresence },
    updatedAt: occurredAt,
    updatedBy: by,
  };
}
