import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Instrument, type InstrumentSpec } from "../../core/instrument.ts";
import { Rng } from "../../core/random.ts";
import { catalogInstruments } from "../../venues/sim/catalog.ts";
import { type AllocationWallet, allocateGroup, drawLongCount, splitTarget } from "./allocation.ts";

// Lot sizes, ticks and minimum notionals of real listings: Hyperliquid perps (szDecimals 5/4/2/0,
// $10 minimum order value) and Binance USD-M perps as Aster lists them (BTCUSDT step 0.001 with a
// $100 minimum, ETHUSDT step 0.001 with $20). Prices are ranges those markets traded in.
const REAL: { spec: Omit<InstrumentSpec, "venue">; price: [number, number] }[] = [
  { spec: spec("BTC", "1", "0.00001", 10), price: [25_000, 110_000] },
  { spec: spec("ETH", "0.1", "0.0001", 10), price: [1_500, 4_800] },
  { spec: spec("SOL", "0.01", "0.01", 10), price: [20, 260] },
  { spec: spec("DOGE", "0.00001", "1", 10), price: [0.06, 0.45] },
  { spec: spec("BTC", "0.1", "0.001", 100), price: [25_000, 110_000] },
  { spec: spec("ETH", "0.01", "0.001", 20), price: [1_500, 4_800] },
];

function spec(
  base: string,
  tick: string,
  lot: string,
  minNotionalUsd: number,
): Omit<InstrumentSpec, "venue"> {
  return {
    symbol: `${base}-PERP`,
    base,
    quote: "USD",
    tickSize: tick,
    lotSize: lot,
    minNotionalUsd,
    maxLeverage: 20,
    marginTiers: [],
    fundingIntervalHours: 1,
    makerFeeBps: 1.5,
    takerFeeBps: 4.5,
  };
}

const params = (mid: number, maxImbalanceUsd = 2) => ({
  minLeverage: 2,
  maxLeverage: 3,
  maxImbalanceUsd,
  // longs are sent at the ask, shorts at the bid: a 2 bps spread around the mid
  longPrice: () => mid * 1.0001,
  shortPrice: () => mid * 0.9999,
});

test("long count follows docs/farm.md: [2, n-2] for n >= 4, 1 or 2 for n = 3", () => {
  const rng = new Rng(7);
  const seen3 = new Set<number>();
  for (let i = 0; i < 200; i++) {
    seen3.add(drawLongCount(3, rng));
    const n = rng.int(4, 40);
    const k = drawLongCount(n, rng);
    assert.ok(k >= 2 && k <= n - 2, `n=${n} k=${k}`);
  }
  assert.deepEqual([...seen3].sort(), [1, 2]);
});

test("splitTarget honours caps and gives the leftover to wallets with room", () => {
  const rng = new Rng(1);
  const out = splitTarget(1000, [100, 2000, 50], rng);
  assert.ok(out[0] <= 100 + 1e-9 && out[2] <= 50 + 1e-9);
  assert.ok(Math.abs(out.reduce((s, x) => s + x, 0) - 1000) < 1e-6);
});

test("property: sides non-empty, capacity respected, rounded sizes within the imbalance bound", () => {
  let ok = 0;
  let runs = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: REAL.length - 1 }),
      fc.boolean(),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.array(fc.double({ min: Math.log(10), max: Math.log(100_000), noNaN: true }), {
        minLength: 3,
        maxLength: 40,
      }),
      fc.integer(),
      (ia, crossVenue, pricePos, logBalances, seed) => {
        const a = REAL[ia];
        // cross-venue pairs trade the same underlying on two venues with their own grids
        const b = crossVenue ? (REAL.find((r, i) => i !== ia && r.spec.base === a.spec.base) ?? a) : a;
        const instA = new Instrument({ ...a.spec, venue: "A" });
        const instB = new Instrument({ ...b.spec, venue: "B" });
        const mid = a.price[0] + (a.price[1] - a.price[0]) * pricePos;
        const wallets: AllocationWallet[] = logBalances.map((lb, i) => ({
          walletId: `w${i}`,
          balanceUsd: Math.exp(lb),
          instrument: crossVenue && i % 2 === 1 ? instB : instA,
        }));
        const sides = crossVenue
          ? { longs: wallets.filter((_, i) => i % 2 === 0), shorts: wallets.filter((_, i) => i % 2 === 1) }
          : undefined;
        const res = allocateGroup(wallets, params(mid), new Rng(seed), sides);
        runs++;
        if (!res.ok) {
          assert.ok(res.reason === "below_min_notional" || res.reason === "imbalance", res.detail);
          return;
        }
        ok++;
        assert.ok(res.legs.some((l) => l.side === "buy") && res.legs.some((l) => l.side === "sell"));
        assert.equal(new Set(res.legs.map((l) => l.walletId)).size, res.legs.length);
        for (const leg of res.legs) {
          assert.ok(Number.isSafeInteger(leg.sizeLots) && leg.sizeLots > 0);
          assert.ok(leg.notionalUsd <= leg.capacityUsd + 1e-6, `${leg.walletId} over capacity`);
          assert.ok(leg.notionalUsd >= leg.instrument.spec.minNotionalUsd - 1e-9, "below the venue minimum");
          const w = wallets.find((x) => x.walletId === leg.walletId)!;
          const price = leg.side === "buy" ? mid * 1.0001 : mid * 0.9999;
          assert.ok(Math.abs(leg.sizeLots * w.instrument.lot.value * price - leg.notionalUsd) < 1e-6);
        }
        // the bound is on the net delta: sizes in the underlying, valued at one price
        const size = (side: "buy" | "sell") =>
          res.legs
            .filter((l) => l.side === side)
            .reduce((s, l) => s + l.sizeLots * l.instrument.lot.value, 0);
        const delta = Math.abs(size("buy") - size("sell")) * res.referencePrice;
        assert.ok(delta <= 2 + 1e-6, `net delta $${delta}`);
        assert.ok(res.leverage >= 2 && res.leverage <= 3);
      },
    ),
    { numRuns: 400 },
  );
  // failures are the exception (tiny wallets against a $100 minimum), not the rule
  assert.ok(ok / runs > 0.85, `only ${ok} of ${runs} groups allocated`);
});

