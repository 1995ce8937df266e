import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { feeOf, moneyText, mulDiv, toUsd, usd } from "./money.ts";

test("usd and toUsd round-trip to the pico-dollar", () => {
  assert.equal(usd(1.5), 1_500_000_000_000n);
  assert.equal(usd(-0.000001), -1_000_000n);
  assert.equal(toUsd(usd(1234.5678)), 1234.5678);
  assert.equal(moneyText(usd(-12.5)), "-12.5");
  assert.equal(moneyText(0n), "0");
  assert.throws(() => usd(Number.NaN), /not a finite amount/);
});

test("fees round in the venue's favour; rebates are negative", () => {
  // 4.5 bps of $1000 = $0.45
  assert.equal(feeOf(usd(1000), 4.5), usd(0.45));
  // -1 bps rebate
  assert.equal(feeOf(usd(1000), -1), -usd(0.1));
  // 1 pico-dollar notional at 1 bps rounds up to 1 pico
  assert.equal(feeOf(1n, 1), 1n);
});

test("property: mulDiv rounds in the asked direction", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
      fc.bigInt({ min: 1n, max: 10n ** 6n }),
      fc.bigInt({ min: 1n, max: 10n ** 6n }),
      (m, n, d) => {
        const down = mulDiv(m, n, d, "down");
        const up = mulDiv(m, n, d, "up");
        assert.ok(down * d <= m * n && m * n < (down + 1n) * d);
        assert.ok(up * d >= m * n && m * n > (up - 1n) * d);
      },
    ),
  );
});
