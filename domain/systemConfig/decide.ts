import { DomainError, requireAuthor } from '../shared.js';
import type { SystemConfigCommand, UpdateSystemConfig } from './commands.js';
import type { SystemConfigEvent, SystemConfigUpdated } from './events.js';
import type { SystemConfigState } from './state.js';

export function updateSystemConfig(command: UpdateSystemConfig, state: SystemConfigState): SystemConfigUpdated[] {
  const { author, now } = command.metadata;
  requireAuthor(author, ['staff', 'system'], 'change the system config');
  const input = command.data;
  const current = state.config;
  const next = {
    ...input,
    showStaffNamesInPresence: input.showStaffNamesInPresence ?? current.showStaffNamesInPresence,
    notifyTeamOfUnassigned: input.notifyTeamOfUnassigned ?? current.notifyTeamOfUnassigned,
    satisfactionSurveyEnabled: input.satisfactionSurveyEnabled ?? current.satisfactionSurveyEnabled,
    satisfactionScale: input.satisfactionScale ?? current.satisfactionScale,
    satisfactionLinkDays: input.satisfactionLinkDays ?? current.satisfactionLinkDays,
  };
  if (next.whatsappBubbleEnabled && next.whatsappNumber === null) {
    throw new DomainError('rule', 'whatsapp_number_required', 'the WhatsApp bubble needs a WhatsApp number', {
      issues: [{ path: 'whatsappBubbleEnabled', message: 'needs a WhatsApp number' }],
    });
  }
  if (
    next.whatsappNumber === current.whatsappNumber &&
    next.supportEmail === current.supportEmail &&
    next.portalBaseUrl === current.portalBaseUrl &&
    next.whatsappBubbleEnabled === current.whatsappBubbleEnabled &&
    next.showStaffNamesInPresence === current.showStaffNamesInPresence &&
    next.notifyTeamOfUnassigned === current.notifyTeamOfUnassigned &&
    next.satisfactionSurveyEnabled === current.satisfactionSurveyEnabled &&
    next.satisfactionScale === current.satisfactionScale &&
    next.satisfactionLinkDays === current.satisfactionLinkDays
  ) {
    return [];
  }
  return [{ type: 'SystemConfigUpdated', data: { ...next, by: author, occurredAt: now.toISOString() } }];
}

export function decideSystemConfig(command: SystemConfigCommand, state: SystemConfigState): SystemConfigEvent[] {
  return updateSystemConfig(command, state);
}