test("a side whose wallets cannot reach the venue minimum fails with that reason", () => {
  const inst = new Instrument({ ...REAL[4].spec, venue: "A" });
  const wallets = [20, 15, 30].map((b, i) => ({ walletId: `w${i}`, balanceUsd: b, instrument: inst }));
  const res = allocateGroup(wallets, params(60_000), new Rng(1));
  assert.equal(res.ok, false);
  assert.equal(!res.ok && res.reason, "below_min_notional");
});

test("property: every group, same- or cross-venue, holds |net delta| <= max_imbalance_usd at one reference price", () => {
  // the simulated venues' own listings: SOL is 0.01 lots on simA and 1 lot on simB
  const simA = catalogInstruments("simA");
  const simB = catalogInstruments("simB");
  const PRICE: Record<string, [number, number]> = {
    BTC: [25_000, 110_000],
    ETH: [1_500, 4_800],
    SOL: [20, 260],
    DOGE: [0.06, 0.45],
  };
  let crossOk = 0;
  let sameOk = 0;
  fc.assert(
    fc.property(
      fc.constantFrom("BTC", "ETH", "SOL", "DOGE"),
      fc.constantFrom("same_venue", "cross_venue"),
      fc.boolean(),
      fc.double({ min: 0, max: 1, noNaN: true }),
      // the two venues' mids differ by up to 30 bps, as two books of one underlying do
      fc.double({ min: -0.003, max: 0.003, noNaN: true }),
      fc.integer({ min: 0, max: 50 }),
      fc.array(fc.double({ min: Math.log(200), max: Math.log(20_000), noNaN: true }), {
        minLength: 2,
        maxLength: 6,
      }),
      fc.double({ min: 0.5, max: 5, noNaN: true }),
      fc.integer(),
      (b, shape, aLongs, pricePos, basis, slipBps, logBalances, bound, seed) => {
        const instA = simA.find((i) => i.spec.base === b)!;
        const instB = simB.find((i) => i.spec.base === b)!;
        const mid = PRICE[b][0] + (PRICE[b][1] - PRICE[b][0]) * pricePos;
        const midOf = (i: Instrument) => (i.venue === "simB" ? mid * (1 + basis) : mid);
        const slip = slipBps / 10_000;
        const cross = shape === "cross_venue";
        // a same-venue group needs 3 wallets (a copy: fast-check reuses its values when shrinking)
        const balances = !cross && logBalances.length < 3 ? [...logBalances, logBalances[0]] : logBalances;
        const [longInst, shortInst] = cross ? (aLongs ? [instA, instB] : [instB, instA]) : [instA, instA];
        const k = cross ? Math.max(1, balances.length >> 1) : Math.min(2, balances.length - 1);
        const wallets: AllocationWallet[] = balances.map((lb, i) => ({
          walletId: `w${i}`,
          balanceUsd: Math.exp(lb),
          instrument: i < k ? longInst : shortInst,
        }));
        const res = allocateGroup(
          wallets,
          {
            minLeverage: 2,
            maxLeverage: 3,
            maxImbalanceUsd: bound,
            // longs sent at the ask plus slippage, shorts at the bid minus slippage
            longPrice: (i) => midOf(i) * (1.0001 + slip),
            shortPrice: (i) => midOf(i) * (0.9999 - slip),
          },
          new Rng(seed),
          { longs: wallets.slice(0, k), shorts: wallets.slice(k) },
        );
        if (!res.ok) {
          assert.ok(res.reason === "below_min_notional" || res.reason === "imbalance", res.detail);
          return;
        }
        if (cross) crossOk++;
        else sameOk++;
        const size = (side: "buy" | "sell") =>
          res.legs
            .filter((l) => l.side === side)
            .reduce((s, l) => s + l.sizeLots * l.instrument.lot.value, 0);
        const net = size("buy") - size("sell");
        // valued at the mid, the delta held is within the bound (the allocator's one reference
        // price lies within 0.5% of it: the two venues' mids and symmetric slippage)
        assert.ok(
          Math.abs(net) * mid <= bound * 1.005 + 1e-6,
          `${shape} ${b}: long ${size("buy")} short ${size("sell")} net $${(net * mid).toFixed(2)} > $${bound}`,
        );
        assert.ok(Math.abs(net) * res.referencePrice <= bound + 1e-6);
        assert.ok(Math.abs(res.imbalanceUsd - Math.abs(net) * res.referencePrice) < 1e-6);
        assert.ok(Math.abs(res.netDeltaBase - net) < 1e-9);
      },
    ),
    { numRuns: 500 },
  );
  assert.ok(crossOk > 50 && sameOk > 50, `allocated ${crossOk} cross-venue and ${sameOk} same-venue groups`);
});
