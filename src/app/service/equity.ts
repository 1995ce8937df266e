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

export interface EquityBreakdownPoint extends EquityPoint {
  /** equity - cash of the recorded accounts: open positions at the mark */
  readonly unrealisedUsd: number;
  /** every fill's realised PnL net of its fee, summed up to ts */
  readonly realisedUsd: number;
  /** every funding payment up to ts */
  readonly fundingUsd: number;
}

/**
 * The equity curve split: at each point, the unrealised part (equity minus cash, as the runner
 * recorded both) beside the cumulative realised PnL net of fees and cumulative funding, from
 * every stored fill and payment up to that time.
 */
export async function equityBreakdown(
  store: Pick<Store, "equity" | "fills" | "funding">,
  options: { sinceTs?: number; limit?: number } = {},
): Promise<EquityBreakdownPoint[]> {
  const limit = options.limit ?? 2_000;
  const rows = await store.equity.list({ sinceTs: options.sinceTs, latest: true, limit: limit * 64 });
  const byTs = new Map<number, { eq: bigint; cash: bigint; n: number }>();
  for (const r of rows) {
    const p = byTs.get(r.ts) ?? { eq: 0n, cash: 0n, n: 0 };
    p.eq += r.equity;
    p.cash += r.cash;
    p.n++;
    byTs.set(r.ts, p);
  }
  const points = [...byTs].sort(([a], [b]) => a - b).slice(-limit);
  const events: [number, bigint, 0 | 1][] = [];
  for (const f of await store.fills.ofGroupOrders()) events.push([f.ts, f.realisedPnl - f.fee, 0]);
  for (const p of await store.funding.since(0)) events.push([p.ts, p.amount, 1]);
  events.sort((a, b) => a[0] - b[0]);
  const sums: [bigint, bigint] = [0n, 0n];
  let k = 0;
  const r2 = (x: bigint) => Math.round(toUsd(x) * 100) / 100;
  return points.map(([ts, p]) => {
    while (k < events.length && events[k][0] <= ts) sums[events[k][2]] += events[k++][1];
    return {
      ts,
      equityUsd: r2(p.eq),
      accounts: p.n,
      unrealisedUsd: r2(p.eq - p.cash),
      realisedUsd: r2(sums[0]),
      fundingUsd: r2(sums[1]),
    };
  });
}
