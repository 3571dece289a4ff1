import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AnyRoute } from '../../platform/http/route.js';
import type { Role } from '../../platform/identity/identity.js';
import { startTestDesk, type TestDesk } from '../support/testDesk.js';
import { chaosSeed } from './support/chaosSeed.js';
import { CHAOS_JWT_SECRET } from './support/deskProcess.js';
import { recordFigures } from './support/figures.js';
import { call, guestCaller, jwtCaller, send, sessionCaller, type Caller, type RawAnswer } from './support/http.js';
import { declaredKeys, sampleBodies, sampleBody } from './support/samples.js';

/**
 * Property-based fuzzing of every route the desk declares: bodies, query parameters, path
 * parameters and headers. Whatever comes in: never a 5xx, and a refused request appends nothing.
 */

/** `CHAOS_SEED`, fixed by default so that a run is reproducible; set it to explore further. */
const SEED = chaosSeed('badInput.chaos.test.ts');
const RUNS = Number(process.env.CHAOS_FUZZ_RUNS ?? 1);

/* ------------------------------------------------------------------ generators */

const edgeStrings = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '\ud83d',
  '\ufeff',
  '\u202eevil',
  '\u200b',
  '🙂',
  'e\u0301',
  '\uffff',
  'Ω≈ç√',
  '%00',
  '../../etc/passwd',
  "'; DROP TABLE es_events; --",
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  'x'.repeat(10_001),
  'x'.repeat(201),
  '0',
  '-1',
  'NaN',
  'Infinity',
  '1e309',
  'null',
  'true',
  '__proto__',
  'constructor',
  'toString',
  'me',
  'none',
  'ALL',
);
const anyString = fc.oneof(
  { weight: 3, arbitrary: edgeStrings },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
);
const anyNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1e308, -1e308, 2 ** 53 + 2, 2 ** 64, 5e-324, 59, 60, 86_400 * 91, 3600.5),
);
const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    anyString,
    anyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'prototype')),
      tie('v'),
      {
        maxKeys: 3,
      },
    ),
  ),
})).v;

/** A body as raw JSON text: anything, the route's own keys with odd values, a valid body with one field broken, or polluted. */
function bodyText(route: AnyRoute): fc.Arbitrary<string> {
  const sample = sampleBody(route) ?? {};
  const keys = declaredKeys(route.body);
  const fields = keys.length ? fc.constantFrom(...keys) : fc.string({ maxLength: 8 });
  return fc.oneof(
    { weight: 1, arbitrary: jsonish.map((v) => JSON.stringify(v) ?? 'null') },
    {
      weight: 1,
      arbitrary: fc
        .tuple(...(keys.length ? keys : ['x']).map(() => fc.option(jsonish, { nil: undefined })))
        .map((values) =>
          JSON.stringify(Object.fromEntries((keys.length ? keys : ['x']).map((k, i) => [k, values[i]]))),
        ),
    },
    // a valid body with one field made strange: most of these reach the handler and the database
    { weight: 3, arbitrary: fc.tuple(fields, anyString).map(([k, v]) => JSON.stringify({ ...sample, [k]: v })) },
    { weight: 1, arbitrary: fc.tuple(fields, jsonish).map(([k, v]) => JSON.stringify({ ...sample, [k]: v })) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), jsonish).map(([k, v]) =>
        JSON.stringify(sample)
          .replace(/^\{/, `{${JSON.stringify(k)}:${JSON.stringify({ polluted: v ?? 1 })},`)
          .replace(/,\}$/, '}'),
      ),
    },
  );
}

/** Raw text for a URL: percent-encoded, or deliberately broken. */
const urlPiece = fc.oneof(
  anyString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))),
  fc.constantFrom(
    '%',
    '%zz',
    '%C0%AF',
    '%E0%A4%A',
    '%FF%FE',
    '%00',
    '%2e%2e',
    '..',
    'x'.repeat(3000),
    '%ud800',
    '+',
    '%2F',
  ),
);

