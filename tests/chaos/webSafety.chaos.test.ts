import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';
import { createLogger } from '../../platform/logger.js';
import { EmailWorker } from '../../workers/email/emailWorker.js';
import { FakeResendServer } from '../support/fakeResend/fakeResendServer.js';
import { DEMO_PASSWORD, startTestDesk, type TestDesk } from '../support/testDesk.js';
import { CHAOS_JWT_SECRET } from './support/deskProcess.js';
import { recordFigures } from './support/figures.js';
import { call, jwtCaller, send, sessionCaller, type Caller, type RawAnswer } from './support/http.js';

/** What people may type, meant to run in a browser or a spreadsheet. */
const HOSTILE = [
  '<script>alert("x")</script>',
  '"><img src=x onerror=alert(1)>',
  "<svg/onload=alert('x')>",
  '<a href="javascript:alert(1)">click</a>',
  '<iframe src="https://evil.example"></iframe>',
  '=HYPERLINK("https://evil.example","click")',
];
/**
 * The live markup of an HTML text that did not come from our templates: every real tag (a raw `<`)
 * is checked; text that was escaped (`&lt;script&gt;`) has no tag and is inert.
 */
function liveMarkup(html: string): string[] {
  const found: string[] = [];
  for (const [tag, name, attributes] of html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)) {
    if (/^(script|img|svg|iframe|object|embed|form|input)$/i.test(name!)) found.push(tag);
    else if (/\son[a-z]+\s*=/i.test(attributes!)) found.push(tag);
    else if (/(href|src)\s*=\s*["']?\s*(javascript|data|vbscript):/i.test(attributes!)) found.push(tag);
  }
  return found;
}

describe('web safety: inert user content, security headers, cookies and CSRF', () => {
  let desk: TestDesk;
  let fake: FakeResendServer;
  let worker: EmailWorker;
  let agent: Caller;
  let partner: Caller;
  let admin: Caller;

  /** A plain thread of the calling test's own. */
  const raiseThread = async (): Promise<string> => {
    const raised = await call(desk.base, partner, 'POST', '/api/support/threads', {
      assignmentId: 'asg-1001',
      queryType: 'OTHER',
      subject: 'A plain thread',
      body: 'Nothing hostile here.',
    });
    expect(raised.status).toBe(201);
    return String((raised.json as { threadId: string }).threadId);
  };

  beforeAll(async () => {
    desk = await startTestDesk({ JWT_SECRET: CHAOS_JWT_SECRET, COOKIE_SECURE: 'true' });
    fake = await FakeResendServer.start({ apiKey: 're_test' });
    worker = new EmailWorker({
      pool: desk.db.pool,
      eventStore: desk.eventStore,
      config: loadConfig({ RESEND_API_KEY: 're_test', RESEND_BASE_URL: fake.url }),
      logger: createLogger('silent'),
    });
    // people's names are user-written too (an admin types them; the host platform sends them)
    await desk.db.pool.query(`UPDATE accounts SET name = $1 WHERE email = 'agent@demo.test'`, [HOSTILE[1]]);
    await desk.db.pool.query(`UPDATE accounts SET name = $1 WHERE email = 'partner@acme.test'`, [HOSTILE[2]]);
    agent = await sessionCaller(desk.db.pool, 'agent@demo.test');
    partner = await sessionCaller(desk.db.pool, 'partner@acme.test');
    admin = await sessionCaller(desk.db.pool, 'admin@demo.test');
    const host = await jwtCaller({ sub: 'host', role: 'host' }, 'host');
    const upsert = await call(desk.base, host, 'PUT', '/api/host/assignments/asg-1001', {
      reference: '<b>A-1001</b><script>x</script>',
      title: HOSTILE[4],
      partnerOrgId: 'acme',
    });
    expect(upsert.status).toBe(200);
  });

  afterAll(async () => {
    await fake?.stop();
    await desk?.stop();
  });

  it('when every user-written field holds script and HTML, then it arrives inert in the emails and in the audit exports', async () => {
    const raised = await call(desk.base, partner, 'POST', '/api/support/threads', {
      assignmentId: 'asg-1001',
      queryType: 'OTHER',
      subject: HOSTILE.join(' ').slice(0, 200),
      body: HOSTILE.join('\n'),
    });
    expect(raised.status).toBe(201);
    const threadId = String((raised.json as { threadId: string }).threadId);
    const link = await call(desk.base, agent, 'POST', `/api/support/threads/${threadId}/guest-links`, {
      recipientEmail: 'guest@example.test',
    });
    expect(link.status).toBe(201);
    for (const body of HOSTILE) {
      expect((await call(desk.base, agent, 'POST', `/api/support/threads/${threadId}/messages`, { body })).status).toBe(
        201,
      );
    }
    expect((await call(desk.base, agent, 'POST', `/api/support/threads/${threadId}/resolve`)).status).toBe(200);
    await worker.runOnce();

    const emails = fake.delivered.filter((e) => e.headers['In-Reply-To']?.includes(threadId) ?? true);
    expect(emails.length).toBeGreaterThanOrEqual(HOSTILE.length + 3);
    const live: string[] = [];
    for (const email of emails) {
      for (const tag of liveMarkup(email.html ?? '')) live.push(`${email.subject.slice(0, 40)}: live markup ${tag}`);
      if (/[\r\n]/.test(email.subject)) live.push(`${email.subject}: line break in the subject`);
      for (const [name, value] of Object.entries(email.headers)) {
        if (/[\r\n]/.test(value)) live.push(`${email.subject}: line break in header ${name}`);
      }
    }
    expect(live).toEqual([]);
    // escaped, not dropped: the words are all there
    expect(emails.some((e) => e.html?.includes('&lt;script&gt;'))).toBe(true);

    const auditor = await sessionCaller(desk.db.pool, 'auditor@demo.test');
    const csv = await call(desk.base, auditor, 'GET', `/api/audit/threads/${threadId}/export?format=csv`);
    const json = await call(desk.base, auditor, 'GET', `/api/audit/threads/${threadId}/export?format=json`);
    const exportProblems: string[] = [];
    for (const [name, answer, type] of [
      ['csv', csv, /^text\/csv/],
      ['json', json, /^application\/json/],
    ] as const) {
      if (answer.status !== 200) exportProblems.push(`${name}: ${answer.status}`);
      if (!type.test(String(answer.headers['content-type'])))
        exportProblems.push(`${name}: ${answer.headers['content-type']}`);
      if (!/^attachment/.test(String(answer.headers['content-disposition'])))
        exportProblems.push(`${name}: not an attachment`);
      if (answer.headers['x-content-type-options'] !== 'nosniff') exportProblems.push(`${name}: sniffable`);
    }
    // no cell a spreadsheet would run as a formula
    for (const cell of csvCells(csv.text)) {
      if (/^[=+\-@\t\r]/.test(cell)) exportProblems.push(`csv cell starts a formula: ${cell.slice(0, 60)}`);
    }
    expect(csv.text).toContain('HYPERLINK'); // the text is there, as text
    expect(exportProblems).toEqual([]);
    recordFigures('webSafety', { hostilePayloads: HOSTILE.length, emailsChecked: emails.length, exportsChecked: 2 });
  });

  it('when any route answers, with success or any error, then it carries the security headers', async () => {
    const answers: [string, RawAnswer][] = [];
    const probe = async (label: string, method: string, path: string, options: Parameters<typeof send>[3] = {}) =>
      answers.push([label, await send(desk.base, method, path, options)]);
    const ids = { threadId: await raiseThread() };
    for (const route of desk.desk.routes) {
      const path = route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) =>
        name === 'threadId' ? ids.threadId : name === 'assignmentId' ? 'asg-1001' : 'x',
      );
      const method = route.method.toUpperCase();
      const body = method === 'GET' || method === 'DELETE' ? undefined : '{}';
      const json: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
      await probe(`${method} ${route.path} as admin`, method, path, { body, headers: { ...admin.headers, ...json } });
      await probe(`${method} ${route.path} anonymous`, method, path, { body, headers: json });
    }
    for (const path of [
      '/healthz',
      '/readyz',
      '/metrics',
      '/api/docs',
      '/api/openapi.json',
      '/nowhere',
      '/api/nowhere',
    ])
      await probe(`GET ${path}`, 'GET', path);
    const json = { ...admin.headers, 'content-type': 'application/json' };
    await probe('bad JSON', 'POST', '/api/support/threads', { body: '{"oops', headers: json });
    await probe('too large', 'POST', '/api/support/threads', {
      body: JSON.stringify({ body: 'x'.repeat(100_000) }),
      headers: json,
    });
    await probe('not JSON', 'POST', '/api/support/threads', {
      body: 'a=b',
      headers: { ...admin.headers, 'content-type': 'application/x-www-form-urlencoded' },
    });
    await probe('OPTIONS', 'OPTIONS', '/api/support/threads');
    await probe('HEAD', 'HEAD', '/healthz');

    const missing: string[] = [];
    for (const [label, a] of answers) {
      const csp = String(a.headers['content-security-policy'] ?? '');
      if (!/default-src 'self'/.test(csp) || !/frame-ancestors 'none'/.test(csp))
        missing.push(`${label} (${a.status}): CSP`);
      if (a.headers['x-frame-options'] !== 'DENY') missing.push(`${label} (${a.status}): X-Frame-Options`);
      if (a.headers['x-content-type-options'] !== 'nosniff') missing.push(`${label} (${a.status}): nosniff`);
      if (a.status >= 400 && a.headers['content-type'] && /text\/html/.test(String(a.headers['content-type'])))
        missing.push(`${label} (${a.status}): an HTML error page`);
    }
    recordFigures('webSafety', { answersCheckedForHeaders: answers.length });
    expect(missing).toEqual([]);
  });

  it('when a browser signs in, then the session cookie is httpOnly, Secure (COOKIE_SECURE=true) and SameSite', async () => {
    const answer = await call(desk.base, undefined, 'POST', '/api/auth/sign-in', {
      email: 'admin@demo.test',
      password: DEMO_PASSWORD,
    });
    expect(answer.status).toBe(200);
    const cookies = (answer.headers['set-cookie'] ?? []).map((c) => c.toLowerCase());
    const session = cookies.find((c) => c.startsWith('sd_session='));
    const csrf = cookies.find((c) => c.startsWith('sd_csrf='));
    expect(session).toMatch(/;\s*httponly/);
    expect(session).toMatch(/;\s*secure/);
    expect(session).toMatch(/;\s*samesite=(lax|strict)/);
    expect(session).toMatch(/;\s*path=\//);
    // the CSRF cookie is read by the web app (double submit), so not httpOnly, but Secure and SameSite
    expect(csrf).toMatch(/;\s*secure/);
    expect(csrf).toMatch(/;\s*samesite=(lax|strict)/);
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('when a cookie-authenticated write comes without the CSRF token, with a wrong one, or from a foreign origin, then it is refused and nothing changes', async () => {
    const threadId = await raiseThread();
    const other = await sessionCaller(desk.db.pool, 'agent@demo.test');
    const cookie = agent.headers.cookie!;
    const token = agent.headers['x-csrf-token']!;
    const path = `/api/support/threads/${threadId}/messages`;
    const attempts: Record<string, Record<string, string>> = {
      'no token': { cookie },
      'wrong token': { cookie, 'x-csrf-token': 'A'.repeat(43) },
      "another session's token": { cookie, 'x-csrf-token': other.headers['x-csrf-token']! },
      'token without its cookie': { cookie: cookie.replace(/;\s*sd_csrf=[^;]*/, ''), 'x-csrf-token': token },
      'foreign origin': { cookie, 'x-csrf-token': token, origin: 'https://evil.example' },
      'null origin': { cookie, 'x-csrf-token': token, origin: 'null' },
      'look-alike origin': { cookie, 'x-csrf-token': token, origin: `${desk.base}.evil.example` },
    };
    const before = await desk.countEvents();
    const refused: string[] = [];
    for (const [label, headers] of Object.entries(attempts)) {
      const answer = await send(desk.base, 'POST', path, {
        body: JSON.stringify({ body: `csrf ${label}` }),
        headers: { 'content-type': 'application/json', ...headers },
      });
      if (answer.status !== 403 || (answer.json as { code?: string }).code !== 'csrf')
        refused.push(`${label}: ${answer.status}`);
    }
    expect(refused).toEqual([]);
    expect(await desk.countEvents()).toBe(before);
    // the right token from our own origin works, and reads need none
    const ok = await send(desk.base, 'POST', path, {
      body: JSON.stringify({ body: 'csrf ok' }),
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': token, origin: desk.base },
    });
    expect(ok.status).toBe(201);
    expect((await send(desk.base, 'GET', `/api/support/threads/${threadId}`, { headers: { cookie } })).status).toBe(
      200,
    );
    recordFigures('webSafety', { csrfAttemptsRefused: Object.keys(attempts).length });
  });
});

/** The cells of a CSV text (RFC 4180 quoting). */
function csvCells(text: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) break;
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else cell += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') cell += text[i++];
    }
    cells.push(cell);
    if (text[i] === ',') i++;
    else while (text[i] === '\r' || text[i] === '\n') i++;
  }
  return cells;
}
