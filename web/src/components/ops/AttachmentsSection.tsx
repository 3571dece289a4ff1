import { Link } from 'react-router-dom';
import { api } from '../../lib/api';
import { formatBytes } from '../../lib/attachments';
import { formatDateTime, formatDuration, formatNumber, formatRelative } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';
import type { AttachmentFigures } from '../../lib/types';
import { useDeskQuery } from '../../lib/useDeskQuery';
import { OpsPanel, PanelBody } from './OpsPanel';

/**
 * Files: what the blob store holds (files and bytes), how many wait for the virus scanner, and
 * the quarantined files (never served: infected or unscannable), each with its thread and what the
 * scanner found or why it could not scan.
 */
export function AttachmentsSection() {
  const files = useDeskQuery({
    queryKey: queryKeys.opsAttachments(),
    read: (signal) => api.get<AttachmentFigures>('/api/ops/attachments', { signal }),
    refetchInterval: 10_000,
  });
  const f = files.data;
  return (
    <OpsPanel
      id="ops-attachments-heading"
      title="Files"
      icon="paperclip"
      testId="ops-attachments"
      aside={
        f && f.quarantined.length > 0 ? (
          <span className="badge badge-red">{f.quarantined.length} quarantined</span>
        ) : null
      }
    >
      <PanelBody
        query={files}
        isEmpty={() => false}
        empty={{ icon: 'paperclip', title: 'No files', text: 'Nobody has attached a file yet.' }}
      >
        {(data) => (
          <>
            <div className="card-body">
              <div className="stats">
                {(
                  [
                    ['ops-files-stored', 'Files', formatNumber(data.files), false],
                    ['ops-files-bytes', 'Storage used', formatBytes(data.storedBytes), false],
                    ['ops-files-staged', 'Uploaded, not sent yet', formatNumber(data.stagedFiles), false],
                    ['ops-files-pending', 'Waiting for the virus scan', formatNumber(data.pendingScan), false],
                    [
                      'ops-files-quarantined',
                      'Quarantined',
                      formatNumber(data.quarantined.length),
                      data.quarantined.length > 0,
                    ],
                  ] as const
                ).map(([testId, name, value, bad]) => (
                  <div key={name} className={`stat${bad ? ' stat-bad' : ''}`} data-testid={testId}>
                    <div className="value">{value}</div>
                    <div className="name">{name}</div>
                  </div>
                ))}
              </div>
            </div>
            <p className="small muted" style={{ padding: '0 20px 12px' }} data-testid="ops-files-scanner">
              {data.scanner
                ? `Virus scanner: ${data.scanner}.`
                : 'No virus scanner is configured: files are served unscanned, and marked so.'}
              {data.oldestPendingSeconds !== null
                ? ` The oldest file waiting for its scan has waited ${formatDuration(data.oldestPendingSeconds)}.`
                : ''}
            </p>
            {data.quarantined.length === 0 ? (
              <p className="small muted" style={{ padding: '0 20px 16px' }}>
                No file is quarantined.
              </p>
            ) : (
              <div className="table-wrap">
                <table className="table" data-testid="ops-quarantined">
                  <caption className="visually-hidden">Quarantined files</caption>
                  <thead>
                    <tr>
                      <th scope="col">Quarantined file</th>
                      <th scope="col">Thread</th>
                      <th scope="col">Why</th>
                      <th scope="col">Scanned</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.quarantined.map((q) => (
                      <tr key={q.attachmentId}>
                        <td>
                          <div style={{ fontWeight: 500, wordBreak: 'break-all' }}>{q.fileName}</div>
                          <div className="small muted">{formatBytes(q.sizeBytes)}</div>
                        </td>
                        <td className="small">
                          {q.threadId ? (
                            <Link to={`/admin/support?thread=${encodeURIComponent(q.threadId)}`}>Open thread</Link>
                          ) : (
                            <span className="muted">Not posted</span>
                          )}
                        </td>
                        <td className="small" style={{ color: 'var(--red)' }}>
                          {q.status === 'infected' ? 'Virus found' : 'Could not be scanned'}
                          {q.detail ? `: ${q.detail}` : ''}
                        </td>
                        <td
                          className="small muted nowrap"
                          title={q.scannedAt ? formatDateTime(q.scannedAt) : undefined}
                        >
                          {q.scannedAt ? formatRelative(q.scannedAt) : ''}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </PanelBody>
    </OpsPanel>
  );
}
