import { describe, expect, it } from 'vitest';
import {
  defaultSystemConfig,
  parseCommandData,
  systemConfigDecider,
  systemConfigInput,
  systemConfigStreamName,
  type Author,
  type SystemConfigUpdated,
  type UpdateSystemConfig,
} from '../../../domain/index.js';
import { by, iso, partner, staff } from './fixtures.js';
import { refusal, specFor } from './spec.js';

const spec = specFor(systemConfigDecider);

const valid = {
  whatsappNumber: '447700900123',
  supportEmail: 'help@desk.example.com',
  portalBaseUrl: 'https://desk.example.com',
  whatsappBubbleEnabled: true,
};

/** The command as the edge hands it to the decider: its data parsed once, with the domain's schema. */
function update(data: Record<string, unknown> = {}, author: Author = staff): UpdateSystemConfig {
  return {
    type: 'UpdateSystemConfig',
    data: parseCommandData('UpdateSystemConfig', systemConfigInput, { ...valid, ...data }),
    metadata: by(author, 5),
  };
}

function updated(data: Partial<SystemConfigUpdated['data']> = {}, minutes = 5): SystemConfigUpdated {
  return {
    type: 'SystemConfigUpdated',
    data: {
      ...valid,
      showStaffNamesInPresence: false,
      notifyTeamOfUnassigned: true,
      satisfactionSurveyEnabled: true,
      satisfactionScale: 'three',
      satisfactionLinkDays: 14,
      by: staff,
      occurredAt: iso(minutes),
      ...data,
    },
  };
}

describe('UpdateSystemConfig', () => {
  it('its one stream is systemConfig-global', () => {
    expect(systemConfigStreamName).toBe('systemConfig-global');
  });

  it('before any update, then the defaults apply', () => {
    expect(spec.given([]).state()).toEqual({ config: defaultSystemConfig, lastUpdate: null });
    expect(defaultSystemConfig).toEqual({
      whatsappNumber: null,
      supportEmail: 'support@example.com',
      portalBaseUrl: 'http://127.0.0.1:3000',
      whatsappBubbleEnabled: false,
      showStaffNamesInPresence: false,
      notifyTeamOfUnassigned: true,
      satisfactionSurveyEnabled: true,
      satisfactionScale: 'three',
      satisfactionLinkDays: 14,
    });
  });

  it('when valid settings are saved, then they are recorded whole', () => {
    spec.given([]).when(update()).then([updated()]);
  });

  it('when the portal URL has a trailing slash or upper-case host, then it is normalised', () => {
    spec
      .given([])
      .when(update({ portalBaseUrl: ' https://Desk.Example.com/portal/ ' }))
      .then([updated({ portalBaseUrl: 'https://desk.example.com/portal' })]);
  });

  it('when the number is empty, then it is cleared (and the bubble must be off)', () => {
    spec
      .given([updated({}, 1)])
      .when(update({ whatsappNumber: '', whatsappBubbleEnabled: false }))
      .then([updated({ whatsappNumber: null, whatsappBubbleEnabled: false })]);
  });

  it.each([
    ['8 digits', '12345678'],
    ['15 digits', '123456789012345'],
  ])('when the number has %s, then it is accepted', (_, whatsappNumber) => {
    spec
      .given([])
      .when(update({ whatsappNumber }))
      .then([updated({ whatsappNumber })]);
  });

  it('when nothing changes, then nothing happens', () => {
    spec
      .given([updated({}, 1)])
      .when(update())
      .thenNothingHappens();
    spec
      .given([])
      .when(update({ ...defaultSystemConfig, portalBaseUrl: 'http://127.0.0.1:3000/' }))
      .thenNothingHappens();
  });

  it('when the bubble is enabled with no number, then it is refused', () => {
    spec
      .given([])
      .when(update({ whatsappNumber: null, whatsappBubbleEnabled: true }))
      .thenThrows('rule', 'whatsapp_number_required');
    spec
      .given([])
      .when(update({ whatsappNumber: '', whatsappBubbleEnabled: true }))
      .thenThrows('rule', 'whatsapp_number_required');
  });

  it('when a partner changes the config, then it is forbidden', () => {
    spec.given([]).when(update({}, partner)).thenThrows('forbidden', 'author_not_allowed');
  });

  it('after an update, then the state holds it, with who and when', () => {
    expect(spec.given([updated()]).state()).toEqual({
      config: {
        ...valid,
        showStaffNamesInPresence: false,
        notifyTeamOfUnassigned: true,
        satisfactionSurveyEnabled: true,
        satisfactionScale: 'three',
        satisfactionLinkDays: 14,
      },
      lastUpdate: { at: iso(5), by: staff },
    });
  });

  it('when staff names in presence are switched on, then the event says so, and an update that omits the switch keeps it', () => {
    spec
      .given([updated({}, 1)])
      .when(update({ showStaffNamesInPresence: true }))
      .then([updated({ showStaffNamesInPresence: true })]);
    // a client that predates the switch sends the four other fields: the switch stays on
    spec
      .given([updated({ showStaffNamesInPresence: true }, 1)])
      .when(update())
      .thenNothingHappens();
    spec
      .given([updated({ showStaffNamesInPresence: true }, 1)])
      .when(update({ supportEmail: 'other@desk.example.com' }))
      .then([updated({ supportEmail: 'other@desk.example.com', showStaffNamesInPresence: true })]);
    // and switching it off again is a change
    spec
      .given([updated({ showStaffNamesInPresence: true }, 1)])
      .when(update({ showStaffNamesInPresence: false }))
      .then([updated({ showStaffNamesInPresence: false })]);
  });

  it('when the team notification switch is turned off, then the event says so, and an update that omits it keeps it', () => {
    spec
      .given([updated({}, 1)])
      .when(update({ notifyTeamOfUnassigned: false }))
      .then([updated({ notifyTeamOfUnassigned: false })]);
    spec
      .given([updated({ notifyTeamOfUnassigned: false }, 1)])
      .when(update())
      .thenNothingHappens();
    spec
      .given([updated({ notifyTeamOfUnassigned: false }, 1)])
      .when(update({ notifyTeamOfUnassigned: true }))
      .then([updated({ notifyTeamOfUnassigned: true })]);
  });
});

