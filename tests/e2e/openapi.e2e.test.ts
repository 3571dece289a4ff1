import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDesk, type TestDesk } from '../support/testDesk.js';

describe('the OpenAPI document', () => {
  let desk: TestDesk;
  beforeAll(async () => {
    desk = await startTestDesk();
  });
  afterAll(async () => desk?.stop());

  it('when fetched, then it is a valid OpenAPI 3.1 document', async () => {
    const res = await desk.anonymous.request('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(res.body as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('when compared with the routes the server runs, then every route is documented with its access', async () => {
    const doc = (await desk.anonymous.request('GET', '/api/openapi.json')).body as {
      paths: Record<string, Record<string, { operationId: string; description: string }>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => `${method} ${path} ${op.operationId}`),
    );
    const served = desk.desk.routes.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')} ${r.operationId}`);
    expect(documented.sort()).toEqual(served.sort());
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) expect(op.description).toMatch(/Allowed roles|Public|signed-in/);
    }
  });

  it('when the docs page is opened, then it lists the operations', async () => {
    const res = await fetch(`${desk.base}/api/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('raiseQuery');
    expect(html).toContain('/api/support/threads/{threadId}/messages');
  });

  it("when compared with the web app's API types, then they are current (run npm run docs:api to refresh)", async () => {
    const { readFile } = await import('node:fs/promises');
    const { API_TYPES_FILE, renderApiTypes } = await import('../../platform/http/apiTypes.js');
    const served = (await desk.anonymous.request('GET', '/api/openapi.json')).body as object;
    expect(await readFile(API_TYPES_FILE, 'utf8')).toBe(await renderApiTypes(served));
  });

  it('when compared with the document built from the route contracts alone, then they are the same', async () => {
    const { apiContracts } = await import('../../app/apiContracts.js');
    const { buildOpenApiDocument } = await import('../../platform/http/openapi.js');
    const served = (await desk.anonymous.request('GET', '/api/openapi.json')).body;
    expect(served).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(apiContracts, '0.1.0'))));
  });
});

describe('docs/api.md', () => {
  it('when compared with the route contracts, then it is current (run npm run docs:api to refresh)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { renderApiReference } = await import('../../platform/http/apiReference.js');
    const { apiContracts } = await import('../../app/apiContracts.js');
    const prettier = await import('prettier');
    // from the contracts alone, as `npm run docs:api` writes it: no desk, no database
    const expected = await prettier.format(renderApiReference(apiContracts), { parser: 'markdown', printWidth: 120 });
    expect(await readFile(new URL('../../docs/api.md', import.meta.url), 'utf8')).toBe(expected);
  });
});
