import { writeFileSync } from 'node:fs';
import { apiContracts } from './apiContracts.js';
import { renderApiReference } from '../platform/http/apiReference.js';
import { API_TYPES_FILE, renderApiTypes } from '../platform/http/apiTypes.js';
import { buildOpenApiDocument } from '../platform/http/openapi.js';

/** `npm run docs:api`: rewrites docs/api.md and web/src/lib/api-types.ts from the route contracts alone. */
writeFileSync(new URL('../docs/api.md', import.meta.url), renderApiReference(apiContracts));
writeFileSync(API_TYPES_FILE, await renderApiTypes(buildOpenApiDocument(apiContracts, '0.1.0')));
