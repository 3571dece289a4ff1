import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/**
 * The one client-address rule of the desk. Express's `trust proxy` decides `req.ip` (rate
 * limits, the sign-in throttle, guest token uses, client-error intake); the live push's
 * upgrade requests never pass through express, so they are answered by the same function
 * (`clientAddressOf`) with the same trust. `X-Forwarded-For` is believed only hop by hop from
 * peers this trusts; by default nobody is trusted and the address is the socket's.
 */
export type TrustProxy = (address: string, hop: number) => boolean;

export const trustNobody: TrustProxy = () => false;

/**
 * TRUST_PROXY as express's `trust proxy` reads its values: unset or `false` trusts nobody;
 * `true` trusts every hop (only behind a proxy that overwrites the header); a number trusts
 * that many hops; anything else is a comma-separated list of addresses, CIDRs and the names
 * `loopback`, `linklocal`, `uniquelocal`. A bad address throws a TypeError.
 */
export function compileTrustProxy(setting: string | undefined): TrustProxy {
  const text = setting?.trim() ?? '';
  if (text === '' || text === 'false') return trustNobody;
  if (text === 'true') return () => true;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return (_address, hop) => hop < hops;
  }
  const list = text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return proxyaddr.compile(list);
}

/** The client address of a request (HTTP or websocket upgrade) under this trust. */
export function clientAddressOf(req: IncomingMessage, trust: TrustProxy): string {
  // proxy-addr reads req.socket.remoteAddress, undefined once the socket is gone
  return (proxyaddr(req, trust) as string | undefined) ?? 'unknown';
}
