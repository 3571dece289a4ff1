import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { apiContracts } from '../../app/apiContracts.js';
import { loadConfig } from '../../app/config.js';
import { composeApi, type DeskParts } from '../../app/composeApi.js';
import { PostgresEventStore } from '../../eventstore/postgres/postgresEventStore.js';
import { authorKinds, emailTemplates, priorities, queryTypes, threadStatuses } from '../../domain/index.js';
import { createPool } from '../../platform/database/pool.js';
import { buildOpenApiDocument } from '../../platform/http/openapi.js';
import { anonymous } from '../../platform/identity/identity.js';
import { implement, routeContract, routesOfContracts } from '../../platform/http/route.js';
import { createLogger } from '../../platform/logger.js';
import { getThread } from '../../read-api/readRoutes.js';

// composeApi builds its stores and routes without connecting: a pool to nowhere is never asked anything here
const url = 'postgres://nobody@127.0.0.1:1/none';
const pool = createPool(url, 1);
const parts: DeskParts = {
  pool,
  databaseUrl: url,
  eventStore: new PostgresEventStore(pool, { connectionString: url }),
  config: loadConfig({}),
  logger: createLogger('silent'),
};
afterAll(() => pool.end());

const archiveThread = routeContract({
  method: 'post',
  path: '/api/support/threads/:threadId/archive',
  operationId: 'archiveThread',
  summary: 'Archive the thread',
  tags: ['Threads'],
  access: ['admin'],
  params: z.object({ threadId: z.uuid() }),
  response: { status: 200, description: 'Archived', schema: z.object({ archived: z.literal(true) }) },
});

describe('the API contracts and their handlers', () => {
  it('when every contract has its handler, then the desk serves exactly the list, in its order', async () => {
    const desk = composeApi(parts);
    try {
      expect(desk.routes.map((r) => r.contract)).toEqual(apiContracts);
      expect(desk.routes.map((r) => r.operationId)).toEqual(apiContracts.map((c) => c.operationId));
    } finally {
      await desk.close();
    }
  });

  it('when a contract has no handler, then composeApi refuses to start and names it', () => {
    expect(() => composeApi({ ...parts, contracts: [...apiContracts, archiveThread] })).toThrow(
      'POST /api/support/threads/:threadId/archive (archiveThread) has no handler',
    );
  });

  it('when a handler serves a contract the list does not hold, then composeApi refuses to start and names it', () => {
    expect(() => composeApi({ ...parts, contracts: apiContracts.filter((c) => c !== getThread) })).toThrow(
      'GET /api/support/threads/:threadId (getThread) has a handler but is not in the contract list',
    );
  });

  it('when a contract is listed twice or implemented twice, then the routes are refused', () => {
    const handler = implement(archiveThread, async () => ({ body: { archived: true as const } }));
    expect(() => routesOfContracts([archiveThread, archiveThread], [handler])).toThrow(
      '(archiveThread) is listed twice',
    );
    expect(() => routesOfContracts([archiveThread], [handler, handler])).toThrow('(archiveThread) has two handlers');
    expect(routesOfContracts([archiveThread], [handler])).toEqual([handler]);
  });

  it('when a contract is implemented, then the handler is typed by its schemas and the route carries the contract', async () => {
    const route = implement(archiveThread, {
      async handle(ctx) {
        expectTypeOf(ctx.params).toEqualTypeOf<{ threadId: string }>();
        return { body: { archived: true as const }, headers: { 'X-Thread': ctx.params.threadId } };
      },
    });
    expect(route.contract).toBe(archiveThread);
    expect(route).toMatchObject({ method: 'post', path: archiveThread.path, access: ['admin'] });
    const threadId = '7d0f3c1e-0000-4000-8000-000000000001';
    const answer = await route.handle({
      params: { threadId },
      query: undefined,
      body: undefined,
      identity: anonymous,
      header: () => undefined,
      ip: '127.0.0.1',
      requestId: 'r1',
    });
    expect(answer).toEqual({ body: { archived: true }, headers: { 'X-Thread': threadId } });
  });
});

describe('the OpenAPI document of the contracts', () => {
  type Schema = { enum?: unknown[]; properties: Record<string, Schema>; items: Schema };
  const doc = buildOpenApiDocument(apiContracts, '0.1.0');
  const schemas = doc.components?.schemas as Record<string, Schema>;

  it('when a thread and its messages are described, then their vocabulary fields list the domain values', () => {
    for (const name of ['StaffThreadSummary', 'PartnerThreadSummary']) {
      const properties = schemas[name]!.properties;
      expect(properties.status!.enum).toEqual([...threadStatuses]);
      expect(properties.priority!.enum).toEqual([...priorities]);
      expect(properties.queryType!.enum).toEqual([...queryTypes]);
      expect(properties.lastMessageByKind!.enum).toEqual([...authorKinds, null]);
    }
    const staff = schemas.StaffThreadSummary!.properties;
    expect(staff.awaiting!.enum).toEqual(['staff', 'partner', null]);
    expect(staff.raisedBy!.properties.kind!.enum).toEqual([...authorKinds]);
    const thread = (doc.paths as Record<string, { get: { responses: Record<string, unknown> } }>)[
      '/api/support/threads/{threadId}'
    ]!.get.responses['200'] as { content: Record<string, { schema: Schema }> };
    const message = thread.content['application/json']!.schema.properties.messages!.items;
    expect(message.properties.author!.properties.kind!.enum).toEqual([...authorKinds]);
    expect(message.properties.emails!.items.properties.template!.enum).toEqual([...emailTemplates]);
  });
});
