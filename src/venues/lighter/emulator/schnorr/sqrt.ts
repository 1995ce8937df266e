import { fastMul, fastSquare, fromFast, toFast } from "./fast-fp5.ts";
import {
  FP5_ZERO,
  type Fp5,
  fp5Frobenius,
  fp5InverseOrZero,
  fp5IsZero,
  fp5Mul,
  fp5MulFp,
  fp5Neg,
  fp5Square,
  fpSqrt,
  mulCoeff0,
  P,
} from "./field.ts";

/** (p + 1)/2 = 2^63 − 2^31 + 1, the exponent of the square-root step. */
const HALF_P_PLUS_1 = (P + 1n) / 2n;

/** a^((p+1)/2) by square-and-multiply on fast-fp5.ts numbers (the costly step of a square root). */
function powHalfPPlus1(a: Fp5): Fp5 {
  const base = toFast(a);
  let r = base; // the top bit (62)
  for (let bit = 61; bit >= 0; bit--) {
    r = fastSquare(r);
    if ((HALF_P_PLUS_1 >> BigInt(bit)) & 1n) r = fastMul(r, base);
  }
  return fromFast(r);
}

/**
 * A square root of a, or undefined. With d = a^((p+1)/2) and e = d^(p + p^3), e^2·a = N(a) ∈ Fp,
 * so sqrt(a) = sqrt(N(a)) / e (Pornin, ecgfp5 §"square roots").
 */
export function fp5Sqrt(a: Fp5): Fp5 | undefined {
  if (fp5IsZero(a)) return FP5_ZERO;
  const d = powHalfPPlus1(a);
  const e = fp5Frobenius(fp5Mul(d, fp5Frobenius(d, 2)), 1);
  const n = mulCoeff0(a, fp5Square(e));
  const s = fpSqrt(n);
  if (s === undefined) return undefined;
  return fp5MulFp(fp5InverseOrZero(e), s);
}

/** "Sign" of a: true iff the first non-zero limb is even (the reference's Sgn0, zero → true). */
export function fp5Sgn0(a: Fp5): boolean {
  for (const limb of a) if (limb !== 0n) return (limb & 1n) === 0n;
  return true;
}

/** The square root whose Sgn0 is false (the one the reference's decoder keeps). */
export function fp5CanonicalSqrt(a: Fp5): Fp5 | undefined {
  const r = fp5Sqrt(a);
  if (r === undefined) return undefined;
  return fp5Sgn0(r) ? fp5Neg(r) : r;
}
