/**
 * The Goldilocks field Fp (p = 2^64 - 2^32 + 1) and its quintic extension Fp5 = Fp[X]/(X^5 - 3),
 * the fields of Lighter's ECgFp5 keys and Poseidon2 hashes. Facts from T. Pornin, "EcGFp5: a
 * Specialized Elliptic Curve" (eprint 2022/274) and `elliottech/poseidon_crypto`
 * (`field/goldilocks_quintic_extension`); the code is this project's own.
 *
 * Representation: an Fp value is a `bigint` in [0, p); an Fp5 value is a 5-tuple of them,
 * lowest coefficient first. Every function returns canonical values and accepts canonical ones
 * (use `fp()` to bring any integer into range). Products of limbs are summed unreduced and
 * reduced once per coefficient, which is what keeps the BigInt version fast enough.
 *
 * Emulator-side code: shares nothing with any connector signer.
 */

export const P = 0xffffffff00000001n;
const MASK64 = 0xffffffffffffffffn;

export type Fp5 = readonly [bigint, bigint, bigint, bigint, bigint];

/** Any integer (including a two's-complement-wrapped negative int64) as a canonical Fp value. */
export function fp(x: bigint): bigint {
  const r = x % P;
  return r < 0n ? r + P : r;
}

/** An int64 as the Go reference turns it into a field element: `uint64(x)` reduced mod p. */
export function fpFromInt64(x: bigint): bigint {
  return fp(x & MASK64);
}

export function fpAdd(a: bigint, b: bigint): bigint {
  const s = a + b;
  return s >= P ? s - P : s;
}

export function fpSub(a: bigint, b: bigint): bigint {
  const d = a - b;
  return d < 0n ? d + P : d;
}

export function fpMul(a: bigint, b: bigint): bigint {
  return (a * b) % P;
}

export function fpNeg(a: bigint): bigint {
  return a === 0n ? 0n : P - a;
}

export function fpPow(base: bigint, exp: bigint): bigint {
  let r = 1n;
  let b = base % P;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return r;
}

/** 1/a, or 0 for a = 0 (Fermat: a^(p-2)). */
export function fpInverseOrZero(a: bigint): bigint {
  return a === 0n ? 0n : fpPow(a, P - 2n);
}

/** 7 generates Fp* (the plonky2 convention); p - 1 = 2^32 · (2^32 - 1). */
const TWO_ADICITY = 32n;
const ODD_PART = (P - 1n) >> TWO_ADICITY;
const ROOT_OF_UNITY_2_32 = fpPow(7n, ODD_PART);

/** A square root of a (Tonelli–Shanks), or undefined when a is not a square. */
export function fpSqrt(a: bigint): bigint | undefined {
  if (a === 0n) return 0n;
  if (fpPow(a, (P - 1n) / 2n) !== 1n) return undefined;
  let m = TWO_ADICITY;
  let c = ROOT_OF_UNITY_2_32;
  let t = fpPow(a, ODD_PART);
  let r = fpPow(a, (ODD_PART + 1n) / 2n);
  while (t !== 1n) {
    let i = 0n;
    let t2 = t;
    while (t2 !== 1n) {
      t2 = (t2 * t2) % P;
      i++;
    }
    let b = c;
    for (let j = 0n; j < m - i - 1n; j++) b = (b * b) % P;
    m = i;
    c = (b * b) % P;
    t = (t * c) % P;
    r = (r * b) % P;
  }
  return r;
}

// ---- Fp5 ----

export const FP5_ZERO: Fp5 = [0n, 0n, 0n, 0n, 0n];
export const FP5_ONE: Fp5 = [1n, 0n, 0n, 0n, 0n];

/** X^5 = W in Fp5. */
const W = 3n;
/** W^((p-1)/5): X^p = FROB_ROOT · X, so the Frobenius scales coefficient i by FROB_ROOT^i. */
export const FROB_ROOT = fpPow(W, (P - 1n) / 5n);

export function fp5(limbs: readonly bigint[]): Fp5 {
  if (limbs.length !== 5) throw new Error(`an Fp5 element has 5 limbs, got ${limbs.length}`);
  return [fp(limbs[0]!), fp(limbs[1]!), fp(limbs[2]!), fp(limbs[3]!), fp(limbs[4]!)];
}

export function fp5FromFp(a: bigint): Fp5 {
  return [a, 0n, 0n, 0n, 0n];
}

export function fp5Equals(a: Fp5, b: Fp5): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4];
}

export function fp5IsZero(a: Fp5): boolean {
  return a[0] === 0n && a[1] === 0n && a[2] === 0n && a[3] === 0n && a[4] === 0n;
}

export function fp5Add(a: Fp5, b: Fp5): Fp5 {
  return [fpAdd(a[0], b[0]), fpAdd(a[1], b[1]), fpAdd(a[2], b[2]), fpAdd(a[3], b[3]), fpAdd(a[4], b[4])];
}

export function fp5Sub(a: Fp5, b: Fp5): Fp5 {
  return [fpSub(a[0], b[0]), fpSub(a[1], b[1]), fpSub(a[2], b[2]), fpSub(a[3], b[3]), fpSub(a[4], b[4])];
}

