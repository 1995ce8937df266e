import { toUsd } from "../../core/money.ts";
import type { Store } from "../../store/store.ts";

/**
 * The equity curve: the runner's LiveRecorder writes every account's equity at one timestamp
 * (src/app/live-recorder.ts); a point of the curve is the sum over the accounts of one timestamp.
 */

export interface EquityPoint {
  readonly ts: number;
  readonly equityUsd: number;
  /** accounts summed into this point */
  readonly accounts: number;
}

/** Points oldest first, at most `limit` (the newest), from `sinceTs` on. */
export async function equityCurve(
  store: Pick<Store, "equity">,
  options: { sinceTs?: number; limit?: number } = {},
): Promise<EquityPoint[]> {
  const limit = options.limit ?? 2_000;
  // each point is one row per account: read enough rows for `limit` points of many accounts
  const rows = await store.equity.list({ sinceTs: options.sinceTs, latest: true, limit: limit * 64 });
  const byTs = new Map<number, { sum: bigint; n: number }>();
  for (const r of rows) {
    const p = byTs.get(r.ts) ?? { sum: 0n, n: 0 };
    p.sum += r.equity;
    p.n++;
    byTs.set(r.ts, p);
  }
  return [...byTs]
    .sort(([a], [b]) => a - b)
    .slice(-limit)
    .map(([ts, p]) => ({ ts, equityUsd: Math.round(toUsd(p.sum) * 100) / 100, accounts: p.n }));
}
