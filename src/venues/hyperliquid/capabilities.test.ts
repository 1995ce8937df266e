import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  cloidFor,
  exchangeWeight,
  infoWeight,
  isCloid,
  isValidPrice,
  isValidSize,
  maxPriceDecimals,
  priceStepAt,
  roundPrice,
} from "./capabilities.ts";

describe("hyperliquid price and size rules", () => {
  it("5 significant figures and 6 − szDecimals decimals; integers always valid", () => {
    // examples from HLd "Tick and lot size" and ccxt's static request fixture ("100000")
    assert.equal(maxPriceDecimals(5), 1);
    assert.equal(maxPriceDecimals(0), 6);
    assert.equal(maxPriceDecimals(2, "spot"), 6);
    assert.equal(isValidPrice("1234.5", 1), true);
    assert.equal(isValidPrice("1234.56", 0), false); // 6 significant figures
    assert.equal(isValidPrice("0.001234", 0), true);
    assert.equal(isValidPrice("0.0012345", 0), false); // 7 decimals
    assert.equal(isValidPrice("0.0123", 2), true);
    assert.equal(isValidPrice("0.01234", 2), false); // 5 decimals > 4
    assert.equal(isValidPrice("123456", 5), true);
    assert.equal(isValidPrice("100000", 5), true);
    assert.equal(isValidPrice("97123.5", 5), false);
    assert.equal(isValidPrice("9712.3", 5), true);
    assert.equal(isValidPrice("9712.30", 5), true);
    assert.equal(isValidPrice("0", 5), false);
    assert.equal(isValidPrice("1e3", 5), false);
    assert.equal(isValidSize("0.00015", 5), true);
    assert.equal(isValidSize("0.000015", 5), false);
    assert.equal(isValidSize("3", 0), true);
    assert.equal(isValidSize("3.0", 0), true);
    assert.equal(isValidSize("3.5", 0), false);
  });

  it("the step at a price and rounding onto it", () => {
    assert.equal(priceStepAt(97123, 5), 1);
    assert.ok(Math.abs(priceStepAt(9712.3, 5) - 0.1) < 1e-15);
    assert.ok(Math.abs(priceStepAt(971.23, 5) - 0.1) < 1e-15);
    assert.ok(Math.abs(priceStepAt(0.012345, 0) - 1e-6) < 1e-18);
    assert.equal(roundPrice(97123.7, 5, "down"), "97123");
    assert.equal(roundPrice(97123.2, 5, "up"), "97124");
    assert.equal(roundPrice(1.23456, 0, "nearest"), "1.2346");
    assert.equal(roundPrice(0.1 + 0.2, 0, "down"), "0.30000");
    assert.equal(roundPrice(99999.6, 0, "up"), "100000");
  });

  it("rounded prices are always valid and on the right side (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-5, max: 1e6, noNaN: true }),
        fc.integer({ min: 0, max: 5 }),
        fc.constantFrom("down", "up", "nearest" as const),
        (p, szd, dir) => {
          let text: string;
          try {
            text = roundPrice(p, szd, dir);
          } catch {
            return; // rounds to zero below the smallest step
          }
          assert.ok(isValidPrice(text, szd), `${p} szDecimals ${szd} ${dir} -> ${text}`);
          const v = Number(text);
          if (dir === "down") assert.ok(v <= p * (1 + 1e-12), `${text} above ${p}`);
          if (dir === "up") assert.ok(v >= p * (1 - 1e-12), `${text} below ${p}`);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("hyperliquid ids and limits", () => {
  it("cloids are 0x + 32 lowercase hex, stable per client order id", () => {
    const c = cloidFor("group-7/leg-2/open");
    assert.ok(isCloid(c), c);
    assert.equal(c, cloidFor("group-7/leg-2/open"));
    assert.notEqual(c, cloidFor("group-7/leg-2/close"));
    assert.equal(isCloid("0xABCDEF0123456789abcdef0123456789"), false);
  });

  it("weights", () => {
    assert.equal(exchangeWeight(1), 1);
    assert.equal(exchangeWeight(39), 1);
    assert.equal(exchangeWeight(40), 2);
    assert.equal(exchangeWeight(100), 3);
    assert.equal(infoWeight("l2Book"), 2);
    assert.equal(infoWeight("meta"), 20);
    assert.equal(infoWeight("userFills", 2000), 120);
  });
});
