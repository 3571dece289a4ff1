/** `seed`: demo data at any size, through the event log. */
import { AssignmentDirectory } from '../commands/assignmentDirectory/assignmentDirectory.js';
import { UsageError, type Command } from './commandLine.js';
import { progressBar } from './progressBar.js';
import { seedThreads } from './seed.js';

export const seedCommands: Record<string, Command> = {
  seed: {
    summary: 'Demo data at any size: threads with messages, through the event log',
    usage: 'seed --threads <n>',
    options: { threads: { type: 'string', description: 'how many threads (default 1000)' } },
    async run(infra, values) {
      const threads = Number(values.threads ?? 1000);
      if (!Number.isSafeInteger(threads) || threads < 1) throw new UsageError('--threads must be a positive integer');
      const directory = new AssignmentDirectory(infra.pool);
      const assignments = await directory.ensureDemoAssignments();
      const bar = progressBar('seed');
      const started = performance.now();
      const events = await seedThreads(infra.eventStore, infra.pool, {
        threads,
        assignments,
        agents: [{ id: 'seed-agent', name: 'Sam Seed' }],
        onProgress: (done, total) =>
          bar.update(done / total, `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} threads`),
      });
      bar.done(`${events.toLocaleString('en-US')} events in ${((performance.now() - started) / 1000).toFixed(1)}s`);
      console.log('projections catch up in the running desk (npm start), or run: npm run ops -- rebuild threads');
      return 0;
    },
  },
};
