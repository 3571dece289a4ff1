import { useEffect, useId, useRef, useState, type FormEvent, type MouseEvent } from 'react';
import { createPortal } from 'react-dom';
import { errorText } from '../lib/api';
import { needsHeaderFetch, openFileWithHeader, useFileSource } from '../lib/attachmentFiles';
import { fetchableNow, formatBytes, isImage, isPdf, scanText, type AttachmentView } from '../lib/attachments';
import { formatDateTime, formatRelative } from '../lib/format';
import { Icon } from './Icon';
import { Button } from './ui';

/** A file's scan state, when it is not clean: scanning, not scanned, blocked, could not be scanned. */
export function ScanChip({ attachment }: { attachment: AttachmentView }) {
  const text = scanText(attachment.scan);
  if (!text) return null;
  const tone =
    attachment.scan === 'infected' || attachment.scan === 'unscannable'
      ? ' badge-red'
      : attachment.scan === 'pending'
        ? ' badge-blue'
        : ' badge-amber';
  return (
    <span className={`badge scan-chip${tone}`} data-testid="scan-chip" data-scan={attachment.scan}>
      <Icon name={attachment.scan === 'infected' ? 'shieldX' : 'shield'} size={11} />
      {text}
    </span>
  );
}

/** The larger image, in place: a dialog over the page; Escape, the close button or a click beside it closes it. */
export function Lightbox({ attachment, onClose }: { attachment: AttachmentView; onClose: () => void }) {
  const { src, failed } = useFileSource(attachment.previewUrl ?? attachment.url);
  const close = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    close.current?.focus();
    // capture, and mark it handled: the drawer under the image stays open
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      event.stopPropagation();
      onCloseRef.current();
    };
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      if (opener && document.contains(opener)) opener.focus();
    };
  }, []);
  const onBackdrop = (event: MouseEvent) => {
    if (event.target === event.currentTarget) onCloseRef.current();
  };
  return createPortal(
    <div
      className="lightbox"
      role="dialog"
      aria-modal="true"
      aria-labelledby={titleId}
      onClick={onBackdrop}
      data-testid="lightbox"
    >
      <div className="lightbox-bar">
        <span id={titleId} className="file-name">
          {attachment.fileName}
        </span>
        <span className="small">{formatBytes(attachment.sizeBytes)}</span>
        <span className="spacer" />
        <button
          ref={close}
          type="button"
          className="btn btn-ghost btn-icon"
          aria-label="Close image"
          title="Close (Esc)"
          onClick={() => onCloseRef.current()}
        >
          <Icon name="x" size={18} />
        </button>
      </div>
      {src ? (
        <img className="lightbox-image" src={src} alt={attachment.fileName} onClick={onBackdrop} />
      ) : (
        <p className="lightbox-note">{failed ? 'The image could not be loaded.' : 'Loading…'}</p>
      )}
    </div>,
    document.body,
  );
}

