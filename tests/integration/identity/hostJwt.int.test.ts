import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpProblem } from '../../../platform/http/problem.js';
import {
  createHostJwtVerifier,
  hostJwtOptionsFromConfig,
  identityConfigSchema,
  type HostJwtVerifier,
} from '../../../platform/identity/hostJwt.js';
import { startHarness, type Harness } from './harness.js';

const SECRET = 'a-shared-secret-of-at-least-32-characters!';
const secretKey = new TextEncoder().encode(SECRET);

function hs256(claims: JWTPayload, options: { expiresIn?: string | number; key?: Uint8Array; omitExp?: boolean } = {}) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (!options.omitExp) jwt.setExpirationTime(options.expiresIn ?? '5m');
  return jwt.sign(options.key ?? secretKey);
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; detail: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpProblem);
    const problem = error as HttpProblem;
    return { status: problem.status, detail: problem.detail };
  }
  throw new Error('expected a refusal');
}

describe('host platform JWTs', () => {
  describe('HS256 with a shared secret', () => {
    const verify = createHostJwtVerifier({ secret: SECRET, issuer: 'host-platform', audience: 'support-desk' });
    const base = { iss: 'host-platform', aud: 'support-desk' };

    it('when a staff token is valid, then it answers a staff identity via jwt', async () => {
      const identity = await verify(
        await hs256({ ...base, sub: 'u-1', role: 'agent', name: 'Ann', email: 'ann@host.test' }),
      );
      expect(identity).toEqual({
        kind: 'staff',
        role: 'agent',
        accountId: 'u-1',
        name: 'Ann',
        email: 'ann@host.test',
        via: 'jwt',
      });
    });

    it('when a token has a roles array, then the first known role in priority order is taken', async () => {
      const identity = await verify(await hs256({ ...base, sub: 'u-2', roles: ['viewer', 'ops', 'auditor'] }));
      expect(identity).toMatchObject({ kind: 'staff', role: 'auditor', name: 'u-2', email: '' });
    });

    it('when a partner token has an org, then it answers a partner identity', async () => {
      expect(await verify(await hs256({ ...base, sub: 'p-1', role: 'partner', org: 'acme' }))).toEqual({
        kind: 'partner',
        role: 'partner',
        accountId: 'p-1',
        partnerOrgId: 'acme',
        name: 'p-1',
        email: '',
        via: 'jwt',
      });
    });

    it('when a token has the host role, then it answers the host identity', async () => {
      expect(await verify(await hs256({ ...base, sub: 'svc-billing', role: 'host' }))).toEqual({
        kind: 'host',
        role: 'host',
        subject: 'svc-billing',
      });
    });

    it('when a token is refused, then the 401 says why', async () => {
      const cases: [Promise<string> | string, RegExp][] = [
        [hs256({ ...base, sub: 'u', role: 'agent' }, { key: new TextEncoder().encode('x'.repeat(40)) }), /signature/],
        [hs256({ ...base, sub: 'p', role: 'partner' }), /partner token needs an org/],
        [hs256({ ...base, sub: 'u', role: 'superuser' }), /no known role/],
        [hs256({ ...base, sub: 'u', roles: ['viewer'] }), /no known role/],
        [hs256({ ...base, sub: 'u', role: 'guest' }), /no known role/],
        [hs256({ ...base, sub: 'u' }), /no role claim/],
        [hs256({ ...base, role: 'agent' }), /no sub claim/],
        [hs256({ ...base, sub: 'u', role: 'agent' }, { expiresIn: Math.floor(Date.now() / 1000) - 120 }), /expired/],
        [hs256({ ...base, sub: 'u', role: 'agent' }, { omitExp: true }), /no exp claim/],
        [hs256({ iss: 'someone-else', aud: 'support-desk', sub: 'u', role: 'agent' }), /iss claim/],
        [hs256({ iss: 'host-platform', aud: 'other', sub: 'u', role: 'agent' }), /aud claim/],
        ['not.a.jwt', /malformed/],
        ['', /malformed/],
      ];
      for (const [token, detail] of cases) {
        const result = await refusal(verify(await token));
        expect(result.status).toBe(401);
        expect(result.detail).toMatch(detail);
      }
    });

    it('when a token is signed with another algorithm, then it is refused', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const token = await new SignJWT({ ...base, sub: 'u', role: 'agent' })
        .setProtectedHeader({ alg: 'ES256' })
        .setExpirationTime('5m')
        .sign(privateKey);
      expect((await refusal(verify(token))).detail).toMatch(/only HS256|algorithm/);
      const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
        JSON.stringify({ ...base, sub: 'u', role: 'admin', exp: 9999999999 }),
      ).toString('base64url')}.`;
      expect((await refusal(verify(none))).status).toBe(401);
    });

    it('when the secret is too short, then no verifier is made', () => {
      expect(() => createHostJwtVerifier({ secret: 'short' })).toThrow(/32/);
      expect(() => createHostJwtVerifier({})).toThrow(/secret or a JWKS URL/);
    });
  });

  describe('asymmetric keys from a JWKS URL', () => {
    let jwksServer: Server;
    let jwksUrl: string;
    let fetches = 0;
    let privateKey: CryptoKey;
    let verify: HostJwtVerifier;

    beforeAll(async () => {
      const pair = await generateKeyPair('ES256');
      privateKey = pair.privateKey;
      const rsa = await generateKeyPair('RS256');
      const jwks = {
        keys: [
          { ...(await exportJWK(pair.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' },
          { ...(await exportJWK(rsa.publicKey)), kid: 'rs-1', alg: 'RS256', use: 'sig' },
        ],
      };
      jwksServer = createServer((req, res) => {
        fetches += 1;
        if (req.url !== '/.well-known/jwks.json') {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
      });
      await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
      jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
      verify = createHostJwtVerifier({ jwksUrl, issuer: 'host-platform' });
    });
    afterAll(async () => {
      jwksServer.closeAllConnections();
      await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
    });

    const es256 = (claims: JWTPayload, kid = 'es-1', key: CryptoKey = privateKey) =>
      new SignJWT({ iss: 'host-platform', ...claims })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setExpirationTime('5m')
        .sign(key);

    it('when a token is signed by a key of the JWKS, then it is accepted, and the JWKS is fetched once', async () => {
      const before = fetches;
      expect(await verify(await es256({ sub: 'u-9', role: 'admin', name: 'Root' }))).toMatchObject({
        kind: 'staff',
        role: 'admin',
        accountId: 'u-9',
        name: 'Root',
        via: 'jwt',
      });
      expect(await verify(await es256({ sub: 'u-9', role: 'ops' }))).toMatchObject({ role: 'ops' });
      expect(fetches - before).toBe(1);
    });

    it('when a token is signed by another key, or names an unknown kid, then it is refused', async () => {
      const other = await generateKeyPair('ES256');
      expect(
        (await refusal(verify(await es256({ sub: 'u', role: 'agent' }, 'es-1', other.privateKey)))).detail,
      ).toMatch(/signature/);
      expect(
        (await refusal(verify(await es256({ sub: 'u', role: 'agent' }, 'es-404', other.privateKey)))).detail,
      ).toMatch(/no key of the host platform/);
    });

    it('when an HS256 token comes and no secret is configured, then it is refused', async () => {
      expect((await refusal(verify(await hs256({ iss: 'host-platform', sub: 'u', role: 'agent' })))).detail).toMatch(
        /HS256|algorithm/,
      );
    });

    it('when the JWKS cannot be fetched, then the 401 says so', async () => {
      const broken = createHostJwtVerifier({ jwksUrl: jwksUrl.replace('jwks.json', 'missing.json') });
      expect((await refusal(broken(await es256({ sub: 'u', role: 'agent' })))).detail).toMatch(/could not be fetched/);
    });

    it('when both a secret and a JWKS are configured, then each token picks its key by alg', async () => {
      const both = createHostJwtVerifier({ secret: SECRET, jwksUrl });
      expect(await both(await hs256({ sub: 'a', role: 'agent' }))).toMatchObject({ role: 'agent' });
      expect(await both(await es256({ sub: 'b', role: 'host' }))).toMatchObject({ kind: 'host', subject: 'b' });
    });
  });

  describe('over HTTP through the middleware', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ verifyHostJwt: createHostJwtVerifier({ secret: SECRET }) });
    });
    afterAll(async () => h.close());

    it('when a valid bearer token is sent, then /me answers its identity and writes need no CSRF token', async () => {
      const token = await hs256({ sub: 'u-1', role: 'partner', org: 'globex', email: 'p@globex.test' });
      const res = await fetch(`${h.baseUrl}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({
        identity: {
          kind: 'partner',
          role: 'partner',
          accountId: 'u-1',
          partnerOrgId: 'globex',
          name: 'u-1',
          email: 'p@globex.test',
          via: 'jwt',
        },
      });
      expect(text).not.toContain(token);
      const write = await fetch(`${h.baseUrl}/api/test/echo`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(write.status).toBe(200);
    });

    it('when a bad bearer token is sent, then it is a 401 problem, even on a public route (not anonymous)', async () => {
      const token = await hs256({ sub: 'u', role: 'partner' });
      const res = await fetch(`${h.baseUrl}/api/auth/sign-in`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'a@b.test', password: 'whatever password' }),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({
        status: 401,
        code: 'unauthenticated',
        detail: expect.stringMatching(/org/),
      });
      const empty = await fetch(`${h.baseUrl}/api/auth/me`, { headers: { authorization: 'Bearer ' } });
      expect(empty.status).toBe(401);
    });
  });

  describe('configuration', () => {
    it('when the env is parsed, then the identity keys have their defaults and checks', () => {
      const parsed = identityConfigSchema.parse({});
      expect(parsed).toEqual({ SESSION_TTL_SECONDS: 43200, SESSION_CACHE_MS: 2000, ALLOWED_ORIGINS: [] });
      expect(hostJwtOptionsFromConfig(parsed)).toBeUndefined();
      const full = identityConfigSchema.parse({
        JWT_SECRET: SECRET,
        JWT_JWKS_URL: 'https://host.example/.well-known/jwks.json',
        JWT_ISSUER: 'host',
        JWT_AUDIENCE: 'desk',
        COOKIE_SECURE: 'true',
        ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443',
      });
      expect(full.COOKIE_SECURE).toBe(true);
      expect(full.ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example:8443']);
      expect(hostJwtOptionsFromConfig(full)).toEqual({
        secret: SECRET,
        jwksUrl: 'https://host.example/.well-known/jwks.json',
        issuer: 'host',
        audience: 'desk',
      });
      expect(identityConfigSchema.safeParse({ JWT_SECRET: 'short' }).success).toBe(false);
      expect(identityConfigSchema.safeParse({ JWT_JWKS_URL: 'ftp://x' }).success).toBe(false);
      expect(identityConfigSchema.safeParse({ ALLOWED_ORIGINS: 'not a url' }).success).toBe(false);
    });
  });
});
