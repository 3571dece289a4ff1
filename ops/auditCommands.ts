/** `history` and `verify`: a thread's history, and the hash chains and seals of the log. */
import { embeddedDataDir, type Infrastructure } from '../app/infrastructure.js';
import { loadConfig } from '../app/config.js';
import { isChained, verifyChain, type Verification } from '../eventstore/hashChain.js';
import { START } from '../eventstore/port.js';
import { loadSealKey } from '../platform/audit/sealKey.js';
import { sealsOf } from '../read-api/audit/seals.js';
import { historyCsv, parseAsOf, threadHistory } from '../read-api/audit/threadHistory.js';
import { UsageError, type Command } from './commandLine.js';
import { progressBar } from './progressBar.js';

/** Every hash-chained stream: from the stream table on Postgres, by scanning the log elsewhere. */
async function chainedStreams(infra: Infrastructure): Promise<string[]> {
  if (infra.eventStore.adapter === 'postgres') {
    const { rows } = await infra.pool.query<{ stream_name: string }>(
      'SELECT stream_name FROM es_streams ORDER BY stream_name',
    );
    return rows.map((r) => r.stream_name).filter(isChained);
  }
  const names = new Set<string>();
  let after = START;
  for (;;) {
    const batch = await infra.eventStore.readAll({ after, limit: 5000 });
    if (!batch.length) return [...names].sort();
    for (const e of batch) if (isChained(e.streamName)) names.add(e.streamName);
    after = batch[batch.length - 1]!.position;
  }
}

async function sealKeyFor(): Promise<string> {
  const config = loadConfig();
  return (await loadSealKey(config.AUDIT_SEAL_KEY, await embeddedDataDir(config))).key;
}

export const auditCommands: Record<string, Command> = {
  history: {
    summary: 'A thread’s history: every event with actor and time, its state as of a point, the chain verification',
    usage: 'history <threadId> [--as-of <revision|ISO time>] [--verify] [--format table|json|csv]',
    options: {
      'as-of': { type: 'string', description: 'a revision number or an ISO time: show the state as of then' },
      verify: { type: 'boolean', description: 'verify the hash chains and seals (exit 1 when broken)' },
      format: { type: 'string', description: 'table (default), json or csv' },
    },
    async run(infra, values, positionals) {
      const threadId = positionals[0];
      if (!threadId) throw new UsageError('name the thread (its id)');
      const asOf = parseAsOf(values['as-of'] as string | undefined);
      if (asOf === 'invalid') throw new UsageError('--as-of must be a revision number or an ISO time');
      const format = (values.format as string | undefined) ?? 'table';
      if (!['table', 'json', 'csv'].includes(format)) throw new UsageError('--format must be table, json or csv');
      const history = await threadHistory(infra.eventStore, infra.pool, threadId, {
        asOf,
        sealKey: await sealKeyFor(),
      });
      if (!history) {
        console.error(`no thread ${threadId}`);
        return 1;
      }
      if (format === 'json') console.log(JSON.stringify(history, null, 2));
      else if (format === 'csv') process.stdout.write(historyCsv(history));
      else {
        // thread revisions as numbers; email outcomes by their own stream's revision (email#0, …)
        console.log('rev       when                      type                 actor');
        for (const e of history.events) {
          console.log(
            `${(e.source === 'email' ? `email#${e.revision}` : String(e.revision)).padEnd(9)} ${e.occurredAt.padEnd(25)} ${e.type.padEnd(20)} ${e.actor ? `${e.actor.type}:${e.actor.id}` : '-'}`,
          );
        }
        const s = history.stateAsOf;
        console.log(`\nstate as of revision ${s.revision} (${s.at ?? '-'}): ${JSON.stringify(s.state)}`);
      }
      if (values.verify) {
        for (const v of history.verification.streams) {
          console.error(
            v.ok
              ? `verified ${v.streamName}: ${v.checked} events, ${v.sealsChecked} seals`
              : `BROKEN ${v.streamName} at revision ${v.firstBrokenRevision}: ${v.reason}`,
          );
        }
        return history.verification.ok ? 0 : 1;
      }
      return 0;
    },
  },
  verify: {
    summary: 'Verify hash chains and seals: one thread, or every chained stream with --all',
    usage: 'verify <threadId> | verify --all',
    options: { all: { type: 'boolean', description: 'every chained stream in the log, with a progress bar' } },
    async run(infra, values, positionals) {
      const key = await sealKeyFor();
      if (!values.all) {
        const threadId = positionals[0];
        if (!threadId) throw new UsageError('name a thread, or use --all');
        const history = await threadHistory(infra.eventStore, infra.pool, threadId, { sealKey: key });
        if (!history) throw new UsageError(`no thread ${threadId}`);
        for (const v of history.verification.streams)
          console.log(
            v.ok ? `ok ${v.streamName}` : `BROKEN ${v.streamName} at revision ${v.firstBrokenRevision}: ${v.reason}`,
          );
        return history.verification.ok ? 0 : 1;
      }
      const streams = await chainedStreams(infra);
      const bar = progressBar('verify');
      const broken: Verification[] = [];
      let events = 0;
      for (let i = 0; i < streams.length; i++) {
        const name = streams[i]!;
        const v = verifyChain(name, await infra.eventStore.readStream(name), await sealsOf(infra.pool, name), key);
        events += v.checked;
        if (!v.ok) broken.push(v);
        if (i % 50 === 0 || i === streams.length - 1)
          bar.update((i + 1) / streams.length, `${i + 1}/${streams.length} streams, ${broken.length} broken`);
      }
      bar.done(`${streams.length} streams, ${events} events, ${broken.length} broken`);
      for (const v of broken) console.log(`BROKEN ${v.streamName} at revision ${v.firstBrokenRevision}: ${v.reason}`);
      return broken.length ? 1 : 0;
    },
  },
};
