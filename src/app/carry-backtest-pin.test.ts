import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { backtest30dOptions, runCarryBacktest } from "./carry-backtest.ts";

/**
 * The report of one simulated day at the scale of `backtest_carry_30d_s` (3 venues x 50 bases,
 * market step 60 s, books re-sent every 5 s, seed 1, default carry settings), pinned to the
 * SHA-256 of its JSON as main (8e0633f) gave it before the speed work of carryperf: the scans
 * made cheaper or repeated must decide exactly as before, trade for trade and count for count.
 */
const MAIN_1D_SHA256 = "3b07f173cab6393a8ee77a7d74ee8ad85026127bc6cb3aa93bb4a5000aacb064";

test("carry backtest, 1 day of 3 venues x 50 bases: the report is byte for byte the one main gave", async () => {
  const stats: { repeated: number; full: number; repeatedConfirming?: number } = { repeated: 0, full: 0 };
  const r = await runCarryBacktest(backtest30dOptions(1, stats));
  assert.equal(r.trades, 89);
  assert.equal(createHash("sha256").update(JSON.stringify(r)).digest("hex"), MAIN_1D_SHA256);
  // the day reaches the total cap: scans that only count confirmations of capped candidates repeat
  assert.ok((r.rejections.no_allocation ?? 0) > 0, JSON.stringify(r.rejections));
  assert.ok((stats.repeatedConfirming ?? 0) > 0, JSON.stringify(stats));
});