describe('the satisfaction survey settings', () => {
  it('when an admin chooses the 1 to 5 scale and a 30-day link, then the event says so, and an update that omits them keeps them', () => {
    const chosen = { satisfactionScale: 'five', satisfactionLinkDays: 30 } as const;
    spec
      .given([updated({}, 1)])
      .when(update(chosen))
      .then([updated(chosen)]);
    spec
      .given([updated(chosen, 1)])
      .when(update())
      .thenNothingHappens();
  });

  it('when the survey is switched off, then the event says so', () => {
    spec
      .given([updated({}, 1)])
      .when(update({ satisfactionSurveyEnabled: false }))
      .then([updated({ satisfactionSurveyEnabled: false })]);
  });

  it.each([
    ['no days', { satisfactionLinkDays: 0 }, 'satisfactionLinkDays', 'must be at least 1 day'],
    ['a year', { satisfactionLinkDays: 365 }, 'satisfactionLinkDays', 'must be at most 90 days'],
    ['half a day', { satisfactionLinkDays: 1.5 }, 'satisfactionLinkDays', 'must be a whole number of days'],
    ['a scale of ten', { satisfactionScale: 'ten' }, 'satisfactionScale', "must be 'three' or 'five'"],
  ])('when %s is typed, then it is refused naming the field', (_what, data, path, message) => {
    const error = refusal(() => update(data));
    expect(error.details.issues).toEqual([{ path, message }]);
  });
});

describe('systemConfigInput: what an admin may type', () => {
  const digits = 'must be 8 to 15 digits, no spaces or +';
  it.each([
    ['a 7-digit number', { whatsappNumber: '1234567' }, 'whatsappNumber', digits],
    ['a 16-digit number', { whatsappNumber: '1234567890123456' }, 'whatsappNumber', digits],
    ['a number with +', { whatsappNumber: '+447700900123' }, 'whatsappNumber', digits],
    ['a number with spaces', { whatsappNumber: '44 7700 900123' }, 'whatsappNumber', digits],
    ['a bad email', { supportEmail: 'support@' }, 'supportEmail', 'must be an email address'],
    [
      'an ftp:// URL',
      { portalBaseUrl: 'ftp://desk.example.com' },
      'portalBaseUrl',
      'must start with http:// or https://',
    ],
    [
      'not a URL',
      { portalBaseUrl: 'desk.example.com' },
      'portalBaseUrl',
      'must be an http(s) URL, e.g. https://desk.example.com',
    ],
    [
      'a URL with a query',
      { portalBaseUrl: 'https://desk.example.com/?a=1' },
      'portalBaseUrl',
      'must not hold a query (?) or fragment (#)',
    ],
    [
      'a string for the team notification switch',
      { notifyTeamOfUnassigned: 'yes' as never },
      'notifyTeamOfUnassigned',
      'must be true or false',
    ],
    [
      'a string for the names switch',
      { showStaffNamesInPresence: 'no' as never },
      'showStaffNamesInPresence',
      'must be true or false',
    ],
    [
      'a string for the bubble',
      { whatsappBubbleEnabled: 'yes' as never },
      'whatsappBubbleEnabled',
      'must be true or false',
    ],
  ])('when it has %s, then it says what is wrong with that field', (_, data, path, message) => {
    const result = systemConfigInput.safeParse({ ...valid, ...data });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))).toEqual([
      { path, message },
    ]);
    // and parsing the command at the edge refuses it with the same words
    const error = refusal(() => update(data));
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'rule', code: 'invalid_command' });
    expect(error.details.issues).toEqual([{ path, message }]);
  });
});
