import type { SystemConfigEvent } from '../domain/index.js';
import { upsertRows } from './bulkSql.js';
import type { Projection } from './projection.js';

/** The current system config: one row, the public part of which anyone may read. */
export const systemConfigProjection: Projection = {
  name: 'systemConfig',
  version: 3, // 2: show_staff_names_in_presence; 3: notify_team_of_unassigned
  tables: ['support_system_config'],
  eventTypes: ['SystemConfigUpdated'],
  createTables: (t) => `
    CREATE TABLE ${t('support_system_config')} (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      whatsapp_number text,
      support_email text NOT NULL,
      portal_base_url text NOT NULL,
      whatsapp_bubble_enabled boolean NOT NULL,
      show_staff_names_in_presence boolean NOT NULL DEFAULT false,
      notify_team_of_unassigned boolean NOT NULL DEFAULT true,
      updated_at timestamptz NOT NULL,
      updated_by_name text NOT NULL
    );
  `,
  createIndexes: () => '',
  async apply(client, events, t) {
    const last = events[events.length - 1]!.event as SystemConfigEvent;
    const d = last.data;
    await upsertRows(
      client,
      t('support_system_config'),
      [
        ['id', 'boolean'],
        ['whatsapp_number', 'text'],
        ['support_email', 'text'],
        ['portal_base_url', 'text'],
        ['whatsapp_bubble_enabled', 'boolean'],
        ['show_staff_names_in_presence', 'boolean'],
        ['notify_team_of_unassigned', 'boolean'],
        ['updated_at', 'timestamptz'],
        ['updated_by_name', 'text'],
      ],
      ['id'],
      [
        {
          id: true,
          whatsapp_number: d.whatsappNumber,
          support_email: d.supportEmail,
          portal_base_url: d.portalBaseUrl,
          whatsapp_bubble_enabled: d.whatsappBubbleEnabled,
          show_staff_names_in_presence: d.showStaffNamesInPresence,
          notify_team_of_unassigned: d.notifyTeamOfUnassigned,
          updated_at: d.occurredAt,
          updated_by_name: d.by.name,
        },
      ],
    );
    return { threadIds: [] };
  },
};
