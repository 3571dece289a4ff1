import { useRef, useState, type ClipboardEvent, type DragEvent, type ReactNode } from 'react';
import { draftPercent, pastedName, type AttachmentDraft, type AttachmentDrafts } from '../lib/attachmentDrafts';
import { formatBytes, formatLimit, type AttachmentLimits } from '../lib/attachments';
import { Icon } from './Icon';
import { Button } from './ui';

// while dragging, the files themselves are hidden; their kind is not
const carriesFiles = (event: DragEvent) =>
  [...event.dataTransfer.types].includes('Files') || [...event.dataTransfer.items].some((i) => i.kind === 'file');

/**
 * A composer that takes files dropped onto it (a drop zone shows while files are dragged over it)
 * and images pasted into it. Text pastes as ever; only a paste that carries files is taken here.
 */
export function FileDropArea({
  onFiles,
  disabled,
  className,
  children,
}: {
  onFiles: (files: File[]) => void;
  disabled?: boolean;
  className?: string;
  children: ReactNode;
}) {
  const [dragging, setDragging] = useState(false);
  // dragenter/dragleave fire for every child crossed: count them, the zone goes when the count is 0
  const depth = useRef(0);

  const onDragEnter = (event: DragEvent) => {
    if (disabled || !carriesFiles(event)) return;
    event.preventDefault();
    depth.current += 1;
    setDragging(true);
  };
  const onDragOver = (event: DragEvent) => {
    if (disabled || !carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  };
  const onDragLeave = (event: DragEvent) => {
    if (disabled || !carriesFiles(event)) return;
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setDragging(false);
  };
  const onDrop = (event: DragEvent) => {
    depth.current = 0;
    setDragging(false);
    if (disabled || !carriesFiles(event)) return;
    event.preventDefault();
    const files = [...event.dataTransfer.files];
    if (files.length) onFiles(files);
  };
  const onPaste = (event: ClipboardEvent) => {
    if (disabled) return;
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    const now = new Date();
    // a pasted screenshot is "image.png" or nameless: name it so that two pastes stay apart
    onFiles(
      files.map((f) =>
        f.type.startsWith('image/') && (!f.name || f.name === 'image.png')
          ? new File([f], pastedName(f.type, now), { type: f.type })
          : f,
      ),
    );
  };

  return (
    <div
      className={`file-drop${dragging ? ' dragging' : ''}${className ? ` ${className}` : ''}`}
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
      onPaste={onPaste}
      data-testid="file-drop"
    >
      {children}
      {dragging ? (
        <div className="drop-zone" data-testid="drop-zone">
          <Icon name="upload" size={22} />
          <span>Drop files to attach them</span>
        </div>
      ) : null}
    </div>
  );
}

/** "Attach files": a button that opens the file picker (the input itself stays hidden, and out of the Tab order). */
export function AttachButton({
  onFiles,
  limits,
  disabled,
}: {
  onFiles: (files: File[]) => void;
  limits: AttachmentLimits;
  disabled?: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        type="file"
        multiple
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        data-testid="attach-input"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          // the same file chosen again (after removing it) must fire change again
          e.target.value = '';
          if (files.length) onFiles(files);
        }}
      />
      <Button
        size="sm"
        variant="ghost"
        icon="paperclip"
        disabled={disabled}
        title={`Up to ${limits.maxFiles} files, ${formatLimit(limits.maxBytes)} each. You can also drop files here or paste an image.`}
        onClick={() => input.current?.click()}
      >
        Attach files
      </Button>
    </>
  );
}

function DraftRow({ draft, onRemove }: { draft: AttachmentDraft; onRemove: () => void }) {
  const percent = draftPercent(draft);
  return (
    <li className={`draft draft-${draft.state}`} data-testid="attachment-draft" data-state={draft.state}>
      <Icon name={draft.state === 'refused' ? 'alertCircle' : 'file'} size={16} />
      <div className="draft-main">
        <div className="draft-name">
          <span className="file-name">{draft.fileName}</span>
          <span className="small muted">{formatBytes(draft.sizeBytes)}</span>
          {draft.state === 'uploading' ? <span className="small muted">Uploading… {percent}%</span> : null}
        </div>
        {draft.state === 'uploading' ? (
          <div
            className="progress"
            role="progressbar"
            aria-label={`Uploading ${draft.fileName}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
          >
            <span style={{ width: `${percent}%` }} />
          </div>
        ) : draft.state === 'refused' ? (
          <span className="field-error" role="alert" data-testid="attachment-refusal">
            {draft.reason}
          </span>
        ) : (
          <span className="small muted">Attached</span>
        )}
      </div>
      <button
        type="button"
        className="btn btn-ghost btn-icon btn-sm"
        aria-label={draft.state === 'uploading' ? `Cancel ${draft.fileName}` : `Remove ${draft.fileName}`}
        title={draft.state === 'uploading' ? 'Cancel' : 'Remove'}
        onClick={onRemove}
      >
        <Icon name="x" size={14} />
      </button>
    </li>
  );
}

/** The composer's files: each with its progress while it uploads, why when it was refused, and a remove button. */
export function DraftAttachmentList({
  drafts,
  onRemove,
}: {
  drafts: readonly AttachmentDraft[];
  onRemove: (key: string) => void;
}) {
  if (drafts.length === 0) return null;
  return (
    <ul className="drafts" aria-label="Attached files" data-testid="attachment-drafts">
      {drafts.map((d) => (
        <DraftRow key={d.key} draft={d} onRemove={() => onRemove(d.key)} />
      ))}
    </ul>
  );
}

/** What the send button says about files: why it waits, or why a refused file will not go. */
export function draftsHint(files: Pick<AttachmentDrafts, 'drafts' | 'uploading'>): string | null {
  if (files.uploading) return 'Waiting for the files to upload…';
  if (files.drafts.some((d) => d.state === 'refused')) return 'Files that were refused are not sent.';
  return null;
}
