import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { addToRegistry, type AnyRouteContract } from './route.js';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** The OpenAPI 3.1 document, generated from the same route contracts and zod schemas the server runs. */
export function buildOpenApiDocument(routes: readonly AnyRouteContract[], version: string): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'sd_session',
    description: 'Session cookie from POST /api/auth/sign-in; unsafe methods also need the X-CSRF-Token header',
  });
  registry.registerComponent('securitySchemes', 'hostJwt', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A JWT from the host platform (HS256 secret or JWKS)',
  });
  registry.registerComponent('securitySchemes', 'guestToken', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Guest-Token',
    description: 'The token of a guest link',
  });
  addToRegistry(registry, routes);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Support desk API',
      version,
      description:
        'Commands change threads, guest links and the system config by appending events; every command answers the ' +
        'stream revision (ETag) and the global position of its change. Errors are RFC 9457 problem details.',
    },
    servers: [{ url: '/' }],
    security: [{ session: [] }, { hostJwt: [] }, { guestToken: [] }],
  });
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A self-contained reference page (no scripts, no CDN) rendered from the document. */
export function renderApiDocsPage(doc: OpenApiDocument): string {
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item ?? {})) {
      if (!op || typeof op !== 'object' || !('responses' in op)) continue;
      const operation = op as {
        tags?: string[];
        summary?: string;
        description?: string;
        operationId?: string;
        requestBody?: unknown;
        responses: Record<string, { description?: string }>;
      };
      const tag = operation.tags?.[0] ?? 'Other';
      const responses = Object.entries(operation.responses)
        .map(([status, r]) => `<li><code>${escape(status)}</code> ${escape(r.description ?? '')}</li>`)
        .join('');
      // the body's first media type (JSON, or multipart/form-data for files)
      const [bodyType, bodyContent] = Object.entries(
        (operation.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content ?? {},
      )[0] ?? ['', undefined];
      const body = bodyContent
        ? `<details><summary>request body schema (${escape(bodyType)})</summary><pre>${escape(JSON.stringify(bodyContent.schema ?? {}, null, 2))}</pre></details>`
        : '';
      const html = `<section id="${escape(operation.operationId ?? '')}"><h3><span class="m ${escape(method)}">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code></h3>
<p><strong>${escape(operation.summary ?? '')}</strong></p><p>${escape(operation.description ?? '').replaceAll('\n', '<br>')}</p>${body}<ul>${responses}</ul></section>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const sections = [...byTag.entries()].map(([tag, ops]) => `<h2>${escape(tag)}</h2>${ops.join('\n')}`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(doc.info.title)}</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1f2933}
section{border-top:1px solid #e4e7eb;padding:.5rem 0}.m{display:inline-block;min-width:4.5em;font-size:.8em;padding:.1em .4em;border-radius:4px;color:#fff;background:#52606d}
.m.get{background:#2680c2}.m.post{background:#3f9142}.m.put{background:#c65d21}.m.delete{background:#ba2525}pre{background:#f5f7fa;padding:.5rem;overflow:auto}
</style></head><body><h1>${escape(doc.info.title)} <small>${escape(doc.info.version)}</small></h1>
<p>${escape(doc.info.description ?? '')}</p><p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p>
${sections}</body></html>`;
}
