import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access, AnyRoute } from '../../platform/http/route.js';
import type { Role } from '../../platform/identity/identity.js';
import { startTestDesk, type TestDesk } from '../support/testDesk.js';
import { CHAOS_JWT_SECRET } from './support/deskProcess.js';
import { recordFigures } from './support/figures.js';
import { sampleBody } from './support/samples.js';
import { call, guestCaller, jwtCaller, sessionCaller, type Caller, type RawAnswer } from './support/http.js';

/**
 * Every route the desk declares, against every kind of caller, compared with the route's declared
 * policy (`access`). Generated from composeApi's routes: a new route is in the matrix at once.
 */

interface Who {
  key: string;
  /** The role checkAccess sees; undefined for anonymous. */
  role: Role | undefined;
  /** Owns nothing the matrix touches: the API may answer 404 to hide that it exists. */
  outsider: boolean;
  caller: Caller | undefined;
  /** A fresh identity for routes that end the caller's own session. */
  fresh?: () => Promise<Caller>;
}

function allows(access: Access, role: Role | undefined): boolean {
  if (access === 'public') return true;
  if (role === undefined) return false;
  return access === 'authenticated' || access.includes(role);
}

function describeAccess(access: Access): string {
  return typeof access === 'string' ? access : access.join(',');
}

