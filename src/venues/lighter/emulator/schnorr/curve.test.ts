import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  add,
  decode,
  double,
  encode,
  GENERATOR,
  isNeutral,
  mul,
  mulAdd2,
  NEUTRAL,
  negate,
  ORDER,
  type Point,
  pointEquals,
} from "./curve.ts";
import { fp5Equals, fp5Legendre, fp5Square, fp5Sub } from "./field.ts";
import { ADD, DOUBLE, ENCODE, ENCODED, SCALAR_MUL, UNDECODABLE } from "./test-vectors.ts";

function mustDecode(w: (typeof ENCODED)[number]): Point {
  const p = decode(w);
  assert.ok(p !== undefined, `decodes ${w.join(",")}`);
  return p;
}

describe("ECgFp5 curve (poseidon_crypto curve_test.go vectors)", () => {
  it("encodes a projective point (TestEncode)", () => {
    assert.deepEqual(encode(ENCODE.point), ENCODE.expected);
  });

  it("adds with the complete formulas, coordinate for coordinate (TestAdd)", () => {
    assert.deepEqual(add(ADD.a, ADD.b), ADD.expected);
  });

  it("doubles (TestDouble)", () => {
    const d = double(DOUBLE.point);
    assert.ok(pointEquals(d, DOUBLE.expected));
    assert.deepEqual(d, DOUBLE.expected);
  });

  it("multiplies by a scalar (TestScalarMul)", () => {
    assert.ok(pointEquals(mul(SCALAR_MUL.point, SCALAR_MUL.scalar), SCALAR_MUL.expected));
    assert.ok(!pointEquals(mul(SCALAR_MUL.point, SCALAR_MUL.scalar + 1n), SCALAR_MUL.expected));
  });

  it("rejects elements that encode no point and decodes the valid ones (TestBasicOps)", () => {
    for (const w of UNDECODABLE) {
      // (w^2 - a)^2 - 4b is not a square for these
      const e = fp5Sub(fp5Square(w), [2n, 0n, 0n, 0n, 0n]);
      assert.notEqual(fp5Legendre(fp5Sub(fp5Square(e), [0n, 4n * 263n, 0n, 0n, 0n])), 1n);
      assert.equal(decode(w), undefined);
    }
    const p = ENCODED.map(mustDecode);
    assert.ok(isNeutral(p[0]!));
    for (let i = 1; i < 8; i++) assert.ok(!isNeutral(p[i]!), `P${i} is not neutral`);
    for (let i = 0; i < 8; i++) assert.ok(fp5Equals(encode(p[i]!), ENCODED[i]!), `re-encodes w${i}`);
    assert.ok(pointEquals(p[1]!, p[1]!) && !pointEquals(p[0]!, p[1]!) && !pointEquals(p[1]!, p[2]!));
    const [p0, p1, p2] = [p[0]!, p[1]!, p[2]!];
    assert.deepEqual(encode(add(p1, p2)), ENCODED[3]);
    assert.deepEqual(encode(add(p1, p1)), ENCODED[4]);
    assert.deepEqual(encode(double(p2)), ENCODED[5]);
    assert.deepEqual(encode(add(double(p1), p2)), ENCODED[6]);
    assert.deepEqual(encode(add(add(p1, p2), p2)), ENCODED[7]);
    assert.ok(isNeutral(double(p0)) && isNeutral(add(p0, p0)));
    assert.deepEqual(encode(add(p0, p1)), ENCODED[1]);
    assert.deepEqual(encode(add(p1, p0)), ENCODED[1]);
  });

  it("scalar multiplication is consistent with the group law", () => {
    const p1 = mustDecode(ENCODED[1]!);
    const p2 = mustDecode(ENCODED[2]!);
    assert.ok(pointEquals(mul(p1, 2n), double(p1)));
    assert.ok(pointEquals(mul(p1, 3n), add(double(p1), p1)));
    assert.ok(isNeutral(mul(GENERATOR, ORDER)), "n·G is the neutral: the order is n");
    assert.ok(pointEquals(mul(GENERATOR, ORDER + 5n), mul(GENERATOR, 5n)));
    assert.ok(isNeutral(add(p1, negate(p1))));
    assert.ok(pointEquals(mul(NEUTRAL, 12345n), NEUTRAL));
    const a = 0x1234567890abcdef1234567890abcdefn;
    const b = ORDER - 77n;
    assert.ok(pointEquals(mulAdd2(p1, a, p2, b), add(mul(p1, a), mul(p2, b))));
    assert.ok(pointEquals(mulAdd2(GENERATOR, a, p2, b), add(mul(GENERATOR, a), mul(p2, b))));
  });

  it("the generator encodes to 4 and decodes back", () => {
    assert.deepEqual(encode(GENERATOR), [4n, 0n, 0n, 0n, 0n]);
    const g = decode([4n, 0n, 0n, 0n, 0n]);
    assert.ok(g !== undefined && pointEquals(g, GENERATOR));
  });
});
