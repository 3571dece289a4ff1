import { useMemo, useState } from 'react';
import { api } from '../lib/api';
import type { SignedIn } from '../lib/session';
import type { Page, StaffMember } from '../lib/types';
import { queryKeys } from '../lib/queryKeys';
import { useDeskQuery } from '../lib/useDeskQuery';

const PAGE = 100;

/**
 * The assignee select of the thread drawer: Unassigned, Me, and every teammate who may be
 * assigned (GET /api/support/staff). When there are more than one page of them, a search box
 * narrows the list by name.
 */
export function AssigneePicker({
  identity,
  assigneeId,
  assigneeName,
  disabled,
  onAssign,
}: {
  identity: SignedIn;
  assigneeId: string | null;
  assigneeName: string | null;
  disabled: boolean;
  onAssign: (assignee: { id: string; name: string } | null) => void;
}) {
  const [search, setSearch] = useState('');
  const q = search.trim();
  const staff = useDeskQuery({
    queryKey: queryKeys.staff(q),
    read: (signal) => api.get<Page<StaffMember>>('/api/support/staff', { signal, query: { q, limit: PAGE } }),
  });
  // the search box stays once shown (a search narrowing to one page must not hide it)
  const [many, setMany] = useState(false);
  if (!many && staff.data?.nextCursor) setMany(true);

  const options = useMemo(() => {
    const byId = new Map<string, string>();
    for (const s of staff.data?.items ?? []) byId.set(s.id, s.name);
    // the current assignee stays visible (another page, or no longer assignable)
    if (assigneeId && assigneeName) byId.set(assigneeId, assigneeName);
    byId.delete(identity.accountId);
    return [...byId.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  }, [staff.data, assigneeId, assigneeName, identity.accountId]);

  function pick(value: string) {
    if (value === '') return onAssign(null);
    if (value === identity.accountId) return onAssign({ id: value, name: identity.name });
    const name = options.find(([id]) => id === value)?.[1];
    if (name) onAssign({ id: value, name });
  }

  return (
    <>
      {many ? (
        <>
          <label className="visually-hidden" htmlFor="assignee-search">
            Find a teammate
          </label>
          <input
            id="assignee-search"
            className="input input-sm"
            style={{ width: 140 }}
            type="search"
            placeholder="Find a teammate"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </>
      ) : null}
      <label className="visually-hidden" htmlFor="assignee-select">
        Assignee
      </label>
      <select
        id="assignee-select"
        className="select input-sm"
        style={{ width: 'auto' }}
        value={assigneeId ?? ''}
        disabled={disabled}
        onChange={(e) => pick(e.target.value)}
        data-testid="assignee-select"
      >
        <option value="">Unassigned</option>
        <option value={identity.accountId}>Me ({identity.name})</option>
        {options.map(([id, name]) => (
          <option key={id} value={id}>
            {name}
          </option>
        ))}
      </select>
    </>
  );
}
