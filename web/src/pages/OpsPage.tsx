import { AttachmentsSection } from '../components/ops/AttachmentsSection';
import { DeadInboundSection } from '../components/ops/DeadInboundSection';
import { EmailQueueSection } from '../components/ops/EmailQueueSection';
import { Mailbox } from '../components/ops/Mailbox';
import { Projections } from '../components/ops/Projections';

/** /ops: projections (position, lag, rate, rebuild with progress), the email queue, files, the dev mailbox. */
export function OpsPage() {
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Operations</h1>
          <p>Read models, email delivery, stored files and the local mailbox. Refreshes on its own.</p>
        </div>
      </div>
      <div className="stack" style={{ gap: 20 }}>
        <Projections />
        <EmailQueueSection />
        <DeadInboundSection />
        <AttachmentsSection />
        <Mailbox />
      </div>
    </div>
  );
}
