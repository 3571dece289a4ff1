import { useMemo } from 'react';
import { attachmentLimits, type AttachmentLimits } from './attachments';
import { usePublicConfig } from './publicConfig';

/** The upload limits the desk announces in its public config (the defaults until it has answered). */
export function useAttachmentLimits(): AttachmentLimits {
  const config = usePublicConfig();
  return useMemo(() => attachmentLimits(config.data), [config.data]);
}
