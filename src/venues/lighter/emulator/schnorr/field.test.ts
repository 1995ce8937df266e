import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  FP5_ZERO,
  type Fp5,
  FROB_ROOT,
  fp,
  fp5,
  fp5Add,
  fp5Equals,
  fp5Frobenius,
  fp5FromBytesLE,
  fp5InverseOrZero,
  fp5Legendre,
  fp5Mul,
  fp5Square,
  fp5Sub,
  fp5ToBytesLE,
  fpAdd,
  fpFromInt64,
  fpInverseOrZero,
  fpMul,
  fpNeg,
  fpSqrt,
  fpSub,
  P,
} from "./field.ts";
import { fp5CanonicalSqrt, fp5Sgn0, fp5Sqrt } from "./sqrt.ts";

// Vectors from elliottech/poseidon_crypto v0.0.15 `field/field_test.go` (named per test).
const V1 = fp5([
  0x1234567890abcdefn,
  0x0fedcba987654321n,
  0x1122334455667788n,
  0x8877665544332211n,
  0xaabbccddeeff0011n,
]);
const V2 = fp5([
  0xffffffffffffffffn,
  0xffffffffffffffffn,
  0xffffffffffffffffn,
  0xffffffffffffffffn,
  0xffffffffffffffffn,
]);

// field_test.go `inputs`-style edge values: 0, 1, p-1, p, p+1, 2^32-1, 2^64-1.
const EDGES = [0n, 1n, 2n, P - 1n, P, P + 1n, 0xffffffffn, 0xffffffffffffffffn, 0x1234567890abcdefn];

describe("Goldilocks field", () => {
  it("add, sub, mul, neg agree with plain modular arithmetic on edge values (TestAddF/SubF/MulF/NegF)", () => {
    for (const a of EDGES)
      for (const b of EDGES) {
        const x = fp(a);
        const y = fp(b);
        assert.equal(fpAdd(x, y), (a + b) % P);
        assert.equal(fpSub(x, y), (((a - b) % P) + P) % P);
        assert.equal(fpMul(x, y), (a * b) % P);
      }
    for (const a of EDGES) assert.equal(fpAdd(fpNeg(fp(a)), fp(a)), 0n);
  });

  it("(p+1)/2 · 2 = 1 and 0 - 1 = p - 1 (TestSubFDoubleWraparound)", () => {
    const x = fpMul((P + 1n) / 2n, 2n);
    assert.equal(x, 1n);
    assert.equal(fpSub(0n, x), P - 1n);
  });

  it("inverse and square root", () => {
    for (const a of EDGES) {
      const x = fp(a);
      if (x === 0n) assert.equal(fpInverseOrZero(x), 0n);
      else assert.equal(fpMul(x, fpInverseOrZero(x)), 1n);
      const sq = fpMul(x, x);
      const r = fpSqrt(sq);
      assert.ok(r !== undefined);
      assert.equal(fpMul(r, r), sq);
    }
    assert.equal(fpSqrt(7n), undefined, "7 generates Fp*, so it is not a square");
  });

  it("int64 fields wrap like Go's uint64(x)", () => {
    assert.equal(fpFromInt64(-1n), fp(0xffffffffffffffffn));
    assert.equal(fpFromInt64(5n), 5n);
  });
});

