import type { AddressInfo } from 'node:net';

const unspecified = new Set(['', '0.0.0.0', '::', '[::]', '::0']);

/**
 * Where this desk serves, as a browser would reach it: `http://<host>:<port>`. The port is the
 * one the server actually listens on (PORT=0 or a test's free port included); the host is HOST as
 * configured, else the listening address, and `localhost` for "every interface" (0.0.0.0, ::).
 * The default of the portal base URL, so that the first guest link works.
 */
export function servedOrigin(config: { HOST: string; PORT: number }, listening?: AddressInfo | string | null): string {
  const address = listening && typeof listening === 'object' ? listening : undefined;
  const port = address?.port ?? config.PORT;
  let host = !unspecified.has(config.HOST)
    ? config.HOST
    : address && !unspecified.has(address.address)
      ? address.address
      : 'localhost';
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  return `http://${host}:${port}`;
}
