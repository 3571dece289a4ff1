/**
 * The layers of the desk, held by `npm run lint` (docs/decisions/0006-layers.md says why).
 * Arrows point inward: domain ← eventstore ← platform ← features (projections, commands,
 * read-api, workers) ← app (the composition root) ← entry points (ops, bench, tests).
 * The web app talks HTTP and websockets only: it imports nothing from the server.
 */
const features = '^(projections|commands|read-api|workers)/';

/** One rule: files under `from` may import nothing under any of `notTo`. */
const layer = (name, comment, from, notTo) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: notTo },
});

module.exports = {
  forbidden: [
    layer(
      'domain-is-pure',
      'domain/ imports nothing outside domain/: every other layer depends on it, it on none',
      '^domain/',
      '^(eventstore|platform|projections|commands|read-api|workers|app|ops|bench|tests|web)/',
    ),
    layer(
      'eventstore-below-platform',
      'eventstore/ (the port and its adapters) knows the domain only',
      '^eventstore/',
      '^(platform|projections|commands|read-api|workers|app|ops|bench|tests|web)/',
    ),
    layer(
      'platform-imports-no-feature',
      'platform/ is what every feature uses (HTTP, problems, database, identity, logging, metrics): it imports no feature and not the composition root',
      '^platform/',
      `${features}|^(app|ops|bench|tests|web)/`,
    ),
    layer(
      'projections-read-the-log-only',
      'projections/ fold events into read models: no commands, read API or workers',
      '^projections/',
      '^(commands|read-api|workers|app|ops|bench|tests|web)/',
    ),
    layer(
      'commands-write-only',
      'commands/ decide and append: they read no read model and know no worker',
      '^commands/',
      '^(projections|read-api|workers|app|ops|bench|tests|web)/',
    ),
    layer(
      'read-api-reads-only',
      'read-api/ answers from read models and the log: it issues no command and knows no worker',
      '^read-api/',
      '^(commands|workers|app|ops|bench|tests|web)/',
    ),
    layer(
      'workers-below-the-root',
      'workers/ (projector runner, email, chain sealer) may run commands and projections, never the read API or the root',
      '^workers/',
      '^(read-api|app|ops|bench|tests|web)/',
    ),
    layer(
      'nothing-imports-the-root',
      'app/ is the composition root: only entry points (ops CLI, benchmarks, tests) start it',
      '^(domain|eventstore|platform|projections|commands|read-api|workers|web)/',
      '^app/',
    ),
    layer(
      'web-talks-http-only',
      'web/ reaches the desk over HTTP and websockets; it imports no server code',
      '^web/',
      '^(domain|eventstore|platform|projections|commands|read-api|workers|app|ops|bench|tests)/',
    ),
    {
      name: 'no-unresolvable',
      comment: 'an import of our own code that resolves to nothing is a typo or a deleted file',
      severity: 'error',
      from: {},
      to: {
        couldNotResolve: true,
        path: '^(domain|eventstore|platform|projections|commands|read-api|workers|app|ops|web)/',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.json'] },
  },
};
