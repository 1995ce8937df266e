/** One measured figure. `key` is the name in the final JSON line. */
export interface BenchFigure {
  readonly key: string;
  readonly value: number;
  readonly unit: string;
  /** human-readable target, e.g. ">= 10M/s" */
  readonly target?: string;
  /** whether the figure meets its target; undefined when there is none */
  readonly ok?: boolean;
}

/** A bench module: `bench/<area>.ts` default-exports one of these. */
export type BenchSuite = () => Promise<readonly BenchFigure[]>;

/** Run `fn` repeatedly for at least `minMs` and return operations per second (ops counted by fn). */
export function opsPerSecond(fn: () => number, minMs = 1000): number {
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    ops += fn();
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return ops / (elapsed / 1000);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
