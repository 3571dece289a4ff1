import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configKeys, loadConfig } from '../../app/config.js';
import { commands } from '../../ops/cli.js';

/**
 * No Docker engine runs here, so the deployment files are checked by reading them: every
 * service's command exists, its variables are ones the config schema knows, and its health
 * check asks a path the server answers.
 */
interface Service {
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  image?: string;
  build?: string;
}

const root = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8')) as {
  services: Record<string, Service>;
};
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> };
const mainSource = readFileSync(new URL('app/main.ts', root), 'utf8');
const roles = /const allRoles = \[([^\]]+)\]/
  .exec(mainSource)![1]!
  .match(/'([a-z-]+)'/g)!
  .map((r) => r.slice(1, -1));
const desk = Object.entries(compose.services).filter(([, s]) => s.build);
const envExample = readFileSync(new URL('.env.example', root), 'utf8')
  .split('\n')
  .filter((l) => /^[A-Z_]+=/.test(l))
  .map((l) => l.split('=')[0]!);
const composeOnly = ['POSTGRES_PASSWORD'];

describe('docker-compose.yml and .env.example', () => {
  it('when read, then it has KurrentDB, Postgres, the API, the projector and the email worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'email-worker', 'kurrentdb', 'postgres', 'projector']);
  });

  it.each(desk)('when %s starts, then its command is an npm script with a known process role', (_name, service) => {
    const [npm, verb, separator, role] = service.command!;
    expect(separator).toBe('--');
    expect(npm).toBe('npm');
    expect(verb).toBe('start');
    expect(pkg.scripts.start).toBeDefined();
    expect(roles).toContain(role);
  });

  it.each(desk)('when %s is configured, then every variable is one the config schema knows', (_name, service) => {
    for (const key of Object.keys(service.environment ?? {})) expect(configKeys).toContain(key);
  });

  it('when .env.example is read, then every key is known, and as written it loads', () => {
    for (const key of envExample.filter((k) => !composeOnly.includes(k))) expect(configKeys).toContain(key);
    const values = Object.fromEntries(
      readFileSync(new URL('.env.example', root), 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l) && !composeOnly.some((k) => l.startsWith(`${k}=`)))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(() => loadConfig(values)).not.toThrow();
  });

  it.each(Object.entries(compose.services))(
    'when %s is health-checked, then the check names something that exists',
    (_name, service) => {
      const test = service.healthcheck!.test.join(' ');
      const path = /http:\/\/127\.0\.0\.1:\d+(\/[a-z]+)/.exec(test)?.[1];
      if (path) expect(['/healthz', '/readyz']).toContain(path);
      const opsCommand = /npm run --silent ops -- ([a-z]+)/.exec(test)?.[1];
      if (opsCommand) expect(Object.keys(commands)).toContain(opsCommand);
      expect(path ?? opsCommand ?? /pg_isready|health\/live/.exec(test)?.[0]).toBeTruthy();
    },
  );

  it('when the Dockerfile is read, then it is multi-stage, runs as a non-root user and has a health check', () => {
    const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
  });
});
