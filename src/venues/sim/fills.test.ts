import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { feeOf } from "../../core/money.ts";
import { fillFee } from "./fills.ts";

test("property: fillFee is feeOf, whatever order the rates come in", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }),
          fc.oneof(
            fc.constantFrom(1.5, 4.5, 0.5, 4, 50, -0.2, 0),
            fc.double({ min: -10, max: 100, noNaN: true }),
          ),
        ),
        { minLength: 1, maxLength: 20 },
      ),
      (calls) => {
        for (const [notional, bps] of calls) assert.equal(fillFee(notional, bps), feeOf(notional, bps));
      },
    ),
    { numRuns: 300 },
  );
});
