import { describe, expect, it } from 'vitest';
import { servedOrigin } from '../../platform/http/servedOrigin.js';

describe('servedOrigin: where the desk serves, as a browser reaches it', () => {
  it('is HOST and PORT before the server listens', () => {
    expect(servedOrigin({ HOST: '127.0.0.1', PORT: 3000 })).toBe('http://127.0.0.1:3000');
    expect(servedOrigin({ HOST: 'desk.internal', PORT: 8080 })).toBe('http://desk.internal:8080');
  });

  it('takes the port the server actually listens on', () => {
    expect(servedOrigin({ HOST: '127.0.0.1', PORT: 0 }, { address: '127.0.0.1', family: 'IPv4', port: 41234 })).toBe(
      'http://127.0.0.1:41234',
    );
  });

  it('names every-interface addresses localhost, and brackets IPv6', () => {
    expect(servedOrigin({ HOST: '0.0.0.0', PORT: 3000 })).toBe('http://localhost:3000');
    expect(servedOrigin({ HOST: '::', PORT: 3000 }, { address: '::', family: 'IPv6', port: 3001 })).toBe(
      'http://localhost:3001',
    );
    expect(servedOrigin({ HOST: '::1', PORT: 3000 })).toBe('http://[::1]:3000');
  });
});
