import { writeFile } from 'node:fs/promises';

/**
 * What a benchmark hands the runner: its tables, the targets it checked, one chart, and the
 * evidence gathered where a target was missed. The runner turns these into
 * docs/benchmarks.md and docs/benchmarks/<id>.svg.
 */

export interface Table {
  caption?: string;
  columns: string[];
  /** Columns (by index) aligned right: figures. */
  numeric?: number[];
  rows: string[][];
}

export interface TargetCheck {
  name: string;
  /** The measured figure, as shown. */
  value: string;
  target: string;
  met: boolean;
}

export interface Bar {
  series: string;
  value: number;
}

export interface Chart {
  title: string;
  unit: string;
  groups: { label: string; bars: Bar[] }[];
}

export interface BenchResult {
  id: string;
  title: string;
  /** What was measured and against what, in a few sentences of markdown. */
  method: string;
  tables: Table[];
  targets: TargetCheck[];
  chart?: Chart;
  /** Where a target was missed: what limits it, with evidence (markdown paragraphs). */
  findings?: string[];
  /** Figures other sections use (memory, for one). */
  figures?: Record<string, number>;
}

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
export const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '–');
export const ratio = (a: number, b: number): string => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : '–');
export const metMark = (met: boolean): string => (met ? 'met' : '**missed**');
export const mb = (bytes: number): string => `${fmt(bytes / 1048576)} MB`;

export function markdownTable(t: Table): string {
  const numeric = new Set(t.numeric ?? []);
  const escape = (cell: string) => cell.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const lines = [
    `| ${t.columns.map(escape).join(' | ')} |`,
    `|${t.columns.map((_, i) => (numeric.has(i) ? '---:' : '---')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(escape).join(' | ')} |`),
  ];
  return `${t.caption ? `${t.caption}\n\n` : ''}${lines.join('\n')}`;
}

export function targetsTable(targets: TargetCheck[]): Table {
  return {
    columns: ['target', 'measured', 'wanted', 'result'],
    rows: targets.map((t) => [t.name, t.value, t.target, metMark(t.met)]),
  };
}

/** Prints a result for someone running one benchmark by hand; hands it to the runner when asked. */
export async function emit(result: BenchResult): Promise<void> {
  const parts = [`\n## ${result.title}\n`, ...result.tables.map(markdownTable)];
  if (result.targets.length) parts.push(markdownTable(targetsTable(result.targets)));
  for (const f of result.findings ?? []) parts.push(f);
  console.log(parts.join('\n\n'));
  const file = process.env.BENCH_RESULT_FILE;
  if (file) await writeFile(file, JSON.stringify(result, null, 2));
}

/* ------------------------------------------------------------------ charts */

const palette = ['#2f6fbf', '#e0803a', '#5aa469', '#b5473a', '#8a63b8', '#7f7f7f'];
const escapeXml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const short = (n: number) =>
  n >= 1e6
    ? `${+(n / 1e6).toFixed(1)}M`
    : n >= 1e4
      ? `${+(n / 1e3).toFixed(0)}k`
      : n >= 100
        ? fmt(n)
        : `${+n.toFixed(1)}`;

/** A grouped bar chart as a standalone SVG: one group per label, one bar per series. */
export function barChartSvg(chart: Chart): string {
  const series = [...new Set(chart.groups.flatMap((g) => g.bars.map((b) => b.series)))];
  const max = niceMax(Math.max(0, ...chart.groups.flatMap((g) => g.bars.map((b) => b.value))));
  const barWidth = 18;
  const gap = 4;
  const groupPad = 26;
  const longestLabel = Math.max(0, ...chart.groups.map((g) => g.label.length));
  const groupWidth = Math.max(series.length * (barWidth + gap) - gap, longestLabel * 6.5 - groupPad + 8);
  const left = 70;
  const top = 40;
  const plotHeight = 240;
  const legendRows = Math.ceil(series.length / 3);
  const width = Math.max(
    480,
    left + chart.groups.length * (groupWidth + groupPad) + 20,
    left + Math.min(3, series.length) * 190 + 20,
  );
  const height = top + plotHeight + 56 + legendRows * 18;
  const y = (v: number) => top + plotHeight - (Math.max(0, v) / max) * plotHeight;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${escapeXml(chart.title)}</text>`,
    `<text x="12" y="${top - 8}" fill="#555">${escapeXml(chart.unit)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    out.push(
      `<line x1="${left}" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#e3e3e3"/>`,
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${short(v)}</text>`,
    );
  }
  chart.groups.forEach((g, gi) => {
    const x0 = left + groupPad / 2 + gi * (groupWidth + groupPad);
    const barsWidth = series.length * (barWidth + gap) - gap;
    g.bars.forEach((b) => {
      const si = series.indexOf(b.series);
      const x = x0 + (groupWidth - barsWidth) / 2 + si * (barWidth + gap);
      const h = top + plotHeight - y(b.value);
      out.push(
        `<rect x="${x}" y="${y(b.value)}" width="${barWidth}" height="${h}" fill="${palette[si % palette.length]}"><title>${escapeXml(`${g.label} – ${b.series}: ${fmt(b.value, b.value < 100 ? 1 : 0)}`)}</title></rect>`,
        `<text x="${x + barWidth / 2}" y="${y(b.value) - 3}" text-anchor="middle" font-size="9" fill="#333">${short(b.value)}</text>`,
      );
    });
    out.push(
      `<text x="${x0 + groupWidth / 2}" y="${top + plotHeight + 16}" text-anchor="middle">${escapeXml(g.label)}</text>`,
    );
  });
  out.push(`<line x1="${left}" x2="${width - 10}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#999"/>`);
  series.forEach((s, si) => {
    const lx = left + (si % 3) * 190;
    const ly = top + plotHeight + 36 + Math.floor(si / 3) * 18;
    out.push(
      `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${palette[si % palette.length]}"/>`,
      `<text x="${lx + 14}" y="${ly}">${escapeXml(s)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
