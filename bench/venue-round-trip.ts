import type { Venue } from "../src/core/venue.ts";
import { type BenchFigure, percentile } from "./harness.ts";

/**
 * A connector's order round trip against its emulator on loopback: `rounds` signed post-only
 * buys far from the touch, each cancelled at once (the first 20 are warm-up), as p50 / p99 of
 * submit and p50 of cancel, keyed `<prefix>_emu_…`. Shared by the venue benches.
 */
export async function submitCancelFigures(
  venue: Venue,
  o: {
    account: string;
    symbol: string;
    priceTicks: number;
    sizeLots: number;
    prefix: string;
    rounds?: number;
    /** the client order id of round i (default: i + 1) */
    cid?: (i: number) => string;
  },
): Promise<BenchFigure[]> {
  const submitUs: number[] = [];
  const cancelUs: number[] = [];
  for (let i = 0; i < (o.rounds ?? 300); i++) {
    const clientOrderId = o.cid?.(i) ?? String(i + 1);
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
    { key: `${o.prefix}_emu_submit_ms_p50`, value: percentile(submitUs, 50) / 1000, unit: "ms" },
    { key: `${o.prefix}_emu_submit_ms_p99`, value: percentile(submitUs, 99) / 1000, unit: "ms" },
    { key: `${o.prefix}_emu_cancel_ms_p50`, value: percentile(cancelUs, 50) / 1000, unit: "ms" },
  ];
}
