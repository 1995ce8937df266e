import type { Fp5 } from "./field.ts";

/**
 * Fp5 arithmetic on plain numbers for the verifier's hot loop (the scalar multiplications), about
 * 5–10× faster than `field.ts`'s BigInt code; results are identical (field.test.ts and
 * fast-fp5.test.ts compare them). An element is 10 numbers: for each of the 5 coefficients its low
 * and high 32-bit halves, canonical (< p).
 *
 * A 32×32-bit product is split exactly into halves: the low half by `Math.imul`, the high half
 * from the double-precision product, whose rounding error (< 2^12) is far below 2^32. Products
 * are summed per 32-bit column (sums stay < 2^53) and reduced once per coefficient with
 * 2^64 ≡ 2^32 − 1 and 2^96 ≡ −1 (mod p).
 */

export type FastFp5 = number[];

const T32 = 4294967296;
const INV32 = 1 / T32;
const HI_MAX = 0xffffffff;

/** Writes the canonical form of lo + hi·2^32 (any values |·| < 2^52) at out[o], out[o+1]. */
export function canon(lo: number, hi: number, out: FastFp5, o: number): void {
  let c = Math.floor(lo * INV32);
  lo -= c * T32;
  hi += c;
  while (hi < 0 || hi >= T32) {
    // hi = q·2^32 + r: q·2^64 ≡ q·(2^32 − 1)
    const q = Math.floor(hi * INV32);
    hi = hi - q * T32 + q;
    lo -= q;
    c = Math.floor(lo * INV32);
    lo -= c * T32;
    hi += c;
  }
  if (hi === HI_MAX && lo >= 1) {
    hi = 0;
    lo -= 1;
  }
  out[o] = lo;
  out[o + 1] = hi;
}

/** c0 + c1·2^32 + c2·2^64 + c3·2^96 (each ≥ 0, < 2^52) reduced mod p into out[o], out[o+1]. */
export function reduceColumns(c0: number, c1: number, c2: number, c3: number, out: FastFp5, o: number): void {
  let t = Math.floor(c0 * INV32);
  const d0 = c0 - t * T32;
  c1 += t;
  t = Math.floor(c1 * INV32);
  const d1 = c1 - t * T32;
  c2 += t;
  t = Math.floor(c2 * INV32);
  const d2 = c2 - t * T32;
  c3 += t;
  t = Math.floor(c3 * INV32);
  const d3 = c3 - t * T32;
  // d4 = t has weight 2^128 ≡ −2^32
  canon(d0 - d2 - d3, d1 + d2 - t, out, o);
}

/** (al + ah·2^32)·(bl + bh·2^32) + (cl + ch·2^32) mod p into out[o], out[o+1] (halves < 2^32, c's < 2^40). */
export function fpMulAddInto(
  al: number,
  ah: number,
  bl: number,
  bh: number,
  cl: number,
  ch: number,
  out: FastFp5,
  o: number,
): void {
  let lo = Math.imul(al, bl) >>> 0;
  const c0 = lo + cl;
  let c1 = Math.round((al * bl - lo) * INV32) + ch;
  lo = Math.imul(al, bh) >>> 0;
  c1 += lo;
  let c2 = Math.round((al * bh - lo) * INV32);
  lo = Math.imul(ah, bl) >>> 0;
  c1 += lo;
  c2 += Math.round((ah * bl - lo) * INV32);
  lo = Math.imul(ah, bh) >>> 0;
  c2 += lo;
  reduceColumns(c0, c1, c2, Math.round((ah * bh - lo) * INV32), out, o);
}

export function toFast(a: Fp5): FastFp5 {
  const r: FastFp5 = new Array(10);
  for (let i = 0; i < 5; i++) {
    const v = a[i]!;
    r[2 * i] = Number(v & 0xffffffffn);
    r[2 * i + 1] = Number(v >> 32n);
  }
  return r;
}

export function fromFast(a: FastFp5): Fp5 {
  const r: bigint[] = [];
  for (let i = 0; i < 5; i++) r.push((BigInt(a[2 * i + 1]!) << 32n) | BigInt(a[2 * i]!));
  return r as unknown as Fp5;
}

export function fastAdd(a: FastFp5, b: FastFp5): FastFp5 {
  const r: FastFp5 = new Array(10);
  for (let i = 0; i < 10; i += 2) canon(a[i]! + b[i]!, a[i + 1]! + b[i + 1]!, r, i);
  return r;
}

