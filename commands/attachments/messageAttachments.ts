import type { AttachmentRef } from '../../domain/index.js';
import type { AttachmentStore } from '../../platform/attachments/attachmentStore.js';
import { uploaderOf } from '../../platform/attachments/attachmentStore.js';
import { HttpProblem, problems } from '../../platform/http/problem.js';
import type { Identity } from '../../platform/identity/identity.js';

/**
 * The files a message command names, as the message's event will record them: each must be the
 * caller's own upload, on no other message, and not quarantined. They are claimed for the message
 * before the command runs; `release` gives them back when it was refused.
 */
export async function claimAttachments(
  store: AttachmentStore,
  identity: Identity,
  attachmentIds: readonly string[] | undefined,
  target: { threadId: string; messageId: string },
): Promise<{ refs: AttachmentRef[]; release(): Promise<void> }> {
  const ids = attachmentIds ?? [];
  const none = { refs: [], release: async () => undefined };
  if (!ids.length) return none;
  if (identity.kind !== 'staff' && identity.kind !== 'partner' && identity.kind !== 'guest') {
    throw problems.forbidden();
  }
  const { found, missing } = await store.claimForMessage(ids, uploaderOf(identity), target);
  const release = () =>
    store.releaseClaim(
      found.map((f) => f.attachmentId),
      target.messageId,
    );
  if (missing.length) {
    await release();
    throw new HttpProblem(422, 'Unprocessable Content', undefined, {
      code: 'attachment_not_found',
      errors: missing.map((i) => ({
        path: `body.attachmentIds.${i}`,
        message: 'is not a file you uploaded, or it is already on a message',
      })),
    });
  }
  const scans = await store.scanStates(found.map((f) => f.sha256));
  const blocked = found.findIndex((f) => {
    const status = scans.get(f.sha256)?.status;
    return status === 'infected' || status === 'unscannable';
  });
  if (blocked >= 0) {
    await release();
    const status = scans.get(found[blocked]!.sha256)?.status;
    throw new HttpProblem(422, 'Unprocessable Content', undefined, {
      code: status === 'infected' ? 'attachment_quarantined' : 'attachment_unscannable',
      errors: [{ path: `body.attachmentIds.${ids.indexOf(found[blocked]!.attachmentId)}`, message: `is ${status}` }],
    });
  }
  return {
    refs: found.map((f) => ({
      attachmentId: f.attachmentId,
      sha256: f.sha256,
      sizeBytes: f.sizeBytes,
      mediaType: f.mediaType,
      fileName: f.fileName,
      contentId: f.contentId,
    })),
    release,
  };
}
