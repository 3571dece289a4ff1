/**
 * Unread markers: a thread is unread when it had activity since this browser last opened it.
 * Kept in localStorage per account (the last activity time seen for each thread).
 */

const MAX_ENTRIES = 2000;

function key(accountId: string): string {
  return `sd.seen.${accountId}`;
}

function load(accountId: string): Record<string, string> {
  try {
    const raw = localStorage.getItem(key(accountId));
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function isUnread(accountId: string, threadId: string, lastActivityAt: string): boolean {
  const seen = load(accountId)[threadId];
  return !seen || Date.parse(lastActivityAt) > Date.parse(seen);
}

export function markSeen(accountId: string, threadId: string, lastActivityAt: string): void {
  const seen = load(accountId);
  if (seen[threadId] && Date.parse(seen[threadId]) >= Date.parse(lastActivityAt)) return;
  seen[threadId] = lastActivityAt;
  const entries = Object.entries(seen);
  const kept =
    entries.length > MAX_ENTRIES ? entries.sort((a, b) => b[1].localeCompare(a[1])).slice(0, MAX_ENTRIES) : entries;
  try {
    localStorage.setItem(key(accountId), JSON.stringify(Object.fromEntries(kept)));
    window.dispatchEvent(new Event('sd:seen'));
  } catch {
    // storage full or disabled: markers just stay on
  }
}

/** Staff this browser has met (assignees, authors), for the assign picker. */
export function rememberStaff(people: { id: string; name: string }[]): void {
  const known = knownStaff();
  let changed = false;
  for (const p of people) {
    if (p.id && p.name && known[p.id] !== p.name) {
      known[p.id] = p.name;
      changed = true;
    }
  }
  if (!changed) return;
  try {
    localStorage.setItem('sd.staff', JSON.stringify(known));
  } catch {
    // ignore
  }
}

export function knownStaff(): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem('sd.staff') ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}