function ImageTile({ attachment }: { attachment: AttachmentView }) {
  const [open, setOpen] = useState(false);
  const { src, failed } = useFileSource(attachment.thumbnailUrl ?? attachment.previewUrl);
  return (
    <>
      <button
        type="button"
        className="attachment-thumb"
        aria-label={`Open ${attachment.fileName} larger`}
        title={attachment.fileName}
        onClick={() => setOpen(true)}
        data-testid="attachment-thumbnail"
      >
        {src ? (
          <img src={src} alt={attachment.fileName} loading="lazy" />
        ) : (
          <span className="attachment-thumb-empty">
            <Icon name={failed ? 'alertCircle' : 'image'} size={22} />
          </span>
        )}
      </button>
      {open ? <Lightbox attachment={attachment} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

/** A link to a file: a plain link for a session's cookie; for a guest, a fetch with the link's header. */
function FileLink({
  url,
  attachment,
  as,
  children,
}: {
  url: string;
  attachment: AttachmentView;
  as: 'download' | 'preview';
  children: string;
}) {
  const [error, setError] = useState<string | null>(null);
  const testId = as === 'download' ? 'attachment-download' : 'attachment-preview';
  if (!needsHeaderFetch()) {
    return as === 'download' ? (
      <a className="small" href={url} download={attachment.fileName} data-testid={testId}>
        {children}
      </a>
    ) : (
      <a className="small" href={url} target="_blank" rel="noopener noreferrer" data-testid={testId}>
        {children}
      </a>
    );
  }
  return (
    <>
      <button
        type="button"
        className="link-button small"
        data-testid={testId}
        onClick={() => {
          setError(null);
          openFileWithHeader(url, attachment.fileName, as).catch((e: unknown) => setError(errorText(e)));
        }}
      >
        {children}
      </button>
      {error ? <span className="small field-error">{error}</span> : null}
    </>
  );
}

function EraseControl({
  attachment,
  onErase,
}: {
  attachment: AttachmentView;
  onErase: (attachmentId: string, reason: string) => Promise<void>;
}) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  if (!confirming) {
    return (
      <Button size="sm" variant="ghost" icon="trash" onClick={() => setConfirming(true)}>
        Erase file
      </Button>
    );
  }
  async function erase(event: FormEvent) {
    event.preventDefault();
    if (!reason.trim()) {
      setError('Say why the file is erased: the history keeps the reason.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onErase(attachment.attachmentId, reason.trim());
      setConfirming(false);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="erase-form" onSubmit={(e) => void erase(e)} data-testid="erase-form">
      <label htmlFor={id} className="small">
        Erase the bytes of {attachment.fileName} for good? Everyone will see “File removed”; the history keeps its
        fingerprint and your reason.
      </label>
      <input
        id={id}
        className="input input-sm"
        value={reason}
        maxLength={500}
        placeholder="Reason (required)"
        onChange={(e) => setReason(e.target.value)}
        aria-invalid={error ? true : undefined}
      />
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
      <span className="row">
        <Button type="submit" size="sm" variant="danger" busy={busy}>
          Erase for good
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setConfirming(false)}>
          Keep
        </Button>
      </span>
    </form>
  );
}

function AttachmentItem({
  attachment: a,
  audience,
  mine,
  onErase,
}: {
  attachment: AttachmentView;
  audience: 'staff' | 'public';
  mine: boolean;
  onErase?: ((attachmentId: string, reason: string) => Promise<void>) | undefined;
}) {
  if (a.erased) {
    return (
      <li className="attachment attachment-erased" data-testid="attachment" data-erased="">
        <Icon name="trash" size={16} />
        <div className="attachment-main">
          <span className="file-name">{a.fileName}</span>
          <span className="small muted" data-testid="attachment-erased">
            File removed
            {audience === 'staff' ? (
              <>
                {a.erased.by ? ` by ${a.erased.by}` : ''}{' '}
                <time dateTime={a.erased.at} title={formatDateTime(a.erased.at)}>
                  {formatRelative(a.erased.at)}
                </time>
                {a.erased.reason ? `: ${a.erased.reason}` : ''}
              </>
            ) : null}
          </span>
        </div>
      </li>
    );
  }
  const fetchable = fetchableNow(a, mine);
  const image = fetchable && isImage(a) && !!(a.thumbnailUrl ?? a.previewUrl);
  return (
    <li className={`attachment${image ? ' attachment-image' : ''}`} data-testid="attachment" data-scan={a.scan}>
      {image ? <ImageTile attachment={a} /> : <Icon name={isImage(a) ? 'image' : 'file'} size={18} />}
      <div className="attachment-main">
        <span className="file-name" title={a.fileName}>
          {a.fileName}
        </span>
        <span className="attachment-meta small muted">
          {formatBytes(a.sizeBytes)}
          {fetchable && a.url ? (
            <FileLink url={a.url} attachment={a} as="download">
              Download
            </FileLink>
          ) : null}
          {fetchable && isPdf(a) && a.previewUrl ? (
            <FileLink url={a.previewUrl} attachment={a} as="preview">
              Preview
            </FileLink>
          ) : null}
        </span>
        <ScanChip attachment={a} />
      </div>
      {onErase ? <EraseControl attachment={a} onErase={onErase} /> : null}
    </li>
  );
}

/** A message's files: images as thumbnails that open larger in place, the rest an icon, name and size. */
export function MessageAttachments({
  attachments,
  audience,
  mine = false,
  onErase,
}: {
  attachments: readonly AttachmentView[];
  audience: 'staff' | 'public';
  /** The reader wrote the message (uploaded its files): they may fetch a file still being scanned. */
  mine?: boolean;
  /** Admins: erase a file's bytes, with a reason. */
  onErase?: ((attachmentId: string, reason: string) => Promise<void>) | undefined;
}) {
  if (attachments.length === 0) return null;
  return (
    <ul className="attachments" aria-label="Files" data-testid="attachments">
      {attachments.map((a) => (
        <AttachmentItem key={a.attachmentId} attachment={a} audience={audience} mine={mine} onErase={onErase} />
      ))}
    </ul>
  );
}
