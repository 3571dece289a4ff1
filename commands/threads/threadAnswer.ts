import { z } from 'zod';
import { threadStatusSchema } from '../../domain/thread/vocabulary.js';

export const threadIdParams = z.object({ threadId: z.uuid() });

export const threadCommandAnswer = z
  .object({
    threadId: z.uuid(),
    status: threadStatusSchema.meta({ description: 'The thread status after the command' }),
    revision: z.number().int().meta({ description: 'Stream revision after the command (also the ETag)' }),
    position: z
      .string()
      .nullable()
      .meta({ description: 'Global log position of the change; pass it to reads to wait for it (read-your-writes)' }),
  })
  .meta({ id: 'ThreadCommandAnswer' });
