import { extendZodWithOpenApi, OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Express, Request, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { z, type ZodType } from 'zod';
import { anonymous, roleOf, type Identity, type Role } from '../identity/identity.js';
import { HttpProblem, problems } from './problem.js';

// The OpenAPI generator calls `.openapi()` on schemas; this adds it to zod's prototypes.
extendZodWithOpenApi(z);

/**
 * A route is two halves. Its contract is what it IS: method and path, who may call it, the zod
 * schemas of its input and output, its documentation. Contracts are static (module level, no
 * dependencies), so the OpenAPI document, docs/api.md and the rights matrix come from the list
 * of contracts alone. Its handler is what it DOES, built from dependencies by `implement`.
 * composeApi serves exactly the listed contracts, each with one handler (`routesOfContracts`),
 * so the document and the served API cannot drift.
 */

export type Access = 'public' | 'authenticated' | readonly Role[];

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  identity: Identity;
  header(name: string): string | undefined;
  ip: string;
  requestId: string;
  /** The body's bytes as they arrived, for a contract with `rawBody` (unparsed: the handler checks, then parses). */
  rawBody?: Buffer;
  /** The request itself, unread, for a contract with `multipart` (the handler streams the parts). */
  request?: IncomingMessage;
}

export interface CookieToSet {
  name: string;
  value: string;
  httpOnly: boolean;
  sameSite: 'strict' | 'lax';
  secure: boolean;
  path: string;
  maxAgeSeconds?: number;
}

export interface RouteResult<R> {
  status?: number;
  body: R;
  headers?: Record<string, string>;
  cookies?: CookieToSet[];
  clearCookies?: string[];
  /** Send `body` as it is (a text file such as CSV) with the Content-Type from `headers`. */
  raw?: boolean;
  /** Stream these bytes as the answer (a file), with the headers from `headers`; `body` is ignored. */
  stream?: Readable;
}

export interface RouteContract<
  P extends ZodType = ZodType,
  Q extends ZodType = ZodType,
  B extends ZodType = ZodType,
  R extends ZodType = ZodType,
> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express style: `/api/support/threads/:threadId`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  access: Access;
  /**
   * 'ignored': the route acts for nobody. The identity middleware reads no credential for it (no
   * session cookie, guest token or bearer token), so it runs as anonymous and no CSRF token is
   * asked for: CSRF guards what a session may do, and here a session may do nothing. Only for
   * public routes without path parameters that change nothing anyone owns (the client-error intake).
   */
  credentials?: 'ignored';
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The body is handed over as it arrived (`ctx.rawBody`), not parsed: for a body whose exact
   * bytes must be checked first (a webhook's signature covers them). At most `limit` bytes (413
   * before the handler runs); `schema` documents it, and the handler parses with it once the
   * bytes are checked. A contract has `body` or `rawBody`, not both.
   */
  rawBody?: { limit: number; schema: ZodType };
  /**
   * A multipart/form-data body (files), left unread for the handler to stream (`ctx.request`):
   * never parsed or held whole by the server. `schema` documents its parts; the handler bounds
   * their sizes. A contract has at most one of `body`, `rawBody` and `multipart`.
   */
  multipart?: { schema: ZodType };
  /** The answer is bytes (a file) of these media types, not JSON: the handler answers `stream`. */
  binaryResponse?: { mediaTypes: string[] };
  response: { status: number; description: string; schema: R };
  /** Problem statuses this route can answer besides 400/401/403 (documented in OpenAPI). */
  errors?: number[];
  /** Request headers the route reads (documented). */
  headers?: { name: string; description: string; required?: boolean }[];
}

export type RouteHandler<P extends ZodType, Q extends ZodType, B extends ZodType, R extends ZodType> = (
  ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>,
) => Promise<RouteResult<z.infer<R>>>;

/** A contract with its handler: what the server runs. */
export interface RouteDefinition<
  P extends ZodType = ZodType,
  Q extends ZodType = ZodType,
  B extends ZodType = ZodType,
  R extends ZodType = ZodType,
> extends RouteContract<P, Q, B, R> {
  /** The contract this route serves, as declared (composeApi finds it in the API's list by identity). */
  contract: RouteContract<P, Q, B, R>;
  handle: RouteHandler<P, Q, B, R>;
}

/** Keeps the schema types of one route together; declare every route's contract with it, at module level. */
export function routeContract<P extends ZodType, Q extends ZodType, B extends ZodType, R extends ZodType>(
  contract: RouteContract<P, Q, B, R>,
): RouteContract<P, Q, B, R> {
  if ([contract.body, contract.rawBody, contract.multipart].filter(Boolean).length > 1)
    throw new Error(`${routeName(contract)} declares more than one of body, rawBody and multipart`);
  return contract;
}

