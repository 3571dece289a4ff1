// proxy-addr is express's own `trust proxy` machinery (req.ip is proxyaddr(req, trust));
// it ships no types and @types/proxy-addr is not installed: the part the desk uses.
declare module 'proxy-addr' {
  type Trust = (address: string, hop: number) => boolean;
  /** The client address: the socket's, or the nearest untrusted one in X-Forwarded-For. */
  function proxyaddr(req: import('node:http').IncomingMessage, trust: Trust): string;
  namespace proxyaddr {
    /** A trust function of addresses, CIDRs and the names loopback, linklocal, uniquelocal; throws TypeError on a bad one. */
    function compile(value: string | readonly string[]): Trust;
  }
  export = proxyaddr;
}
