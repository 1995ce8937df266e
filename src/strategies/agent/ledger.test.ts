import assert from "node:assert/strict";
import { test } from "node:test";
import { applyFill, exitTouched, type FillInput } from "./ledger.ts";
import type { HeldExit } from "./types.ts";

const f = (
  side: "buy" | "sell",
  qty: number,
  price: number,
  feeUsd: number,
  reason: string,
  ts = 0,
): FillInput => ({
  coin: "ETH",
  side,
  qty,
  price,
  feeUsd,
  ts,
  reason,
  version: "v",
});
const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

test("completed trades by hand: average entry, pro-rata entry fees, a fill crossing zero opens the other way", () => {
  let r = applyFill(undefined, f("buy", 1, 100, 0.1, "entry a"));
  r = applyFill(r.lot, f("buy", 1, 110, 0.1, "entry b"));
  assert.equal(r.lot?.entry, 105);
  assert.equal(r.lot?.entryReason, "entry a");
  // sell 0.5 at 120: pnl 7.5, entry fees 0.2 x 0.25, its own fee 0.05
  r = applyFill(r.lot, f("sell", 0.5, 120, 0.05, "take_profit", 60_000));
  assert.ok(close(r.closed!.netUsd, 7.5 - 0.05 - 0.05));
  assert.equal(r.closed!.exitReason, "take_profit");
  assert.ok(close(r.lot!.fees, 0.15));
  // sell 2 at 100: closes 1.5 (pnl -7.5, fees 0.15 + 0.075), opens 0.5 short with the rest of the fee
  r = applyFill(r.lot, f("sell", 2, 100, 0.1, "flip", 120_000));
  assert.ok(close(r.closed!.qty, 1.5));
  assert.ok(close(r.closed!.netUsd, -7.5 - 0.15 - 0.075));
  assert.ok(close(r.lot!.qty, -0.5));
  assert.equal(r.lot!.entry, 100);
  assert.ok(close(r.lot!.fees, 0.025));
});

const exit = (side: "long" | "short"): HeldExit => ({
  coin: "ETH",
  symbol: "ETH",
  side,
  stopLoss: side === "long" ? 90 : 110,
  takeProfit: side === "long" ? 120 : 80,
  invalidation: "",
  trigger: null,
  cycle: 1,
  version: "v",
  openedAt: 0,
  entryReason: "",
  attempts: 0,
});

test("a long's exits read the bid, a short's the ask; a gap through both is a stop", () => {
  assert.equal(exitTouched(exit("long"), 95, 96), null);
  assert.equal(exitTouched(exit("long"), 90, 91), "stop_loss");
  assert.equal(exitTouched(exit("long"), 120, 121), "take_profit");
  assert.equal(exitTouched(exit("short"), 109, 110), "stop_loss");
  assert.equal(exitTouched(exit("short"), 79, 80), "take_profit");
  assert.equal(exitTouched({ ...exit("long"), takeProfit: 85 }, 80, 81), "stop_loss");
  assert.equal(exitTouched(exit("long"), null, 100), null);
});
