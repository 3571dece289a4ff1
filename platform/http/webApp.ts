import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';

export const webDist = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * Serves the built web app (web/dist) on the API's origin: hashed assets cached for a year,
 * every other non-API path answered with index.html (the app routes itself).
 */
export function serveWebApp(app: Express, dist = webDist): boolean {
  const index = path.join(dist, 'index.html');
  if (!existsSync(index)) return false;
  app.use(
    '/assets',
    express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }),
  );
  app.use(express.static(dist, { index: false, maxAge: '1h' }));
  app.get(/^\/(?!api\/|api$|healthz|readyz|metrics).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return true;
}
