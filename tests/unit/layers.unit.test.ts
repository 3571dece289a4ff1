import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type IForbiddenRuleType } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The layer rules of `npm run lint` (.dependency-cruiser.cjs, decision 0006), run on a small tree
 * of probe files laid out like the desk's own folders: each import that crosses a layer the wrong
 * way is refused by its rule, and the imports that point inward pass.
 */
const require = createRequire(import.meta.url);
const { forbidden } = require('../../.dependency-cruiser.cjs') as { forbidden: IForbiddenRuleType[] };

const root = mkdtempSync(join(tmpdir(), 'desk-layers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes the probe files: each imports the files it names (paths from the tree's root). */
function tree(files: Record<string, string[]>): string {
  const dir = mkdtempSync(join(root, 'tree-'));
  for (const [file, imports] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    const depth = file.split('/').length - 1;
    const up = depth ? '../'.repeat(depth) : './';
    const lines = imports.map((target, i) => `import * as m${i} from '${up}${target.replace(/\.ts$/, '')}';`);
    writeFileSync(join(dir, file), [...lines, `export const probe = ${JSON.stringify(file)};`, ''].join('\n'));
  }
  return dir;
}

async function violations(dir: string): Promise<string[]> {
  const result = await cruise(
    ['.'],
    {
      baseDir: dir,
      validate: true,
      ruleSet: { forbidden },
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
    },
    { extensions: ['.ts'] },
  );
  if (typeof result.output === 'string') throw new Error(`unexpected output: ${result.output}`);
  return result.output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

describe('the layer rules', () => {
  it('refuse an import that points outward, each by the rule it breaks', async () => {
    const dir = tree({
      'domain/thread.ts': ['eventstore/port.ts'],
      'eventstore/port.ts': ['domain/thread.ts'],
      'platform/http.ts': ['commands/raise.ts', 'app/root.ts'],
      'commands/raise.ts': ['read-api/inbox.ts', 'domain/thread.ts'],
      'read-api/inbox.ts': ['commands/raise.ts'],
      'projections/inbox.ts': ['workers/email.ts'],
      'workers/email.ts': ['read-api/inbox.ts', 'commands/raise.ts', 'projections/inbox.ts'],
      'app/root.ts': ['platform/http.ts', 'commands/raise.ts', 'read-api/inbox.ts', 'workers/email.ts'],
      'web/src/page.ts': ['domain/thread.ts'],
    });
    expect(await violations(dir)).toEqual(
      [
        'domain-is-pure: domain/thread.ts → eventstore/port.ts',
        'platform-imports-no-feature: platform/http.ts → commands/raise.ts',
        'platform-imports-no-feature: platform/http.ts → app/root.ts',
        'nothing-imports-the-root: platform/http.ts → app/root.ts',
        'commands-write-only: commands/raise.ts → read-api/inbox.ts',
        'read-api-reads-only: read-api/inbox.ts → commands/raise.ts',
        'projections-read-the-log-only: projections/inbox.ts → workers/email.ts',
        'workers-below-the-root: workers/email.ts → read-api/inbox.ts',
        'web-talks-http-only: web/src/page.ts → domain/thread.ts',
      ].sort(),
    );
  });

  it('let every import that points inward pass', async () => {
    const dir = tree({
      'domain/thread.ts': [],
      'eventstore/port.ts': ['domain/thread.ts'],
      'platform/http.ts': ['eventstore/port.ts', 'domain/thread.ts'],
      'projections/inbox.ts': ['platform/http.ts', 'eventstore/port.ts'],
      'commands/raise.ts': ['platform/http.ts', 'domain/thread.ts'],
      'read-api/inbox.ts': ['platform/http.ts', 'projections/inbox.ts'],
      'workers/email.ts': ['commands/raise.ts', 'projections/inbox.ts'],
      'app/root.ts': ['platform/http.ts', 'commands/raise.ts', 'read-api/inbox.ts', 'workers/email.ts'],
      'ops/cli.ts': ['app/root.ts'],
      'web/src/page.ts': ['web/src/api.ts'],
      'web/src/api.ts': [],
    });
    expect(await violations(dir)).toEqual([]);
  });
});
