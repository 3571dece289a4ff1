import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Icon } from '../components/Icon';
import { PublicThread } from '../components/PublicThread';
import { WhatsAppBubble } from '../components/WhatsAppBubble';
import { useIdentity } from '../lib/session';

/** /portal/threads/:threadId: the conversation and a reply box. */
export function PortalThreadPage() {
  const { threadId = '' } = useParams();
  const identity = useIdentity();
  const [reference, setReference] = useState<{ ref: string; assignmentId: string } | null>(null);
  return (
    <div className="page page-narrow">
      <PublicThread
        threadId={threadId}
        myId={identity.accountId}
        threadHref={(id) => `/portal/threads/${encodeURIComponent(id)}`}
        onLoaded={(t) =>
          setReference((r) =>
            r?.ref === t.assignmentReference ? r : { ref: t.assignmentReference, assignmentId: t.assignmentId },
          )
        }
        breadcrumb={
          <nav className="breadcrumb" aria-label="Breadcrumb">
            <Link to="/portal">Portal</Link>
            <Icon name="chevronRight" size={12} />
            {reference ? (
              <Link to={`/portal/assignments/${encodeURIComponent(reference.assignmentId)}`}>{reference.ref}</Link>
            ) : null}
            <Icon name="chevronRight" size={12} />
            <span aria-current="page">Conversation</span>
          </nav>
        }
      />
      {reference ? <WhatsAppBubble assignmentReference={reference.ref} threadId={threadId} /> : null}
    </div>
  );
}
