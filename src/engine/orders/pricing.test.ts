import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { BookView } from "../../core/market.ts";
import { catalogInstruments } from "../../venues/sim/catalog.ts";
import { isBalanced, protectionPriceTicks, trimsToBalance } from "./pricing.ts";

const [BTC, ETH] = catalogInstruments("simA");
const [BTCB] = catalogInstruments("simB");

function book(bid: number, ask: number): BookView {
  return {
    bestBidTicks: () => bid,
    bestAskTicks: () => ask,
    sizeAt: () => 1,
    walk: () => {},
    lastUpdateTs: 0,
  };
}

test("protection prices round away from the touch and never fall short of it", () => {
  // ETH tick 0.1: ask 2600.0, 3 bps -> 2600.78 -> down to 2600.7
  assert.equal(protectionPriceTicks(ETH, book(25_999, 26_000), "buy", 3), 26_007);
  // bid 2599.9, 3 bps -> 2599.12003 -> up to 2599.2
  assert.equal(protectionPriceTicks(ETH, book(25_999, 26_000), "sell", 3), 25_992);
  // a slippage below one tick still reaches the touch
  assert.equal(protectionPriceTicks(BTC, book(60_000, 60_001), "buy", 0.1), 60_001);
  assert.equal(protectionPriceTicks(BTC, book(60_000, 60_001), "sell", 0.1), 60_000);
  assert.equal(
    protectionPriceTicks(BTC, { ...book(1, 2), bestAskTicks: () => undefined }, "buy", 10),
    undefined,
  );
});

test("property: a buy's protection price is within [ask, ask x (1 + bps)], a sell's within [bid x (1 - bps), bid]", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 10, max: 10_000_000 }),
      fc.double({ min: 0, max: 500, noNaN: true }),
      (touch, bps) => {
        const buy = protectionPriceTicks(ETH, book(touch - 1, touch), "buy", bps)!;
        assert.ok(
          (buy >= touch && ETH.priceValue(buy) <= ETH.priceValue(touch) * (1 + bps / 10_000) + 1e-9) ||
            buy === touch,
        );
        const sell = protectionPriceTicks(ETH, book(touch, touch + 1), "sell", bps)!;
        assert.ok(
          sell <= touch &&
            (ETH.priceValue(sell) >= ETH.priceValue(touch) * (1 - bps / 10_000) - 1e-9 || sell === touch),
        );
      },
    ),
  );
});

test("trims take the heavy side back to within one lot, largest leg first", () => {
  const legs = [
    { legIndex: 0, inst: BTC, side: "buy" as const, heldLots: 4_000 }, // 0.04 BTC
    { legIndex: 1, inst: BTCB, side: "sell" as const, heldLots: 100 }, // 0.1 BTC
  ];
  assert.deepEqual(trimsToBalance(legs), [{ legIndex: 1, lots: 60 }]);
  assert.equal(isBalanced(legs), false);
  assert.equal(isBalanced([legs[0], { ...legs[1], heldLots: 40 }]), true);
  // a one-sided group is not a hedge: never trimmed
  assert.deepEqual(trimsToBalance([legs[0]]), []);
});

test("property: after the trims every hedged underlying is within one lot of the coarsest instrument", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ venueB: fc.boolean(), buy: fc.boolean(), lots: fc.integer({ min: 0, max: 200_000 }) }),
        { minLength: 2, maxLength: 5 },
      ),
      (specs) => {
        const legs = specs.map((s, i) => {
          const inst = s.venueB ? BTCB : BTC;
          return {
            legIndex: i,
            inst,
            side: s.buy ? ("buy" as const) : ("sell" as const),
            heldLots: s.venueB ? Math.floor(s.lots / 100) : s.lots,
          };
        });
        const trims = trimsToBalance(legs);
        const after = legs.map((l) => ({
          ...l,
          heldLots:
            l.heldLots - trims.filter((t) => t.legIndex === l.legIndex).reduce((a, t) => a + t.lots, 0),
        }));
        for (const l of after) assert.ok(l.heldLots >= 0, "never trims more than a leg holds");
        assert.ok(isBalanced(after), JSON.stringify({ legs: specs, trims }));
      },
    ),
  );
});
