import { useId, useState, type FormEvent, type KeyboardEvent, useMemo } from 'react';
import { ApiError, errorText } from '../lib/api';
import { useAttachmentDrafts } from '../lib/attachmentDrafts';
import { limitsOf, refusalText } from '../lib/attachments';
import { usePublicConfig } from '../lib/publicConfig';
import { AttachButton, DraftAttachmentList, FileDropArea, draftsHint } from './ComposerAttachments';
import { Icon } from './Icon';
import { Button } from './ui';

export type Visibility = 'external' | 'internal';

/**
 * The composer. Staff switch between a Reply (the partner sees it) and an Internal note
 * (staff only); Ctrl/⌘+Enter sends. Files attach by the button, a drop or a paste, each
 * uploading at once; sending waits until none is still uploading. The text and the files stay
 * when sending fails.
 */
export function ReplyBox({
  onSend,
  allowInternal,
  disabledReason,
  placeholder,
  onTyping,
}: {
  onSend: (body: string, visibility: Visibility, attachmentIds: string[]) => Promise<void>;
  allowInternal?: boolean;
  disabledReason?: string | null;
  placeholder?: string;
  /** Typing starts or stops; `visibility`: a reply or an internal note (partners are not told of a note). */
  onTyping?: (typing: boolean, visibility: Visibility) => void;
}) {
  const [body, setBody] = useState('');
  const [mode, setMode] = useState<Visibility>('external');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const publicConfig = usePublicConfig().data;
  const limits = useMemo(() => limitsOf(publicConfig), [publicConfig]);
  const files = useAttachmentDrafts(limits);
  const id = useId();
  const internal = mode === 'internal';
  const filesHint = draftsHint(files);

  async function send(event?: FormEvent) {
    event?.preventDefault();
    if (files.uploading) return;
    if (!body.trim()) {
      setError('Write a message first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSend(body.trim(), mode, files.attachmentIds);
      setBody('');
      files.clear();
      onTyping?.(false, mode);
    } catch (e) {
      setError(
        e instanceof ApiError && e.fieldErrors.body
          ? `Message ${e.fieldErrors.body}`
          : e instanceof ApiError && e.code?.startsWith('attachment_')
            ? refusalText(e, limits)
            : errorText(e),
      );
    } finally {
      setBusy(false);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void send();
  }

  if (disabledReason) {
    return (
      <p className="muted row small">
        <Icon name="lock" size={14} />
        {disabledReason}
      </p>
    );
  }

  return (
    <form className={`composer${internal ? ' internal' : ''}`} onSubmit={(e) => void send(e)} data-testid="reply-box">
      <FileDropArea onFiles={files.add} className="composer-inner">
        {allowInternal ? (
          <div className="row">
            <div className="segmented" role="radiogroup" aria-label="Message type">
              <button
                type="button"
                role="radio"
                aria-checked={!internal}
                onClick={() => {
                  setMode('external');
                  if (body) onTyping?.(true, 'external');
                }}
              >
                Reply
              </button>
              <button
                type="button"
                role="radio"
                aria-checked={internal}
                className="note"
                onClick={() => {
                  setMode('internal');
                  if (body) onTyping?.(true, 'internal');
                }}
              >
                Internal note
              </button>
            </div>
            <span className="small muted">
              {internal ? 'Only staff will see this note.' : 'The partner will see this reply.'}
            </span>
          </div>
        ) : null}
        <label htmlFor={id} className="visually-hidden">
          {internal ? 'Internal note' : 'Reply'}
        </label>
        <textarea
          id={id}
          className="textarea"
          value={body}
          maxLength={10000}
          placeholder={placeholder ?? (internal ? 'Add a note for your team…' : 'Write a reply…')}
          onChange={(e) => {
            setBody(e.target.value);
            onTyping?.(e.target.value.length > 0, mode);
          }}
          onBlur={() => onTyping?.(false, mode)}
          onKeyDown={onKeyDown}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        {error ? (
          <span className="field-error" id={`${id}-error`} role="alert">
            <Icon name="alertCircle" size={14} />
            {error}
          </span>
        ) : null}
        <DraftAttachmentList drafts={files.drafts} onRemove={files.remove} />
        <div className="composer-actions">
          <AttachButton onFiles={files.add} limits={limits} />
          <span className="small muted kbd-hint">{filesHint ?? 'Ctrl + Enter to send'}</span>
          <span className="spacer" />
          <Button
            type="submit"
            variant="primary"
            icon={internal ? 'note' : 'send'}
            busy={busy}
            disabled={files.uploading}
            title={files.uploading ? 'Waiting for the files to upload' : undefined}
          >
            {internal ? 'Add note' : 'Send reply'}
          </Button>
        </div>
      </FileDropArea>
    </form>
  );
}
