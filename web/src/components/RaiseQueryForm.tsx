import { useState, type FormEvent, useMemo } from 'react';
import { ApiError, api, errorText } from '../lib/api';
import { useAttachmentDrafts } from '../lib/attachmentDrafts';
import { limitsOf, refusalText } from '../lib/attachments';
import { usePublicConfig } from '../lib/publicConfig';
import { AttachButton, DraftAttachmentList, FileDropArea, draftsHint } from './ComposerAttachments';
import { label } from '../lib/format';
import { priorities, queryTypes, type CommandAnswer, type Priority, type QueryType } from '../lib/types';
import { Alert, Button, Field } from './ui';

interface Errors {
  queryType?: string;
  priority?: string;
  subject?: string;
  body?: string;
  form?: string;
}

/** Raise a query on one assignment: query type, priority, subject, message, and files (by button, drop or paste). */
export function RaiseQueryForm({
  assignmentId,
  onRaised,
  onCancel,
}: {
  assignmentId: string;
  onRaised: (answer: CommandAnswer) => void;
  onCancel?: () => void;
}) {
  const [queryType, setQueryType] = useState<QueryType | ''>('');
  const [priority, setPriority] = useState<Priority>('MEDIUM');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const publicConfig = usePublicConfig().data;
  const limits = useMemo(() => limitsOf(publicConfig), [publicConfig]);
  const files = useAttachmentDrafts(limits);
  const filesHint = draftsHint(files);
  const clear = (field: keyof Errors) => setErrors((e) => (e[field] ? { ...e, [field]: undefined } : e));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (files.uploading) return;
    const found: Errors = {};
    if (!queryType) found.queryType = 'Choose what the query is about.';
    if (!subject.trim()) found.subject = 'Give the query a short subject.';
    else if (subject.trim().length > 200) found.subject = 'Keep the subject under 200 characters.';
    if (!body.trim()) found.body = 'Describe your question.';
    setErrors(found);
    const first = (['queryType', 'subject', 'body'] as const).find((k) => found[k]);
    if (first) {
      document.getElementById(`raise-${first}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const answer = await api.post<CommandAnswer>('/api/support/threads', {
        assignmentId,
        queryType,
        priority,
        subject: subject.trim(),
        body: body.trim(),
        ...(files.attachmentIds.length ? { attachmentIds: files.attachmentIds } : {}),
      });
      files.clear();
      onRaised(answer);
    } catch (error) {
      setErrors(
        error instanceof ApiError && Object.keys(error.fieldErrors).length
          ? { ...error.fieldErrors, form: 'Check the fields marked below.' }
          : {
              form:
                error instanceof ApiError && error.code?.startsWith('attachment_')
                  ? refusalText(error, limits)
                  : errorText(error),
            },
      );
      setBusy(false);
    }
  }

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate data-testid="raise-query-form">
      {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
      <Field id="raise-queryType" label="Query type" error={errors.queryType}>
        {(p) => (
          <select
            {...p}
            className="select"
            value={queryType}
            onChange={(e) => {
              setQueryType(e.target.value as QueryType);
              clear('queryType');
            }}
            data-autofocus
            name="queryType"
          >
            <option value="" disabled>
              Choose a type…
            </option>
            {queryTypes.map((t) => (
              <option key={t} value={t}>
                {label(t)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="raise-priority" label="Priority" error={errors.priority}>
        {(p) => (
          <select
            {...p}
            className="select"
            value={priority}
            onChange={(e) => setPriority(e.target.value as Priority)}
            name="priority"
          >
            {priorities.map((x) => (
              <option key={x} value={x}>
                {label(x)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="raise-subject" label="Subject" error={errors.subject}>
        {(p) => (
          <input
            {...p}
            className="input"
            value={subject}
            maxLength={200}
            onChange={(e) => {
              setSubject(e.target.value);
              clear('subject');
            }}
            name="subject"
          />
        )}
      </Field>
      <FileDropArea onFiles={files.add} className="stack">
        <Field id="raise-body" label="Message" hint="What happened, and what do you need from us?" error={errors.body}>
          {(p) => (
            <textarea
              {...p}
              className="textarea"
              rows={6}
              value={body}
              maxLength={10000}
              onChange={(e) => {
                setBody(e.target.value);
                clear('body');
              }}
              name="body"
            />
          )}
        </Field>
        <DraftAttachmentList drafts={files.drafts} onRemove={files.remove} />
        <div className="row">
          <AttachButton onFiles={files.add} limits={limits} />
          {filesHint ? <span className="small muted">{filesHint}</span> : null}
        </div>
      </FileDropArea>
      <div className="row">
        <Button type="submit" variant="primary" busy={busy} icon="send" disabled={files.uploading}>
          Raise query
        </Button>
        {onCancel ? (
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </div>
    </form>
  );
}
