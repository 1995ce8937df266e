import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseStep } from "./decimal.ts";
import { Instrument, type InstrumentSpec } from "./instrument.ts";
import {
  checkPriceRule,
  FIXED_TICK,
  isAllowedPrice,
  type PriceRule,
  priceStepTicks,
  snapPrice,
} from "./price-rule.ts";

/** Hyperliquid perps: 5 significant figures, at most 6 - szDecimals decimals. */
const hlPerp = (szDecimals: number): PriceRule => ({
  kind: "significant_figures",
  figures: 5,
  maxDecimals: 6 - szDecimals,
});

const btcSpec = (rule: PriceRule, tickSize: string): InstrumentSpec => ({
  venue: "hl",
  symbol: "BTC",
  base: "BTC",
  quote: "USD",
  tickSize,
  lotSize: "0.00001",
  minNotionalUsd: 10,
  maxLeverage: 40,
  marginTiers: [],
  fundingIntervalHours: 1,
  makerFeeBps: 1.5,
  takerFeeBps: 4.5,
  priceRule: rule,
});

test("Hyperliquid's documented examples: 12345.6 refused, 123456 and 1234.5 allowed (BTC, szDecimals 5)", () => {
  const inst = new Instrument(btcSpec(hlPerp(5), "0.1"));
  assert.throws(() => inst.price("12345.6"), /breaks the price rule \(5 significant figures/);
  assert.equal(inst.price("123456"), 1_234_560);
  assert.equal(inst.price("1234.5"), 12_345);
  assert.equal(inst.price(0.1), 1);
  assert.ok(!inst.isAllowedPrice(123_456));
  assert.ok(inst.isAllowedPrice(123_450));
  // rounding honours the rule in the asked direction
  assert.equal(inst.priceText(inst.roundPrice(12345.67, "buy", "toward_touch")), "12346");
  assert.equal(inst.priceText(inst.roundPrice(12345.67, "buy", "away_from_touch")), "12345");
  assert.equal(inst.priceText(inst.roundPrice(99999.95, "buy", "up")), "100000");
  assert.equal(inst.priceText(inst.roundPrice(2.123456, "sell", "nearest")), "2.1");
});

test("a small-coin market (szDecimals 0): six decimals, five figures", () => {
  const rule = hlPerp(0);
  const step = parseStep("0.000001", "tick");
  checkPriceRule(rule, step, "DOGE");
  assert.ok(isAllowedPrice(rule, 123_450)); // 0.12345
  assert.ok(!isAllowedPrice(rule, 123_456)); // 0.123456: six figures
  assert.ok(isAllowedPrice(rule, 1_234)); // 0.001234
});

test("a rule that does not fit the tick is refused at construction, naming the instrument", () => {
  assert.throws(() => new Instrument(btcSpec(hlPerp(5), "1")), /hl:BTC: .*needs tick 0\.1, got 1/);
  assert.throws(() => new Instrument(btcSpec(hlPerp(5), "0.5")), /needs tick 0\.1/);
  assert.throws(
    () => new Instrument(btcSpec({ kind: "significant_figures", figures: 0, maxDecimals: 1 }, "0.1")),
    /figures 0/,
  );
  assert.throws(
    () => new Instrument(btcSpec({ kind: "bogus" } as unknown as PriceRule, "0.1")),
    /unknown price rule/,
  );
});

test("a fixed tick allows every tick count and never moves a price", () => {
  assert.ok(isAllowedPrice(FIXED_TICK, 123_456_789));
  assert.equal(snapPrice(FIXED_TICK, 123_456_789, "down"), 123_456_789);
  assert.equal(priceStepTicks(FIXED_TICK, 10 ** 12), 1);
});

const ruleArb = fc
  .record({ figures: fc.integer({ min: 1, max: 8 }), maxDecimals: fc.integer({ min: 0, max: 8 }) })
  .map((r): PriceRule => ({ kind: "significant_figures", ...r }));
const ticksArb = fc.integer({ min: 1, max: 10 ** 12 });

test("property: snapped prices are allowed, bracket the input, and allowed prices stay put", () => {
  fc.assert(
    fc.property(ruleArb, ticksArb, (rule, ticks) => {
      const down = snapPrice(rule, ticks, "down");
      const up = snapPrice(rule, ticks, "up");
      const near = snapPrice(rule, ticks, "nearest");
      assert.ok(isAllowedPrice(rule, down) && isAllowedPrice(rule, up) && isAllowedPrice(rule, near));
      assert.ok(down >= 1 && down <= ticks && ticks <= up, `${down} <= ${ticks} <= ${up}`);
      assert.ok(near === down || near === up);
      assert.ok(Math.abs(near - ticks) <= Math.min(ticks - down, up - ticks));
      if (isAllowedPrice(rule, ticks)) assert.ok(down === ticks && up === ticks && near === ticks);
      else assert.ok(down < ticks && ticks < up);
    }),
    { numRuns: 2000 },
  );
});

test("property: down and up are the closest allowed prices (nothing allowed strictly between)", () => {
  fc.assert(
    fc.property(ruleArb, fc.integer({ min: 1, max: 200_000 }), (rule, ticks) => {
      const down = snapPrice(rule, ticks, "down");
      const up = snapPrice(rule, ticks, "up");
      for (let t = down + 1; t < up; t++) assert.ok(!isAllowedPrice(rule, t), `${t} in (${down}, ${up})`);
    }),
    { numRuns: 300 },
  );
});

test("property: an allowed price has at most `figures` significant figures unless it is an integer", () => {
  fc.assert(
    fc.property(ruleArb, ticksArb, (rule, ticks) => {
      if (rule.kind !== "significant_figures") return;
      const allowed = isAllowedPrice(rule, ticks);
      const integer = ticks % 10 ** rule.maxDecimals === 0;
      const figures = String(ticks).replace(/0+$/, "").length;
      assert.equal(allowed, integer || figures <= rule.figures, `${ticks} ${JSON.stringify(rule)}`);
    }),
    { numRuns: 2000 },
  );
});