describe("quintic extension Fp5", () => {
  it("add, sub, mul, square (TestQuinticExtensionAddSubMulSquare)", () => {
    assert.deepEqual(fp5Add(V1, V2), [
      1311768471589866989n,
      1147797413325783839n,
      1234605620731475846n,
      9833440832084189711n,
      12302652064957136911n,
    ]);
    assert.deepEqual(fp5Sub(V1, V2), [
      1311768462999932401n,
      1147797404735849251n,
      1234605612141541258n,
      9833440823494255123n,
      12302652056367202323n,
    ]);
    assert.deepEqual(fp5Mul(V1, V2), [
      12801331769143413385n,
      14031114708135177824n,
      4192851210753422088n,
      14031114723597060086n,
      4193451712464626164n,
    ]);
    assert.deepEqual(fp5Square(V1), [
      2711468769317614959n,
      15562737284369360677n,
      48874032493986270n,
      11211402278708723253n,
      2864528669572451733n,
    ]);
  });

  it("Frobenius (TestRepeatedFrobeniusgFp5) and its root constant", () => {
    assert.equal(FROB_ROOT, 1041288259238279555n, "FP5_DTH_ROOT of goldilocks_quintic_extension.go");
    assert.deepEqual(fp5Frobenius(V1, 1), [
      1311768467294899695n,
      5234265561494296110n,
      6204816484784411482n,
      8858034429214283719n,
      17855579289599571296n,
    ]);
    assert.deepEqual(fp5Frobenius(V1, 5), V1);
  });

  it("inverse (TestTryInverse)", () => {
    const inv = fp5InverseOrZero(V1);
    assert.deepEqual(inv, [
      10760985268447604442n,
      1770001646280707407n,
      826117924202660585n,
      45414427571889187n,
      8256636258983026155n,
    ]);
    assert.deepEqual(fp5Mul(inv, V1), [1n, 0n, 0n, 0n, 0n]);
    assert.deepEqual(fp5InverseOrZero(FP5_ZERO), FP5_ZERO);
  });

  it("Sgn0 (TestQuinticExtSgn0)", () => {
    assert.equal(
      fp5Sgn0(
        fp5([
          7146494650688613286n,
          2524706331227574337n,
          2805008444831673606n,
          10342159727506097401n,
          5582307593199735986n,
        ]),
      ),
      true,
    );
    assert.equal(fp5Sgn0(fp5([1n, 0n, 0n, 0n, 0n])), false);
  });

  it("square roots (TestSqrtFunctions, TestSqrtNonExistent)", () => {
    const x = fp5([
      17397692312497920520n,
      4597259071399531684n,
      15835726694542307225n,
      16979717054676631815n,
      12876043227925845432n,
    ]);
    assert.deepEqual(fp5CanonicalSqrt(x), [
      16260118390353633405n,
      2204473665618140400n,
      10421517006653550782n,
      4618467884536173852n,
      15556190572415033139n,
    ]);
    const r = fp5Sqrt(x);
    assert.ok(r !== undefined);
    assert.deepEqual(fp5Square(r), x);
    assert.equal(
      fp5Sqrt(
        fp5([
          3558249639744866495n,
          2615658757916804776n,
          14375546700029059319n,
          16160052538060569780n,
          8366525948816396307n,
        ]),
      ),
      undefined,
    );
    assert.equal(fp5Sqrt(fp5([263n, 0n, 0n, 0n, 0n])), undefined, "263 is not a square");
  });

  it("Legendre symbol: 0 for zero, 1 for squares, p-1 for non-squares (TestLegendre)", () => {
    assert.equal(fp5Legendre(FP5_ZERO), 0n);
    let seed = 12345n;
    const next = (): bigint => {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
      return seed % P;
    };
    for (let i = 0; i < 8; i++) {
      const a: Fp5 = [next(), next(), next(), next(), next()];
      assert.equal(fp5Legendre(fp5Square(a)), 1n);
      const l = fp5Legendre(a);
      assert.equal(l === 1n, fp5Sqrt(a) !== undefined);
      if (l !== 1n) assert.equal(l, P - 1n);
    }
  });

  it("40-byte little-endian round trip; non-canonical limbs are read mod p", () => {
    assert.ok(fp5Equals(fp5FromBytesLE(fp5ToBytesLE(V1)), V1));
    const b = new Uint8Array(40).fill(0xff);
    assert.deepEqual(fp5FromBytesLE(b), V2);
    assert.throws(() => fp5FromBytesLE(new Uint8Array(39)), /40 bytes, got 39/);
  });
});