describe('rights: every route against every role', () => {
  let desk: TestDesk;
  let threadId: string;
  let spareLinkId: string;
  const who: Who[] = [];

  beforeAll(async () => {
    // each guest calls from an address of its own (through the trusted loopback proxy): the matrix
    // sends every route once per identity, more guest-token uses than one address may make a minute
    desk = await startTestDesk({ JWT_SECRET: CHAOS_JWT_SECRET, TRUST_PROXY: 'loopback' });
    const pool = desk.db.pool;
    const session = (email: string) => () => sessionCaller(pool, email);
    const acme = await sessionCaller(pool, 'partner@acme.test');
    const globex = await sessionCaller(pool, 'partner@globex.test');
    const agent = await sessionCaller(pool, 'agent@demo.test');
    const raise = async (partner: Caller, assignmentId: string) => {
      const r = await call(desk.base, partner, 'POST', '/api/support/threads', {
        assignmentId,
        queryType: 'OTHER',
        subject: 'Rights',
        body: 'matrix',
      });
      expect(r.status).toBe(201);
      return String((r.json as { threadId: string }).threadId);
    };
    threadId = await raise(acme, 'asg-1001');
    const otherThread = await raise(globex, 'asg-2001');
    const link = async (thread: string) => {
      const r = await call(desk.base, agent, 'POST', `/api/support/threads/${thread}/guest-links`, {});
      expect(r.status).toBe(201);
      return r.json as { token: string; linkId: string };
    };
    const own = await link(threadId);
    const other = await link(otherThread);
    spareLinkId = (await link(threadId)).linkId;
    who.push(
      { key: 'anonymous', role: undefined, outsider: true, caller: undefined },
      {
        key: 'guest of another thread',
        role: 'guest',
        outsider: true,
        caller: fromAddress(guestCaller(other.token), '198.51.100.21'),
      },
      {
        key: 'guest of this thread',
        role: 'guest',
        outsider: false,
        caller: fromAddress(guestCaller(own.token), '198.51.100.22'),
      },
      {
        key: 'partner of another organisation',
        role: 'partner',
        outsider: true,
        caller: globex,
        fresh: session('partner@globex.test'),
      },
      {
        key: 'partner of this organisation',
        role: 'partner',
        outsider: false,
        caller: acme,
        fresh: session('partner@acme.test'),
      },
      { key: 'agent', role: 'agent', outsider: false, caller: agent, fresh: session('agent@demo.test') },
      {
        key: 'auditor',
        role: 'auditor',
        outsider: false,
        caller: await sessionCaller(pool, 'auditor@demo.test'),
        fresh: session('auditor@demo.test'),
      },
      {
        key: 'ops',
        role: 'ops',
        outsider: false,
        caller: await sessionCaller(pool, 'ops@demo.test'),
        fresh: session('ops@demo.test'),
      },
      {
        key: 'admin',
        role: 'admin',
        outsider: false,
        caller: await sessionCaller(pool, 'admin@demo.test'),
        fresh: session('admin@demo.test'),
      },
      {
        key: 'host JWT',
        role: 'host',
        outsider: false,
        caller: await jwtCaller({ sub: 'host-platform', role: 'host' }, 'host'),
      },
    );
  });

  afterAll(async () => {
    await desk?.stop();
  });

  /** A caller whose requests come through the proxy from `address`. */
  function fromAddress(caller: Caller, address: string): Caller {
    return { ...caller, headers: { ...caller.headers, 'x-forwarded-for': address } };
  }

  /** Path parameters: the matrix's own resources (an acme thread and assignment, a spare guest link). */
  function pathOf(route: AnyRoute): string {
    return route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
      switch (name) {
        case 'threadId':
          return threadId;
        case 'assignmentId':
          return 'asg-1001';
        case 'linkId':
          return spareLinkId;
        case 'id':
          return randomBytes(32).toString('hex');
        case 'name':
          return 'systemConfig';
        default:
          return randomUUID();
      }
    });
  }

  /** A valid body where we know one (so that allowed callers reach the handler), else {}. */
  const bodyOf = (route: AnyRoute) => sampleBody(route);

  it('when each role calls each route, then the answer matches the declared policy', async () => {
    const routes = desk.desk.routes;
    expect(routes.length).toBeGreaterThan(20);
    const violations: string[] = [];
    const leaks: string[] = [];
    let cells = 0;
    // routes that end the caller's session run last
    const ordered = [...routes].sort(
      (a, b) => Number(a.operationId === 'signOut') - Number(b.operationId === 'signOut'),
    );
    for (const route of ordered) {
      for (const w of who) {
        const caller = route.operationId === 'signOut' && w.fresh ? await w.fresh() : w.caller;
        const answer: RawAnswer = await call(
          desk.base,
          caller,
          route.method.toUpperCase(),
          pathOf(route),
          bodyOf(route),
        );
        cells++;
        const cell = `${route.method.toUpperCase()} ${route.path} as ${w.key} (access ${describeAccess(route.access)})`;
        const refused = answer.status === 401 || answer.status === 403;
        if (answer.status >= 500) violations.push(`${cell}: ${answer.status} ${answer.text.slice(0, 200)}`);
        else if (allows(route.access, w.role)) {
          if (refused) violations.push(`${cell}: allowed, but answered ${answer.status} ${answer.text.slice(0, 160)}`);
          // someone else's thread or assignment: hidden (404), never shown
          const touchesOurs = /:threadId|:assignmentId/.test(route.path);
          if (w.outsider && touchesOurs && route.access !== 'public' && answer.status !== 404) {
            violations.push(`${cell}: someone else's resource answered ${answer.status}, not 404`);
          }
          if (
            w.outsider &&
            answer.status < 300 &&
            (answer.text.includes(threadId) || answer.text.includes('asg-1001'))
          ) {
            leaks.push(`${cell}: the answer names the acme thread or assignment`);
          }
        } else {
          const expected = w.role === undefined ? [401] : w.outsider ? [401, 403, 404] : [401, 403];
          if (!expected.includes(answer.status)) {
            violations.push(`${cell}: not allowed, but answered ${answer.status} ${answer.text.slice(0, 160)}`);
          }
        }
      }
    }
    recordFigures('rights', {
      routes: routes.length,
      identities: who.length,
      cellsChecked: cells,
      violations: violations.length,
      leaks: leaks.length,
    });
    expect(violations).toEqual([]);
    expect(leaks).toEqual([]);
  });

  it('when an auditor calls every route that changes something, then each refuses and the log does not grow', async () => {
    const auditor = who.find((w) => w.key === 'auditor')!;
    const changing = desk.desk.routes.filter((r) => r.method !== 'get');
    // by declaration: no state-changing route admits auditors
    expect(changing.filter((r) => Array.isArray(r.access) && r.access.includes('auditor')).map((r) => r.path)).toEqual(
      [],
    );
    const before = await desk.countEvents();
    const answers: string[] = [];
    for (const route of changing) {
      if (typeof route.access === 'string') continue; // public or any identity: sign-in, sign-out, client logs
      const answer = await call(desk.base, auditor.caller, route.method.toUpperCase(), pathOf(route), bodyOf(route));
      if (answer.status !== 403) answers.push(`${route.method.toUpperCase()} ${route.path}: ${answer.status}`);
    }
    // the public and any-identity writes change no thread either
    await call(desk.base, auditor.caller, 'POST', '/api/client-logs', { message: 'auditor was here' });
    await call(desk.base, auditor.caller, 'POST', '/api/auth/sign-in', { email: 'auditor@demo.test', password: 'x' });
    expect(answers).toEqual([]);
    expect(await desk.countEvents()).toBe(before);
  });
});
