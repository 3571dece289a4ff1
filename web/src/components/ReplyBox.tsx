import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { ApiError, errorText } from '../lib/api';
import { Icon } from './Icon';
import { Button } from './ui';

export type Visibility = 'external' | 'internal';

/**
 * The composer. Staff switch between a Reply (the partner sees it) and an Internal note
 * (staff only); Ctrl/⌘+Enter sends. The text stays when sending fails.
 */
export function ReplyBox({
  onSend,
  allowInternal,
  disabledReason,
  placeholder,
  onTyping,
}: {
  onSend: (body: string, visibility: Visibility) => Promise<void>;
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
  const id = useId();
  const internal = mode === 'internal';

  async function send(event?: FormEvent) {
    event?.preventDefault();
    if (!body.trim()) {
      setError('Write a message first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSend(body.trim(), mode);
      setBody('');
      onTyping?.(false, mode);
    } catch (e) {
      setError(e instanceof ApiError && e.fieldErrors.body ? `Message ${e.fieldErrors.body}` : errorText(e));
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
      <div className="composer-actions">
        <span className="small muted kbd-hint">Ctrl + Enter to send</span>
        <span className="spacer" />
        <Button type="submit" variant="primary" icon={internal ? 'note' : 'send'} busy={busy}>
          {internal ? 'Add note' : 'Send reply'}
        </Button>
      </div>
    </form>
  );
}
