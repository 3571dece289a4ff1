/** `email stats` and `email retry`: the email queue. */
import { emailQueueStats, retryAllFailed, retryEmail } from '../workers/email/emailOps.js';
import { UsageError, type Command } from './commandLine.js';

export const emailCommands: Record<string, Command> = {
  email: {
    summary: 'The email queue: `email stats`, `email retry <id>`, `email retry --all-failed`',
    usage: 'email stats [--json] | email retry <id> | email retry --all-failed',
    options: {
      json: { type: 'boolean', description: 'machine-readable stats' },
      'all-failed': { type: 'boolean', description: 'with retry: every failed and dead-lettered email' },
    },
    async run(infra, values, positionals) {
      const [action, id] = positionals;
      if (action === 'stats') {
        const stats = await emailQueueStats(infra.pool);
        console.log(
          values.json
            ? JSON.stringify(stats)
            : Object.entries(stats)
                .map(([k, v]) => `${k}: ${v}`)
                .join('\n'),
        );
        return 0;
      }
      if (action === 'retry' && values['all-failed']) {
        console.log(`${await retryAllFailed(infra.pool)} emails are due again`);
        return 0;
      }
      if (action === 'retry' && id) {
        const result = await retryEmail(infra.pool, id);
        console.log(result === 'retried' ? `email ${id} is due again` : `email ${id}: ${result.replace('_', ' ')}`);
        return result === 'retried' ? 0 : 1;
      }
      throw new UsageError('use: email stats | email retry <id> | email retry --all-failed');
    },
  },
};
