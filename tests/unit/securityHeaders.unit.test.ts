import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, securityHeaders } from '../../platform/http/app.js';

/**
 * The security headers every answer carries (platform/http/app.ts), pinned to their values: a
 * library update that changes one fails here, not in a browser.
 */
describe('securityHeaders', () => {
  let base = '';
  let close = () => {};

  beforeAll(async () => {
    const app = express();
    app.disable('x-powered-by');
    app.use(securityHeaders);
    app.get('/page', (_req, res) => void res.type('html').send('<p>hi</p>'));
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.use((_req: express.Request, res: express.Response) => void res.status(404).json({ status: 404 }));
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ status: 500 });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it.each(['/page', '/boom', '/nowhere'])('when %s is answered, then the headers are the desk policy', async (path) => {
    const headers = (await fetch(`${base}${path}`)).headers;
    expect(headers.get('content-security-policy')?.split(/;\s*/)).toEqual([
      "default-src 'self'",
      "img-src 'self' data:",
      "style-src 'self' 'unsafe-inline'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ]);
    expect(headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('DENY');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
    // HSTS is the TLS terminator's to decide (it knows whether every subdomain speaks HTTPS)
    expect(headers.get('strict-transport-security')).toBeNull();
    // helmet's further defaults, stricter than before and harmless to a same-origin app
    expect(headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(headers.get('origin-agent-cluster')).toBe('?1');
    expect(headers.get('x-dns-prefetch-control')).toBe('off');
    expect(headers.get('x-download-options')).toBe('noopen');
    expect(headers.get('x-permitted-cross-domain-policies')).toBe('none');
    expect(headers.get('x-xss-protection')).toBe('0');
    expect(headers.get('x-powered-by')).toBeNull();
  });
});