export function fp5Neg(a: Fp5): Fp5 {
  return [fpNeg(a[0]), fpNeg(a[1]), fpNeg(a[2]), fpNeg(a[3]), fpNeg(a[4])];
}

export function fp5Double(a: Fp5): Fp5 {
  return fp5Add(a, a);
}

export function fp5MulFp(a: Fp5, k: bigint): Fp5 {
  return [(a[0] * k) % P, (a[1] * k) % P, (a[2] * k) % P, (a[3] * k) % P, (a[4] * k) % P];
}

/** Schoolbook product modulo X^5 - 3: the terms of degree ≥ 5 fold back times 3. */
export function fp5Mul(a: Fp5, b: Fp5): Fp5 {
  const [a0, a1, a2, a3, a4] = a;
  const [b0, b1, b2, b3, b4] = b;
  return [
    (a0 * b0 + W * (a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1)) % P,
    (a0 * b1 + a1 * b0 + W * (a2 * b4 + a3 * b3 + a4 * b2)) % P,
    (a0 * b2 + a1 * b1 + a2 * b0 + W * (a3 * b4 + a4 * b3)) % P,
    (a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 + W * a4 * b4) % P,
    (a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0) % P,
  ];
}

export function fp5Square(a: Fp5): Fp5 {
  const [a0, a1, a2, a3, a4] = a;
  const d0 = 2n * a0;
  const d1 = 2n * a1;
  return [
    (a0 * a0 + 2n * W * (a1 * a4 + a2 * a3)) % P,
    (d0 * a1 + W * (2n * a2 * a4 + a3 * a3)) % P,
    (d0 * a2 + a1 * a1 + 2n * W * a3 * a4) % P,
    (d0 * a3 + d1 * a2 + W * a4 * a4) % P,
    (d0 * a4 + d1 * a3 + a2 * a2) % P,
  ];
}

/** a^(2^n). */
export function fp5SquareN(a: Fp5, n: number): Fp5 {
  let r = a;
  for (let i = 0; i < n; i++) r = fp5Square(r);
  return r;
}

/** a^(p^count): coefficient i times FROB_ROOT^(i·count). */
export function fp5Frobenius(a: Fp5, count = 1): Fp5 {
  const k = count % 5;
  if (k === 0) return a;
  const z = fpPow(FROB_ROOT, BigInt(k));
  let zi = 1n;
  const r: bigint[] = [];
  for (let i = 0; i < 5; i++) {
    r.push((a[i]! * zi) % P);
    zi = (zi * z) % P;
  }
  return r as unknown as Fp5;
}

/** a^(p + p^2 + p^3 + p^4): times a it gives the norm, an element of Fp. */
function normCofactor(a: Fp5): Fp5 {
  const d = fp5Frobenius(a, 1);
  const e = fp5Mul(d, fp5Frobenius(d, 1)); // a^(p + p^2)
  return fp5Mul(e, fp5Frobenius(e, 2)); // a^(p + p^2 + p^3 + p^4)
}

/** Coefficient 0 of a·b (all that is needed when a·b is known to lie in Fp). */
export function mulCoeff0(a: Fp5, b: Fp5): bigint {
  return (a[0] * b[0] + W * (a[1] * b[4] + a[2] * b[3] + a[3] * b[2] + a[4] * b[1])) % P;
}

/** N(a) = a^(1 + p + p^2 + p^3 + p^4), in Fp. */
export function fp5Norm(a: Fp5): bigint {
  return mulCoeff0(a, normCofactor(a));
}

/** 1/a = a^(p+…+p^4) / N(a), or zero for a = 0. */
export function fp5InverseOrZero(a: Fp5): Fp5 {
  if (fp5IsZero(a)) return FP5_ZERO;
  const f = normCofactor(a);
  return fp5MulFp(f, fpInverseOrZero(mulCoeff0(a, f)));
}

/** Legendre symbol of a as an Fp value: 0, 1 (square) or p - 1 (non-square). a is a square in Fp5 iff N(a) is one in Fp. */
export function fp5Legendre(a: Fp5): bigint {
  return fpPow(fp5Norm(a), (P - 1n) / 2n);
}

export function fp5Pow(a: Fp5, exp: bigint): Fp5 {
  let r = FP5_ONE;
  let b = a;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = fp5Mul(r, b);
    b = fp5Square(b);
    e >>= 1n;
  }
  return r;
}

/** 40 bytes, five little-endian u64 limbs; a limb ≥ p is read modulo p (as the reference does). */
export function fp5FromBytesLE(bytes: Uint8Array): Fp5 {
  if (bytes.length !== 40) throw new Error(`an Fp5 element is 40 bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 40);
  const limbs: bigint[] = [];
  for (let i = 0; i < 5; i++) limbs.push(view.getBigUint64(i * 8, true));
  return fp5(limbs);
}

export function fp5ToBytesLE(a: Fp5): Uint8Array {
  const out = new Uint8Array(40);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 5; i++) view.setBigUint64(i * 8, a[i]!, true);
  return out;
}
