import assert from "node:assert/strict";
import { test } from "node:test";
import type { ExitLogEntry } from "../../strategies/agent/state.ts";
import { type WalkFill, walkExits } from "./exit-walk.ts";

/** The walker on crafted journals: it must pass a sound one and catch each kind of gap. */
let n = 0;
const arm = (ts: number, side: "long" | "short", sl: number | null = 90, tp: number | null = 120) =>
  ({
    n: ++n,
    ts,
    coin: "ETH",
    symbol: "ETH",
    side,
    stopLoss: side === "long" ? sl : sl === null ? null : 210 - sl,
    takeProfit: side === "long" ? tp : tp === null ? null : 200 - tp,
  }) as ExitLogEntry;
const drop = (ts: number): ExitLogEntry => ({
  n: ++n,
  ts,
  coin: "ETH",
  symbol: "ETH",
  side: null,
  stopLoss: null,
  takeProfit: null,
});
const fill = (ts: number, side: "buy" | "sell", size = 1): WalkFill => ({ symbol: "ETH", side, size, ts });

test("a sound journal: armed before the open, dropped after the close, flipped through flat", () => {
  const w = walkExits(
    [fill(1_000, "buy"), fill(5_000, "sell"), fill(9_000, "sell", 0.5), fill(12_000, "buy", 0.5)],
    [arm(900, "long"), drop(6_000), arm(9_000, "short"), drop(12_000)],
    20_000,
  );
  assert.deepEqual(w.violations, []);
  assert.equal(w.positionsOpened, 2);
  assert.equal(w.openMs, 4_000 + 3_000);
  assert.equal(w.instantsChecked, 2);
});

test("an open whose exit is armed a millisecond after its fill is caught at the fill's instant", () => {
  const w = walkExits([fill(1_000, "buy"), fill(5_000, "sell")], [arm(1_001, "long"), drop(5_000)]);
  assert.equal(w.violations.length, 1);
  assert.deepEqual(w.violations[0], { ts: 1_000, symbol: "ETH", position: 1, problem: "no held exit" });
});

test("an exit dropped while the position is still open is caught", () => {
  const w = walkExits([fill(1_000, "buy"), fill(5_000, "sell")], [arm(500, "long"), drop(4_999)]);
  assert.deepEqual(
    w.violations.map((v) => [v.ts, v.problem]),
    [[4_999, "no held exit"]],
  );
});

test("a missing stop, a missing take-profit, the wrong side and a crossed pair are each caught", () => {
  const cases: [ExitLogEntry, RegExp][] = [
    [arm(500, "long", null), /no stop-loss/],
    [arm(500, "long", 90, null), /no take-profit/],
    [arm(500, "short"), /for a short/],
    [arm(500, "long", 130, 120), /not beyond the stop/],
  ];
  for (const [x, re] of cases) {
    const w = walkExits([fill(1_000, "buy"), fill(5_000, "sell")], [x, drop(5_000)]);
    assert.equal(w.violations.length, 1, `${re}`);
    assert.match(w.violations[0].problem, re);
  }
});

test("a flip whose new side's exit comes late leaves the short unprotected: caught", () => {
  const w = walkExits(
    [fill(1_000, "buy"), fill(3_000, "sell", 2), fill(8_000, "buy")],
    [arm(900, "long"), arm(3_500, "short"), drop(8_000)],
  );
  assert.deepEqual(
    w.violations.map((v) => [v.ts, v.position, v.problem]),
    [[3_000, -1, "held exit is for a long"]],
  );
});

test("within one millisecond only the end state counts: drop-and-rearm with an open is held, arm-and-drop is not", () => {
  const ok = walkExits(
    [fill(1_000, "buy"), fill(5_000, "sell")],
    [arm(500, "long"), drop(1_000), arm(1_000, "long"), drop(5_000)],
  );
  assert.deepEqual(ok.violations, []);
  const bad = walkExits([fill(1_000, "buy"), fill(5_000, "sell")], [arm(1_000, "long"), drop(1_000)]);
  assert.deepEqual(
    bad.violations.map((v) => v.ts),
    [1_000],
  );
});
