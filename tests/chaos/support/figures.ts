import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './deskProcess.js';

/**
 * The chaos tier's figures: each test file records its section into
 * test-results/reliability/<section>.json; the tier's global teardown merges them into
 * test-results/reliability.json, from which tests/chaos/writeReport.ts writes docs/reliability.md.
 */

export type Figure = number | string | boolean | null;
export type Figures = Record<string, Figure>;

export const resultsDir = path.join(repoRoot, 'test-results');
export const partsDir = path.join(resultsDir, 'reliability');
export const reportFile = path.join(resultsDir, 'reliability.json');

export interface ReliabilityReport {
  generatedAt: string;
  sections: Record<string, Figures>;
}

/** Adds (or overwrites) figures of one section; several tests of a file may add to one section. */
export function recordFigures(section: string, figures: Figures): void {
  mkdirSync(partsDir, { recursive: true });
  const file = path.join(partsDir, `${section}.json`);
  let current: Figures = {};
  try {
    current = JSON.parse(readFileSync(file, 'utf8')) as Figures;
  } catch {
    // first figures of this section
  }
  writeFileSync(file, `${JSON.stringify({ ...current, ...figures }, null, 2)}\n`);
}

export function clearParts(): void {
  rmSync(partsDir, { recursive: true, force: true });
}

/** Merges every section recorded in this run into test-results/reliability.json. */
export function mergeParts(): ReliabilityReport {
  const sections: Record<string, Figures> = {};
  let names: string[] = [];
  try {
    names = readdirSync(partsDir).filter((n) => n.endsWith('.json'));
  } catch {
    names = [];
  }
  for (const name of names.sort()) {
    sections[name.replace(/\.json$/, '')] = JSON.parse(readFileSync(path.join(partsDir, name), 'utf8')) as Figures;
  }
  const report: ReliabilityReport = { generatedAt: new Date().toISOString(), sections };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
