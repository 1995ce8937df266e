import assert from "node:assert/strict";
import { test } from "node:test";
import type { Opportunity, VenueQuote } from "./entry.ts";
import { firstLeg, touchDepth } from "./sequence.ts";

// STRATEGIES.md 1.1 "Entry": the thinner leg first, ties to the slower (here: first by name)

const levels = (p: number, d: number, size: number) =>
  Array.from({ length: 10 }, (_, i) => ({ price: p + d * i, size }));

function quote(venue: string, size: number): VenueQuote {
  return {
    venue,
    symbol: "BTC",
    ratePerHour: 0,
    rateTs: 0,
    // levels 10 USD apart at 100,000: 1 bps each
    bids: levels(99_990, -10, size),
    asks: levels(100_010, 10, size),
    bboTs: 0,
    makerFeeBps: 1.5,
    takerFeeBps: 4.5,
  };
}

const op = (long: VenueQuote, short: VenueQuote) => ({ base: "BTC", long, short }) as unknown as Opportunity;

test("touchDepth: base units within max_slippage_bps of the touch, on the side taken", () => {
  const q = quote("a", 0.5);
  // 3 bps from 100,010 is 100,040.003: levels 100,010 .. 100,040 (4 levels)
  assert.equal(touchDepth(q.asks, "buy", 3), 2);
  // 3 bps below 99,990 is 99,960.003: levels 99,990 .. 99,970 (3 levels)
  assert.equal(touchDepth(q.bids, "sell", 3), 1.5);
  assert.equal(touchDepth(q.asks, "buy", 0), 0.5, "the touch alone");
  assert.equal(touchDepth([], "buy", 10), 0);
});

test("firstLeg: the leg whose book covers less of the quantity goes first, whichever side it is", () => {
  // simB's band holds 4 x 0.1 = 0.4 BTC of the 1 BTC entry, simA's covers it
  assert.equal(firstLeg(op(quote("simB", 0.1), quote("simA", 1)), 1, 3), "long");
  assert.equal(firstLeg(op(quote("simA", 1), quote("simB", 0.1)), 1, 3), "short");
});

test("firstLeg: both cover the quantity, the shallower band first; equal books, the first venue by name", () => {
  assert.equal(firstLeg(op(quote("simA", 5), quote("simB", 2)), 1, 3), "short");
  // 2.5 bps: three levels on either side, so equal books are a tie
  assert.equal(firstLeg(op(quote("simB", 2), quote("simA", 2)), 1, 2.5), "short", "simA before simB");
  assert.equal(firstLeg(op(quote("simA", 2), quote("simB", 2)), 1, 2.5), "long");
});
