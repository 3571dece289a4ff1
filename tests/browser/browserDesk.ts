import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { securityHeaders } from '../../platform/http/app.js';
import { startTestDesk, type TestDesk } from '../support/testDesk.js';

/**
 * What the browser tests run against: the real desk (API + projector on a real Postgres, from
 * startTestDesk), the web app built once with vite, and a small HTTP server that serves the
 * build and proxies /api (and websocket upgrades) to the desk, so the browser sees one origin,
 * as in production. Responses carry the production security headers (platform/http/app.ts), so an
 * inline script or a CDN would fail.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
/** docs/web.md's screenshots; BROWSER_SCREENSHOTS elsewhere (a run that should not touch the docs). */
export const SCREENSHOTS =
  process.env.BROWSER_SCREENSHOTS ?? path.resolve(import.meta.dirname, '../../docs/screenshots');

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Builds web/ into a folder of its own (test files may run side by side). */
export async function buildWebApp(): Promise<string> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'support-desk-web-'));
  const { build } = await import('vite');
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.resolve(import.meta.dirname, '../../web/vite.config.ts'),
      mode: 'production',
      logLevel: 'error',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    process.env.NODE_ENV = previous;
  }
  return outDir;
}

function proxyHttp(target: URL, req: IncomingMessage, res: import('node:http').ServerResponse): void {
  const upstream = httpRequest(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      // Host stays the browser's: the desk compares it with Origin on cookie-authenticated writes
      headers: req.headers,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('desk unreachable');
  });
  req.pipe(upstream);
}

function proxyUpgrade(target: URL, req: IncomingMessage, socket: Socket, head: Buffer): void {
  const upstream = connect(Number(target.port), target.hostname, () => {
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  const end = () => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on('error', end);
  socket.on('error', end);
}

/**
 * Serves the build (SPA fallback to index.html) and proxies /api to the desk, and websocket
 * upgrades to `socketBase` (the desk itself by default).
 */
export async function serveWebApp(
  distDir: string,
  deskBase: string,
  socketBase: string | null = deskBase,
): Promise<{ base: string; server: Server }> {
  const target = new URL(deskBase);
  const socketTarget = socketBase ? new URL(socketBase) : null;
  const index = await readFile(path.join(distDir, 'index.html'));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname.startsWith('/api/') || url.pathname === '/healthz') return proxyHttp(target, req, res);
    void (async () => {
      const file = path.join(distDir, path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''));
      // the desk's own security headers (CSP and all), as production answers
      await new Promise<void>((resolve, reject) =>
        securityHeaders(req, res, (error?: unknown) => (error ? reject(error) : resolve())),
      );
      if (file.startsWith(distDir) && existsSync(file) && (await stat(file)).isFile()) {
        const type = types[path.extname(file)] ?? 'application/octet-stream';
        const immutable = url.pathname.startsWith('/assets/');
        res.writeHead(200, {
          'content-type': type,
          'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
        res.end(await readFile(file));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(index);
    })().catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (socketTarget) proxyUpgrade(socketTarget, req, socket as Socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

export interface BrowserDesk {
  desk: TestDesk;
  web: string;
  /** True when the browser talks to an API process with the live websocket. */
  liveSocket: boolean;
  browser: Browser;
  /** A fresh browser profile (its own cookies and storage), like another person's computer. */
  newContext(options?: { phone?: boolean }): Promise<BrowserContext>;
  /** Signs in through the sign-in page and waits for the home page of the account. */
  signIn(page: Page, email: string): Promise<void>;
  /** Errors the page logged or threw (CSP violations included). */
  pageErrors: string[];
  screenshot(page: Page, name: string): Promise<void>;
  stop(): Promise<void>;
}

/** `env`: the desk's environment beyond the test defaults (a webhook secret, say). */
export async function startBrowserDesk(env: Record<string, string> = {}): Promise<BrowserDesk> {
  const [desk, dist] = await Promise.all([startTestDesk(env), buildWebApp()]);
  // the test desk carries the live hub; BROWSER_TESTS_POLLING=1 keeps the socket away (polling fallback)
  const polling = process.env.BROWSER_TESTS_POLLING === '1';
  const { base: web, server } = await serveWebApp(dist, desk.base, polling ? null : desk.base);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const pageErrors: string[] = [];
  const contexts: BrowserContext[] = [];
  await mkdir(SCREENSHOTS, { recursive: true });

  return {
    desk,
    web,
    liveSocket: !polling,
    browser,
    pageErrors,
    async newContext(options = {}) {
      const context = await browser.newContext({
        baseURL: web,
        viewport: options.phone ? { width: 375, height: 812 } : { width: 1360, height: 900 },
        deviceScaleFactor: options.phone ? 2 : 1,
        ...(options.phone ? { isMobile: true, hasTouch: true } : {}),
        locale: 'en-GB',
        timezoneId: 'Europe/Amsterdam',
        reducedMotion: 'reduce',
      });
      context.on('page', (page) => {
        page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
        page.on('console', (message) => {
          if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
            pageErrors.push(`csp: ${message.text()}`);
          }
        });
      });
      contexts.push(context);
      return context;
    },
    async signIn(page, email) {
      await page.goto('/sign-in');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('demo-password-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
    },
    async screenshot(page, name) {
      // let transitions and skeletons settle
      await page.waitForTimeout(250);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
    },
    async stop() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await desk.stop();
      await rm(dist, { recursive: true, force: true });
    },
  };
}
