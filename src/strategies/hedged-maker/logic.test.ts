import assert from "node:assert/strict";
import { test } from "node:test";
import type { BookView } from "../../core/market.ts";
import { breakEvenQuote, executableTicks, hedgeOrder, nextPhase, quoteFits, quoteTicks } from "./logic.ts";

/** a book side as levels from the touch outward (the input executableTicks walks) */
function book(bids: [number, number][], asks: [number, number][]): BookView {
  return {
    bestBidTicks: () => bids[0]?.[0],
    bestAskTicks: () => asks[0]?.[0],
    sizeAt: () => 0,
    walk(side, visit) {
      for (const [t, s] of side === "bid" ? bids : asks) if (!visit(t, s)) return;
    },
    lastUpdateTs: 0,
  };
}

test("executable price: the VWAP of the levels a hedge of that size consumes; undefined when the book is too thin", () => {
  const b = book(
    [
      [1000, 0.5],
      [999, 1],
    ],
    [[1001, 2]],
  );
  assert.equal(executableTicks(b, "sell", 0.5), 1000);
  // 0.5 at 1000 + 0.5 at 999 = 999.5
  assert.equal(executableTicks(b, "sell", 1), 999.5);
  assert.equal(executableTicks(b, "buy", 1), 1001);
  assert.equal(executableTicks(b, "sell", 1.6), undefined);
});

test("break-even quote: buy A at p, sell B at h: h(1 - fB) = p(1 + fA + m)", () => {
  // 3505 x (1 - 0.0004) / (1 + 0.00015 + 0.0001) = 3502.7223...
  assert.ok(Math.abs(breakEvenQuote("buy", 3505, 1.5, 4, 1) - 3502.72232) < 1e-4);
  // sell A, buy B: 3505.01 x 1.0004 / (1 - 0.00025) = 3507.2888...
  assert.ok(Math.abs(breakEvenQuote("sell", 3505.01, 1.5, 4, 1) - 3507.28883) < 1e-4);
  // one tick inside the touch unless the cap is further out
  assert.equal(quoteTicks("buy", 100, 101, 105), 100);
  assert.equal(quoteTicks("buy", 100, 101, 97), 97);
  assert.equal(quoteTicks("sell", 100, 101, 99), 101);
  assert.equal(quoteTicks("sell", 100, 101, 104), 104);
});

test("hedge order: rounded down to B's lot, nothing below B's minimum, side against the delta", () => {
  // lot 0.001, min $5 at 3500: 0.002 is the smallest hedge
  assert.deepEqual(hedgeOrder(0.0015, 0.001, 5, 3500), { side: "sell", lots: 0 });
  assert.deepEqual(hedgeOrder(0.0025, 0.001, 5, 3500), { side: "sell", lots: 2 });
  assert.deepEqual(hedgeOrder(-0.1, 0.001, 5, 3500), { side: "buy", lots: 100 });
  assert.deepEqual(hedgeOrder(0, 0.001, 5, 3500), { side: "buy", lots: 0 });
});

test("phases: buy to +max, sell to -max, the last cycle sells to flat and ends", () => {
  assert.deepEqual(nextPhase({ phase: "buy", cyclesDone: 0 }, 0, 1, 2), {
    phase: "buy",
    cyclesDone: 0,
    target: 1,
  });
  assert.deepEqual(nextPhase({ phase: "buy", cyclesDone: 0 }, 1, 1, 2), {
    phase: "sell",
    cyclesDone: 0,
    target: -1,
  });
  assert.deepEqual(nextPhase({ phase: "sell", cyclesDone: 0 }, -1, 1, 2), {
    phase: "buy",
    cyclesDone: 1,
    target: 1,
  });
  // cycle 2 of 2: the sell phase stops at flat
  assert.deepEqual(nextPhase({ phase: "sell", cyclesDone: 1 }, 0.5, 1, 2), {
    phase: "sell",
    cyclesDone: 1,
    target: 0,
  });
  assert.deepEqual(nextPhase({ phase: "sell", cyclesDone: 1 }, 0, 1, 2), {
    phase: "done",
    cyclesDone: 2,
    target: 0,
  });
  assert.deepEqual(nextPhase({ phase: "sell", cyclesDone: 5 }, -1, 1, null), {
    phase: "buy",
    cyclesDone: 6,
    target: 1,
  });
});

test("exposure bound: a quote rests only if its fill, unhedged, stays within the bound", () => {
  assert.equal(quoteFits(0.1, "buy", 0.1, 3500, 800), true); // 0.2 x 3500 = 700
  assert.equal(quoteFits(0.2, "buy", 0.1, 3500, 800), false); // 1050
  assert.equal(quoteFits(0.2, "sell", 0.1, 3500, 800), true); // a sell brings it back to 0.1
  assert.equal(quoteFits(0.3, "sell", 0.1, 3500, 800), false); // already past it
});