/** The handler of a contract: its context and answer are typed by the contract's schemas. */
export function implement<P extends ZodType, Q extends ZodType, B extends ZodType, R extends ZodType>(
  contract: RouteContract<P, Q, B, R>,
  handler: RouteHandler<P, Q, B, R> | { handle: RouteHandler<P, Q, B, R> },
): RouteDefinition<P, Q, B, R> {
  return { ...contract, contract, handle: typeof handler === 'function' ? handler : handler.handle };
}

/**
 * A contract and its handler in one, for a route that is no part of the desk's API (a test's
 * harness): composeApi would refuse it, since its contract is in no list.
 */
export function defineRoute<P extends ZodType, Q extends ZodType, B extends ZodType, R extends ZodType>(
  route: RouteContract<P, Q, B, R> & { handle: RouteHandler<P, Q, B, R> },
): RouteDefinition<P, Q, B, R> {
  const { handle, ...contract } = route;
  return implement(contract, handle);
}

// The lists of contracts and routes are heterogeneous; each one was checked by routeContract.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRouteContract = RouteContract<any, any, any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDefinition<any, any, any, any>;

function routeName(route: AnyRouteContract): string {
  return `${route.method.toUpperCase()} ${route.path} (${route.operationId})`;
}

/**
 * The routes to serve, in the order of the API's contract list (the document's order). Throws,
 * naming each one, when a contract has no handler, a handler's contract is not in the list, or
 * a contract is listed or implemented twice.
 */
export function routesOfContracts(contracts: readonly AnyRouteContract[], routes: readonly AnyRoute[]): AnyRoute[] {
  const mismatches: string[] = [];
  const listed = new Set<AnyRouteContract>();
  for (const contract of contracts) {
    if (listed.has(contract)) mismatches.push(`${routeName(contract)} is listed twice`);
    listed.add(contract);
  }
  const handled = new Map<AnyRouteContract, AnyRoute>();
  for (const route of routes) {
    if (!listed.has(route.contract))
      mismatches.push(`${routeName(route)} has a handler but is not in the contract list`);
    else if (handled.has(route.contract)) mismatches.push(`${routeName(route)} has two handlers`);
    else handled.set(route.contract, route);
  }
  for (const contract of listed) if (!handled.has(contract)) mismatches.push(`${routeName(contract)} has no handler`);
  if (mismatches.length) throw new Error(`The API's contracts and handlers disagree:\n${mismatches.join('\n')}`);
  return [...listed].map((contract) => handled.get(contract)!);
}

export function getIdentity(res: Response): Identity {
  return (res.locals.identity as Identity | undefined) ?? anonymous;
}

export function checkAccess(access: Access, identity: Identity): void {
  if (access === 'public') return;
  const role = roleOf(identity);
  if (!role) throw problems.unauthorized();
  if (access === 'authenticated') return;
  if (!access.includes(role)) throw problems.forbidden();
}

export function zodFieldErrors(error: z.ZodError, prefix: string): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

function parsePart<T extends ZodType | undefined>(
  schema: T,
  value: unknown,
  prefix: string,
  errors: { path: string; message: string }[],
) {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value ?? (prefix === 'body' ? undefined : {}));
  if (parsed.success) return parsed.data;
  errors.push(...zodFieldErrors(parsed.error, prefix));
  return undefined;
}

// NUL, or a UTF-16 surrogate without its pair
// eslint-disable-next-line no-control-regex -- NUL is exactly what is searched for
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function findUnstorableText(
  value: unknown,
  path: string,
  errors: { path: string; message: string }[],
  depth = 0,
): void {
  if (depth > 40 || errors.length > 20) return;
  if (typeof value === 'string') {
    if (unstorable.test(value)) errors.push({ path, message: 'contains a NUL character or an unpaired surrogate' });
    return;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (unstorable.test(key))
        errors.push({ path: `${path}.${key.replace(unstorable, '?')}`, message: 'has an invalid key' });
      findUnstorableText(item, `${path}.${key}`, errors, depth + 1);
    }
  }
}

export type ErrorMapper = (error: unknown) => HttpProblem | undefined;

