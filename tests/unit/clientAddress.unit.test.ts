import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddressOf, compileTrustProxy } from '../../platform/http/clientAddress.js';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('the client address rule', () => {
  it('when TRUST_PROXY is unset, then X-Forwarded-For is ignored, from a loopback peer too', () => {
    const trust = compileTrustProxy(undefined);
    expect(clientAddressOf(request('127.0.0.1', '198.51.100.9'), trust)).toBe('127.0.0.1');
    expect(clientAddressOf(request('::1', '198.51.100.9'), trust)).toBe('::1');
  });

  it('when TRUST_PROXY lists the proxy, then its forwarded address counts, and only from it', () => {
    const trust = compileTrustProxy('10.0.0.0/8');
    expect(clientAddressOf(request('10.1.2.3', '198.51.100.9'), trust)).toBe('198.51.100.9');
    expect(clientAddressOf(request('192.0.2.50', '198.51.100.9'), trust)).toBe('192.0.2.50');
  });

  it('when a client forges an X-Forwarded-For before the proxy appends, then the first untrusted hop counts', () => {
    const trust = compileTrustProxy('loopback');
    // the client sent "X-Forwarded-For: 1.2.3.4"; the proxy on loopback appended the address it saw
    expect(clientAddressOf(request('127.0.0.1', '1.2.3.4, 198.51.100.9'), trust)).toBe('198.51.100.9');
  });

  it('when TRUST_PROXY is a hop count, then that many proxies are trusted', () => {
    const trust = compileTrustProxy('1');
    expect(clientAddressOf(request('192.0.2.1', '1.2.3.4, 198.51.100.9'), trust)).toBe('198.51.100.9');
  });
});
