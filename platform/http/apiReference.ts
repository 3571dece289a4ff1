import { accessDescription, toOpenApiPath, type AnyRouteContract } from './route.js';

/** docs/api.md: every route with its access, from the same contracts the server runs. */
export function renderApiReference(routes: readonly AnyRouteContract[]): string {
  const byTag = new Map<string, AnyRouteContract[]>();
  for (const route of routes)
    byTag.set(route.tags[0] ?? 'Other', [...(byTag.get(route.tags[0] ?? 'Other') ?? []), route]);
  const lines = [
    '# API routes',
    '',
    'Generated from the route declarations by `npm run docs:api` (a test fails when this file is stale).',
    'The full schemas are in the OpenAPI 3.1 document the server serves at `/api/openapi.json`, and',
    'readable at `/api/docs`. Every error is RFC 9457 `application/problem+json`; bad input is a 400',
    'whose `errors` name the failing fields (`body.subject`, `params.threadId`, `headers.if-match`).',
    'Its `detail` is a sentence written for the person at the screen (the web app shows it as it is);',
    '`type` and `code` are the machine-readable part, one per kind of refusal (every code and its',
    'sentence: `platform/http/plainWords.ts`), with facts such as `currentRevision` or `from`/`to` beside them.',
    '',
    'Commands answer the stream revision (also as `ETag`) and the global `position` of their change,',
    'accept `Idempotency-Key` (a retry answers the first result and appends nothing) and `If-Match`',
    '(the ETag you saw; 412 when the thread moved on).',
    '',
  ];
  for (const [tag, group] of byTag) {
    lines.push(`## ${tag}`, '', '| method | path | what | who |', '|---|---|---|---|');
    for (const r of group) {
      const who = accessDescription(r.access)
        .replace(/^Allowed roles: /, '')
        .replace(/\.$/, '');
      lines.push(`| ${r.method.toUpperCase()} | \`${toOpenApiPath(r.path)}\` | ${r.summary} | ${who} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
