import { Link } from 'react-router-dom';
import type { LinkedThread } from '../lib/types';
import { Icon } from './Icon';

/**
 * A follow-up and the closed thread it continues, each shown on the other: "Follow-up of …" on
 * the new one, "Continued in …" on the closed one. A reply by email to a closed thread opens a
 * follow-up (a closed thread takes no messages). Without `hrefOf` the subjects show without links.
 */
export function ThreadLinks({
  followUpOf,
  continuedIn,
  hrefOf,
}: {
  followUpOf: LinkedThread | null | undefined;
  continuedIn: readonly LinkedThread[] | undefined;
  hrefOf?: (threadId: string) => string;
}) {
  const continued = continuedIn ?? [];
  if (!followUpOf && continued.length === 0) return null;
  const name = (t: LinkedThread) =>
    hrefOf ? <Link to={hrefOf(t.threadId)}>{t.subject}</Link> : <span>{t.subject}</span>;
  return (
    <div className="stack small" style={{ gap: 4, marginTop: 8 }} data-testid="thread-links">
      {followUpOf ? (
        <p className="row" style={{ margin: 0 }}>
          <Icon name="link" size={13} />
          <span>Follow-up of {name(followUpOf)}</span>
        </p>
      ) : null}
      {continued.map((t) => (
        <p key={t.threadId} className="row" style={{ margin: 0 }}>
          <Icon name="link" size={13} />
          <span>Continued in {name(t)}</span>
        </p>
      ))}
    </div>
  );
}
