import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { add, double } from "./curve.ts";
import { fastPointAdd, fastPointDouble, fromFastPoint, toFastPoint } from "./fast-curve.ts";
import {
  fastAdd,
  fastMul,
  fastMulB,
  fastMulSmall,
  fastSquare,
  fastSub,
  fromFast,
  toFast,
} from "./fast-fp5.ts";
import { type Fp5, fp5Add, fp5Mul, fp5MulFp, fp5Square, fp5Sub, P } from "./field.ts";
import { ADD, DOUBLE } from "./test-vectors.ts";

// Limbs biased to the edges where carries and the final reduction happen.
const limb = fc.oneof(
  fc.bigInt({ min: 0n, max: P - 1n }),
  fc.constantFrom(
    0n,
    1n,
    2n,
    P - 1n,
    P - 2n,
    0xffffffffn,
    0x100000000n,
    P - 0x100000000n,
    0xfffffffe00000001n,
  ),
);
const elem = fc.tuple(limb, limb, limb, limb, limb) as fc.Arbitrary<Fp5>;

describe("number-based Fp5 (fast-fp5.ts) equals the BigInt reference (field.ts)", () => {
  it("mul, add, sub, small and b multiples", () => {
    fc.assert(
      fc.property(elem, elem, (a, b) => {
        const fa = toFast(a);
        const fb = toFast(b);
        assert.deepEqual(fromFast(fastMul(fa, fb)), fp5Mul(a, b));
        assert.deepEqual(fromFast(fastSquare(fa)), fp5Square(a));
        assert.deepEqual(fromFast(fastAdd(fa, fb)), fp5Add(a, b));
        assert.deepEqual(fromFast(fastSub(fa, fb)), fp5Sub(a, b));
        assert.deepEqual(fromFast(fastMulSmall(fa, 4)), fp5MulFp(a, 4n));
        assert.deepEqual(fromFast(fastMulB(fa)), fp5Mul(a, [0n, 263n, 0n, 0n, 0n]));
      }),
      { numRuns: 300 },
    );
  });

  it("all-maximal limbs", () => {
    const m: Fp5 = [P - 1n, P - 1n, P - 1n, P - 1n, P - 1n];
    assert.deepEqual(fromFast(fastMul(toFast(m), toFast(m))), fp5Mul(m, m));
    assert.deepEqual(fromFast(fastSquare(toFast(m))), fp5Square(m));
  });

  it("point addition and doubling give the reference coordinates (TestAdd, TestDouble)", () => {
    assert.deepEqual(fromFastPoint(fastPointAdd(toFastPoint(ADD.a), toFastPoint(ADD.b))), ADD.expected);
    assert.deepEqual(fromFastPoint(fastPointDouble(toFastPoint(DOUBLE.point))), DOUBLE.expected);
    assert.deepEqual(fromFastPoint(fastPointAdd(toFastPoint(ADD.a), toFastPoint(ADD.b))), add(ADD.a, ADD.b));
    assert.deepEqual(fromFastPoint(fastPointDouble(toFastPoint(ADD.a))), double(ADD.a));
  });
});
