/** Percentiles and a printed table for benchmark figures. */

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
}

export function summarise(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean };
}

export interface Row {
  figure: string;
  ours: string;
  baseline: string;
  ratio: string;
  budget: string;
}

export function printTable(rows: Row[], write: (line: string) => void): void {
  const headers: Row = {
    figure: 'figure',
    ours: 'olympus',
    baseline: 'baseline',
    ratio: 'ratio',
    budget: 'budget',
  };
  const all = [headers, ...rows];
  const keys = Object.keys(headers) as Array<keyof Row>;
  const widths = keys.map((key) => Math.max(...all.map((row) => row[key].length)));
  const line = (row: Row) => keys.map((key, i) => row[key].padEnd(widths[i]!)).join('  ');
  write(line(headers));
  write(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) write(line(row));
}

export const ms = (value: number): string => `${value.toFixed(2)} ms`;
