import type { Venue } from "../src/core/venue.ts";

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

/**
 * Submit-then-cancel round trips through a connector bound to `account` on its emulator: a
 * post-only buy of `sizeLots` at `priceTicks` (far from the book), `n` times, the first 20 not
 * counted; figures `<prefix>_emu_submit_ms_p50/p99` and `<prefix>_emu_cancel_ms_p50`.
 */
export async function submitCancelFigures(
  prefix: string,
  venue: Venue,
  o: {
    account: string;
    symbol: string;
    priceTicks: number;
    sizeLots: number;
    n: number;
    cid: (i: number) => string;
  },
): Promise<BenchFigure[]> {
  const submitUs: number[] = [];
  const cancelUs: number[] = [];
  for (let i = 0; i < o.n; i++) {
    const clientOrderId = o.cid(i);
    const t0 = process.hrtime.bigint();
    await venue.submit({
      account: o.account,
      symbol: o.symbol,
      clientOrderId,
      side: "buy",
      type: "limit",
      tif: "post_only",
      priceTicks: o.priceTicks,
      sizeLots: o.sizeLots,
      reduceOnly: false,
    });
    const t1 = process.hrtime.bigint();
    await venue.cancel(o.account, o.symbol, clientOrderId);
    const t2 = process.hrtime.bigint();
    if (i >= 20) {
      submitUs.push(Number(t1 - t0) / 1e3);
      cancelUs.push(Number(t2 - t1) / 1e3);
    }
  }
  submitUs.sort((a, b) => a - b);
  cancelUs.sort((a, b) => a - b);
  return [
    { key: `${prefix}_emu_submit_ms_p50`, value: percentile(submitUs, 50) / 1000, unit: "ms" },
    { key: `${prefix}_emu_submit_ms_p99`, value: percentile(submitUs, 99) / 1000, unit: "ms" },
    { key: `${prefix}_emu_cancel_ms_p50`, value: percentile(cancelUs, 50) / 1000, unit: "ms" },
  ];
}
