import { ApiError, api, errorText } from './api';
import { useLive } from './live';
import { queryKeys } from './queryKeys';
import type { SignedIn } from './session';
import type { SlaConfig } from './sla';
import { useDeskQuery } from './useDeskQuery';

/** The desk's calendars and policies (staff may read them; admins edit), re-read on every resync. */
export function useSlaConfig() {
  const config = useDeskQuery({
    queryKey: queryKeys.slaConfig(),
    read: (signal, waitFor) => api.get<SlaConfig>('/api/support/sla/config', { signal, waitFor }),
  });
  useLive((event) => {
    if (event.type === 'resync' || event.type === 'config') void config.reload();
  });
  return config;
}

/** Every time zone the browser knows, for the calendar's picker (UTC first). */
export function timeZones(): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...known.filter((z) => z !== 'UTC')];
}

/** Who saved a calendar or policy last: the desk records their name ("you" for the one reading). */
export function useChangedBy(identity: SignedIn): (updatedBy: string) => string {
  return (updatedBy) => (updatedBy === identity.name ? 'you' : updatedBy);
}

const sentence = (s: string) => {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
};

/**
 * A refused save as errors by field path (`week.mon.0.end`, `targets.HIGH.firstResponseMinutes`,
 * the problem's `errors[].path` without `body.`); `form` holds the rest, in plain words.
 */
export function saveErrors(error: unknown, known: (path: string) => boolean): Record<string, string> {
  if (error instanceof ApiError && Object.keys(error.fieldErrors).length) {
    const found: Record<string, string> = {};
    const rest: string[] = [];
    for (const [path, message] of Object.entries(error.fieldErrors)) {
      if (known(path)) found[path] = sentence(message);
      else rest.push(sentence(message));
    }
    if (rest.length) found.form = rest.join(' ');
    return found;
  }
  return { form: errorText(error) };
}

/** A fresh id for a new calendar or policy (the client names it; the PUT is then safe to repeat). */
export function newId(): string {
  // randomUUID needs a secure context; a desk served over plain http on a LAN name has none
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
