/** One printed figure of a benchmark. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The goal, e.g. "≤ 100 ms"; printed beside the value. */
  target?: string;
}

/** Percentile (0–100) of a sample, nearest-rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Rounds for printing (two decimals). */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
