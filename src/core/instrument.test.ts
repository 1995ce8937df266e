import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Instrument, type InstrumentSpec } from "./instrument.ts";

const base: InstrumentSpec = {
  venue: "simA",
  symbol: "BTC-PERP",
  base: "BTC",
  quote: "USD",
  tickSize: "0.5",
  lotSize: "0.00001",
  minNotionalUsd: 10,
  maxLeverage: 40,
  marginTiers: [
    { lowerBoundUsd: 0, maxLeverage: 40 },
    { lowerBoundUsd: 150_000_000, maxLeverage: 20 },
  ],
  fundingIntervalHours: 1,
  makerFeeBps: 1.5,
  takerFeeBps: 4.5,
};

// Tick and lot sizes of real instruments (Hyperliquid, Binance/Aster, Lighter public market specs).
const GRIDS: [string, string][] = [
  ["1", "0.00001"],
  ["0.1", "0.0001"],
  ["0.01", "0.01"],
  ["0.00001", "1"],
  ["0.5", "0.001"],
  ["0.000001", "10"],
  ["0.25", "0.1"],
];

test("impossible values throw with the value and the instrument in the message", () => {
  const inst = new Instrument(base);
  assert.throws(() => inst.price(Number.NaN), /simA:BTC-PERP: price NaN/);
  assert.throws(
    () => inst.price(100.25),
    /simA:BTC-PERP: price 100.25 is not a positive multiple of tick 0.5/,
  );
  assert.throws(() => inst.price("100.3"), /price 100.3/);
  assert.throws(() => inst.price(-1), /price -1/);
  assert.throws(() => inst.size(-0.00001), /simA:BTC-PERP: size -0.00001/);
  assert.throws(() => inst.size(0.000015), /size 0.000015 is not a non-negative multiple of lot 0.00001/);
  assert.throws(() => inst.size(Number.POSITIVE_INFINITY), /size Infinity/);
  assert.equal(inst.price("100.5"), 201);
  assert.equal(inst.price(100.5), 201);
  assert.equal(inst.size("0.00123"), 123);
  assert.throws(() => new Instrument({ ...base, tickSize: "0" }), /tickSize: "0"/);
  assert.throws(() => new Instrument({ ...base, lotSize: "abc" }), /lotSize: "abc"/);
});

test("price rounding follows the explicit direction relative to the touch", () => {
  const inst = new Instrument(base);
  // 100.3 lies between 100.0 (200 ticks) and 100.5 (201 ticks)
  assert.equal(inst.roundPrice(100.3, "buy", "toward_touch"), 201);
  assert.equal(inst.roundPrice(100.3, "buy", "away_from_touch"), 200);
  assert.equal(inst.roundPrice(100.3, "sell", "toward_touch"), 200);
  assert.equal(inst.roundPrice(100.3, "sell", "away_from_touch"), 201);
  assert.equal(inst.roundPrice(100.3, "sell", "nearest"), 201);
  // float noise on a grid point is not rounded away: 0.1 + 0.2 lots of 0.1 is 3 lots
  const sol = new Instrument({ ...base, lotSize: "0.1" });
  assert.equal(sol.roundSize(0.1 + 0.2, "down"), 3);
  assert.equal(sol.roundSize(0.35, "down"), 3);
  assert.equal(sol.roundSize(0.35, "up"), 4);
});

test("exact decimal text of grid values", () => {
  const inst = new Instrument({ ...base, tickSize: "0.00001", lotSize: "1" });
  assert.equal(inst.priceText(14333), "0.14333");
  assert.equal(inst.priceText(100000), "1");
  assert.equal(inst.sizeText(351), "351");
  const btc = new Instrument(base);
  assert.equal(btc.sizeText(77), "0.00077");
  assert.equal(btc.priceText(125479), "62739.5");
});

test("notional is exact in pico-dollars", () => {
  const inst = new Instrument({ ...base, tickSize: "1" });
  // 0.00077 BTC at 62739 = 48.30903 USD
  assert.equal(inst.notional(77, 62739), 48_309_030_000_000n);
  assert.equal(inst.notional(-77, 62739), 48_309_030_000_000n);
});

test("maintenance margin with tiers follows Hyperliquid's tier rule", () => {
  const inst = new Instrument(base);
  // below the second tier: mmr = 1/(2*40) = 1.25 %
  assert.equal(inst.maintenanceMargin(1_000_000), 12_500);
  // above: mmr = 1/(2*20) = 2.5 %, deduction = 150M * (0.025 - 0.0125) = 1.875M
  assert.ok(Math.abs(inst.maintenanceMargin(200_000_000) - (200_000_000 * 0.025 - 1_875_000)) < 1e-6);
  // continuity at the tier boundary
  const at = inst.maintenanceMargin(150_000_000);
  const below = inst.maintenanceMargin(150_000_000 - 1e-3);
  assert.ok(Math.abs(at - below) < 1);
  assert.equal(inst.maxLeverageAt(10), 40);
  assert.equal(inst.maxLeverageAt(200_000_000), 20);
});

test("property: no rounding path produces an off-grid price or size", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...GRIDS),
      fc.double({ min: 1e-6, max: 1e7, noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom("buy" as const, "sell" as const),
      fc.constantFrom(
        "toward_touch" as const,
        "away_from_touch" as const,
        "up" as const,
        "down" as const,
        "nearest" as const,
      ),
      (grid, raw, side, mode) => {
        const inst = new Instrument({ ...base, tickSize: grid[0], lotSize: grid[1] });
        if (raw / inst.tick.value >= 1) {
          const ticks = inst.roundPrice(raw, side, mode);
          assert.ok(Number.isSafeInteger(ticks) && ticks >= 1);
          // the text form parses back to the same grid value: it is on the grid
          assert.equal(inst.price(inst.priceText(ticks)), ticks);
          const p = inst.priceValue(ticks);
          // direction: never the wrong side of the raw value (beyond float noise)
          const tol = Math.max(inst.tick.value * 1e-6, raw * 32 * Number.EPSILON);
          const dir =
            mode === "toward_touch"
              ? side === "buy"
                ? "up"
                : "down"
              : mode === "away_from_touch"
                ? side === "buy"
                  ? "down"
                  : "up"
                : mode;
          if (dir === "up") assert.ok(p >= raw - tol, `${p} < ${raw}`);
          if (dir === "down") assert.ok(p <= raw + tol, `${p} > ${raw}`);
          assert.ok(Math.abs(p - raw) <= inst.tick.value + tol);
        }
        const lots = inst.roundSize(raw, mode === "up" ? "up" : mode === "nearest" ? "nearest" : "down");
        assert.ok(Number.isSafeInteger(lots) && lots >= 0);
        assert.equal(inst.size(inst.sizeText(lots)), lots);
      },
    ),
    { numRuns: 3000 },
  );
});