function queryText(route: AnyRoute): fc.Arbitrary<string> {
  const keys = [...declaredKeys(route.query), 'waitFor'];
  const key = fc.oneof(
    fc.constantFrom(...keys),
    fc.constantFrom('__proto__', 'constructor', 'x', 'limit[]', 'status[0]'),
    urlPiece,
  );
  return fc
    .array(fc.tuple(key, fc.oneof(urlPiece, fc.constantFrom('', '0', '-1', '101', '1e3', 'ALL', 'OPEN', 'me'))), {
      minLength: 1,
      maxLength: 5,
    })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
}

/* ------------------------------------------------------------------ the test */

describe('bad input: fuzzing every route', () => {
  let desk: TestDesk;
  const callers: Partial<Record<Role | 'anonymous', Caller | undefined>> = {};
  let threadId: string;
  let linkId: string;
  /** Distinct failures of the current test: one example per route, status and kind. */
  let failures = new Map<string, string>();
  const fail = (signature: string, example: string) => {
    if (!failures.has(signature)) failures.set(signature, example);
  };
  const report = () => [...failures].map(([signature, example]) => `${signature} — e.g. ${example}`);
  const figures = {
    bodyCases: 0,
    queryCases: 0,
    pathCases: 0,
    headerCases: 0,
    edgeCases: 0,
    serverErrors: 0,
    eventsFromRefused: 0,
  };

  beforeAll(async () => {
    desk = await startTestDesk({ JWT_SECRET: CHAOS_JWT_SECRET });
    const pool = desk.db.pool;
    for (const role of ['admin', 'agent', 'auditor', 'ops'] as const)
      callers[role] = await sessionCaller(pool, `${role}@demo.test`);
    callers.partner = await sessionCaller(pool, 'partner@acme.test');
    callers.host = await jwtCaller({ sub: 'host', role: 'host' }, 'host');
    await freshThread();
    const link = await call(desk.base, callers.agent, 'POST', `/api/support/threads/${threadId}/guest-links`, {});
    linkId = String((link.json as { linkId: string }).linkId);
    callers.guest = guestCaller(String((link.json as { token: string }).token));
  });

  afterAll(async () => {
    recordFigures('badInput', {
      seed: String(SEED),
      fuzzCases: figures.bodyCases + figures.queryCases + figures.pathCases + figures.headerCases + figures.edgeCases,
      ...figures,
    });
    await desk?.stop();
  });

  /** The caller a route admits, preferring the broadest rights (guests last: their use is throttled). */
  function callerFor(route: AnyRoute, n: number): Caller | undefined {
    if (route.access === 'public') return undefined;
    if (route.access === 'authenticated') return callers.admin;
    const order: Role[] =
      n % 2 && route.access.includes('partner')
        ? ['partner']
        : ['admin', 'agent', 'ops', 'auditor', 'partner', 'host', 'guest'];
    const role = order.find((r) => (route.access as readonly Role[]).includes(r));
    return role ? callers[role] : undefined;
  }

  /** A new open thread of the acme partner, so that one route's fuzzing meets a thread no other route closed. */
  async function freshThread(): Promise<string> {
    const raised = await call(desk.base, callers.partner, 'POST', '/api/support/threads', sampleBodies.raiseQuery);
    if (raised.status !== 201) throw new Error(`could not raise a thread: ${raised.status} ${raised.text}`);
    threadId = String((raised.json as { threadId: string }).threadId);
    return threadId;
  }

  const pathOf = (route: AnyRoute, override?: string) =>
    route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
      if (override !== undefined) return override;
      if (name === 'threadId') return threadId;
      if (name === 'assignmentId') return 'asg-1001';
      if (name === 'linkId') return linkId;
      if (name === 'name') return 'systemConfig';
      return 'a'.repeat(64);
    });

  async function countEvents(): Promise<number> {
    return desk.countEvents();
  }

  /**
   * One request. A 5xx, no answer, or a refused request that appended events is recorded (by route
   * and kind, with the first example) and the fuzzing goes on, so one bug does not hide the others.
   */
  async function probe(signature: string, label: string, run: () => Promise<RawAnswer>): Promise<boolean> {
    const before = await countEvents();
    let answer: RawAnswer;
    try {
      answer = await run();
    } catch (error) {
      fail(`${signature}: no answer`, `${label} (${(error as Error).message})`);
      return true;
    }
    if (answer.status >= 500) {
      figures.serverErrors++;
      fail(`${signature}: ${answer.status}`, label);
      return true;
    }
    if (answer.status >= 400 && (await countEvents()) !== before) {
      figures.eventsFromRefused++;
      fail(`${signature}: refused with ${answer.status} but the log grew`, label);
    }
    return true;
  }

  async function fuzz<T>(arbitrary: fc.Arbitrary<T>, runs: number, run: (value: T, n: number) => Promise<boolean>) {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(arbitrary, (value) => run(value, n++)),
      { numRuns: runs * RUNS, seed: SEED },
    );
    return n;
  }

  beforeEach(() => {
    failures = new Map();
  });

  const withBody = () => desk.desk.routes.filter((r) => r.body && r.operationId !== 'signIn');

  it('when command bodies are fuzzed, then no answer is a 5xx and no refused command appends', async () => {
    for (const route of withBody()) {
      const method = route.method.toUpperCase();
      await freshThread();
      figures.bodyCases += await fuzz(bodyText(route), 150, (body, n) =>
        probe(`${method} ${route.path} body`, `${body.slice(0, 160)} (seed ${SEED})`, () =>
          send(desk.base, method, pathOf(route), {
            body,
            headers: { 'content-type': 'application/json', ...callerFor(route, n)?.headers },
          }),
        ),
      );
    }
    expect(report()).toEqual([]);
  });

  it('when query parameters are fuzzed, then no answer is a 5xx', async () => {
    for (const route of desk.desk.routes.filter((r) => r.method === 'get')) {
      figures.queryCases += await fuzz(queryText(route), 80, (query, n) =>
        probe(`GET ${route.path} query`, `?${query.slice(0, 160)} (seed ${SEED})`, () =>
          send(desk.base, 'GET', `${pathOf(route)}?${query}`, { headers: { ...callerFor(route, n)?.headers } }),
        ),
      );
    }
    expect(report()).toEqual([]);
  });

  it('when path parameters are fuzzed, then no answer is a 5xx and nothing is appended by a refusal', async () => {
    for (const route of desk.desk.routes.filter((r) => r.path.includes(':'))) {
      const method = route.method.toUpperCase();
      const body = sampleBody(route);
      figures.pathCases += await fuzz(urlPiece, 40, (piece, n) =>
        probe(`${method} ${route.path} path`, `${pathOf(route, piece).slice(0, 160)} (seed ${SEED})`, () =>
          send(desk.base, method, pathOf(route, piece), {
            ...(body ? { body: JSON.stringify(body) } : {}),
            headers: { 'content-type': 'application/json', ...callerFor(route, n)?.headers },
          }),
        ),
      );
    }
    expect(report()).toEqual([]);
  });

  it('when command headers are fuzzed (Idempotency-Key, If-Match, X-Wait-For-Position, Content-Type), then no answer is a 5xx', async () => {
    const headerValue = fc.oneof(
      fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
      fc.constantFrom(
        '',
        '"7"',
        'W/"7"',
        '"-1"',
        '"99999999999999999999"',
        '*',
        'x'.repeat(300),
        '1-1',
        '-1--1',
        '0-0',
        '18446744073709551616-1',
      ),
    );
    const header = fc.tuple(
      fc.constantFrom('idempotency-key', 'if-match', 'x-wait-for-position', 'content-type', 'x-request-id', 'origin'),
      headerValue,
    );
    const routes = desk.desk.routes.filter((r) => r.operationId !== 'signIn' && r.operationId !== 'signOut');
    figures.headerCases += await fuzz(
      fc.tuple(fc.constantFrom(...routes), header),
      400,
      ([route, [name, value]], n) => {
        const method = route.method.toUpperCase();
        const body = sampleBody(route);
        return probe(`${method} ${route.path} header ${name}`, `${name}: ${value.slice(0, 80)} (seed ${SEED})`, () =>
          send(desk.base, method, pathOf(route), {
            ...(body ? { body: JSON.stringify(body) } : {}),
            headers: { 'content-type': 'application/json', ...callerFor(route, n)?.headers, [name]: value },
          }),
        );
      },
    );
    expect(report()).toEqual([]);
  });

  it('when bodies are oversized, of the wrong type, deeply nested, invalid UTF-8, huge numbers or polluting, then each is refused cleanly', async () => {
    const raise = desk.desk.routes.find((r) => r.operationId === 'raiseQuery')!;
    await freshThread();
    const post = `/api/support/threads/${threadId}/messages`;
    const partner = callers.partner!.headers;
    const json = { ...partner, 'content-type': 'application/json' };
    const valid = JSON.stringify(sampleBody(raise));
    const cases: [string, string, Record<string, string>, string | Buffer, number[]][] = [
      [
        '64 KiB + 1 body',
        '/api/support/threads',
        json,
        JSON.stringify({ ...sampleBody(raise), body: 'x'.repeat(64 * 1024) }),
        [413],
      ],
      [
        '17 KiB client log',
        '/api/client-logs',
        { 'content-type': 'application/json' },
        JSON.stringify({ message: 'x'.repeat(17 * 1024) }),
        [413],
      ],
      ['text/plain', '/api/support/threads', { ...partner, 'content-type': 'text/plain' }, valid, [415]],
      [
        'form',
        '/api/support/threads',
        { ...partner, 'content-type': 'application/x-www-form-urlencoded' },
        'body=x',
        [415],
      ],
      [
        'multipart',
        '/api/support/threads',
        { ...partner, 'content-type': 'multipart/form-data; boundary=x' },
        '--x--',
        [415],
      ],
      ['xml', '/api/support/threads', { ...partner, 'content-type': 'application/xml' }, '<a/>', [415]],
      [
        'latin1 JSON',
        '/api/support/threads',
        { ...partner, 'content-type': 'application/json; charset=latin1' },
        valid,
        [415],
      ],
      [
        'utf-16 JSON',
        '/api/support/threads',
        { ...partner, 'content-type': 'application/json; charset=utf-16' },
        valid,
        [400, 415],
      ],
      ['no content type', '/api/support/threads', partner, valid, [415]],
      ['empty JSON body', '/api/support/threads', json, '', [400]],
      ['JSON null', '/api/support/threads', json, 'null', [400]],
      ['JSON array', '/api/support/threads', json, '[]', [400]],
      ['JSON string', '/api/support/threads', json, '"hello"', [400]],
      ['JSON number', '/api/support/threads', json, '1e400', [400]],
      ['truncated JSON', '/api/support/threads', json, valid.slice(0, -3), [400]],
      ['deep array', '/api/support/threads', json, `${'['.repeat(30_000)}${']'.repeat(30_000)}`, [400]],
      [
        'deep object in a field',
        post,
        json,
        `{"body":"x","extra":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
        [201, 400],
      ],
      [
        'invalid UTF-8',
        post,
        json,
        Buffer.concat([Buffer.from('{"body":"bad '), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]),
        [201, 400],
      ],
      [
        'overlong UTF-8 slash',
        post,
        json,
        Buffer.concat([Buffer.from('{"body":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
        [201, 400],
      ],
      [
        'BOM',
        post,
        json,
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"body":"with a BOM"}')]),
        [201, 400],
      ],
      ['NUL in a message', post, json, '{"body":"a\\u0000b"}', [400]],
      ['lone surrogate in a message', post, json, '{"body":"a\\ud800b"}', [400]],
      ['reversed surrogates', post, json, '{"body":"\\udc00\\ud800"}', [400]],
      [
        'huge lifetime',
        `/api/support/threads/${threadId}/guest-links`,
        { ...callers.agent!.headers, 'content-type': 'application/json' },
        '{"lifetimeSeconds":1e309}',
        [400],
      ],
      [
        'huge integer',
        `/api/support/threads/${threadId}/guest-links`,
        { ...callers.agent!.headers, 'content-type': 'application/json' },
        '{"lifetimeSeconds":123456789012345678901234567890}',
        [400],
      ],
      ['__proto__ body', post, json, '{"__proto__":{"polluted":true},"body":"proto"}', [201, 400]],
      [
        'constructor.prototype',
        post,
        json,
        '{"constructor":{"prototype":{"polluted":true}},"body":"ctor"}',
        [201, 400],
      ],
      ['duplicate keys', post, json, '{"body":"first","body":"second"}', [201, 400]],
      ['visibility as object', post, json, '{"body":"x","visibility":{"toString":"internal"}}', [400]],
      ['partner note', post, json, '{"body":"x","visibility":"internal"}', [403]],
      // found by the fuzzing above, kept as fixed cases (Postgres text and jsonb cannot hold U+0000 or a lone surrogate)
      [
        'NUL in a subject',
        '/api/support/threads',
        json,
        JSON.stringify({ ...sampleBodies.raiseQuery, subject: 'a\u0000b' }),
        [400],
      ],
      [
        'lone surrogate in a query body',
        '/api/support/threads',
        json,
        JSON.stringify({ ...sampleBodies.raiseQuery, body: '\ud800' }),
        [400],
      ],
      [
        'NUL in a client log',
        '/api/client-logs',
        { 'content-type': 'application/json' },
        JSON.stringify({ message: 'x', stack: 'a\u0000b' }),
        [400],
      ],
    ];
    const unexpected: string[] = [];
    for (const [label, path, headers, body, expected] of cases) {
      figures.edgeCases++;
      let status = 0;
      let text = '';
      await probe(`POST ${path.replace(threadId, ':threadId')} ${label}`, label, async () => {
        const a = await send(desk.base, 'POST', path, { body, headers });
        status = a.status;
        text = a.text;
        return a;
      });
      if (status && !expected.includes(status))
        unexpected.push(`${label}: ${status}, expected ${expected.join(' or ')}: ${text.slice(0, 200)}`);
    }
    // found by the fuzzing of queries and paths, kept as fixed cases
    const gets: [string, string, Caller | undefined, number[]][] = [
      ['NUL in an inbox filter', '/api/support/inbox?assignmentId=%00', callers.admin, [400]],
      ['NUL in a cursor', '/api/support/assignments?after=%00', callers.admin, [400]],
      ['NUL in a partner search', '/api/support/my/threads?q=a%00b', callers.partner, [400]],
      ['bad percent-encoding in a path', '/api/support/threads/%FF%FE', callers.admin, [400, 404]],
      ['bad percent-encoding in a path (command)', '/api/support/threads/%E0%A4%A/resolve', callers.admin, [400, 404]],
    ];
    for (const [label, path, caller, expected] of gets) {
      figures.edgeCases++;
      let status = 0;
      await probe(`${path.split('?')[0]} ${label}`, label, async () => {
        const a = await send(desk.base, path.includes('/resolve') ? 'POST' : 'GET', path, {
          headers: { ...caller?.headers },
        });
        status = a.status;
        return a;
      });
      if (status && !expected.includes(status))
        unexpected.push(`${label}: ${status}, expected ${expected.join(' or ')}`);
    }
    // nothing reached Object.prototype
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(report()).toEqual([]);
    expect(unexpected).toEqual([]);
  });
});