export function fastSub(a: FastFp5, b: FastFp5): FastFp5 {
  const r: FastFp5 = new Array(10);
  // + p (= 2^64 − 2^32 + 1) keeps the difference non-negative before reduction
  for (let i = 0; i < 10; i += 2) canon(a[i]! - b[i]! + 1, a[i + 1]! - b[i + 1]! + HI_MAX, r, i);
  return r;
}

export function fastDouble(a: FastFp5): FastFp5 {
  return fastAdd(a, a);
}

/** a times a small non-negative integer k < 2^20. */
export function fastMulSmall(a: FastFp5, k: number): FastFp5 {
  const r: FastFp5 = new Array(10);
  for (let i = 0; i < 10; i += 2) reduceColumns(a[i]! * k, a[i + 1]! * k, 0, 0, r, i);
  return r;
}

/** a · 263·X (the curve's b): coefficients move up one place, X^5 = 3. */
export function fastMulB(a: FastFp5): FastFp5 {
  const r: FastFp5 = new Array(10);
  reduceColumns(a[8]! * 789, a[9]! * 789, 0, 0, r, 0);
  for (let i = 2; i < 10; i += 2) reduceColumns(a[i - 2]! * 263, a[i - 1]! * 263, 0, 0, r, i);
  return r;
}

const acc = new Float64Array(40);

export function fastMul(a: FastFp5, b: FastFp5): FastFp5 {
  acc.fill(0);
  for (let i = 0; i < 5; i++) {
    const al = a[2 * i]!;
    const ah = a[2 * i + 1]!;
    for (let j = 0; j < 5; j++) {
      const bl = b[2 * j]!;
      const bh = b[2 * j + 1]!;
      const k = i + j;
      // degree ≥ 5 terms go to a second bank, multiplied by 3 (X^5 = 3) at the end
      const base = k < 5 ? 4 * k : 20 + 4 * (k - 5);
      let lo = Math.imul(al, bl) >>> 0;
      acc[base] += lo;
      acc[base + 1] += Math.round((al * bl - lo) * INV32);
      lo = Math.imul(al, bh) >>> 0;
      acc[base + 1] += lo;
      acc[base + 2] += Math.round((al * bh - lo) * INV32);
      lo = Math.imul(ah, bl) >>> 0;
      acc[base + 1] += lo;
      acc[base + 2] += Math.round((ah * bl - lo) * INV32);
      lo = Math.imul(ah, bh) >>> 0;
      acc[base + 2] += lo;
      acc[base + 3] += Math.round((ah * bh - lo) * INV32);
    }
  }
  return reduceAcc();
}

/** The product from the column sums in `acc` (degree ≥ 5 bank folded in times 3, as X^5 = 3). */
function reduceAcc(): FastFp5 {
  const r: FastFp5 = new Array(10);
  for (let k = 0; k < 5; k++) {
    const n = 4 * k;
    const w = 20 + 4 * k;
    reduceColumns(
      acc[n]! + 3 * acc[w]!,
      acc[n + 1]! + 3 * acc[w + 1]!,
      acc[n + 2]! + 3 * acc[w + 2]!,
      acc[n + 3]! + 3 * acc[w + 3]!,
      r,
      2 * k,
    );
  }
  return r;
}

/** a^2 with 15 limb products instead of 25: each cross product a_i·a_j (i < j) counts twice. */
export function fastSquare(a: FastFp5): FastFp5 {
  acc.fill(0);
  for (let i = 0; i < 5; i++) {
    const al = a[2 * i]!;
    const ah = a[2 * i + 1]!;
    for (let j = i; j < 5; j++) {
      const bl = a[2 * j]!;
      const bh = a[2 * j + 1]!;
      const k = i + j;
      const base = k < 5 ? 4 * k : 20 + 4 * (k - 5);
      const f = i === j ? 1 : 2;
      let lo = Math.imul(al, bl) >>> 0;
      acc[base] += f * lo;
      acc[base + 1] += f * Math.round((al * bl - lo) * INV32);
      lo = Math.imul(al, bh) >>> 0;
      acc[base + 1] += f * lo;
      acc[base + 2] += f * Math.round((al * bh - lo) * INV32);
      lo = Math.imul(ah, bl) >>> 0;
      acc[base + 1] += f * lo;
      acc[base + 2] += f * Math.round((ah * bl - lo) * INV32);
      lo = Math.imul(ah, bh) >>> 0;
      acc[base + 2] += f * lo;
      acc[base + 3] += f * Math.round((ah * bh - lo) * INV32);
    }
  }
  return reduceAcc();
}
