import { clearParts, mergeParts } from './figures.js';

/** Starts each chaos run with no figures and merges the sections the test files recorded. */
export function setup(): void {
  clearParts();
}

export function teardown(): void {
  const report = mergeParts();
  const sections = Object.keys(report.sections);
  console.log(`reliability figures (${sections.join(', ') || 'none'}) written to test-results/reliability.json`);
}
