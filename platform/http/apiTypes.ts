import openapiTS, { astToString } from 'openapi-typescript';
import * as prettier from 'prettier';

/** Where the web app's API types live: generated, never edited by hand. */
export const API_TYPES_FILE = new URL('../../web/src/lib/api-types.ts', import.meta.url);

const header = `/**
 * The desk API's types, generated from /api/openapi.json by openapi-typescript.
 * Do not edit: \`npm run docs:api\` rewrites this file (platform/http/apiTypes.ts).
 */

`;

/**
 * The web app's API types (`web/src/lib/api-types.ts`) from the OpenAPI document the server
 * serves at /api/openapi.json, formatted as the repository formats. `npm run docs:api` writes
 * them; tests/e2e/openapi.e2e.test.ts fails when the file is stale.
 */
export async function renderApiTypes(openApiDocument: object): Promise<string> {
  const ast = await openapiTS(openApiDocument as Parameters<typeof openapiTS>[0], { silent: true });
  const options = await prettier.resolveConfig(API_TYPES_FILE);
  return prettier.format(header + astToString(ast), { ...options, parser: 'typescript' });
}
