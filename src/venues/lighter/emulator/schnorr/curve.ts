import { type FastPoint, fastMulAdd2, fastTable, fromFastPoint, toFastPoint } from "./fast-curve.ts";
import {
  FP5_ONE,
  FP5_ZERO,
  type Fp5,
  fp5,
  fp5Add,
  fp5Double,
  fp5Equals,
  fp5InverseOrZero,
  fp5IsZero,
  fp5Legendre,
  fp5Mul,
  fp5MulFp,
  fp5Square,
  fp5Sub,
  fpInverseOrZero,
} from "./field.ts";
import { fp5CanonicalSqrt } from "./sqrt.ts";

/**
 * The ECgFp5 group (T. Pornin, "EcGFp5: a Specialized Elliptic Curve", eprint 2022/274; reference
 * code https://github.com/pornin/ecgfp5 and `elliottech/poseidon_crypto` `curve/ecgfp5`).
 *
 * Curve y^2 = x(x^2 + a·x + b) over Fp5 with a = 2, b = 263·X. The group is the points with x not
 * a square, with the order-2 point N = (0, 0) as neutral and P ⊕ Q = P + Q + N; its order n is
 * prime (~2^319). A point is held in fractional (x, u) coordinates, u = x/y, as (X:Z:U:T) with
 * x = X/Z, u = U/T; the neutral has u = 0. An element is encoded as the single Fp5 value
 * w = 1/u = y/x (0 for the neutral). The addition (10M) and doubling (4M+5S) formulas are the
 * paper's complete formulas; this file is an own implementation of them.
 */

export interface Point {
  readonly x: Fp5;
  readonly z: Fp5;
  readonly u: Fp5;
  readonly t: Fp5;
}

const A: Fp5 = [2n, 0n, 0n, 0n, 0n];
const B1 = 263n;
const B_MUL4: Fp5 = [0n, 4n * B1, 0n, 0n, 0n];
const FOUR: Fp5 = [4n, 0n, 0n, 0n, 0n];
const HALF = fpInverseOrZero(2n);

/** n, the prime order of the group. */
export const ORDER =
  1067993516717146951041484916571792702745057740581727230159139685185762082554198619328292418486241n;

export const NEUTRAL: Point = { x: FP5_ZERO, z: FP5_ONE, u: FP5_ZERO, t: FP5_ONE };

/** The conventional generator (poseidon_crypto `GENERATOR_ECgFp5Point`; u = 1, so w = t = 4). */
export const GENERATOR: Point = {
  x: fp5([
    12883135586176881569n,
    4356519642755055268n,
    5248930565894896907n,
    2165973894480315022n,
    2448410071095648785n,
  ]),
  z: FP5_ONE,
  u: FP5_ONE,
  t: FOUR,
};

/** Multiplying by b = 263·X shifts the coefficients up one place (X^5 = 3) and scales by 263. */
function mulB(a: Fp5): Fp5 {
  return fp5MulFp([3n * a[4], a[0], a[1], a[2], a[3]], B1);
}

export function isNeutral(p: Point): boolean {
  return fp5IsZero(p.u);
}

/** Group equality: same u = U/T. */
export function pointEquals(p: Point, q: Point): boolean {
  return fp5Equals(fp5Mul(p.u, q.t), fp5Mul(q.u, p.t));
}

/** w = T/U (0 for the neutral). */
export function encode(p: Point): Fp5 {
  return fp5Mul(p.t, fp5InverseOrZero(p.u));
}

/**
 * The point encoded by w, or undefined when w encodes none. From w = y/x the curve equation gives
 * x^2 - (w^2 - a)·x + b = 0; of its two roots (when the discriminant is a square) exactly one is
 * not a square, and that one is the group element's x. w = 0 is the neutral.
 */
export function decode(w: Fp5): Point | undefined {
  if (fp5IsZero(w)) return NEUTRAL;
  const e = fp5Sub(fp5Square(w), A);
  const delta = fp5Sub(fp5Square(e), B_MUL4);
  const r = fp5CanonicalSqrt(delta);
  if (r === undefined) return undefined;
  const x1 = fp5MulFp(fp5Add(e, r), HALF);
  const x = fp5Legendre(x1) === 1n ? fp5MulFp(fp5Sub(e, r), HALF) : x1;
  return { x, z: FP5_ONE, u: FP5_ONE, t: w };
}

/** P ⊕ Q, complete formulas (no special cases; the neutral needs none). */
export function add(p: Point, q: Point): Point {
  const t1 = fp5Mul(p.x, q.x);
  const t2 = fp5Mul(p.z, q.z);
  const t3 = fp5Mul(p.u, q.u);
  const t4 = fp5Mul(p.t, q.t);
  const t5 = fp5Sub(fp5Mul(fp5Add(p.x, p.z), fp5Add(q.x, q.z)), fp5Add(t1, t2));
  const t6 = fp5Sub(fp5Mul(fp5Add(p.u, p.t), fp5Add(q.u, q.t)), fp5Add(t3, t4));
  const t7 = fp5Add(t1, mulB(t2));
  const t8 = fp5Mul(t4, t7);
  const t9 = fp5Mul(t3, fp5Add(fp5Double(mulB(t5)), fp5Double(t7)));
  const t10 = fp5Mul(fp5Add(t4, fp5Double(t3)), fp5Add(t5, t7));
  return {
    x: mulB(fp5Sub(t10, t8)),
    z: fp5Sub(t8, t9),
    u: fp5Mul(t6, fp5Sub(mulB(t2), t1)),
    t: fp5Add(t8, t9),
  };
}

/** 2·P (4M + 5S). */
export function double(p: Point): Point {
  const t1 = fp5Mul(p.z, p.t);
  const t2 = fp5Mul(t1, p.t);
  const x1 = fp5Square(t2);
  const z1 = fp5Mul(t1, p.u);
  const t3 = fp5Square(p.u);
  const w1 = fp5Sub(t2, fp5Mul(t3, fp5Double(fp5Add(p.x, p.z))));
  const t4 = fp5Square(z1);
  const z = fp5Square(w1);
  return {
    x: fp5MulFp(mulB(t4), 4n),
    z,
    u: fp5Sub(fp5Square(fp5Add(w1, z1)), fp5Add(t4, z)),
    t: fp5Sub(fp5Double(x1), fp5Add(fp5MulFp(t4, 4n), z)),
  };
}

export function negate(p: Point): Point {
  // -(x, u) = (x, -u): negating y flips u = x/y.
  return { x: p.x, z: p.z, u: fp5Sub(FP5_ZERO, p.u), t: p.t };
}

function reduceScalar(k: bigint): bigint {
  const r = k % ORDER;
  return r < 0n ? r + ORDER : r;
}

/** k·P (k is reduced mod n first). */
export function mul(p: Point, k: bigint): Point {
  return mulAdd2(p, k, NEUTRAL, 0n);
}

let generatorTable: FastPoint[] | undefined;

function tableOf(p: Point): FastPoint[] {
  if (p !== GENERATOR) return fastTable(toFastPoint(p));
  if (generatorTable === undefined) generatorTable = fastTable(toFastPoint(GENERATOR));
  return generatorTable;
}

/** a·P ⊕ b·Q with one shared chain of doublings (fast-curve.ts). P = GENERATOR reuses a cached table. */
export function mulAdd2(p: Point, a: bigint, q: Point, b: bigint): Point {
  const kb = reduceScalar(b);
  const tq = kb === 0n ? [] : tableOf(q);
  return fromFastPoint(fastMulAdd2(tableOf(p), reduceScalar(a), tq, kb));
}