export function registerRoutes(
  app: Express,
  routes: AnyRoute[],
  sendError: (res: Response, error: unknown) => void,
): void {
  for (const route of routes) {
    app[route.method](route.path, async (req: Request, res: Response) => {
      try {
        const identity = getIdentity(res);
        checkAccess(route.access, identity);
        const errors: { path: string; message: string }[] = [];
        if (
          route.body &&
          req.body === undefined &&
          !req.is('application/json') &&
          req.headers['content-length'] !== '0'
        ) {
          if (req.headers['content-type']) throw problems.unsupportedMediaType();
        }
        // Postgres text cannot hold NUL or half a surrogate pair: refuse them here, by field
        findUnstorableText(req.params, 'params', errors);
        findUnstorableText(req.query, 'query', errors);
        // a raw body is bytes (a Buffer): its handler checks and parses it
        const rawBody = route.rawBody && Buffer.isBuffer(req.body) ? req.body : undefined;
        if (!route.rawBody) findUnstorableText(req.body, 'body', errors);
        if (errors.length) throw problems.badRequest(errors);
        const params = parsePart(route.params, req.params, 'params', errors);
        const query = parsePart(route.query, req.query, 'query', errors);
        const body = parsePart(route.body, req.body, 'body', errors);
        if (errors.length) throw problems.badRequest(errors);
        const result = await route.handle({
          params,
          query,
          body,
          identity,
          header: (name) => req.get(name),
          ip: req.ip ?? 'unknown',
          requestId: String(res.locals.requestId ?? ''),
          ...(rawBody ? { rawBody } : {}),
          ...(route.multipart ? { request: req } : {}),
        });
        for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
        for (const name of result.clearCookies ?? []) res.clearCookie(name, { path: '/' });
        for (const c of result.cookies ?? []) {
          res.cookie(c.name, c.value, {
            httpOnly: c.httpOnly,
            sameSite: c.sameSite,
            secure: c.secure,
            path: c.path,
            ...(c.maxAgeSeconds !== undefined ? { maxAge: c.maxAgeSeconds * 1000 } : {}),
          });
        }
        const status = result.status ?? route.response.status;
        if (status === 204) res.status(204).end();
        else if (result.stream) {
          res.status(status);
          // a reader that goes away mid-file ends the stream; nothing more to answer then
          await pipeline(result.stream, res).catch((error: unknown) => {
            if (!res.headersSent) throw error;
            res.destroy();
          });
        } else if (result.raw) res.status(status).send(result.body);
        else res.status(status).json(result.body);
      } catch (error) {
        sendError(res, error);
      }
    });
  }
}

/* ----------------------------------------------------------------- OpenAPI */

const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

const statusText: Record<number, string> = {
  400: 'Invalid input; `errors` names the failing fields',
  401: 'No identity',
  403: 'The identity may not call this',
  404: 'Not found',
  409: 'Conflict with the current state',
  412: 'If-Match does not match the current revision',
  413: 'Body too large',
  415: 'Not JSON',
  422: 'A rule of the domain refuses it',
  429: 'Rate limited (see Retry-After)',
  503: 'Temporarily unavailable (see Retry-After)',
};

export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function accessDescription(access: Access): string {
  if (access === 'public') return 'Public: no sign-in.';
  if (access === 'authenticated') return 'Any signed-in identity.';
  return `Allowed roles: ${access.join(', ')}.`;
}

export function addToRegistry(registry: OpenAPIRegistry, routes: readonly AnyRouteContract[]): void {
  registry.register('Problem', problemSchema);
  for (const route of routes) {
    const errorStatuses = new Set<number>([
      400,
      ...(route.access === 'public' ? [] : [401, 403]),
      ...(route.errors ?? []),
    ]);
    if (!route.params && !route.query && !route.body && !route.rawBody && !route.multipart) errorStatuses.delete(400);
    registry.registerPath({
      method: route.method,
      path: toOpenApiPath(route.path),
      operationId: route.operationId,
      summary: route.summary,
      description: [route.description, accessDescription(route.access)].filter(Boolean).join('\n\n'),
      tags: route.tags,
      ...(route.access === 'public' ? { security: [] } : {}),
      request: {
        ...(route.params ? { params: route.params } : {}),
        ...(route.query ? { query: route.query } : {}),
        ...(route.headers?.length
          ? {
              headers: z.object(
                Object.fromEntries(
                  route.headers.map((h) => [
                    h.name,
                    (h.required ? z.string() : z.string().optional()).meta({ description: h.description }),
                  ]),
                ),
              ),
            }
          : {}),
        ...(route.body ? { body: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
        ...(route.rawBody
          ? { body: { required: true, content: { 'application/json': { schema: route.rawBody.schema } } } }
          : {}),
        ...(route.multipart
          ? { body: { required: true, content: { 'multipart/form-data': { schema: route.multipart.schema } } } }
          : {}),
      },
      responses: {
        [route.response.status]:
          route.response.status === 204
            ? { description: route.response.description }
            : {
                description: route.response.description,
                content: route.binaryResponse
                  ? Object.fromEntries(
                      route.binaryResponse.mediaTypes.map((type) => [
                        type,
                        { schema: { type: 'string' as const, format: 'binary' } },
                      ]),
                    )
                  : { 'application/json': { schema: route.response.schema } },
              },
        ...Object.fromEntries(
          [...errorStatuses].map((s) => [
            s,
            {
              description: statusText[s] ?? 'Error',
              content: { 'application/problem+json': { schema: problemSchema } },
            },
          ]),
        ),
      },
    });
  }
}
