import { ATTACHMENTS_PER_MESSAGE_MAX, type AttachmentRef } from '../../../domain/index.js';
import {
  AttachmentRefusedError,
  type AttachmentStore,
  type Uploader,
} from '../../../platform/attachments/attachmentStore.js';
import type { InboundFileStore } from './inboundWorker.js';

/**
 * The desk's attachment store as the inbound worker uses it: each file of a received email goes
 * through `storeFile` (the sniffing, name cleaning, size and type limits of an upload) as the
 * system's, uploaded by the received email (its Resend id), and is then claimed for the message
 * it arrived with, as an upload is claimed by the command that names it. `onFileStored` wakes a
 * scan worker of the same process.
 */
export function inboundFileStoreOf(store: AttachmentStore, onFileStored?: () => void): InboundFileStore {
  const uploader = (receivedEmailId: string): Uploader => ({ kind: 'system', id: receivedEmailId });
  return {
    maxBytes: store.limits.maxBytes,
    maxFiles: Math.min(store.limits.maxFiles, ATTACHMENTS_PER_MESSAGE_MAX),
    async store({ stream, attachmentId, fileName, contentId, receivedEmailId }) {
      try {
        const staged = await store.storeFile({
          source: stream,
          claimedName: fileName,
          uploader: uploader(receivedEmailId),
          contentId,
          attachmentId,
        });
        onFileStored?.();
        const ref: AttachmentRef = {
          attachmentId: staged.attachmentId,
          sha256: staged.sha256,
          sizeBytes: staged.sizeBytes,
          mediaType: staged.mediaType,
          fileName: staged.fileName,
          contentId: staged.contentId,
        };
        return { ok: true, ref };
      } catch (error) {
        if (error instanceof AttachmentRefusedError) return { ok: false, reason: error.code };
        throw error;
      }
    },
    async claim(refs, receivedEmailId, target) {
      if (!refs.length) return;
      const ids = refs.map((r) => r.attachmentId);
      const { missing } = await store.claimForMessage(ids, uploader(receivedEmailId), target);
      // a file of this email on another message: it can only be an erased one, or a bug; retry later
      if (missing.length) throw new Error(`files ${missing.map((i) => ids[i]).join(', ')} could not be claimed`);
    },
    release: (refs, messageId) =>
      store.releaseClaim(
        refs.map((r) => r.attachmentId),
        messageId,
      ),
  };
}
